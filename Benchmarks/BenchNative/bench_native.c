#include "bench_native.h"

/* noinline keeps the call a real call even with LTO. */
__attribute__((noinline)) int64_t chorus_bench_identity(int64_t x) { return x; }

int64_t chorus_bench_direct_loop(int64_t count) {
    int64_t (*volatile f)(int64_t) = chorus_bench_identity;
    int64_t total = 0;
    for (int64_t i = 0; i < count; i++) total += f(i);
    return total;
}
