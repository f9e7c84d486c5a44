/* Two plugins that both declare the task "shared.task". Build with
 * -DCASE_A (plugin clash_a) or -DCASE_B (plugin clash_b, whose first task
 * does not clash, to show that none of its tasks registers). */
#include "chorus.h"

#if defined(CASE_A)
static int64_t shared(void) { return 1; }
static int64_t only(void) { return 10; }
static const chorus_task shared_task = { sizeof(chorus_task), 0, "shared.task", "int64 ()", (chorus_task_fn)shared, 0, 0, 0, 0, 0, NULL };
static const chorus_task only_task = { sizeof(chorus_task), 0, "clash_a.only", "int64 ()", (chorus_task_fn)only, 0, 0, 0, 0, 0, NULL };
static const chorus_task *const tasks[] = { &shared_task, &only_task };
#define PLUGIN_NAME "clash_a"
#else
static int64_t first(void) { return 20; }
static int64_t shared(void) { return 2; }
static const chorus_task first_task = { sizeof(chorus_task), 0, "clash_b.first", "int64 ()", (chorus_task_fn)first, 0, 0, 0, 0, 0, NULL };
static const chorus_task shared_task = { sizeof(chorus_task), 0, "shared.task", "int64 ()", (chorus_task_fn)shared, 0, 0, 0, 0, 0, NULL };
static const chorus_task *const tasks[] = { &first_task, &shared_task };
#define PLUGIN_NAME "clash_b"
#endif

static const chorus_plugin plugin = { sizeof(chorus_plugin), CHORUS_ABI_VERSION, PLUGIN_NAME, "1.0.0", 2, 0, tasks };

CHORUS_EXPORT const chorus_plugin *CHORUS_PLUGIN_ENTRY(const chorus_host *h, char *error, size_t error_size) {
    (void)h;
    (void)error;
    (void)error_size;
    return &plugin;
}
