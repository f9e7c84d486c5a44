/* Test plugin: host->random draws from the runtime's (seedable) random source. */
#include "chorus.h"

static const chorus_host *host;

static uint64_t draw(chorus_context *ctx) { return host->random(ctx); }

static const chorus_task draw_task = {
    sizeof(chorus_task), CHORUS_TASK_BIND, "rnd.draw", "uint64 ()", (chorus_task_fn)draw, 0, 0, 0, 0, 0, NULL};
static const chorus_task *const tasks[] = {&draw_task};
static const chorus_plugin plugin = {sizeof(chorus_plugin), CHORUS_ABI_VERSION, "rnd", "1.0.0", 1, 0, tasks};

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)error;
    (void)error_size;
    host = h;
    return &plugin;
}
