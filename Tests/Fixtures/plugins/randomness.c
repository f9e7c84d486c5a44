/* Test plugin: host->random draws from the runtime's (seedable) random source. */
#include "chorus.h"

static const chorus_host *host;

/* The first number of this invocation's stream; `n` only varies the arguments. */
static uint64_t draw(chorus_context *ctx, int64_t n) {
    (void)n;
    return host->random(ctx);
}

/* Whether two draws in one invocation differ. */
static bool pair_differs(chorus_context *ctx) { return host->random(ctx) != host->random(ctx); }

static const chorus_task draw_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "rnd.draw", "uint64 (int64 n)", (chorus_task_fn)draw, 0, 0, 0, 0, 0, NULL};
static const chorus_task pair_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "rnd.pair", "bool ()", (chorus_task_fn)pair_differs, 0, 0, 0, 0, 0, NULL};
static const chorus_task *const tasks[] = {&draw_task, &pair_task};
static const chorus_plugin plugin = {sizeof(chorus_plugin), CHORUS_ABI_VERSION, "rnd", "1.0.0", 2, 0, tasks};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    host = h;
    return &plugin;
}
