/* Test plugin for the invoker: bound echo tasks for every value type (each
 * checks that its context is live before echoing), a three-parameter task
 * for argument binding, and tasks that misuse the host API and return the
 * status it gave them. */
#define _POSIX_C_SOURCE 200809L
#include "chorus.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const chorus_host *host;

/* True when `ctx` is the live context of the invocation calling us. */
static bool live(chorus_context *ctx) {
    const char *id = host->task_id(ctx);
    return id != NULL && strncmp(id, "bound-", 6) == 0;
}

/* Each echo returns a different value when the context is not live. */
static bool bound_bool(chorus_context *ctx, bool v) { return live(ctx) ? v : !v; }
static int32_t bound_int32(chorus_context *ctx, int32_t v) { return live(ctx) ? v : 7; }
static int64_t bound_int64(chorus_context *ctx, int64_t v) { return live(ctx) ? v : 7; }
static uint64_t bound_uint64(chorus_context *ctx, uint64_t v) { return live(ctx) ? v : 7; }
static double bound_double(chorus_context *ctx, double v) { return live(ctx) ? v : 7.5; }
static const char *bound_string(chorus_context *ctx, const char *v) { return live(ctx) ? v : "dead"; }
static const char *bound_json(chorus_context *ctx, const char *v) { return live(ctx) ? v : "\"dead\""; }
static chorus_bytes bound_bytes(chorus_context *ctx, chorus_bytes v) {
    chorus_bytes dead = { (const uint8_t *)"dead", 4 };
    return live(ctx) ? v : dead;
}

/* The json text exactly as the host passed it, returned as a string. */
static const char *json_text(const char *v) { return v; }

static const char *null_string(void) { return NULL; }
static const char *null_json(void) { return NULL; }
static const char *spaced_json(void) { return " \n [1, {\"a\": 2}] \t"; }
static chorus_bytes null_bytes_with_size(void) {
    chorus_bytes b = { NULL, 5 };
    return b;
}
static chorus_bytes empty_bytes(void) {
    chorus_bytes b = { NULL, 0 };
    return b;
}

static int64_t sum3(int64_t a, int64_t b, int64_t c) { return a + b + c; }

/* fail() after fail(): the second call, fail_permanent() and retry() all
 * answer CHORUS_E_STATE; the statuses are kept in state key "statuses". */
static int64_t fail_twice(chorus_context *ctx) {
    host->fail(ctx, "first");
    int s1 = host->fail(ctx, "second");
    int s2 = host->fail_permanent(ctx, "third");
    int s3 = host->retry(ctx, 1.0, "fourth");
    char text[64];
    snprintf(text, sizeof text, "%d %d %d", s1, s2, s3);
    host->state_set(ctx, "statuses", text);
    return 0;
}

static int64_t fail_null(chorus_context *ctx) { return host->fail(ctx, NULL); }
static int64_t fail_permanent_null(chorus_context *ctx) { return host->fail_permanent(ctx, NULL); }
static int64_t log_invalid_utf8(chorus_context *ctx) { return host->log(ctx, CHORUS_LOG_INFO, "caf\xc3("); }
static int64_t log_bad_level(chorus_context *ctx) { return host->log(ctx, 42, "level 42"); }
static int64_t log_valid(chorus_context *ctx) { return host->log(ctx, CHORUS_LOG_WARNING, "caf\xc3\xa9"); }
static bool alloc_zero(chorus_context *ctx) { return host->alloc(ctx, 0) == NULL; }

/* Uses the context from a thread the task started. */
typedef struct thread_probe {
    chorus_context *ctx;
    const char *id;
    const char *name;
    int32_t retries;
    int fail_status;
    int log_status;
    int state_status;
    void *memory;
} thread_probe;

static void *probe(void *arg) {
    thread_probe *p = arg;
    p->id = host->task_id(p->ctx);
    p->name = host->task_name(p->ctx);
    p->retries = host->retries(p->ctx);
    p->fail_status = host->fail(p->ctx, "from another thread");
    p->log_status = host->log(p->ctx, CHORUS_LOG_INFO, "from another thread");
    p->state_status = host->state_set(p->ctx, "k", "v");
    p->memory = host->alloc(p->ctx, 16);
    return NULL;
}

/* Returns "<statuses>" as JSON, or fails when the context leaked. */
static const char *other_thread(chorus_context *ctx) {
    thread_probe p;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    pthread_t thread;
    if (pthread_create(&thread, NULL, probe, &p) != 0) {
        host->fail_permanent(ctx, "pthread_create failed");
        return NULL;
    }
    pthread_join(thread, NULL);
    char *out = host->alloc(ctx, 256);
    if (!out) return NULL;
    snprintf(out, 256, "{\"id_null\":%s,\"name_null\":%s,\"retries\":%d,\"fail\":%d,\"log\":%d,\"state_set\":%d,\"alloc_null\":%s,\"still_live\":%s}",
             p.id == NULL ? "true" : "false", p.name == NULL ? "true" : "false", p.retries, p.fail_status, p.log_status,
             p.state_status, p.memory == NULL ? "true" : "false", live(ctx) ? "true" : "false");
    return out;
}

static chorus_context *kept;
static int64_t keep_context(chorus_context *ctx) { kept = ctx; return live(ctx); }

/* Every host function on the context kept by keep_context, after it returned. */
static const char *use_kept_context(chorus_context *ctx) {
    chorus_context *k = kept;
    const char *value = "untouched";
    const char *list = "untouched";
    int64_t counter = 99;
    char id[CHORUS_ID_SIZE] = "untouched";
    int st_get = host->state_get(k, "k", &value);
    int st_set = host->state_set(k, "k", "v");
    int st_delete = host->state_delete(k, "k");
    int st_increment = host->state_increment(k, "k", 1, &counter);
    int st_list = host->state_list(k, "", &list);
    int dispatch = host->dispatch(k, "{\"task\":\"x\"}", id, sizeof id);
    char *out = host->alloc(ctx, 512);
    if (!out) return NULL;
    snprintf(out, 512,
             "{\"task_id_null\":%s,\"task_name_null\":%s,\"retries\":%d,\"fail\":%d,\"fail_permanent\":%d,\"retry\":%d,"
             "\"log\":%d,\"alloc_null\":%s,\"dispatch\":%d,\"time_scale\":%g,\"state_get\":%d,\"state_set\":%d,"
             "\"state_delete\":%d,\"state_increment\":%d,\"state_list\":%d,\"outputs_untouched\":%s}",
             host->task_id(k) == NULL ? "true" : "false", host->task_name(k) == NULL ? "true" : "false",
             host->retries(k), host->fail(k, "x"), host->fail_permanent(k, "x"), host->retry(k, 1.0, "x"),
             host->log(k, CHORUS_LOG_INFO, "x"), host->alloc(k, 8) == NULL ? "true" : "false", dispatch,
             host->time_scale(k), st_get, st_set, st_delete, st_increment, st_list,
             (strcmp(value, "untouched") == 0 && strcmp(list, "untouched") == 0 && counter == 99 &&
              strcmp(id, "untouched") == 0) ? "true" : "false");
    return out;
}

/* dispatch() into a buffer smaller than CHORUS_ID_SIZE: CHORUS_E_BUFFER, and
 * only a NUL at index 0 written (nothing at all for size 0). */
static const char *dispatch_small_buffer(chorus_context *ctx) {
    char small[4] = "xyz";
    char none[2] = "n";
    int s1 = host->dispatch(ctx, "{\"task\": \"anything\"}", small, sizeof small);
    int s2 = host->dispatch(ctx, "{\"task\": \"anything\"}", none, 0);
    char *out = host->alloc(ctx, 128);
    if (!out) return NULL;
    snprintf(out, 128, "{\"status\":%d,\"first\":%d,\"second\":%d,\"zero_status\":%d,\"zero_first\":%d}",
             s1, small[0], small[1], s2, none[0]);
    return out;
}

/* State and retry calls with invalid arguments; returns their statuses. */
static const char *bad_arguments(chorus_context *ctx) {
    char long_key[600];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = 0;
    int64_t value = 0;
    int set_empty_key = host->state_set(ctx, "", "v");
    int set_null_key = host->state_set(ctx, NULL, "v");
    int set_long_key = host->state_set(ctx, long_key, "v");
    int set_null_value = host->state_set(ctx, "k", NULL);
    int set_bad_utf8 = host->state_set(ctx, "k", "\xff");
    int get_null_out = host->state_get(ctx, "k", NULL);
    int list_null_out = host->state_list(ctx, "", NULL);
    int delete_missing = host->state_delete(ctx, "k");
    host->state_set(ctx, "big", "9223372036854775807");
    int overflow = host->state_increment(ctx, "big", 1, &value);
    int retry_negative = host->retry(ctx, -2.0, "x");
    int retry_nan = host->retry(ctx, (double)NAN, "x");
    int retry_bad_message = host->retry(ctx, 1.0, "\xc3");
    int log_negative_level = host->log(ctx, -1, "x");
    char *out = host->alloc(ctx, 512);
    if (!out) return NULL;
    snprintf(out, 512,
             "{\"set_empty_key\":%d,\"set_null_key\":%d,\"set_long_key\":%d,\"set_null_value\":%d,"
             "\"set_bad_utf8\":%d,\"get_null_out\":%d,\"list_null_out\":%d,\"delete_missing\":%d,\"overflow\":%d,"
             "\"retry_negative\":%d,\"retry_nan\":%d,\"retry_bad_message\":%d,\"log_negative_level\":%d}",
             set_empty_key, set_null_key, set_long_key, set_null_value, set_bad_utf8, get_null_out, list_null_out,
             delete_missing, overflow, retry_negative, retry_nan, retry_bad_message, log_negative_level);
    return out;
}

static int64_t state_get_missing(chorus_context *ctx) {
    const char *value = "untouched";
    int status = host->state_get(ctx, "never-set", &value);
    return strcmp(value, "untouched") == 0 ? status : 999;
}

static int64_t state_increment_text(chorus_context *ctx) {
    int64_t value = 99;
    if (host->state_set(ctx, "word", "abc") != CHORUS_OK) return 998;
    int status = host->state_increment(ctx, "word", 1, &value);
    const char *stored = NULL;
    if (host->state_get(ctx, "word", &stored) != CHORUS_OK || strcmp(stored, "abc") != 0) return 997;
    return value == 99 ? status : 999;
}

#define TASK(n, sig, fl) \
    static const chorus_task n##_task = { sizeof(chorus_task), (fl), #n, sig, (chorus_task_fn)(n), 0, 0, 0, 0, 0, NULL }
#define B CHORUS_TASK_BIND

TASK(bound_bool, "bool (bool v)", B);
TASK(bound_int32, "int32 (int32 v)", B);
TASK(bound_int64, "int64 (int64 v)", B);
TASK(bound_uint64, "uint64 (uint64 v)", B);
TASK(bound_double, "double (double v)", B);
TASK(bound_string, "string (string v)", B);
TASK(bound_json, "json (json v)", B);
TASK(bound_bytes, "bytes (bytes v)", B);
TASK(sum3, "int64 (int64 a, int64 b, int64 c)", 0);
TASK(json_text, "string (json v)", 0);
TASK(null_string, "string ()", 0);
TASK(null_json, "json ()", 0);
TASK(spaced_json, "json ()", 0);
TASK(null_bytes_with_size, "bytes ()", 0);
TASK(empty_bytes, "bytes ()", 0);
TASK(fail_twice, "int64 ()", B);
TASK(fail_null, "int64 ()", B);
TASK(fail_permanent_null, "int64 ()", B);
TASK(log_invalid_utf8, "int64 ()", B);
TASK(log_bad_level, "int64 ()", B);
TASK(log_valid, "int64 ()", B);
TASK(alloc_zero, "bool ()", B);
TASK(other_thread, "json ()", B);
TASK(keep_context, "int64 ()", B);
TASK(use_kept_context, "json ()", B);
TASK(state_get_missing, "int64 ()", B);
TASK(dispatch_small_buffer, "json ()", B);
TASK(bad_arguments, "json ()", B);
TASK(state_increment_text, "int64 ()", B);

static const chorus_task *const tasks[] = {
    &bound_bool_task, &bound_int32_task, &bound_int64_task, &bound_uint64_task, &bound_double_task,
    &bound_string_task, &bound_json_task, &bound_bytes_task, &sum3_task, &json_text_task, &null_string_task, &null_json_task, &spaced_json_task,
    &null_bytes_with_size_task, &empty_bytes_task, &fail_twice_task, &fail_null_task,
    &fail_permanent_null_task, &log_invalid_utf8_task, &log_bad_level_task, &log_valid_task, &alloc_zero_task,
    &other_thread_task, &keep_context_task, &use_kept_context_task, &state_get_missing_task,
    &state_increment_text_task, &dispatch_small_buffer_task, &bad_arguments_task,
};

static const chorus_plugin plugin = {
    sizeof(chorus_plugin), CHORUS_ABI_VERSION, "invocation", "1.0.0", sizeof tasks / sizeof tasks[0], 0, tasks,
};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    host = h;
    return &plugin;
}
