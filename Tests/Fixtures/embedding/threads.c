/*
 * Eight host threads apply work at once through the C API, on one runtime,
 * each checking its own results: chords of the plugin's add into tsum, and
 * chains ending in `triple`, a bound task the host registers itself. Then a
 * success callback (chorus_link) and an errback (chorus_link_error) reach
 * host tasks that record what they got. Prints "ok ..." lines; exits 1 on
 * the first wrong result. Argument: path to libchorus-examples.so.
 */
#include <chorus.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THREADS 8
#define ROUNDS 12

static chorus_runtime *runtime;
static const chorus_host *host;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t linked_value = -1;
static char errback_text[256];

static void die(const char *what, chorus_status status, const void *handle) {
    fprintf(stderr, "%s: %s: %s\n", what, chorus_status_name(status), chorus_last_error(handle));
    exit(1);
}

/* triple(x) -> 3x; bound, so it can check the host API reaches it. */
static int64_t triple(chorus_context *ctx, int64_t x) {
    if (strcmp(host->task_name(ctx), "triple") != 0) {
        host->fail_permanent(ctx, "task_name is wrong");
        return 0;
    }
    return 3 * x;
}

/* record(value): the success callback. */
static void record(chorus_context *ctx, int64_t value) {
    (void)ctx;
    pthread_mutex_lock(&lock);
    linked_value = value;
    pthread_mutex_unlock(&lock);
}

/* on_error(task_id, error): the errback, with the failed task's id and error. */
static void on_error(chorus_context *ctx, const char *task_id, const char *error) {
    (void)ctx;
    (void)task_id;
    pthread_mutex_lock(&lock);
    snprintf(errback_text, sizeof errback_text, "%s", error);
    pthread_mutex_unlock(&lock);
}

static chorus_signature *sig(const char *name, long long a, long long b, int args) {
    chorus_signature *s = NULL;
    char text[32];
    chorus_status st = chorus_signature_new(name, &s);
    if (st != CHORUS_OK) die("signature_new", st, NULL);
    if (args > 0) {
        snprintf(text, sizeof text, "%lld", a);
        chorus_signature_add_arg(s, text);
    }
    if (args > 1) {
        snprintf(text, sizeof text, "%lld", b);
        chorus_signature_add_arg(s, text);
    }
    return s;
}

static long long run(chorus_signature *s) {
    chorus_result *r = NULL;
    char *json = NULL;
    long long value;
    chorus_status st = chorus_apply(runtime, s, &r);
    if (st != CHORUS_OK) die("apply", st, runtime);
    st = chorus_result_wait(r, 30);
    if (st != CHORUS_OK) die("wait", st, r);
    st = chorus_result_json(r, &json);
    if (st != CHORUS_OK) die("json", st, r);
    value = atoll(json);
    chorus_free(json);
    chorus_result_destroy(r);
    return value;
}

static void *worker(void *arg) {
    long long t = (long long)(size_t)arg;
    int round;
    for (round = 0; round < ROUNDS; round++) {
        chorus_signature *header[3], *body, *chord, *steps[2], *chain;
        long long want = 0, got;
        int i;
        for (i = 0; i < 3; i++) {
            header[i] = sig("add", t * 1000 + round, i, 2);
            want += t * 1000 + round + i;
        }
        body = sig("tsum", 0, 0, 0);
        if (chorus_chord((const chorus_signature *const *)header, 3, body, &chord) != CHORUS_OK) die("chord", CHORUS_E_INTERNAL, NULL);
        got = run(chord);
        if (got != want) {
            fprintf(stderr, "thread %lld round %d: chord gave %lld, want %lld\n", t, round, got, want);
            exit(1);
        }
        steps[0] = sig("add", t, round, 2);
        steps[1] = sig("triple", 0, 0, 0);
        if (chorus_chain((const chorus_signature *const *)steps, 2, &chain) != CHORUS_OK) die("chain", CHORUS_E_INTERNAL, NULL);
        got = run(chain);
        if (got != 3 * (t + round)) {
            fprintf(stderr, "thread %lld round %d: chain gave %lld, want %lld\n", t, round, got, 3 * (t + round));
            exit(1);
        }
        for (i = 0; i < 3; i++) chorus_signature_destroy(header[i]);
        chorus_signature_destroy(body);
        chorus_signature_destroy(chord);
        chorus_signature_destroy(steps[0]);
        chorus_signature_destroy(steps[1]);
        chorus_signature_destroy(chain);
    }
    return NULL;
}

/* Polls `done` for up to 10 s. */
static int eventually(int (*done)(void)) {
    int i;
    for (i = 0; i < 1000; i++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        int ok;
        pthread_mutex_lock(&lock);
        ok = done();
        pthread_mutex_unlock(&lock);
        if (ok) return 1;
        nanosleep(&pause, NULL);
    }
    return 0;
}
static int linked_done(void) { return linked_value != -1; }
static int errback_done(void) { return errback_text[0] != '\0'; }

/* A task that always fails, retried by its descriptor's policy: two retries,
 * so three runs, then FAILURE. Runs of one task never overlap (a retry is
 * published after the run before it ended), so a plain counter is safe. */
static int flaky_runs;

static int64_t flaky(chorus_context *ctx, int64_t x) {
    flaky_runs++;
    host->fail(ctx, "flaky always fails");
    return x;
}

static chorus_status register_flaky(chorus_runtime *rt) {
    chorus_task d;
    memset(&d, 0, sizeof d);
    d.size = sizeof d;
    d.flags = CHORUS_TASK_BIND | CHORUS_TASK_AUTORETRY;
    d.name = "host_flaky";
    d.signature = "int64 (int64 x)";
    d.function = (chorus_task_fn)flaky;
    d.max_retries = 2;
    d.default_retry_delay = 0.001;
    return chorus_runtime_register_descriptor(rt, &d);
}

int main(int argc, char **argv) {
    chorus_config *config = NULL;
    pthread_t threads[THREADS];
    chorus_signature *task, *callback, *failing, *errback;
    chorus_result *r = NULL;
    chorus_status st;
    size_t i;
    if (argc < 2) return 2;
    host = chorus_host_api();

    chorus_config_create(&config);
    chorus_config_set_concurrency(config, 4);
    chorus_config_add_plugin(config, argv[1]);
    st = chorus_runtime_create(config, &runtime);
    if (st != CHORUS_OK) die("runtime_create", st, config);
    chorus_config_destroy(config);
    st = chorus_runtime_register_task(runtime, "triple", "int64 (int64 x)", CHORUS_TASK_BIND, (chorus_task_fn)triple);
    if (st != CHORUS_OK) die("register triple", st, runtime);
    st = chorus_runtime_register_task(runtime, "record", "void (int64 value)", CHORUS_TASK_BIND, (chorus_task_fn)record);
    if (st != CHORUS_OK) die("register record", st, runtime);
    st = register_flaky(runtime);
    if (st != CHORUS_OK) die("register host_flaky", st, runtime);
    st = chorus_runtime_register_task(runtime, "on_error", "void (string task_id, string error)", CHORUS_TASK_BIND,
                                      (chorus_task_fn)on_error);
    if (st != CHORUS_OK) die("register on_error", st, runtime);

    for (i = 0; i < THREADS; i++) {
        if (pthread_create(&threads[i], NULL, worker, (void *)i) != 0) return 1;
    }
    for (i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    printf("ok %d threads x %d rounds\n", THREADS, ROUNDS);

    task = sig("add", 20, 22, 2);
    callback = sig("record", 0, 0, 0);
    if (chorus_link(task, callback) != CHORUS_OK) die("link", CHORUS_E_INTERNAL, task);
    if (run(task) != 42) return 1;
    if (!eventually(linked_done) || linked_value != 42) {
        fprintf(stderr, "link: record got %lld\n", (long long)linked_value);
        return 1;
    }
    printf("ok link %lld\n", (long long)linked_value);

    failing = NULL;
    chorus_signature_from_json("{\"task\": \"fail\", \"args\": [\"boom\"]}", &failing);
    errback = sig("on_error", 0, 0, 0);
    if (chorus_link_error(failing, errback) != CHORUS_OK) die("link_error", CHORUS_E_INTERNAL, failing);
    chorus_apply(runtime, failing, &r);
    if (chorus_result_wait(r, 10) != CHORUS_E_TASK_FAILED) return 1;
    if (!eventually(errback_done) || strstr(errback_text, "boom") == NULL) {
        fprintf(stderr, "link_error: on_error got \"%s\"\n", errback_text);
        return 1;
    }
    printf("ok link_error %s\n", errback_text);

    chorus_result_destroy(r);
    r = NULL;
    {
        chorus_signature *f = sig("host_flaky", 1, 0, 1);
        chorus_apply(runtime, f, &r);
        if (chorus_result_wait(r, 10) != CHORUS_E_TASK_FAILED || flaky_runs != 3) {
            fprintf(stderr, "descriptor retries: flaky ran %d times, want 3\n", flaky_runs);
            return 1;
        }
        printf("ok descriptor max_retries %d runs\n", flaky_runs);
        chorus_signature_destroy(f);
        chorus_result_destroy(r);
    }
    chorus_signature_destroy(task);
    chorus_signature_destroy(callback);
    chorus_signature_destroy(failing);
    chorus_signature_destroy(errback);
    chorus_runtime_destroy(runtime);
    return 0;
}
