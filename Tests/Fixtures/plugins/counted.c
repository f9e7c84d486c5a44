/* Test plugin that counts how often its entry point runs, to show that
 * loading the same plugin again (same path, a symlink, a copy) does not
 * initialise it twice. */
#include "chorus.h"

static int64_t calls;

static int64_t entry_calls(void) { return calls; }

static const chorus_task entry_calls_task = {
    sizeof(chorus_task), 0, "counted.entry_calls", "int64 ()", (chorus_task_fn)entry_calls, 0, 0, 0, 0, 0, NULL,
};
static const chorus_task *const tasks[] = { &entry_calls_task };
static const chorus_plugin plugin = { sizeof(chorus_plugin), CHORUS_ABI_VERSION, "counted", "1.0.0", 1, 0, tasks };

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)h;
    (void)error;
    (void)error_size;
    calls++;
    return &plugin;
}
