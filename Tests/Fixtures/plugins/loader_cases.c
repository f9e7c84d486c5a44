/* Test plugin for the loader. Without defines it is a well-formed plugin
 * ("loader_cases", one task "lc.inc"); with -DCASE_<NAME> it becomes one
 * malformed (or unusual but valid) variant. Every variant differs in its
 * bytes, so the loader never mistakes one for a copy of another. */
#include "chorus.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

__attribute__((unused)) static int64_t inc(int64_t x) { return x + 1; }
static int64_t twice(int64_t x) { return 2 * x; }

/* Defaults: a valid plugin. */
#define P_SIZE ((uint32_t)sizeof(chorus_plugin))
#define P_ABI CHORUS_ABI_VERSION
#define P_NAME "loader_cases"
#define P_VERSION "1.0.0"
#define P_RESERVED 0
#define T_SIZE ((uint32_t)sizeof(chorus_task))
#define T_FLAGS 0u
#define T_NAME "lc.inc"
#define T_SIG "int64 (int64 x)"
#define T_FN ((chorus_task_fn)inc)
#define T_RETRIES 0
#define T_RESERVED 0u
#define T_BACKOFF 0.0
#define T_BACKOFF_MAX 0.0
#define T_DELAY 0.0
#define T_DOC "Adds one."
#define SECOND_NAME "lc.twice"
#define SECOND_SIG "int64 (int64 x)"

#if defined(CASE_ABI_MAJOR_2)
#undef P_ABI
#define P_ABI ((uint32_t)((2u << 16) | 0u))
#elif defined(CASE_ABI_MINOR_7)
#undef P_ABI
#define P_ABI ((uint32_t)((1u << 16) | 7u))
#elif defined(CASE_SMALL_PLUGIN)
#undef P_SIZE
#define P_SIZE ((uint32_t)offsetof(chorus_plugin, tasks))
#elif defined(CASE_SMALL_TASK)
#undef T_SIZE
#define T_SIZE ((uint32_t)offsetof(chorus_task, retry_backoff))
#elif defined(CASE_NULL_PLUGIN_NAME)
#undef P_NAME
#define P_NAME NULL
#elif defined(CASE_EMPTY_PLUGIN_NAME)
#undef P_NAME
#define P_NAME ""
#elif defined(CASE_BAD_PLUGIN_NAME)
#undef P_NAME
#define P_NAME "my plugin"
#elif defined(CASE_NULL_VERSION)
#undef P_VERSION
#define P_VERSION NULL
#elif defined(CASE_PLUGIN_RESERVED)
#undef P_RESERVED
#define P_RESERVED 7
#elif defined(CASE_NULL_TASK_NAME)
#undef T_NAME
#define T_NAME NULL
#elif defined(CASE_EMPTY_TASK_NAME)
#undef T_NAME
#define T_NAME ""
#elif defined(CASE_TASK_NAME_SPACE)
#undef T_NAME
#define T_NAME "lc inc"
#elif defined(CASE_TASK_NAME_SLASH)
#undef T_NAME
#define T_NAME "lc/inc"
#elif defined(CASE_TASK_NAME_NON_ASCII)
#undef T_NAME
#define T_NAME "lc.t\xc3\xa2" "che"
#elif defined(CASE_TASK_NAME_DOTTED)
#undef T_NAME
#define T_NAME "images.resize"
#elif defined(CASE_TASK_NAME_PUNCTUATED)
#undef T_NAME
#define T_NAME "a:b-c_d"
#elif defined(CASE_UNKNOWN_FLAGS)
#undef T_FLAGS
#define T_FLAGS (CHORUS_TASK_ACKS_LATE | (1u << 9))
#elif defined(CASE_NULL_SIGNATURE)
#undef T_SIG
#define T_SIG NULL
#elif defined(CASE_SIG_VOID_PARAM)
#undef T_SIG
#define T_SIG "int64 (void x)"
#elif defined(CASE_SIG_UNKNOWN_TYPE)
#undef T_SIG
#define T_SIG "int64 (float x)"
#elif defined(CASE_SIG_MISSING_PAREN)
#undef T_SIG
#define T_SIG "int64 (int64 x"
#elif defined(CASE_SIG_DUPLICATE_PARAM)
#undef T_SIG
#define T_SIG "int64 (int64 x, int64 x)"
#elif defined(CASE_SIG_TRAILING)
#undef T_SIG
#define T_SIG "int64 (int64 x) extra"
#elif defined(CASE_NULL_FUNCTION)
#undef T_FN
#define T_FN NULL
#elif defined(CASE_MAX_RETRIES_MINUS_2)
#undef T_RETRIES
#define T_RETRIES (-2)
#elif defined(CASE_TASK_RESERVED)
#undef T_RESERVED
#define T_RESERVED 1u
#elif defined(CASE_BACKOFF_NEGATIVE)
#undef T_BACKOFF
#define T_BACKOFF (-1.5)
#elif defined(CASE_BACKOFF_NAN)
#undef T_BACKOFF
#define T_BACKOFF NAN
#elif defined(CASE_BACKOFF_INF)
#undef T_BACKOFF
#define T_BACKOFF INFINITY
#elif defined(CASE_BAD_DOC)
#undef T_DOC
#define T_DOC "caf\xc3"
#elif defined(CASE_TASK_NAME_BAD_UTF8)
#undef T_NAME
#define T_NAME "lc.\xff"
#elif defined(CASE_VERSION_BAD_UTF8)
#undef P_VERSION
#define P_VERSION "1.\xc0"
#elif defined(CASE_EMPTY_VERSION)
#undef P_VERSION
#define P_VERSION ""
#elif defined(CASE_ALL_OPTIONS)
/* Every flag and retry option set, read back by the host. */
#undef T_FLAGS
#define T_FLAGS (CHORUS_TASK_BIND | CHORUS_TASK_ACKS_LATE | CHORUS_TASK_AUTORETRY | CHORUS_TASK_RETRY_JITTER)
#undef T_RETRIES
#define T_RETRIES CHORUS_RETRIES_UNLIMITED
#undef T_BACKOFF
#define T_BACKOFF 0.5
#undef T_BACKOFF_MAX
#define T_BACKOFF_MAX 60.0
#undef T_DELAY
#define T_DELAY 3.0
#elif defined(CASE_NAME_200)
#undef T_NAME
#define T_NAME "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j123456789" \
               "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j123456789"
#elif defined(CASE_NAME_201)
#undef T_NAME
#define T_NAME "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j123456789" \
               "a123456789b123456789c123456789d123456789e123456789f123456789g123456789h123456789i123456789j123456789x"
#elif defined(CASE_TASK_NAME_DIGIT_FIRST)
#undef T_NAME
#define T_NAME "1task"
#elif defined(CASE_DUPLICATE_TASK)
#undef SECOND_NAME
#define SECOND_NAME "lc.inc"
#elif defined(CASE_SECOND_TASK_BAD)
#undef SECOND_SIG
#define SECOND_SIG "int64 (int64 x, )"
#endif

/* Unused by some variants. */
__attribute__((unused)) static const chorus_task first_task = {
    T_SIZE, T_FLAGS, T_NAME, T_SIG, T_FN, T_RETRIES, T_RESERVED, T_BACKOFF, T_BACKOFF_MAX, T_DELAY, T_DOC,
};
__attribute__((unused)) static const chorus_task second_task = {
    sizeof(chorus_task), 0, SECOND_NAME, SECOND_SIG, (chorus_task_fn)twice, 0, 0, 0, 0, 0, NULL,
};

#if defined(CASE_OLD_TASK)
/* A chorus_task as an older minor would have declared it: everything up to,
 * but not including, the trailing `doc`. */
typedef struct old_task {
    uint32_t size;
    uint32_t flags;
    const char *name;
    const char *signature;
    chorus_task_fn function;
    int32_t max_retries;
    uint32_t reserved;
    double retry_backoff;
    double retry_backoff_max;
    double default_retry_delay;
} old_task;
static const old_task older = {
    sizeof(old_task), CHORUS_TASK_ACKS_LATE, "lc.old", "int64 (int64 x)", (chorus_task_fn)inc, 5, 0, 2.0, 30.0, 7.0,
};
static const chorus_task *const tasks[] = { (const chorus_task *)&older };
#elif defined(CASE_NULL_TASKS)
static const chorus_task *const *const tasks_pointer = NULL;
#elif defined(CASE_NULL_TASK_POINTER)
static const chorus_task *const tasks[] = { &first_task, NULL };
#else
static const chorus_task *const tasks[] = { &first_task, &second_task };
#endif

#if defined(CASE_NULL_TASKS)
static const chorus_plugin plugin = { P_SIZE, P_ABI, P_NAME, P_VERSION, 1, P_RESERVED, tasks_pointer };
#else
__attribute__((unused)) static const chorus_plugin plugin = {
    P_SIZE, P_ABI, P_NAME, P_VERSION, sizeof tasks / sizeof tasks[0], P_RESERVED, tasks,
};
#endif

#if defined(CASE_NO_ENTRY)
/* Exports something, but not the entry point. */
CHORUS_EXPORT const chorus_plugin *chorus_plugin_entry(void);
CHORUS_EXPORT const chorus_plugin *chorus_plugin_entry(void) { return &plugin; }
#elif defined(CASE_ENTRY_V2)
CHORUS_EXPORT const chorus_plugin *chorus_plugin_entry_v2(const chorus_host *h, char *error, size_t error_size);
CHORUS_EXPORT const chorus_plugin *chorus_plugin_entry_v2(const chorus_host *h, char *error, size_t error_size) {
    (void)h;
    (void)error;
    (void)error_size;
    return &plugin;
}
#else
CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)h;
#if defined(CASE_ENTRY_NULL_REASON)
    const char reason[] = "cannot open /etc/lc.conf: missing configuration";
    size_t i = 0;
    for (; i + 1 < error_size && reason[i]; i++) error[i] = reason[i];
    if (error_size > 0) error[i] = 0;
    return NULL;
#elif defined(CASE_ENTRY_NULL_LONG_REASON)
    /* A reason longer than the buffer, written the usual way: snprintf
     * truncates it, possibly in the middle of a UTF-8 sequence. */
    char reason[3001];
    size_t n = 10;
    memcpy(reason, "too long: ", n);
    for (; n + 3 < sizeof reason; n += 3) memcpy(reason + n, "\xe2\x9c\x93", 3); /* U+2713 */
    reason[n] = 0;
    snprintf(error, error_size, "%s", reason);
    return NULL;
#elif defined(CASE_ENTRY_NULL_EMPTY)
    (void)error;
    (void)error_size;
    return NULL;
#else
    (void)error;
    (void)error_size;
    return &plugin;
#endif
}
#endif
