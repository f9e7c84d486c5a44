/* Test plugin that counts how often its entry point runs, to show that
 * loading the same plugin again (same path, a symlink, a copy) does not
 * initialise it twice. With -DCASE_REFUSE its entry point refuses to load
 * ("refused on call N"); with -DCASE_BAD_DESCRIPTOR it returns a descriptor
 * the host rejects. The count is also exported as counted_entry_calls(). */
#include "chorus.h"

#include <stdio.h>

static int64_t calls;

static int64_t entry_calls(void) { return calls; }

CHORUS_EXPORT int64_t counted_entry_calls(void);
CHORUS_EXPORT int64_t counted_entry_calls(void) { return calls; }

static const chorus_task entry_calls_task = {
#if defined(CASE_BAD_DESCRIPTOR)
    sizeof(chorus_task), 0, "counted.entry_calls", "int64 ()", NULL, 0, 0, 0, 0, 0, NULL,
#else
    sizeof(chorus_task), 0, "counted.entry_calls", "int64 ()", (chorus_task_fn)entry_calls, 0, 0, 0, 0, 0, NULL,
#endif
};
static const chorus_task *const tasks[] = { &entry_calls_task };
static const chorus_plugin plugin = { sizeof(chorus_plugin), CHORUS_ABI_VERSION, "counted", "1.0.0", 1, 0, tasks };

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)h;
    calls++;
#if defined(CASE_REFUSE)
    (void)plugin;
    (void)entry_calls;
    snprintf(error, error_size, "refused on call %d", (int)calls);
    return NULL;
#else
    (void)error;
    (void)error_size;
    (void)entry_calls;
    return &plugin;
#endif
}
