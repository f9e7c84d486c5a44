/* The system's SQLite (Debian libsqlite3-dev), found through pkg-config "sqlite3",
 * and the few C helpers the SQLite backend needs that Swift cannot express. */
#ifndef CHORUS_CSQLITE_SHIM_H
#define CHORUS_CSQLITE_SHIM_H
#include <sqlite3.h>
#include <stdint.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

/* SQLITE_TRANSIENT is a macro Swift cannot import: it tells SQLite to copy a bound value. */
static inline sqlite3_destructor_type chorus_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/* Atomic operations on a 32-bit word that may live in memory shared between
 * processes (a MAP_SHARED file mapping): the commit counters beside a database. */
static inline uint32_t chorus_shared_load(const uint32_t *word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }
static inline void chorus_shared_store(uint32_t *word, uint32_t value) { __atomic_store_n(word, value, __ATOMIC_RELEASE); }
static inline uint32_t chorus_shared_add(uint32_t *word, uint32_t delta) {
    return __atomic_add_fetch(word, delta, __ATOMIC_ACQ_REL);
}
static inline uint32_t chorus_shared_sub(uint32_t *word, uint32_t delta) {
    return __atomic_sub_fetch(word, delta, __ATOMIC_ACQ_REL);
}
static inline int chorus_shared_cas(uint32_t *word, uint32_t expected, uint32_t desired) {
    return __atomic_compare_exchange_n(word, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* A CPU hint inside a spin-wait loop (x86 PAUSE, ARM YIELD): the other
 * hardware thread runs, and leaving the loop is not penalised. */
static inline void chorus_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

/* Whether chorus_shared_wait blocks in the kernel (Linux futexes); elsewhere
 * callers poll the word instead. */
static inline int chorus_shared_wait_supported(void) {
#if defined(__linux__)
    return 1;
#else
    return 0;
#endif
}

/* Sleeps while *word == expected, at most `nanoseconds`, until a
 * chorus_shared_wake on the same word by any process. Returns at once when the
 * word differs; may return early (signals, spurious wake-ups): re-check. */
static inline void chorus_shared_wait(uint32_t *word, uint32_t expected, int64_t nanoseconds) {
#if defined(__linux__)
    struct timespec timeout;
    timeout.tv_sec = (time_t)(nanoseconds / 1000000000);
    timeout.tv_nsec = (long)(nanoseconds % 1000000000);
    /* FUTEX_WAIT, not _PRIVATE: waiters and wakers are different processes. */
    syscall(SYS_futex, word, FUTEX_WAIT, expected, &timeout, NULL, 0);
#else
    (void)word;
    (void)expected;
    (void)nanoseconds;
#endif
}

/* Wakes up to `count` threads of any process in chorus_shared_wait on `word`. */
static inline void chorus_shared_wake(uint32_t *word, int32_t count) {
#if defined(__linux__)
    syscall(SYS_futex, word, FUTEX_WAKE, count, NULL, NULL, 0);
#else
    (void)word;
    (void)count;
#endif
}
#endif
