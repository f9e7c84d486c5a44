/*
 * chorus.h — the Chorus plugin ABI, version 1.0.
 *
 * This header is the single source of truth for the binary interface between
 * the Chorus runtime (the "host") and task plugins (shared libraries loaded
 * with dlopen). Plugins include it; the Swift runtime imports it.
 *
 * ---------------------------------------------------------------------------
 * Overview
 * ---------------------------------------------------------------------------
 * A plugin is a shared library that exports exactly one symbol,
 * CHORUS_PLUGIN_ENTRY_NAME ("chorus_plugin_entry_v1"). The major ABI version
 * is part of the name, so a plugin built for an incompatible major version is
 * simply not found by this runtime.
 *
 * The host calls the entry point once per process and per plugin file, with
 * a table of host functions (chorus_host). The plugin returns a pointer to a
 * static descriptor (chorus_plugin) that lists its tasks (chorus_task). The
 * host validates the whole descriptor and then registers every task, or
 * none.
 *
 * Each task declares its C signature as text (see "Signatures" below). The
 * host checks every argument against that declaration before calling the
 * task's function through libffi; a plugin never sees an argument of the
 * wrong type.
 *
 * ---------------------------------------------------------------------------
 * Versioning rules
 * ---------------------------------------------------------------------------
 * - CHORUS_ABI_MAJOR changes only for incompatible changes; the entry point
 *   name changes with it.
 * - CHORUS_ABI_MINOR grows when fields or host functions are added. Structs
 *   that cross the boundary start with their own size and only ever grow at
 *   the end. A reader uses a field only when the writer's `size` covers it.
 * - A plugin built against a newer minor than the host is refused with a
 *   message naming both versions. A plugin built against an older minor is
 *   accepted; fields its smaller structs lack take their documented default.
 * - Host functions added in a later minor are at the end of chorus_host; a
 *   plugin that wants to run on older hosts checks `host->size` with
 *   CHORUS_HOST_HAS(host, field) before calling them.
 *
 * ---------------------------------------------------------------------------
 * Ownership, one rule per direction
 * ---------------------------------------------------------------------------
 * - Host -> plugin (string and bytes arguments, the task id and name, values
 *   read from state): borrowed. Valid until the task function returns. Copy
 *   what you need to keep.
 * - Plugin -> host (log and error text, dispatched canvases, state values):
 *   copied by the host before the host function returns. The plugin keeps
 *   ownership of its own buffers.
 * - Results of type string, json and bytes: the task returns a pointer that
 *   must stay valid until the task function returns to the host — a static
 *   or thread-local buffer, or memory from host->alloc(), which the host
 *   frees when the invocation ends. The host copies the result. Never return
 *   memory from malloc(): the host does not free it and it leaks.
 *
 * ---------------------------------------------------------------------------
 * Threads
 * ---------------------------------------------------------------------------
 * - The entry point is called once, on one thread, before any task runs.
 * - Task functions are called concurrently from several host threads, also
 *   the same task at once. A task must be reentrant or do its own locking.
 * - A chorus_context is valid only during the invocation it was passed to and
 *   only on the thread that runs that invocation. Using it afterwards or from
 *   another thread returns CHORUS_E_CONTEXT (pointer-returning functions
 *   return NULL); it never crashes the host.
 * - The chorus_host table itself is immutable and lives until the process
 *   exits; a plugin may keep the pointer.
 *
 * ---------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------
 * Nothing may unwind across this boundary: no C++ exception, Rust panic or
 * longjmp may leave a task function or the entry point. Report failures with
 * host->fail(), host->fail_permanent() or host->retry() and return.
 */
#ifndef CHORUS_H
#define CHORUS_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Versions                                                                  */
/* ======================================================================== */

/** Major ABI version: incompatible changes only. Part of the entry name. */
#define CHORUS_ABI_MAJOR 1
/** Minor ABI version: grows when structs or the host table grow. */
#define CHORUS_ABI_MINOR 0
/** Packed version: major in the high 16 bits, minor in the low 16 bits. */
#define CHORUS_ABI_VERSION ((uint32_t)((CHORUS_ABI_MAJOR << 16) | CHORUS_ABI_MINOR))
/** Major part of a packed version. */
#define CHORUS_ABI_VERSION_MAJOR(v) ((uint32_t)(v) >> 16)
/** Minor part of a packed version. */
#define CHORUS_ABI_VERSION_MINOR(v) ((uint32_t)(v) & 0xFFFFu)

/* ======================================================================== */
/* Status codes                                                              */
/* ======================================================================== */

/**
 * Result of every host function that can fail, and of the embedding API.
 * Zero is success; every error is negative. Values never change meaning.
 */
typedef enum chorus_status {
    CHORUS_OK = 0,
    /** The context is not live: used after its task returned, or from
     *  another thread than the one running the invocation. */
    CHORUS_E_CONTEXT = -1,
    /** An argument is invalid: NULL where a value is required, invalid
     *  UTF-8, an out-of-range number, malformed JSON. */
    CHORUS_E_ARGUMENT = -2,
    /** Memory could not be allocated. */
    CHORUS_E_NOMEM = -3,
    /** The runtime does not provide this feature in this configuration. */
    CHORUS_E_UNSUPPORTED = -4,
    /** The call is not valid in the current state (for example fail()
     *  after fail() in the same invocation). */
    CHORUS_E_STATE = -5,
    /** A caller-provided buffer is too small; nothing was written except a
     *  terminating NUL at index 0 when the size allows it. */
    CHORUS_E_BUFFER = -6,
    /** The key does not exist. */
    CHORUS_E_NOT_FOUND = -7,
    /** The name does not resolve to a registered task. */
    CHORUS_E_UNKNOWN_TASK = -8,
    /** A storage backend reported an error (disk full, locked database). */
    CHORUS_E_BACKEND = -9,
    /** A wait ended before the work finished. */
    CHORUS_E_TIMEOUT = -10,
    /** The work finished in failure. */
    CHORUS_E_TASK_FAILED = -11,
    /** Any other error; the message says more. */
    CHORUS_E_INTERNAL = -99
} chorus_status;

/* ======================================================================== */
/* Value types and signatures                                                */
/* ======================================================================== */

/*
 * Signatures
 * ----------
 * A task declares its C signature as text:
 *
 *     "<return type> (<type> <name>, <type> <name>, ...)"
 *
 * for example "int64 (int64 report_id)", "void ()", "json (json items,
 * double factor)". Parameter names are C identifiers ([A-Za-z_][A-Za-z0-9_]*)
 * and are the names kwargs bind to. Whitespace is free. `void` is valid only
 * as a return type; an empty list is written "()".
 *
 * Type names and the exact C types the task function uses:
 *
 *   name    parameter C type            return C type          JSON value
 *   ------  --------------------------  ---------------------  --------------
 *   void    (not allowed)               void                   null
 *   bool    bool                        bool                   true / false
 *   int32   int32_t                     int32_t                integer
 *   int64   int64_t                     int64_t                integer
 *   uint64  uint64_t                    uint64_t               integer >= 0
 *   double  double                      double                 number
 *   string  const char *                const char *           string
 *   json    const char *                const char *           any JSON value
 *   bytes   chorus_bytes (by value)     chorus_bytes           see below
 *
 * - string: UTF-8, NUL-terminated; the host refuses invalid UTF-8 and
 *   interior NUL in arguments. A returned NULL string becomes JSON null.
 * - json: UTF-8 JSON text. Arguments are passed as canonical JSON (no
 *   insignificant whitespace, object keys in the order received). A returned
 *   json text must parse as JSON or the invocation fails; NULL is null.
 * - bytes: as a JSON argument, a string (its UTF-8 bytes) or an object
 *   {"base64": "<standard base64>"}; as a result, {"base64": "..."}.
 * - Integers: no silent truncation and no float-to-int conversion. double
 *   parameters accept integers only up to 2^53 in magnitude.
 *
 * A bound task (CHORUS_TASK_BIND) receives `chorus_context *` as its first C
 * parameter; the declared signature does not list it.
 */

/** A byte buffer: a pointer and a length. As an argument it is borrowed for
 *  the call; `data` may be NULL only when `size` is 0. */
typedef struct chorus_bytes {
    const uint8_t *data;
    size_t size;
} chorus_bytes;

/* ======================================================================== */
/* Task descriptors                                                          */
/* ======================================================================== */

/** The task function receives `chorus_context *` as its first parameter. */
#define CHORUS_TASK_BIND        (1u << 0)
/** Acknowledge the message after the task ends, not when it starts: a task
 *  whose worker dies is delivered again (Celery's acks_late). */
#define CHORUS_TASK_ACKS_LATE   (1u << 1)
/** Retry automatically when the task fails with host->fail() (Celery's
 *  autoretry_for=(Exception,)). fail_permanent() never retries. */
#define CHORUS_TASK_AUTORETRY   (1u << 2)
/** Draw each backoff delay uniformly from [0, delay] ("full jitter"). Used
 *  only when retry_backoff is non-zero. */
#define CHORUS_TASK_RETRY_JITTER (1u << 3)
/** Every flag this version defines; any other bit is refused at load. */
#define CHORUS_TASK_KNOWN_FLAGS (CHORUS_TASK_BIND | CHORUS_TASK_ACKS_LATE | \
                                 CHORUS_TASK_AUTORETRY | CHORUS_TASK_RETRY_JITTER)

/** max_retries value meaning "retry forever" (Celery's max_retries=None). */
#define CHORUS_RETRIES_UNLIMITED (-1)

/** Longest task name, in bytes. */
#define CHORUS_TASK_NAME_MAX 200

/** Generic function pointer type for task entry points. Cast the real
 *  function to this type; the host calls it with the declared signature. */
typedef void (*chorus_task_fn)(void);

/**
 * One task. Plugins keep descriptors in static storage: the host reads them
 * during loading and keeps pointers to `name` and `signature` as long as the
 * process runs.
 *
 * Fields added by later minors go at the end; the host reads them only when
 * `size` covers them, and uses their default otherwise.
 */
typedef struct chorus_task {
    /** sizeof(chorus_task) as the plugin was compiled. Required. */
    uint32_t size;
    /** CHORUS_TASK_* bits. Unknown bits are refused. */
    uint32_t flags;
    /** Registered name: 1..CHORUS_TASK_NAME_MAX bytes of [A-Za-z0-9_.:-],
     *  starting with a letter or '_', e.g. "report_group_short" or
     *  "images.resize". Unique across every loaded plugin. */
    const char *name;
    /** Declared signature text, e.g. "int64 (int64 report_id)". */
    const char *signature;
    /** Entry point, cast to chorus_task_fn. Must not be NULL. */
    chorus_task_fn function;
    /** Retries allowed after the first attempt, or CHORUS_RETRIES_UNLIMITED.
     *  0 means no retry. Applies to autoretry and to host->retry(). */
    int32_t max_retries;
    /** Reserved; must be 0. */
    uint32_t reserved;
    /** Exponential backoff factor in seconds; 0 turns backoff off. The
     *  delay before retry n (0-based) is min(retry_backoff_max,
     *  retry_backoff * 2^n), then jitter if CHORUS_TASK_RETRY_JITTER. */
    double retry_backoff;
    /** Cap of the backoff delay in seconds; 0 means Celery's 600. */
    double retry_backoff_max;
    /** Delay in seconds before a retry when no backoff applies and no
     *  countdown was given; 0 means Celery's 180. */
    double default_retry_delay;
    /** Optional one-line description shown by `chorus tasks`; may be NULL. */
    const char *doc;
} chorus_task;

/**
 * A plugin's descriptor, returned by the entry point. Static storage: the
 * host keeps pointers into it for the life of the process.
 */
typedef struct chorus_plugin {
    /** sizeof(chorus_plugin) as the plugin was compiled. Required. */
    uint32_t size;
    /** CHORUS_ABI_VERSION the plugin was compiled against. */
    uint32_t abi_version;
    /** Plugin name: same character rules as task names. */
    const char *name;
    /** Plugin version text, e.g. "1.2.0". Must not be NULL or empty. */
    const char *version;
    /** Number of entries in `tasks`. May be 0. */
    uint32_t task_count;
    /** Reserved; must be 0. */
    uint32_t reserved;
    /** Array of `task_count` pointers to task descriptors. An array of
     *  pointers keeps the stride independent of sizeof(chorus_task). */
    const chorus_task *const *tasks;
} chorus_plugin;

/* ======================================================================== */
/* The host API                                                              */
/* ======================================================================== */

/** Opaque per-invocation context, passed to bound tasks. */
typedef struct chorus_context chorus_context;

/** Log levels for host->log(). */
typedef enum chorus_log_level {
    CHORUS_LOG_DEBUG = 0,
    CHORUS_LOG_INFO = 1,
    CHORUS_LOG_WARNING = 2,
    CHORUS_LOG_ERROR = 3
} chorus_log_level;

/** Pass as `countdown` to host->retry() to use the task's retry policy
 *  (backoff, or default_retry_delay). */
#define CHORUS_RETRY_DEFAULT_COUNTDOWN (-1.0)

/** Longest task id the host produces, including the terminating NUL. */
#define CHORUS_ID_SIZE 64

/**
 * Functions the host offers to plugins. Every function takes the context
 * first (C-callable host code cannot capture state). Every function is safe
 * to call from the thread running the invocation whose context it gets; none
 * blocks for long except where noted. Strings passed in must be valid UTF-8
 * and NUL-terminated; invalid text gives CHORUS_E_ARGUMENT.
 */
typedef struct chorus_host {
    /** sizeof(chorus_host) as the host built it. Test with CHORUS_HOST_HAS. */
    uint32_t size;
    /** CHORUS_ABI_VERSION of the host. */
    uint32_t abi_version;

    /* ---- ABI 1.0 ------------------------------------------------------ */

    /** The running task's id (a UUID). Borrowed until the task returns.
     *  NULL if the context is not live. */
    const char *(*task_id)(const chorus_context *ctx);

    /** The running task's registered name. Borrowed until the task
     *  returns. NULL if the context is not live. */
    const char *(*task_name)(const chorus_context *ctx);

    /** Retries so far: 0 on the first attempt, n on the n-th retry. -1 if
     *  the context is not live. */
    int32_t (*retries)(const chorus_context *ctx);

    /** Marks this invocation failed with `message` (copied). The task
     *  should return right after; its return value is ignored. Retryable:
     *  with CHORUS_TASK_AUTORETRY the runtime retries within max_retries.
     *  Returns CHORUS_E_STATE if the invocation already failed or asked
     *  for a retry. */
    chorus_status (*fail)(chorus_context *ctx, const char *message);

    /** Like fail(), but never retried. */
    chorus_status (*fail_permanent)(chorus_context *ctx, const char *message);

    /** Writes `message` (copied) to the runtime's log at `level`
     *  (a chorus_log_level), tagged with the task id and name. */
    chorus_status (*log)(chorus_context *ctx, int32_t level, const char *message);

    /** Allocates `size` bytes (8-byte aligned) that live until the
     *  invocation ends, when the host frees them. Use it for string, json
     *  and bytes results. NULL if the context is not live, size is 0 or
     *  memory is exhausted. Do not free() it. */
    void *(*alloc)(chorus_context *ctx, size_t size);

    /** Asks for this task to run again after `countdown` seconds (or the
     *  task's policy with CHORUS_RETRY_DEFAULT_COUNTDOWN), like Celery's
     *  self.retry(). The task should return right after. `message` (may
     *  be NULL) is the reason recorded. Past max_retries the task fails
     *  with `message`. The same id is kept. */
    chorus_status (*retry)(chorus_context *ctx, double countdown, const char *message);

    /** Enqueues a signature or canvas given as Celery JSON (a signature
     *  dict, or a celery.chain/group/chord dict). Only enqueues: never runs
     *  the work inline. Writes the new root result id (NUL-terminated) to
     *  `id_out`, which must hold CHORUS_ID_SIZE bytes; `id_out` may be
     *  NULL. CHORUS_E_ARGUMENT for malformed JSON, CHORUS_E_UNKNOWN_TASK
     *  for a name no plugin registered. */
    chorus_status (*dispatch)(chorus_context *ctx, const char *canvas_json,
                              char *id_out, size_t id_out_size);

    /** The runtime's time scale: every wait the runtime performs is
     *  multiplied by it (1.0 is real time; 0.01 makes a 10 s countdown
     *  take 0.1 s). Tasks that simulate work should scale their sleeps by
     *  it. 1.0 if the context is not live. */
    double (*time_scale)(const chorus_context *ctx);

    /** Reads the plugin's state value for `key`. On CHORUS_OK `*value_out`
     *  points to NUL-terminated text borrowed until the task returns.
     *  CHORUS_E_NOT_FOUND if the key is absent. State is namespaced per
     *  plugin; keys are 1..512 bytes of UTF-8. */
    chorus_status (*state_get)(chorus_context *ctx, const char *key,
                               const char **value_out);

    /** Stores `value` (copied, UTF-8 text) under `key`, replacing any old
     *  value. */
    chorus_status (*state_set)(chorus_context *ctx, const char *key,
                               const char *value);

    /** Removes `key`. CHORUS_E_NOT_FOUND if it was absent. */
    chorus_status (*state_delete)(chorus_context *ctx, const char *key);

    /** Atomically adds `delta` to the integer stored at `key` (absent
     *  counts as 0) and writes the new value to `*value_out` (may be NULL).
     *  CHORUS_E_STATE if the stored value is not an integer;
     *  CHORUS_E_ARGUMENT on overflow. */
    chorus_status (*state_increment)(chorus_context *ctx, const char *key,
                                     int64_t delta, int64_t *value_out);

    /** Lists the keys starting with `prefix` ("" for all) as a JSON object
     *  {key: value, ...} in key order, borrowed until the task returns. */
    chorus_status (*state_list)(chorus_context *ctx, const char *prefix,
                                const char **json_out);

    /** Starts a transaction for this invocation: until transaction_commit(),
     *  the state_* calls of this invocation read and write inside it, and
     *  work passed to dispatch() is held back. Commit makes the writes visible
     *  and enqueues the held work atomically — with the durable backend, in
     *  one database transaction — so work is never enqueued for a record that
     *  was not saved (Django's transaction.on_commit). Other writers to the
     *  same store wait while it is open: keep it short, and never sleep in it.
     *  CHORUS_E_STATE if a transaction is already open. */
    chorus_status (*transaction_begin)(chorus_context *ctx);

    /** Commits the open transaction. On an error nothing of it is applied
     *  (CHORUS_E_BACKEND, e.g. a full disk) and the transaction is closed.
     *  CHORUS_E_STATE if none is open. */
    chorus_status (*transaction_commit)(chorus_context *ctx);

    /** Discards the open transaction: its writes and held dispatches. A
     *  transaction still open when the task returns is rolled back.
     *  CHORUS_E_STATE if none is open. */
    chorus_status (*transaction_rollback)(chorus_context *ctx);

    /** A uniformly distributed 64-bit number. Each invocation draws from its
     *  own stream, derived from the runtime's seed (`--seed`), the task name,
     *  its arguments and its retry count: a seeded run repeats exactly, in
     *  whatever order the executors happen to run tasks. 0 if the context is
     *  not live. */
    uint64_t (*random)(chorus_context *ctx);
} chorus_host;

/** True when the host table covers `field`, i.e. the host is new enough to
 *  provide that function. */
#define CHORUS_HOST_HAS(host, field) \
    ((host)->size >= offsetof(chorus_host, field) + sizeof((host)->field) && \
     (host)->field != NULL)

/* ======================================================================== */
/* The entry point                                                           */
/* ======================================================================== */

/** Name of the one symbol a plugin exports. */
#define CHORUS_PLUGIN_ENTRY chorus_plugin_entry_v1
/** The same name as a string, for dlsym(). */
#define CHORUS_PLUGIN_ENTRY_NAME "chorus_plugin_entry_v1"

/**
 * The plugin's entry point. Called once per process for each plugin file,
 * before any of its tasks runs, on one thread.
 *
 * `host` lives until the process exits. Return a pointer to the plugin's
 * static descriptor. To refuse loading (missing configuration, a resource
 * that cannot be opened), write a NUL-terminated reason of at most
 * `error_size` bytes into `error` and return NULL.
 *
 * Define it with CHORUS_EXPORT so it is visible even when the plugin is
 * built with -fvisibility=hidden:
 *
 *     CHORUS_EXPORT const chorus_plugin *
 *     CHORUS_PLUGIN_ENTRY(const chorus_host *host, char *error, size_t error_size)
 */
typedef const chorus_plugin *(*chorus_plugin_entry_fn)(const chorus_host *host,
                                                       char *error,
                                                       size_t error_size);

/** Marks a symbol exported from a plugin. */
#if defined(_WIN32)
#define CHORUS_EXPORT __declspec(dllexport)
#else
#define CHORUS_EXPORT __attribute__((visibility("default")))
#endif

/** Declaration of the entry point for plugins that include this header. */
CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *host,
                                                       char *error,
                                                       size_t error_size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CHORUS_H */

/* ======================================================================== */
/* The embedding API (libchorus)                                             */
/* ======================================================================== */

/*
 * Everything below is for programs that embed the runtime: a C daemon that
 * hands work to plugins, a server that runs chords. It is implemented by the
 * shared library libchorus (`pkg-config --cflags --libs chorus`). Plugins
 * never call it and never link libchorus; define CHORUS_NO_EMBEDDING before
 * including this header to hide the section entirely. Nothing above this
 * line depends on it, and the plugin ABI version does not cover it.
 *
 * ---------------------------------------------------------------------------
 * Handles
 * ---------------------------------------------------------------------------
 * chorus_config, chorus_runtime, chorus_signature and chorus_result are
 * opaque handles. Each has one constructor and one destructor; destructors
 * accept NULL. A handle is a token, not an address: after its destructor ran
 * it is never reissued, so a handle used after destroy (or a pointer that was
 * never a handle, or a handle of another type) is detected and refused with
 * CHORUS_E_STATE, without touching freed memory. Destroying a handle twice is
 * a harmless no-op.
 *
 * ---------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------
 * Every function that can fail returns a chorus_status (see
 * chorus_status_name). On failure, output parameters are set to NULL (or
 * left untouched when the pointer to them is NULL), and a one-line message
 * is recorded both on the handle the function was called with and for the
 * calling thread; read it with chorus_last_error(handle) or
 * chorus_last_error(NULL). NULL where a handle or an output pointer is
 * required gives CHORUS_E_ARGUMENT.
 *
 * ---------------------------------------------------------------------------
 * Memory
 * ---------------------------------------------------------------------------
 * Strings passed in are UTF-8, NUL-terminated, borrowed for the call and
 * copied when kept. Strings handed out through `char **` are owned by the
 * caller and freed with chorus_free(), never free(). Strings handed out as
 * `const char *` are borrowed, with the lifetime each function states.
 *
 * ---------------------------------------------------------------------------
 * Threads
 * ---------------------------------------------------------------------------
 * Every function may be called from any thread, also on the same handle at
 * once; handles carry their own locks. The exception is a destructor: do
 * not destroy a handle while another thread is still using it (the other
 * call then fails with CHORUS_E_STATE at best). Task functions run on the
 * runtime's own threads.
 */
#ifndef CHORUS_NO_EMBEDDING
#ifndef CHORUS_EMBEDDING_H
#define CHORUS_EMBEDDING_H

#ifdef __cplusplus
extern "C" {
#endif

/** A runtime configuration under construction. */
typedef struct chorus_config chorus_config;
/** A running runtime: registry, broker, result store, worker threads. */
typedef struct chorus_runtime chorus_runtime;
/** A signature or canvas (chain, group, chord), ready to apply. */
typedef struct chorus_signature chorus_signature;
/** A handle on applied work, like Celery's AsyncResult. */
typedef struct chorus_result chorus_result;

/* ---- Status, errors and memory ------------------------------------------ */

/** The name of a status: "CHORUS_OK", "CHORUS_E_TIMEOUT", ...; "unknown
 *  status" for a value this version does not define. Static storage; never
 *  NULL. Any thread. */
const char *chorus_status_name(chorus_status status);

/** The message of the most recent failed call made with `handle` (any of
 *  the four handle types, passed as a pointer), or with NULL the most
 *  recent failed call of the calling thread. "" when there was none. For a
 *  destroyed handle, the calling thread's message. Borrowed: valid until the
 *  next call with the same handle (or, for NULL, the next failed call on
 *  this thread); copy it to keep it. Never NULL. */
const char *chorus_last_error(const void *handle);

/** Frees a string the API handed out through a `char **`. NULL is a no-op.
 *  Any thread. */
void chorus_free(void *pointer);

/** The host function table plugins receive (see chorus_host), for tasks
 *  registered with chorus_runtime_register_task: a CHORUS_TASK_BIND task
 *  gets a chorus_context* and calls these functions with it. Lives until
 *  the process exits. Any thread. */
const chorus_host *chorus_host_api(void);

/* ---- Configuration -------------------------------------------------------- */

/** Backend kinds for chorus_config_set_backend. */
typedef enum chorus_backend {
    /** In-memory broker and result store (the default): fast, lost when the
     *  runtime is destroyed. */
    CHORUS_BACKEND_MEMORY = 0,
    /** The durable SQLite backend at a file path: queue, results, attempt
     *  history and plugin state survive restarts and are shared with
     *  `chorus worker` processes on the same file. */
    CHORUS_BACKEND_SQLITE = 1
} chorus_backend;

/** Creates a configuration with the defaults: concurrency = number of
 *  cores, time scale 1.0, memory backend, no plugins. `*config_out` receives
 *  the handle, owned by the caller (chorus_config_destroy). CHORUS_E_ARGUMENT
 *  if config_out is NULL. */
chorus_status chorus_config_create(chorus_config **config_out);

/** Destroys a configuration. NULL is a no-op. Runtimes created from it are
 *  unaffected (they copied what they need). */
void chorus_config_destroy(chorus_config *config);

/** Sets the number of executor threads, 1..1024. Checked here:
 *  CHORUS_E_ARGUMENT when out of range. */
chorus_status chorus_config_set_concurrency(chorus_config *config, int32_t threads);

/** Sets the factor applied to every wait the runtime performs (countdowns,
 *  retry delays): 1.0 is real time, 0.01 runs a 180 s retry delay in 1.8 s.
 *  CHORUS_E_ARGUMENT unless finite and > 0. */
chorus_status chorus_config_set_time_scale(chorus_config *config, double scale);

/** Chooses the backend. `path` is the database file for
 *  CHORUS_BACKEND_SQLITE (copied) and must be NULL for
 *  CHORUS_BACKEND_MEMORY. CHORUS_E_ARGUMENT for an unknown kind or a
 *  missing/extra path. A database that cannot be opened (not SQLite,
 *  corrupt, another application's) makes chorus_runtime_create fail with
 *  CHORUS_E_BACKEND and the reason in chorus_last_error. */
chorus_status chorus_config_set_backend(chorus_config *config, chorus_backend kind, const char *path);

/** Adds a plugin file (copied) that chorus_runtime_create loads, in the
 *  order added. */
chorus_status chorus_config_add_plugin(chorus_config *config, const char *path);

/* ---- Runtime ------------------------------------------------------------ */

/** Creates and starts a runtime from `config` (read, not kept): loads its
 *  plugins and starts the executor threads. `*runtime_out` receives the
 *  handle, owned by the caller (chorus_runtime_destroy). Errors:
 *  CHORUS_E_ARGUMENT (NULL), CHORUS_E_UNSUPPORTED (SQLite backend in this
 *  version), CHORUS_E_ARGUMENT with the loader's message when a plugin
 *  cannot be loaded (missing file, unsafe permissions, ABI mismatch,
 *  invalid descriptor), CHORUS_E_STATE when its tasks clash; the message is
 *  recorded on `config`. */
chorus_status chorus_runtime_create(const chorus_config *config, chorus_runtime **runtime_out);

/** Warm shutdown, then frees the runtime: no new work starts, running tasks
 *  finish (up to 60 s), queued work is dropped. NULL is a no-op. Result
 *  handles stay valid and keep answering from what was stored. Blocks while
 *  tasks finish; never call it from a task. */
void chorus_runtime_destroy(chorus_runtime *runtime);

/** Loads the plugin at `path` and registers its tasks (all or none).
 *  Loading the same file again is a no-op. CHORUS_E_ARGUMENT with the
 *  loader's message when the file cannot be loaded (missing, unsafe
 *  permissions, ABI mismatch, invalid descriptor); CHORUS_E_STATE when a
 *  task name is already registered. */
chorus_status chorus_runtime_load_plugin(chorus_runtime *runtime, const char *path);

/** Registers a host-provided C function as the task `name` with the
 *  declared `signature` (see "Signatures"), exactly as if a plugin had
 *  declared it: same argument checks, same calling convention, same
 *  results. `flags` are CHORUS_TASK_* bits; with CHORUS_TASK_BIND the
 *  function receives `chorus_context *` first and can use chorus_host_api().
 *  Other options take the chorus_task defaults (3 retries, Celery's delays).
 *  `name` and `signature` are copied; `function` must stay callable while
 *  the runtime exists. CHORUS_E_ARGUMENT for NULL, a bad name, a bad
 *  signature or unknown flags; CHORUS_E_STATE if the name is taken. */
chorus_status chorus_runtime_register_task(chorus_runtime *runtime, const char *name,
                                           const char *signature, uint32_t flags,
                                           chorus_task_fn function);

/** Registers a host-provided task from a full descriptor, read and checked
 *  exactly as a plugin's chorus_task is: its flags, max_retries, backoff,
 *  delays and doc all apply (chorus_runtime_register_task leaves the
 *  retry options at their defaults). Set `task->size = sizeof(chorus_task)`.
 *  The descriptor and its strings are read during the call and may be
 *  freed after it; `task->function` must stay callable while the runtime
 *  exists. CHORUS_E_ARGUMENT for NULL or an invalid descriptor (the message
 *  names the field and what to do); CHORUS_E_STATE if the name is taken.
 *  Any thread. */
chorus_status chorus_runtime_register_descriptor(chorus_runtime *runtime, const chorus_task *task);

/* ---- Signatures and canvases ---------------------------------------------- */

/** Parses a Celery signature dict as JSON text: a task, or a
 *  celery.chain / celery.group / celery.chord dict. `*signature_out` is
 *  owned by the caller. CHORUS_E_ARGUMENT for malformed JSON or a malformed
 *  signature; the message names the place ("canvas.kwargs.tasks[1].args:
 *  expected an array, got string"). Task names are checked at apply time. */
chorus_status chorus_signature_from_json(const char *json, chorus_signature **signature_out);

/** A signature of the task `name` with no arguments. */
chorus_status chorus_signature_new(const char *task, chorus_signature **signature_out);

/** Destroys a signature. NULL is a no-op. Canvases built from it, and
 *  work applied from it, are unaffected (they copied it). */
void chorus_signature_destroy(chorus_signature *signature);

/** Appends a positional argument given as JSON text ("1", "\"text\"",
 *  "[1,2]"). On a chain, group or chord the argument is a partial argument
 *  for its members, as in Celery. CHORUS_E_ARGUMENT for malformed JSON. */
chorus_status chorus_signature_add_arg(chorus_signature *signature, const char *json);

/** Sets the keyword argument `name` to a value given as JSON text. */
chorus_status chorus_signature_add_kwarg(chorus_signature *signature, const char *name, const char *json);

/** The signature as Celery JSON text, owned by the caller (chorus_free). */
chorus_status chorus_signature_json(const chorus_signature *signature, char **json_out);

/** A chain of `count` (>= 1) signatures run one after another, each
 *  receiving the previous result. The members are copied; the caller keeps
 *  and destroys them. */
chorus_status chorus_chain(const chorus_signature *const *members, size_t count,
                           chorus_signature **chain_out);

/** A group of `count` (>= 1) signatures run in parallel; its result is the
 *  list of member results in order. Members are copied. */
chorus_status chorus_group(const chorus_signature *const *members, size_t count,
                           chorus_signature **group_out);

/** A chord: the `count` (>= 1) header signatures run in parallel, then
 *  `body` receives the list of their results. All are copied. */
chorus_status chorus_chord(const chorus_signature *const *header, size_t count,
                           const chorus_signature *body, chorus_signature **chord_out);

/** Adds a success callback (copied), applied with the result, following
 *  Celery's rules: on a chain the last step, on a chord the body, on a
 *  group the first member only (use a chord to run after all members). */
chorus_status chorus_link(chorus_signature *signature, const chorus_signature *callback);

/** Adds an error callback (copied): on a task, run when it fails; on a
 *  chain, every step; on a group, every member; on a chord, the body. */
chorus_status chorus_link_error(chorus_signature *signature, const chorus_signature *errback);

/* ---- Applying work and results -------------------------------------------- */

/** Publishes `signature` (read, not kept) and returns at once;
 *  `*result_out` receives a result handle owned by the caller
 *  (chorus_result_destroy). The work runs on the runtime's threads.
 *  CHORUS_E_UNKNOWN_TASK (message with suggestions) when a task it names is
 *  not registered; CHORUS_E_ARGUMENT for a malformed canvas or option.
 *  Nothing is published on error. */
chorus_status chorus_apply(chorus_runtime *runtime, const chorus_signature *signature,
                           chorus_result **result_out);

/** Destroys a result handle; the work itself continues. NULL is a no-op. */
void chorus_result_destroy(chorus_result *result);

/** Blocks until the work is done or `timeout_seconds` (real time) passed; a
 *  negative timeout waits without limit. CHORUS_OK when it succeeded (read
 *  it with chorus_result_json), CHORUS_E_TASK_FAILED when it failed or was
 *  revoked (message: the task's error), CHORUS_E_TIMEOUT when time ran out
 *  (the work goes on; wait again). CHORUS_E_ARGUMENT for a NaN timeout. */
chorus_status chorus_result_wait(chorus_result *result, double timeout_seconds);

/** The current state as Celery's name: "PENDING", "RECEIVED", "STARTED",
 *  "RETRY", "SUCCESS", "FAILURE" or "REVOKED" (a group: SUCCESS when all
 *  members succeeded, FAILURE as soon as one failed). Static storage. Does
 *  not block. */
chorus_status chorus_result_state(const chorus_result *result, const char **state_out);

/** The task id (for a chain its last task, for a chord its body, for a
 *  group the group id), NUL-terminated, into `id_out` of `id_size` bytes
 *  (CHORUS_ID_SIZE is always enough). CHORUS_E_BUFFER when too small. */
chorus_status chorus_result_id(const chorus_result *result, char *id_out, size_t id_size);

/** The result as JSON text, owned by the caller (chorus_free); for a group
 *  the JSON list of member results. Does not block: CHORUS_E_STATE while the
 *  work is not finished, CHORUS_E_TASK_FAILED when it failed. */
chorus_status chorus_result_json(chorus_result *result, char **json_out);

/** The error of finished, failed work ("TaskFailure: boom" style text, with
 *  the failing task's name and id), owned by the caller (chorus_free).
 *  CHORUS_E_STATE when the work did not fail or is not finished. */
chorus_status chorus_result_error(chorus_result *result, char **message_out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CHORUS_EMBEDDING_H */
#endif /* CHORUS_NO_EMBEDDING */
