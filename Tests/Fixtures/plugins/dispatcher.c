/* Test plugin for the engine tests: a C task that dispatches more work
 * through host->dispatch while it runs, as a fan-out task would. */
#include "chorus.h"

#include <stdio.h>
#include <string.h>

static const chorus_host *host;

/* spawn(n) -> the id of the dispatched chain add(n, 1) | mul(10). */
static const char *spawn(chorus_context *ctx, int64_t n) {
    char canvas[512];
    snprintf(canvas, sizeof canvas,
             "{\"task\":\"celery.chain\",\"args\":[],\"kwargs\":{\"tasks\":["
             "{\"task\":\"add\",\"args\":[%lld,1],\"kwargs\":{},\"options\":{},\"subtask_type\":null,\"immutable\":false},"
             "{\"task\":\"mul\",\"args\":[10],\"kwargs\":{},\"options\":{},\"subtask_type\":null,\"immutable\":false}"
             "]},\"options\":{},\"subtask_type\":\"chain\",\"immutable\":false}",
             (long long)n);
    char id[CHORUS_ID_SIZE];
    chorus_status status = host->dispatch(ctx, canvas, id, sizeof id);
    if (status != CHORUS_OK) {
        host->fail_permanent(ctx, "dispatch failed");
        return NULL;
    }
    char *out = host->alloc(ctx, strlen(id) + 1);
    if (!out) return NULL;
    memcpy(out, id, strlen(id) + 1);
    return out;
}

static const chorus_task spawn_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "spawn", "string (int64 n)", (chorus_task_fn)spawn,
    0, 0, 0, 0, 0, "dispatches add(n, 1) | mul(10) and returns its id"};

static const chorus_task *const tasks[] = {&spawn_task};

static const chorus_plugin plugin = {
    sizeof(chorus_plugin), CHORUS_ABI_VERSION, "dispatcher", "1.0.0", sizeof tasks / sizeof tasks[0], 0, tasks,
};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    host = h;
    return &plugin;
}
