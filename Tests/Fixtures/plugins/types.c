/* Test plugin: every value type as parameter and as return value, bound and
 * unbound tasks, and every host function a task can call. */
#include "chorus.h"

#include <stdio.h>
#include <string.h>

static const chorus_host *host;

static bool echo_bool(bool v) { return v; }
static int32_t echo_int32(int32_t v) { return v; }
static int64_t echo_int64(int64_t v) { return v; }
static uint64_t echo_uint64(uint64_t v) { return v; }
static double echo_double(double v) { return v; }
static const char *echo_string(const char *v) { return v; }
static const char *echo_json(const char *v) { return v; }
static chorus_bytes echo_bytes(chorus_bytes v) { return v; }
static void nothing(void) {}
static int64_t add(int64_t x, int64_t y) { return x + y; }
static int32_t negate32(int32_t v) { return -v; }
static bool is_negative(int64_t v) { return v < 0; }

static int64_t mixed(bool b, int32_t i, int64_t l, uint64_t u, double d, const char *s, const char *j, chorus_bytes by) {
    /* Folds every argument into one number so a wrong slot shows up. */
    int64_t total = (b ? 1 : 0) + i + l + (int64_t)(u % 1000) + (int64_t)d + (int64_t)strlen(s) + (int64_t)strlen(j) + (int64_t)by.size;
    return total;
}

static const char *whoami(chorus_context *ctx) {
    char buffer[256];
    snprintf(buffer, sizeof buffer, "%s/%s/%d/%g", host->task_name(ctx), host->task_id(ctx), host->retries(ctx), host->time_scale(ctx));
    char *out = host->alloc(ctx, strlen(buffer) + 1);
    if (!out) return NULL;
    memcpy(out, buffer, strlen(buffer) + 1);
    return out;
}

static int64_t fails(chorus_context *ctx, const char *message) {
    host->fail(ctx, message);
    return 0;
}

static int64_t fails_permanently(chorus_context *ctx, const char *message) {
    host->fail_permanent(ctx, message);
    return 0;
}

static int64_t asks_retry(chorus_context *ctx, double countdown) {
    host->retry(ctx, countdown, "try again");
    return 0;
}

static const char *bad_utf8(void) { return "\xff\xfe"; }
static const char *bad_json(void) { return "{not json"; }
static double not_finite(void) { return 1.0 / 0.0 > 0 ? (double)(1e308 * 10) : 0; }

static const chorus_context *kept;
static int64_t keep_context(chorus_context *ctx) {
    kept = ctx;
    host->log(ctx, CHORUS_LOG_INFO, "keeping the context");
    return 1;
}
/* Uses the context kept by keep_context after that task returned. */
static int64_t use_stale_context(chorus_context *ctx) {
    (void)ctx;
    int64_t status = host->fail((chorus_context *)kept, "stale");
    return status;
}

static int64_t counter(chorus_context *ctx, const char *key, int64_t delta) {
    int64_t value = 0;
    if (host->state_increment(ctx, key, delta, &value) != CHORUS_OK) {
        host->fail_permanent(ctx, "increment failed");
    }
    return value;
}

static const char *state_roundtrip(chorus_context *ctx, const char *key, const char *value) {
    if (host->state_set(ctx, key, value) != CHORUS_OK) { host->fail(ctx, "set failed"); return NULL; }
    const char *read = NULL;
    if (host->state_get(ctx, key, &read) != CHORUS_OK) { host->fail(ctx, "get failed"); return NULL; }
    return read;
}

#define TASK(n, sig, fl) \
    static const chorus_task n##_task = { sizeof(chorus_task), (fl), #n, sig, (chorus_task_fn)(n), 0, 0, 0, 0, 0, NULL }

TASK(echo_bool, "bool (bool v)", 0);
TASK(echo_int32, "int32 (int32 v)", 0);
TASK(echo_int64, "int64 (int64 v)", 0);
TASK(echo_uint64, "uint64 (uint64 v)", 0);
TASK(echo_double, "double (double v)", 0);
TASK(echo_string, "string (string v)", 0);
TASK(echo_json, "json (json v)", 0);
TASK(echo_bytes, "bytes (bytes v)", 0);
TASK(nothing, "void ()", 0);
TASK(add, "int64 (int64 x, int64 y)", 0);
TASK(negate32, "int32 (int32 v)", 0);
TASK(is_negative, "bool (int64 v)", 0);
TASK(mixed, "int64 (bool b, int32 i, int64 l, uint64 u, double d, string s, json j, bytes by)", 0);
TASK(whoami, "string ()", CHORUS_TASK_BIND);
TASK(fails, "int64 (string message)", CHORUS_TASK_BIND);
TASK(fails_permanently, "int64 (string message)", CHORUS_TASK_BIND);
TASK(asks_retry, "int64 (double countdown)", CHORUS_TASK_BIND);
TASK(bad_utf8, "string ()", 0);
TASK(bad_json, "json ()", 0);
TASK(not_finite, "double ()", 0);
TASK(keep_context, "int64 ()", CHORUS_TASK_BIND);
TASK(use_stale_context, "int64 ()", CHORUS_TASK_BIND);
TASK(counter, "int64 (string key, int64 delta)", CHORUS_TASK_BIND);
TASK(state_roundtrip, "string (string key, string value)", CHORUS_TASK_BIND);

static const chorus_task *const tasks[] = {
    &echo_bool_task, &echo_int32_task, &echo_int64_task, &echo_uint64_task, &echo_double_task, &echo_string_task,
    &echo_json_task, &echo_bytes_task, &nothing_task, &add_task, &negate32_task, &is_negative_task, &mixed_task,
    &whoami_task, &fails_task, &fails_permanently_task, &asks_retry_task, &bad_utf8_task, &bad_json_task,
    &not_finite_task, &keep_context_task, &use_stale_context_task, &counter_task, &state_roundtrip_task,
};

static const chorus_plugin plugin = {
    sizeof(chorus_plugin), CHORUS_ABI_VERSION, "types", "1.0.0",
    sizeof tasks / sizeof tasks[0], 0, tasks,
};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    host = h;
    return &plugin;
}
