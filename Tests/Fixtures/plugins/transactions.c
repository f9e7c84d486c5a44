/* Test plugin: state changes and dispatches made in a transaction are applied
 * together at commit, or not at all. */
#include "chorus.h"

#include <stdio.h>
#include <string.h>

static const chorus_host *host;

/* Creates record <seq>, dispatches echo(<seq>) in the same transaction,
 * commits when `commit` is true, rolls back otherwise. Returns the record id. */
static int64_t create(chorus_context *ctx, bool commit) {
    if (host->transaction_begin(ctx) != CHORUS_OK) { host->fail_permanent(ctx, "begin failed"); return 0; }
    if (host->transaction_begin(ctx) != CHORUS_E_STATE) { host->fail_permanent(ctx, "nested begin allowed"); return 0; }
    int64_t id = 0;
    host->state_increment(ctx, "seq", 1, &id);
    char key[32], canvas[160];
    snprintf(key, sizeof key, "record:%lld", (long long)id);
    host->state_set(ctx, key, "saved");
    const char *read = NULL;
    if (host->state_get(ctx, key, &read) != CHORUS_OK || strcmp(read, "saved") != 0) {
        host->fail_permanent(ctx, "a transaction must read its own writes");
        return 0;
    }
    snprintf(canvas, sizeof canvas,
             "{\"task\":\"echo\",\"args\":[%lld],\"kwargs\":{},\"options\":{\"task_id\":\"echo-%lld-%d\"},\"subtask_type\":null,\"immutable\":false}",
             (long long)id, (long long)id, commit ? 1 : 0);
    if (host->dispatch(ctx, canvas, NULL, 0) != CHORUS_OK) { host->fail_permanent(ctx, "dispatch failed"); return 0; }
    chorus_status status = commit ? host->transaction_commit(ctx) : host->transaction_rollback(ctx);
    if (status != CHORUS_OK) { host->fail_permanent(ctx, "commit/rollback failed"); return 0; }
    if (host->transaction_commit(ctx) != CHORUS_E_STATE) { host->fail_permanent(ctx, "second commit allowed"); return 0; }
    return id;
}

/* Begins a transaction, writes, and returns without ending it. */
static int64_t leave_open(chorus_context *ctx) {
    host->transaction_begin(ctx);
    host->state_set(ctx, "left-open", "yes");
    return 1;
}

static const char *echo(const char *value) { return value; }

static const chorus_task create_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "tx.create", "int64 (bool commit)", (chorus_task_fn)create, 0, 0, 0, 0, 0, NULL};
static const chorus_task leave_open_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "tx.leave_open", "int64 ()", (chorus_task_fn)leave_open, 0, 0, 0, 0, 0, NULL};
static const chorus_task echo_task = {
    sizeof(chorus_task), 0, "echo", "json (json value)", (chorus_task_fn)echo, 0, 0, 0, 0, 0, NULL};
static const chorus_task *const tasks[] = {&create_task, &leave_open_task, &echo_task};
static const chorus_plugin plugin = {sizeof(chorus_plugin), CHORUS_ABI_VERSION, "tx", "1.0.0", 3, 0, tasks};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    host = h;
    return &plugin;
}
