/*
 * chord.c — embeds Chorus in a C program: loads the bundled examples plugin,
 * runs chord([add(1, 2), add(3, 4)], tsum) and prints the result.
 *
 * Build against an installed Chorus (scripts/install PREFIX):
 *
 *     export PKG_CONFIG_PATH=PREFIX/lib/pkgconfig
 *     cc -std=c99 -Wall -Wextra -Werror chord.c -o chord \
 *        $(pkg-config --cflags --libs chorus)
 *     ./chord PREFIX/lib/chorus/plugins/libchorus-examples.so [DATABASE]
 *
 * With a DATABASE path the runtime uses the durable SQLite backend (shared with
 * `chorus worker` processes); without one it runs in memory.
 *
 * Without an argument the plugin path comes from the pkg-config variable
 * `plugindir` baked in at build time (CHORUS_PLUGIN_DIR), if defined.
 */
#include <chorus.h>

#include <stdio.h>
#include <stdlib.h>

/* Prints what went wrong with `handle` and exits. */
static void check(chorus_status status, const void *handle, const char *what) {
    if (status != CHORUS_OK) {
        fprintf(stderr, "chord: %s: %s: %s\n", what, chorus_status_name(status), chorus_last_error(handle));
        exit(1);
    }
}

/* add(x, y) as a signature. */
static chorus_signature *add(const char *x, const char *y) {
    chorus_signature *s = NULL;
    check(chorus_signature_new("add", &s), NULL, "signature");
    check(chorus_signature_add_arg(s, x), s, "argument");
    check(chorus_signature_add_arg(s, y), s, "argument");
    return s;
}

int main(int argc, char **argv) {
#ifdef CHORUS_PLUGIN_DIR
    const char *plugin = argc > 1 ? argv[1] : CHORUS_PLUGIN_DIR "/libchorus-examples.so";
#else
    const char *plugin = argc > 1 ? argv[1] : NULL;
#endif
    chorus_config *config = NULL;
    chorus_runtime *runtime = NULL;
    chorus_signature *header[2], *body = NULL, *chord = NULL;
    chorus_result *result = NULL;
    char *json = NULL;

    if (plugin == NULL) {
        fprintf(stderr, "usage: %s path/to/libchorus-examples.so\n", argv[0]);
        return 2;
    }

    check(chorus_config_create(&config), NULL, "config");
    check(chorus_config_set_concurrency(config, 2), config, "concurrency");
    if (argc > 2) check(chorus_config_set_backend(config, CHORUS_BACKEND_SQLITE, argv[2]), config, "backend");
    check(chorus_runtime_create(config, &runtime), config, "runtime");
    chorus_config_destroy(config);
    check(chorus_runtime_load_plugin(runtime, plugin), runtime, "load plugin");

    header[0] = add("1", "2");
    header[1] = add("3", "4");
    check(chorus_signature_new("tsum", &body), NULL, "signature");
    check(chorus_chord((const chorus_signature *const *)header, 2, body, &chord), NULL, "chord");

    check(chorus_apply(runtime, chord, &result), runtime, "apply");
    check(chorus_result_wait(result, 30.0), result, "wait");
    check(chorus_result_json(result, &json), result, "result");
    printf("chord([add(1, 2), add(3, 4)], tsum) = %s\n", json);

    chorus_free(json);
    chorus_result_destroy(result);
    chorus_signature_destroy(chord);
    chorus_signature_destroy(body);
    chorus_signature_destroy(header[0]);
    chorus_signature_destroy(header[1]);
    chorus_runtime_destroy(runtime);
    return 0;
}
