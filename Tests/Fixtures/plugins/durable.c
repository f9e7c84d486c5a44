/* Test plugin for worker processes: tasks that record each run of an id in
 * the plugin's durable state, so a test can check every task ran exactly once. */
#define _POSIX_C_SOURCE 200809L

#include "chorus.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>

static const chorus_host *host;

static int64_t record(chorus_context *ctx, const char *id) {
    char key[256];
    int64_t runs = 0;
    snprintf(key, sizeof key, "ran:%s", id);
    if (host->state_increment(ctx, key, 1, &runs) != CHORUS_OK) host->fail(ctx, "could not record the run");
    return runs;
}

static void sleep_ms(chorus_context *ctx, int64_t ms) {
    double scaled = (double)ms * host->time_scale(ctx) / 1000.0;
    struct timespec t;
    t.tv_sec = (time_t)scaled;
    t.tv_nsec = (long)((scaled - (double)t.tv_sec) * 1e9);
    nanosleep(&t, NULL);
}

/* Marks the start, sleeps `ms` (scaled), then records the run. */
static int64_t slow_record(chorus_context *ctx, const char *id, int64_t ms) {
    char key[256];
    snprintf(key, sizeof key, "started:%s", id);
    host->state_increment(ctx, key, 1, NULL);
    sleep_ms(ctx, ms);
    return record(ctx, id);
}

/* Fails (retryably) until its third attempt, recording each attempt number. */
static int64_t third_time(chorus_context *ctx, const char *id) {
    char key[256];
    snprintf(key, sizeof key, "attempt:%s:%d", id, host->retries(ctx) + 1);
    host->state_set(ctx, key, "ran");
    if (host->retries(ctx) < 2) {
        host->fail(ctx, "not yet");
        return 0;
    }
    return record(ctx, id);
}

/* Kills its own worker process: a poison task. */
static int64_t crash(chorus_context *ctx, const char *id) {
    char key[256];
    snprintf(key, sizeof key, "started:%s", id);
    host->state_increment(ctx, key, 1, NULL);
    raise(SIGKILL);
    return 0;
}

static const chorus_task record_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "durable.record", "int64 (string id)", (chorus_task_fn)record,
    0, 0, 0, 0, 0, "records one run of id"};
static const chorus_task slow_late_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND | CHORUS_TASK_ACKS_LATE, "durable.slow_late", "int64 (string id, int64 ms)",
    (chorus_task_fn)slow_record, 0, 0, 0, 0, 0, "acks_late: sleeps, then records"};
static const chorus_task slow_early_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "durable.slow_early", "int64 (string id, int64 ms)",
    (chorus_task_fn)slow_record, 0, 0, 0, 0, 0, "early ack: sleeps, then records"};
static const chorus_task third_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND | CHORUS_TASK_AUTORETRY, "durable.third_time", "int64 (string id)",
    (chorus_task_fn)third_time, 5, 0, 0, 0, 2.0, "succeeds on its third attempt, 2 s apart"};
static const chorus_task crash_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND | CHORUS_TASK_ACKS_LATE, "durable.crash", "int64 (string id)",
    (chorus_task_fn)crash, 0, 0, 0, 0, 0, "acks_late: kills its worker"};
static const chorus_task *const tasks[] = {&record_task, &slow_late_task, &slow_early_task, &third_task, &crash_task};
static const chorus_plugin plugin = {sizeof(chorus_plugin), CHORUS_ABI_VERSION, "durable", "1.0.0", 5, 0, tasks};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    host = h;
    return &plugin;
}
