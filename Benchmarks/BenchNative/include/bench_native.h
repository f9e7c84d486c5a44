/* Native baselines for the benchmarks: the same no-op int64 -> int64 function
 * the examples plugin's `identity` task runs, called directly. */
#ifndef CHORUS_BENCH_NATIVE_H
#define CHORUS_BENCH_NATIVE_H
#include <stdint.h>

/* Returns x. Not inlined into callers: it lives in its own translation unit. */
int64_t chorus_bench_identity(int64_t x);

/* Calls chorus_bench_identity `count` times from C, summing the results, so the
 * direct-call baseline has no Swift loop overhead. */
int64_t chorus_bench_direct_loop(int64_t count);

#endif
