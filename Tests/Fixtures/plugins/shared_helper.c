/* Test plugin exporting a non-static helper whose name another plugin
 * exports too; under RTLD_LOCAL each plugin must call its own. Build with
 * -DCASE_ONE or -DCASE_TWO. */
#include "chorus.h"

#if defined(CASE_ONE)
#define HELPER_VALUE 1
#define PLUGIN_NAME "helper_one"
#define TASK_NAME "helper_one.value"
#else
#define HELPER_VALUE 2
#define PLUGIN_NAME "helper_two"
#define TASK_NAME "helper_two.value"
#endif

/* Deliberately not static: the same symbol name in both plugins. */
int64_t chorus_test_shared_helper(void);
int64_t chorus_test_shared_helper(void) { return HELPER_VALUE; }

static int64_t value(void) { return chorus_test_shared_helper(); }

static const chorus_task value_task = {
    sizeof(chorus_task), 0, TASK_NAME, "int64 ()", (chorus_task_fn)value, 0, 0, 0, 0, 0, NULL,
};
static const chorus_task *const tasks[] = { &value_task };
static const chorus_plugin plugin = { sizeof(chorus_plugin), CHORUS_ABI_VERSION, PLUGIN_NAME, "1.0.0", 1, 0, tasks };

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)h;
    (void)error;
    (void)error_size;
    return &plugin;
}
