/*
 * The reports plugin, bundled with Chorus: the tutorial Chorus grew from.
 *
 * A report's work is three slow, randomly failing calls to an external API,
 * run as a group for one kind of report and as a chord for the other, with
 * callbacks that set the report's final status, and a task log with one row
 * per attempt. Everything lives in the plugin's state (host->state_*), so the
 * `chorus report` commands see it across processes when the runtime is durable.
 *
 * State layout (namespace "reports"):
 *   report:seq                      last report id
 *   report:<id>:kind                "group" or "chord"
 *   report:<id>:status              "processing", "finished" or "error"
 *   report:<id>:created             ISO-8601 UTC, to the second
 *   report:<id>:sent                "true" once its workflow was dispatched
 *   report:key:<key>                the report id a creation key made (idempotent creation)
 *   log:<id>:seq                    last log row of report <id>
 *   log:<id>:<nnnnnn>               {"task","status","retry","created","finished"}
 */
/* nanosleep and gmtime_r are POSIX, not C99. */
#define _POSIX_C_SOURCE 200809L

#include "chorus.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const chorus_host *host;

/* ---- small helpers -------------------------------------------------------- */

static void now_iso(char *out, size_t size) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool report_exists(chorus_context *ctx, int64_t id) {
    char key[64];
    const char *value = NULL;
    snprintf(key, sizeof key, "report:%" PRId64 ":status", id);
    return host->state_get(ctx, key, &value) == CHORUS_OK;
}

static chorus_status set_field(chorus_context *ctx, int64_t id, const char *field, const char *value) {
    char key[64];
    snprintf(key, sizeof key, "report:%" PRId64 ":%s", id, field);
    return host->state_set(ctx, key, value);
}

/* A task-log row. Returns its key in `key` (for updating it later). */
static chorus_status write_log(chorus_context *ctx, int64_t report_id, const char *task, const char *status,
                               int32_t retry, const char *created, const char *finished, char *key, size_t key_size) {
    if (key[0] == '\0') {
        char seq_key[64];
        int64_t n = 0;
        snprintf(seq_key, sizeof seq_key, "log:%" PRId64 ":seq", report_id);
        chorus_status s = host->state_increment(ctx, seq_key, 1, &n);
        if (s != CHORUS_OK) return s;
        snprintf(key, key_size, "log:%" PRId64 ":%06" PRId64, report_id, n);
    }
    char row[320];
    if (finished) {
        snprintf(row, sizeof row, "{\"task\":\"%s\",\"status\":\"%s\",\"retry\":%d,\"created\":\"%s\",\"finished\":\"%s\"}",
                 task, status, retry, created, finished);
    } else {
        snprintf(row, sizeof row, "{\"task\":\"%s\",\"status\":\"%s\",\"retry\":%d,\"created\":\"%s\",\"finished\":null}",
                 task, status, retry, created);
    }
    return host->state_set(ctx, key, row);
}

/* A uniform whole number in [lo, hi] from the runtime's seedable source. */
static int64_t uniform(chorus_context *ctx, int64_t lo, int64_t hi) {
    return lo + (int64_t)(host->random(ctx) % (uint64_t)(hi - lo + 1));
}

static void sleep_scaled(chorus_context *ctx, int64_t seconds) {
    double scaled = (double)seconds * host->time_scale(ctx);
    struct timespec t;
    t.tv_sec = (time_t)scaled;
    t.tv_nsec = (long)((scaled - (double)t.tv_sec) * 1e9);
    nanosleep(&t, NULL);
}

/* ---- the API tasks -------------------------------------------------------- */

/* The body of every API task: the tutorial's fake external call. Returns JSON
 * text: `false` when the report does not exist, else the seconds slept. */
static const char *api_call(chorus_context *ctx, int64_t report_id, int64_t lo, int64_t hi, bool unrecoverable_on_5) {
    const char *task = host->task_name(ctx);
    if (!report_exists(ctx, report_id)) return "false";
    char created[32], finished[32], key[64] = "";
    now_iso(created, sizeof created);
    int32_t retry = host->retries(ctx);
    if (write_log(ctx, report_id, task, "processing", retry, created, NULL, key, sizeof key) != CHORUS_OK) {
        host->fail(ctx, "could not write the task log");
        return NULL;
    }
    int64_t seconds = uniform(ctx, lo, hi);
    sleep_scaled(ctx, seconds);
    const char *error = NULL;
    if (uniform(ctx, 1, 10) == 1) error = "API Connectivity Failure";
    if (unrecoverable_on_5 && report_id % 5 == 0) error = "Unrecoverable API error";
    now_iso(finished, sizeof finished);
    if (error) {
        write_log(ctx, report_id, task, "error", retry, created, finished, key, sizeof key);
        host->fail(ctx, error);
        return NULL;
    }
    write_log(ctx, report_id, task, "finished", retry, created, finished, key, sizeof key);
    char *out = host->alloc(ctx, 24);
    if (!out) return "0";
    snprintf(out, 24, "%" PRId64, seconds);
    return out;
}

static const char *short_call(chorus_context *ctx, int64_t id) { return api_call(ctx, id, 1, 10, false); }
static const char *medium_call(chorus_context *ctx, int64_t id) { return api_call(ctx, id, 10, 30, false); }
static const char *long_call(chorus_context *ctx, int64_t id) { return api_call(ctx, id, 10, 100, true); }

/* ---- the callbacks -------------------------------------------------------- */

static bool conclude(chorus_context *ctx, int64_t report_id, const char *status) {
    if (!report_exists(ctx, report_id)) return false;
    char at[32], key[64] = "";
    now_iso(at, sizeof at);
    if (host->transaction_begin(ctx) != CHORUS_OK) { host->fail(ctx, "could not begin a transaction"); return false; }
    write_log(ctx, report_id, host->task_name(ctx), status, host->retries(ctx), at, at, key, sizeof key);
    set_field(ctx, report_id, "status", status);
    if (host->transaction_commit(ctx) != CHORUS_OK) { host->fail(ctx, "could not save the report"); return false; }
    return true;
}

static bool finished(chorus_context *ctx, int64_t id) { return conclude(ctx, id, "finished"); }
static bool errored(chorus_context *ctx, int64_t id) { return conclude(ctx, id, "error"); }

/* ---- creating a report ---------------------------------------------------- */

static int sig(char *out, size_t size, const char *task, int64_t id, bool immutable, const char *options) {
    return snprintf(out, size,
                    "{\"task\":\"%s\",\"args\":[%" PRId64 "],\"kwargs\":{},\"options\":{%s},"
                    "\"subtask_type\":null,\"immutable\":%s}",
                    task, id, options ? options : "", immutable ? "true" : "false");
}

/* The tutorial's workflows, as Celery dicts:
 *   group:  group(short, medium, long) with link(finished.si(id)) and link_error(error.si(id)):
 *           Celery puts the link on the FIRST member only (so `finished` fires after the first
 *           task, not after all three) and the errback on every member.
 *   chord:  chord([short, medium, long], finished.si(id)) with finished.link_error(error.si(id)). */
static void workflow(char *out, size_t size, const char *kind, int64_t id) {
    char a[512], b[512], c[512], fin[256], err[256], opts[512];
    if (strcmp(kind, "group") == 0) {
        sig(fin, sizeof fin, "report_group_finished", id, true, NULL);
        sig(err, sizeof err, "report_group_error", id, true, NULL);
        snprintf(opts, sizeof opts, "\"link\":[%s],\"link_error\":[%s]", fin, err);
        sig(a, sizeof a, "report_group_short", id, false, opts);
        snprintf(opts, sizeof opts, "\"link_error\":[%s]", err);
        sig(b, sizeof b, "report_group_medium", id, false, opts);
        sig(c, sizeof c, "report_group_long", id, false, opts);
        snprintf(out, size,
                 "{\"task\":\"celery.group\",\"args\":[],\"kwargs\":{\"tasks\":[%s,%s,%s]},\"options\":{},"
                 "\"subtask_type\":\"group\",\"immutable\":false}", a, b, c);
    } else {
        sig(err, sizeof err, "report_chord_error", id, true, NULL);
        snprintf(opts, sizeof opts, "\"link_error\":[%s]", err);
        sig(fin, sizeof fin, "report_chord_finished", id, true, NULL);
        /* finished.si(id) with its errback: rebuild with options. */
        char body[640];
        sig(body, sizeof body, "report_chord_finished", id, true, opts);
        sig(a, sizeof a, "report_chord_short", id, false, NULL);
        sig(b, sizeof b, "report_chord_medium", id, false, NULL);
        sig(c, sizeof c, "report_chord_long", id, false, NULL);
        snprintf(out, size,
                 "{\"task\":\"celery.chord\",\"args\":[],\"kwargs\":{\"kwargs\":{},\"header\":[%s,%s,%s],\"body\":%s},"
                 "\"options\":{},\"subtask_type\":\"chord\",\"immutable\":false}", a, b, c, body);
    }
}

/* report_create(kind, key) -> id. The tutorial's save() + do_celery() under
 * transaction.on_commit: the record and its workflow commit together. `key`
 * makes creation idempotent: creating again with the same key returns the same
 * report and never dispatches its workflow twice. */
static int64_t report_create(chorus_context *ctx, const char *kind, const char *key) {
    if (strcmp(kind, "group") != 0 && strcmp(kind, "chord") != 0) {
        host->fail_permanent(ctx, "kind must be \"group\" or \"chord\"");
        return 0;
    }
    if (key[0] == '\0' || strlen(key) > 200) {
        host->fail_permanent(ctx, "key must be 1 to 200 bytes, e.g. a UUID");
        return 0;
    }
    if (host->transaction_begin(ctx) != CHORUS_OK) { host->fail(ctx, "could not begin a transaction"); return 0; }
    char key_key[256], text[32];
    const char *existing = NULL;
    int64_t id = 0;
    snprintf(key_key, sizeof key_key, "report:key:%s", key);
    if (host->state_get(ctx, key_key, &existing) == CHORUS_OK) {
        id = strtoll(existing, NULL, 10);
    } else {
        char created[32];
        now_iso(created, sizeof created);
        host->state_increment(ctx, "report:seq", 1, &id);
        set_field(ctx, id, "kind", kind);
        set_field(ctx, id, "status", "processing");
        set_field(ctx, id, "created", created);
        set_field(ctx, id, "sent", "false");
        snprintf(text, sizeof text, "%" PRId64, id);
        host->state_set(ctx, key_key, text);
    }
    char sent_key[64];
    const char *sent = NULL;
    snprintf(sent_key, sizeof sent_key, "report:%" PRId64 ":sent", id);
    if (host->state_get(ctx, sent_key, &sent) != CHORUS_OK || strcmp(sent, "true") != 0) {
        char canvas[4096];
        const char *stored_kind = NULL;
        char kind_key[64];
        snprintf(kind_key, sizeof kind_key, "report:%" PRId64 ":kind", id);
        host->state_get(ctx, kind_key, &stored_kind);
        workflow(canvas, sizeof canvas, stored_kind ? stored_kind : kind, id);
        if (host->dispatch(ctx, canvas, NULL, 0) != CHORUS_OK) {
            host->transaction_rollback(ctx);
            host->fail(ctx, "could not dispatch the report's workflow");
            return 0;
        }
        host->state_set(ctx, sent_key, "true");
    }
    if (host->transaction_commit(ctx) != CHORUS_OK) {
        host->fail(ctx, "could not save the report");
        return 0;
    }
    return id;
}

/* ---- descriptors ---------------------------------------------------------- */

#define REPORT_FLAGS (CHORUS_TASK_BIND | CHORUS_TASK_ACKS_LATE | CHORUS_TASK_AUTORETRY | CHORUS_TASK_RETRY_JITTER)
#define API_TASK(var, name, fn, doc) \
    static const chorus_task var = {sizeof(chorus_task), REPORT_FLAGS, name, "json (int64 report_id)", \
                                    (chorus_task_fn)(fn), 5, 0, 1.0, 500.0, 0, doc}
#define CALLBACK_TASK(var, name, fn, doc) \
    static const chorus_task var = {sizeof(chorus_task), REPORT_FLAGS, name, "bool (int64 report_id)", \
                                    (chorus_task_fn)(fn), 5, 0, 1.0, 500.0, 0, doc}

API_TASK(group_short, "report_group_short", short_call, "fake API call: 1-10 s, fails 10% of the time");
API_TASK(group_medium, "report_group_medium", medium_call, "fake API call: 10-30 s, fails 10% of the time");
API_TASK(group_long, "report_group_long", long_call, "fake API call: 10-100 s, fails 10%, always when id % 5 == 0");
API_TASK(chord_short, "report_chord_short", short_call, "fake API call: 1-10 s, fails 10% of the time");
API_TASK(chord_medium, "report_chord_medium", medium_call, "fake API call: 10-30 s, fails 10% of the time");
API_TASK(chord_long, "report_chord_long", long_call, "fake API call: 10-100 s, fails 10%, always when id % 5 == 0");
CALLBACK_TASK(group_finished, "report_group_finished", finished, "sets the report finished (linked to the group)");
CALLBACK_TASK(group_error, "report_group_error", errored, "sets the report error (the group's errback)");
CALLBACK_TASK(chord_finished, "report_chord_finished", finished, "sets the report finished (the chord body)");
CALLBACK_TASK(chord_error, "report_chord_error", errored, "sets the report error (the body's errback)");

static const chorus_task create_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND | CHORUS_TASK_AUTORETRY, "report_create", "int64 (string kind, string key)",
    (chorus_task_fn)report_create, 3, 0, 0, 0, 1.0, "creates a report and dispatches its workflow once"};

static const chorus_task *const tasks[] = {
    &group_short, &group_medium, &group_long, &chord_short, &chord_medium, &chord_long,
    &group_finished, &group_error, &chord_finished, &chord_error, &create_task,
};

static const chorus_plugin plugin = {
    sizeof(chorus_plugin), CHORUS_ABI_VERSION, "reports", "1.0.0", sizeof tasks / sizeof tasks[0], 0, tasks,
};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    if (!CHORUS_HOST_HAS(h, random)) {
        snprintf(error, error_size, "the reports plugin needs a runtime with host->random (Chorus ABI 1.0 or later)");
        return NULL;
    }
    host = h;
    return &plugin;
}
