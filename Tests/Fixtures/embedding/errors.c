/*
 * Every error path of the embedding API returns its documented status and
 * message. Prints one line per failed check and "N checks passed" at the end;
 * exits 1 if any check failed. Argument: path to libchorus-examples.so.
 */
#include <chorus.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static int checks, failures;

/* `got` must be `want`, and the message of `handle` must contain `needle`. */
static void expect(const char *label, chorus_status got, chorus_status want, const void *handle, const char *needle) {
    const char *message = chorus_last_error(handle);
    checks++;
    if (got != want) {
        failures++;
        printf("FAIL %s: got %s, want %s (%s)\n", label, chorus_status_name(got), chorus_status_name(want), message);
    } else if (needle != NULL && strstr(message, needle) == NULL) {
        failures++;
        printf("FAIL %s: message \"%s\" lacks \"%s\"\n", label, message, needle);
    }
}

static void expect_text(const char *label, const char *got, const char *want) {
    checks++;
    if (got == NULL || strcmp(got, want) != 0) {
        failures++;
        printf("FAIL %s: got \"%s\", want \"%s\"\n", label, got ? got : "(null)", want);
    }
}

static void expect_null(const char *label, const void *pointer) {
    checks++;
    if (pointer != NULL) {
        failures++;
        printf("FAIL %s: output not NULL\n", label);
    }
}

static chorus_signature *task(const char *name, const char *arg1, const char *arg2) {
    chorus_signature *s = NULL;
    chorus_signature_new(name, &s);
    if (arg1) chorus_signature_add_arg(s, arg1);
    if (arg2) chorus_signature_add_arg(s, arg2);
    return s;
}

static int64_t host_noop(int64_t x) { return x; }

int main(int argc, char **argv) {
    chorus_config *config = NULL, *sqlite = NULL, *missing = NULL;
    chorus_runtime *runtime = NULL, *failed = (chorus_runtime *)&checks;
    chorus_signature *sig = NULL, *bad = NULL, *members[2];
    chorus_result *result = NULL, *slow = NULL, *broken = NULL;
    const char *state = NULL;
    char *text = NULL;
    char id[8];
    if (argc < 2) return 2;

    /* Status names. */
    expect_text("status name OK", chorus_status_name(CHORUS_OK), "CHORUS_OK");
    expect_text("status name timeout", chorus_status_name(CHORUS_E_TIMEOUT), "CHORUS_E_TIMEOUT");
    expect_text("status name unknown", chorus_status_name((chorus_status)12345), "unknown status");

    /* Destructors accept NULL. */
    chorus_config_destroy(NULL);
    chorus_runtime_destroy(NULL);
    chorus_signature_destroy(NULL);
    chorus_result_destroy(NULL);
    chorus_free(NULL);

    /* Configuration. */
    expect("config_create(NULL)", chorus_config_create(NULL), CHORUS_E_ARGUMENT, NULL, "chorus_config_create: config_out is NULL");
    expect("config_create", chorus_config_create(&config), CHORUS_OK, NULL, NULL);
    expect_text("no error yet", chorus_last_error(config), "");
    expect("concurrency 0", chorus_config_set_concurrency(config, 0), CHORUS_E_ARGUMENT, config, "between 1 and 1024, got 0");
    expect("thread message", CHORUS_E_ARGUMENT, CHORUS_E_ARGUMENT, NULL, "between 1 and 1024, got 0");
    expect("time scale -1", chorus_config_set_time_scale(config, -1), CHORUS_E_ARGUMENT, config, "time scale");
    expect("time scale NaN", chorus_config_set_time_scale(config, NAN), CHORUS_E_ARGUMENT, config, "time scale");
    expect("memory with path", chorus_config_set_backend(config, CHORUS_BACKEND_MEMORY, "x.db"), CHORUS_E_ARGUMENT, config, "takes no path");
    expect("unknown backend", chorus_config_set_backend(config, (chorus_backend)7, NULL), CHORUS_E_ARGUMENT, config, "unknown backend kind 7");
    expect("sqlite without path", chorus_config_set_backend(config, CHORUS_BACKEND_SQLITE, NULL), CHORUS_E_ARGUMENT, config, "path is NULL");
    expect("add_plugin(NULL)", chorus_config_add_plugin(config, NULL), CHORUS_E_ARGUMENT, config, "path is NULL");
    expect("set on NULL config", chorus_config_set_concurrency(NULL, 2), CHORUS_E_ARGUMENT, NULL, "chorus_config is NULL");

    chorus_config_create(&sqlite);
    expect("sqlite accepted", chorus_config_set_backend(sqlite, CHORUS_BACKEND_SQLITE, "/dev/null/not-a-dir/chorus.db"), CHORUS_OK, NULL, NULL);
    expect("sqlite unopenable", chorus_runtime_create(sqlite, &failed), CHORUS_E_BACKEND, sqlite, "/dev/null/not-a-dir/chorus.db");
    expect_null("runtime_out cleared", failed);
    chorus_config_destroy(sqlite);

    chorus_config_create(&missing);
    chorus_config_add_plugin(missing, "/nonexistent/libnothing.so");
    expect("missing plugin", chorus_runtime_create(missing, &failed), CHORUS_E_ARGUMENT, missing, "/nonexistent/libnothing.so");
    chorus_config_destroy(missing);
    expect("runtime_create(NULL config)", chorus_runtime_create(NULL, &failed), CHORUS_E_ARGUMENT, NULL, "chorus_config is NULL");
    expect("runtime_create(NULL out)", chorus_runtime_create(config, NULL), CHORUS_E_ARGUMENT, config, "runtime_out is NULL");

    /* A working runtime. */
    chorus_config_set_concurrency(config, 2);
    chorus_config_set_time_scale(config, 0.05);
    chorus_config_add_plugin(config, argv[1]);
    expect("runtime_create", chorus_runtime_create(config, &runtime), CHORUS_OK, NULL, NULL);
    expect("wrong handle type", chorus_runtime_load_plugin((chorus_runtime *)config, argv[1]), CHORUS_E_STATE, NULL, "is a chorus_config, not a chorus_runtime");
    expect("load_plugin(NULL)", chorus_runtime_load_plugin(runtime, NULL), CHORUS_E_ARGUMENT, runtime, "path is NULL");
    expect("load_plugin missing", chorus_runtime_load_plugin(runtime, "/nonexistent/x.so"), CHORUS_E_ARGUMENT, runtime, "/nonexistent/x.so");
    expect("load_plugin again", chorus_runtime_load_plugin(runtime, argv[1]), CHORUS_OK, NULL, NULL);

    /* Registering host tasks. */
    expect("register NULL function", chorus_runtime_register_task(runtime, "host_noop", "int64 (int64 x)", 0, NULL), CHORUS_E_ARGUMENT, runtime, "function is NULL");
    expect("register bad name", chorus_runtime_register_task(runtime, "9host_noop", "int64 (int64 x)", 0, (chorus_task_fn)host_noop), CHORUS_E_ARGUMENT, runtime, "9host_noop");
    expect("register bad signature", chorus_runtime_register_task(runtime, "host_noop", "int64 (int64)", 0, (chorus_task_fn)host_noop), CHORUS_E_ARGUMENT, runtime, "expected a parameter name");
    expect("register unknown flags", chorus_runtime_register_task(runtime, "host_noop", "int64 (int64 x)", 1u << 10, (chorus_task_fn)host_noop), CHORUS_E_ARGUMENT, runtime, "unknown flag bits 0x400");
    expect("register duplicate", chorus_runtime_register_task(runtime, "add", "int64 (int64 x)", 0, (chorus_task_fn)host_noop), CHORUS_E_STATE, runtime, "already registered by plugin 'examples'");
    expect("register", chorus_runtime_register_task(runtime, "host_noop", "int64 (int64 x)", 0, (chorus_task_fn)host_noop), CHORUS_OK, NULL, NULL);

    /* Registering host tasks from full descriptors: checked as a plugin's. */
    {
        chorus_task d;
        memset(&d, 0, sizeof d);
        d.size = sizeof d;
        d.name = "host_described";
        d.signature = "int64 (int64 x)";
        d.function = (chorus_task_fn)host_noop;
        d.max_retries = 2;
        d.doc = "Described in full.";
        expect("register_descriptor(NULL)", chorus_runtime_register_descriptor(runtime, NULL), CHORUS_E_ARGUMENT, runtime, "task is NULL");
        d.size = 8;
        expect("register_descriptor small size", chorus_runtime_register_descriptor(runtime, &d), CHORUS_E_ARGUMENT, runtime, "set .size = sizeof(chorus_task)");
        d.size = sizeof d;
        d.max_retries = -5;
        expect("register_descriptor bad max_retries", chorus_runtime_register_descriptor(runtime, &d), CHORUS_E_ARGUMENT, runtime,
               "chorus_runtime_register_descriptor: descriptor: task 'host_described': max_retries -5 is invalid");
        d.max_retries = 2;
        d.retry_backoff = -1;
        expect("register_descriptor bad backoff", chorus_runtime_register_descriptor(runtime, &d), CHORUS_E_ARGUMENT, runtime, "retry_backoff -1.0 is invalid");
        d.retry_backoff = 0;
        d.flags = 1u << 10;
        expect("register_descriptor unknown flags", chorus_runtime_register_descriptor(runtime, &d), CHORUS_E_ARGUMENT, runtime, "unknown flag bits 0x400");
        d.flags = 0;
        d.function = NULL;
        expect("register_descriptor NULL function", chorus_runtime_register_descriptor(runtime, &d), CHORUS_E_ARGUMENT, runtime, "function is NULL");
        d.function = (chorus_task_fn)host_noop;
        d.name = "add";
        expect("register_descriptor duplicate", chorus_runtime_register_descriptor(runtime, &d), CHORUS_E_STATE, runtime, "already registered by plugin 'examples'");
        d.name = "host_described";
        expect("register_descriptor", chorus_runtime_register_descriptor(runtime, &d), CHORUS_OK, NULL, NULL);
    }

    /* Signatures. */
    expect("from_json bad JSON", chorus_signature_from_json("{\"task\": ", &bad), CHORUS_E_ARGUMENT, NULL, "chorus_signature_from_json:");
    expect_null("signature_out cleared", bad);
    expect("from_json no task", chorus_signature_from_json("{\"args\": []}", &bad), CHORUS_E_ARGUMENT, NULL, "missing key \"task\"");
    expect("from_json bad args", chorus_signature_from_json("{\"task\": \"add\", \"args\": \"x\"}", &bad), CHORUS_E_ARGUMENT, NULL, "canvas.args: expected an array");
    expect("from_json(NULL)", chorus_signature_from_json(NULL, &bad), CHORUS_E_ARGUMENT, NULL, "json is NULL");
    expect("signature_new(NULL)", chorus_signature_new(NULL, &sig), CHORUS_E_ARGUMENT, NULL, "task is NULL");
    expect("signature_new(\"\")", chorus_signature_new("", &sig), CHORUS_E_ARGUMENT, NULL, "task name is empty");
    expect("signature_new", chorus_signature_new("add", &sig), CHORUS_OK, NULL, NULL);
    expect("add_arg bad JSON", chorus_signature_add_arg(sig, "[1,"), CHORUS_E_ARGUMENT, sig, "json is not valid JSON");
    expect("add_kwarg NULL name", chorus_signature_add_kwarg(sig, NULL, "1"), CHORUS_E_ARGUMENT, sig, "name is NULL");
    expect("signature_json(NULL out)", chorus_signature_json(sig, NULL), CHORUS_E_ARGUMENT, sig, "json_out is NULL");
    expect("chain(NULL)", chorus_chain(NULL, 1, &bad), CHORUS_E_ARGUMENT, NULL, "members is NULL");
    members[0] = sig;
    members[1] = NULL;
    expect("group of 0", chorus_group((const chorus_signature *const *)members, 0, &bad), CHORUS_E_ARGUMENT, NULL, "at least one signature");
    expect("group with NULL member", chorus_group((const chorus_signature *const *)members, 2, &bad), CHORUS_E_ARGUMENT, NULL, "members[1]: chorus_signature is NULL");
    expect("chord NULL body", chorus_chord((const chorus_signature *const *)members, 1, NULL, &bad), CHORUS_E_ARGUMENT, NULL, "body: chorus_signature is NULL");
    expect("link NULL callback", chorus_link(sig, NULL), CHORUS_E_ARGUMENT, sig, "chorus_signature is NULL");
    expect("link_error NULL errback", chorus_link_error(sig, NULL), CHORUS_E_ARGUMENT, sig, "chorus_signature is NULL");
    chorus_signature_destroy(sig);

    /* Applying. */
    sig = task("ad", "1", "2");
    expect("apply unknown task", chorus_apply(runtime, sig, &result), CHORUS_E_UNKNOWN_TASK, runtime, "unknown task 'ad'; did you mean 'add'");
    expect_null("result_out cleared", result);
    expect("apply(NULL signature)", chorus_apply(runtime, NULL, &result), CHORUS_E_ARGUMENT, runtime, "chorus_signature is NULL");
    expect("apply(NULL out)", chorus_apply(runtime, sig, NULL), CHORUS_E_ARGUMENT, runtime, "result_out is NULL");
    chorus_signature_destroy(sig);

    /* A task that fails on its arguments. */
    sig = task("add", "\"x\"", "1");
    expect("apply bad arguments", chorus_apply(runtime, sig, &broken), CHORUS_OK, NULL, NULL);
    expect("wait failed", chorus_result_wait(broken, 10), CHORUS_E_TASK_FAILED, broken, "failed");
    expect("json of failed", chorus_result_json(broken, &text), CHORUS_E_TASK_FAILED, broken, "failed");
    expect_null("json_out cleared", text);
    expect("error of failed", chorus_result_error(broken, &text), CHORUS_OK, NULL, NULL);
    checks++;
    if (text == NULL || strstr(text, "add") == NULL) { failures++; printf("FAIL error text: %s\n", text ? text : "(null)"); }
    chorus_free(text);
    text = NULL;
    chorus_result_state(broken, &state);
    expect_text("state of failed", state, "FAILURE");
    chorus_signature_destroy(sig);

    /* A wait that times out: sleep_ms(4000) at time scale 0.05 takes 0.2 s. */
    sig = task("sleep_ms", "4000", NULL);
    chorus_apply(runtime, sig, &slow);
    expect("wait times out", chorus_result_wait(slow, 0.01), CHORUS_E_TIMEOUT, slow, "did not finish in time");
    expect("json not ready", chorus_result_json(slow, &text), CHORUS_E_STATE, slow, "has not finished");
    expect("error not ready", chorus_result_error(slow, &text), CHORUS_E_STATE, slow, "has not finished");
    expect("wait NaN", chorus_result_wait(slow, NAN), CHORUS_E_ARGUMENT, slow, "timeout is NaN");
    expect("state(NULL out)", chorus_result_state(slow, NULL), CHORUS_E_ARGUMENT, slow, "state_out is NULL");
    expect("id buffer too small", chorus_result_id(slow, id, sizeof id), CHORUS_E_BUFFER, slow, "the buffer has 8");
    expect_text("id buffer emptied", id, "");
    expect("wait again", chorus_result_wait(slow, -1), CHORUS_OK, NULL, NULL);
    expect("error of success", chorus_result_error(slow, &text), CHORUS_E_STATE, slow, "succeeded; there is no error");
    expect("json of success", chorus_result_json(slow, &text), CHORUS_OK, NULL, NULL);
    expect_text("json value", text, "4000");
    chorus_free(text);
    chorus_signature_destroy(sig);

    /* Builders on the success path: kwargs, the JSON form, a group's list. */
    sig = task("add", NULL, NULL);
    expect("add_kwarg x", chorus_signature_add_kwarg(sig, "x", "40"), CHORUS_OK, NULL, NULL);
    expect("add_kwarg y", chorus_signature_add_kwarg(sig, "y", "2"), CHORUS_OK, NULL, NULL);
    expect("signature_json", chorus_signature_json(sig, &text), CHORUS_OK, NULL, NULL);
    expect_text("signature json text", text,
                "{\"task\":\"add\",\"args\":[],\"kwargs\":{\"x\":40,\"y\":2},\"options\":{},\"subtask_type\":null,\"immutable\":false}");
    chorus_free(text);
    members[0] = sig;
    members[1] = task("add", "1", "1");
    expect("group", chorus_group((const chorus_signature *const *)members, 2, &bad), CHORUS_OK, NULL, NULL);
    expect("apply group", chorus_apply(runtime, bad, &result), CHORUS_OK, NULL, NULL);
    expect("wait group", chorus_result_wait(result, 10), CHORUS_OK, NULL, NULL);
    chorus_result_json(result, &text);
    expect_text("group json", text, "[42,2]");
    chorus_free(text);
    chorus_result_state(result, &state);
    expect_text("group state", state, "SUCCESS");
    chorus_result_destroy(result);
    result = NULL;
    chorus_signature_destroy(bad);
    chorus_signature_destroy(members[1]);
    chorus_signature_destroy(sig);

    /* Use after destroy. */
    sig = task("add", "1", "2");
    chorus_signature_destroy(sig);
    expect("signature after destroy", chorus_signature_add_arg(sig, "1"), CHORUS_E_STATE, sig, "chorus_signature_add_arg: chorus_signature 0x");
    expect("signature after destroy message", CHORUS_E_STATE, CHORUS_E_STATE, NULL, "is not live: it was destroyed");
    chorus_signature_destroy(sig); /* twice: a no-op */
    chorus_result_destroy(slow);
    expect("result after destroy", chorus_result_wait(slow, 1), CHORUS_E_STATE, NULL, "chorus_result 0x");
    chorus_result_destroy(broken);
    chorus_config_destroy(config);
    expect("config after destroy", chorus_config_set_concurrency(config, 2), CHORUS_E_STATE, NULL, "chorus_config 0x");
    chorus_runtime_destroy(runtime);
    sig = task("add", "1", "2");
    expect("runtime after destroy", chorus_apply(runtime, sig, &result), CHORUS_E_STATE, NULL, "chorus_apply: chorus_runtime 0x");
    chorus_runtime_destroy(runtime); /* twice: a no-op */
    chorus_signature_destroy(sig);

    if (failures == 0) printf("%d checks passed\n", checks);
    return failures == 0 ? 0 : 1;
}
