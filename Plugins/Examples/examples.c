/*
 * The examples plugin, bundled with Chorus: small arithmetic and text tasks
 * used by the README's canvas examples and by the CLI tests.
 */
/* nanosleep and gmtime_r are POSIX, not C99. */
#define _POSIX_C_SOURCE 200809L

#include "chorus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const chorus_host *host;

/* add(x, y) -> x + y. Fails permanently on overflow. */
static int64_t add(chorus_context *ctx, int64_t x, int64_t y) {
    if ((y > 0 && x > INT64_MAX - y) || (y < 0 && x < INT64_MIN - y)) {
        host->fail_permanent(ctx, "integer overflow");
        return 0;
    }
    return x + y;
}

/* mul(x, y) -> x * y. */
static int64_t mul(chorus_context *ctx, int64_t x, int64_t y) {
    if (x != 0 && ((x > 0 ? y > INT64_MAX / x || y < INT64_MIN / x
                          : (x == -1 ? y == INT64_MIN : y < INT64_MAX / x || y > INT64_MIN / x)))) {
        host->fail_permanent(ctx, "integer overflow");
        return 0;
    }
    return x * y;
}

/* tsum(numbers) -> the sum of a JSON list of integers (a chord body). */
static int64_t tsum(chorus_context *ctx, const char *numbers) {
    const char *p = numbers;
    int64_t total = 0;
    if (*p != '[') {
        host->fail_permanent(ctx, "tsum expects a JSON list of integers");
        return 0;
    }
    p++;
    while (*p && *p != ']') {
        char *end = NULL;
        long long v = strtoll(p, &end, 10);
        if (end == p) {
            host->fail_permanent(ctx, "tsum expects a JSON list of integers");
            return 0;
        }
        total += (int64_t)v;
        p = end;
        if (*p == ',') p++;
    }
    return total;
}

/* sleep_ms(ms) -> ms, after sleeping ms milliseconds scaled by the runtime's time scale. */
static int64_t sleep_ms(chorus_context *ctx, int64_t ms) {
    double scaled = (double)ms * host->time_scale(ctx);
    struct timespec t;
    t.tv_sec = (time_t)(scaled / 1000.0);
    t.tv_nsec = (long)((scaled - (double)t.tv_sec * 1000.0) * 1e6);
    nanosleep(&t, NULL);
    return ms;
}

/* flaky(failures) -> retries, failing (retryably) until it has been retried `failures` times. */
static int64_t flaky(chorus_context *ctx, int64_t failures) {
    int32_t retries = host->retries(ctx);
    if (retries < failures) {
        char message[64];
        snprintf(message, sizeof message, "flaky failure %d of %lld", retries + 1, (long long)failures);
        host->fail(ctx, message);
        return 0;
    }
    return retries;
}

/* fail(message): always fails permanently with `message`. */
static void fail_task(chorus_context *ctx, const char *message) {
    host->fail_permanent(ctx, message);
}

/* echo(value) -> value, any JSON. */
static const char *echo(const char *value) { return value; }

/* noop() -> nothing; for benchmarks. */
static void noop(void) {}

/* identity(x) -> x; the no-op int64 -> int64 task of the benchmarks. */
static int64_t identity(int64_t x) { return x; }

static const chorus_task add_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "add", "int64 (int64 x, int64 y)", (chorus_task_fn)add,
    3, 0, 0, 0, 0, "x + y"};
static const chorus_task mul_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "mul", "int64 (int64 x, int64 y)", (chorus_task_fn)mul,
    3, 0, 0, 0, 0, "x * y"};
static const chorus_task tsum_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "tsum", "int64 (json numbers)", (chorus_task_fn)tsum,
    3, 0, 0, 0, 0, "sum of a list of integers, e.g. a chord's header results"};
static const chorus_task sleep_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "sleep_ms", "int64 (int64 ms)", (chorus_task_fn)sleep_ms,
    3, 0, 0, 0, 0, "sleeps ms milliseconds (times the time scale) and returns ms"};
static const chorus_task flaky_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND | CHORUS_TASK_AUTORETRY | CHORUS_TASK_RETRY_JITTER, "flaky",
    "int64 (int64 failures)", (chorus_task_fn)flaky, 5, 0, 1.0, 60.0, 0,
    "fails `failures` times, retried with exponential backoff, then returns its retry count"};
static const chorus_task fail_task_desc = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "fail", "void (string message)", (chorus_task_fn)fail_task,
    0, 0, 0, 0, 0, "always fails permanently with message"};
static const chorus_task echo_task = {
    sizeof(chorus_task), 0, "echo", "json (json value)", (chorus_task_fn)echo, 0, 0, 0, 0, 0,
    "returns its argument"};
static const chorus_task noop_task = {
    sizeof(chorus_task), 0, "noop", "void ()", (chorus_task_fn)noop, 0, 0, 0, 0, 0, "does nothing"};

static const chorus_task identity_task = {
    sizeof(chorus_task), 0, "identity", "int64 (int64 x)", (chorus_task_fn)identity, 0, 0, 0, 0, 0,
    "returns x"};

static const chorus_task *const tasks[] = {
    &add_task, &mul_task, &tsum_task, &sleep_task, &flaky_task, &fail_task_desc, &echo_task, &noop_task,
    &identity_task,
};

static const chorus_plugin plugin = {
    sizeof(chorus_plugin), CHORUS_ABI_VERSION, "examples", "1.0.0", sizeof tasks / sizeof tasks[0], 0, tasks,
};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    host = h;
    return &plugin;
}
