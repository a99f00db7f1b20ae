/* hooks.d as podman and CRI-O read it (containers/common pkg/hooks): every *.json in each
 * directory, later directories masking earlier files of the same name. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/doctor_files.h"
#include "nodeguard/doctor_hooks.h"
#include "nodeguard/json.h"
#include "nodeguard/util.h"

#define MAX_FILES     256
#define HOOK_FILE_MAX (64 * 1024)
#define NAME_LEN      256

/* In increasing precedence, as podman passes them to containers/common. */
static const char *const hook_dirs[] = {NG_HOOKS_DIR_PACKAGES, NG_HOOKS_DIR_LOCAL};
enum { NDIRS = 2 };

static const char *const oci_stages[] = {"prestart",  "createRuntime", "createContainer", "startContainer",
                                         "poststart", "poststop",      "precreate"};

enum { STAGE_PRECREATE = 1, STAGE_CREATE_RUNTIME = 2, STAGE_POSTSTOP = 4 };

typedef struct hook_file {
    char name[NAME_LEN];
    bool in_dir[NDIRS];
} hook_file;

typedef struct scan {
    hook_file files[MAX_FILES];
    size_t n;
    unsigned stages; /* nodeguard's stages registered by a valid file with a working hook */
} scan;

static int json_file(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 5 && len < NAME_LEN && strcmp(e->d_name + len - 5, ".json") == 0;
}

/* The names in one directory, in order, so the report reads the same on every run. */
static void collect(const ng_doctor_ctx *ctx, scan *s, int d)
{
    cleanup_free char *dir = ng_doctor_path(ctx, hook_dirs[d]);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, json_file, alphasort);
    for (int k = 0; k < n; k++) {
        size_t i = 0;
        while (i < s->n && strcmp(s->files[i].name, names[k]->d_name) != 0)
            i++;
        if (i == s->n && s->n == MAX_FILES) {
            ng_doctor_add(ctx->report, "hooks.d", NG_DOCTOR_WARN,
                          "more than %d files in the hooks directories: only the first were checked",
                          MAX_FILES);
            for (; k < n; k++)
                free(names[k]);
            break;
        }
        if (i == s->n)
            snprintf(s->files[s->n++].name, NAME_LEN, "%s", names[k]->d_name);
        s->files[i].in_dir[d] = true;
        free(names[k]);
    }
    free(names);
}

/* The hook's path from a parsed hooks.d file, or NULL. */
static const char *hook_path_of(yajl_val root)
{
    yajl_val hook = NULL;
    const char *path = NULL;
    if (ng_json_get_object(root, "hook", &hook, NULL) == 1 &&
        ng_json_get_string(hook, "path", &path, NULL) == 1)
        return path;
    return NULL;
}

static bool names_nodeguard(const char *file_name, yajl_val root)
{
    /* By its hook when the file says; by its name when it cannot be read (a broken nodeguard file
     * is still nodeguard's problem). */
    const char *path = root ? hook_path_of(root) : NULL;
    return path ? strcmp(ng_basename(path), "nodeguard-hook") == 0 : strstr(file_name, "nodeguard") != NULL;
}

static int stage_bit(const char *stage)
{
    return strcmp(stage, "precreate") == 0       ? STAGE_PRECREATE
           : strcmp(stage, "createRuntime") == 0 ? STAGE_CREATE_RUNTIME
           : strcmp(stage, "poststop") == 0      ? STAGE_POSTSTOP
                                                 : 0;
}

static bool known_stage(const char *stage)
{
    for (size_t i = 0; i < sizeof(oci_stages) / sizeof(oci_stages[0]); i++)
        if (strcmp(stage, oci_stages[i]) == 0)
            return true;
    return false;
}

/* The hook's path exists and is executable; else the fix. */
static bool check_hook_path(const ng_doctor_ctx *ctx, const char *file, const char *hook)
{
    char why[128];
    cleanup_free char *full = ng_doctor_path(ctx, hook);
    if (hook[0] == '/' && ng_doctor_executable(full, why, sizeof(why)))
        return true;
    if (hook[0] != '/')
        snprintf(why, sizeof(why), "is not an absolute path");
    /* containers/common stats the path when it loads the file; the exec bit only matters when
     * runc runs the hook, at every container start. */
    bool not_executable = hook[0] == '/' && strncmp(why, "is not executable", 17) == 0;
    ng_doctor_check *c =
        ng_doctor_add(ctx->report, "hooks.d", NG_DOCTOR_FAIL, "%s: hook.path %s %s: %s", file, hook, why,
                      not_executable ? "runc fails every container start that runs it"
                                     : "podman and CRI-O refuse the file");
    char found[PATH_MAX];
    if (not_executable)
        ng_doctor_fix(c, "chmod 0755 %s", full);
    else if (ng_doctor_find_hook(ctx, found, sizeof(found)))
        ng_doctor_fix(c, "sed -i 's|\"path\": *\"[^\"]*\"|\"path\": \"%s\"|' %s", found, file);
    else
        ng_doctor_fix(
            c,
            "install the hook: `make install PREFIX=/usr` in nodeguard's source tree, or reinstall the "
            "nodeguard package; then point hook.path in %s at it",
            file);
    return false;
}

/* One effective nodeguard file: valid, hook executable, stages and condition right. */
static void check_file(const ng_doctor_ctx *ctx, scan *s, const char *file, yajl_val root)
{
    ng_doctor_report *r = ctx->report;
    cleanup_error ng_error *err = NULL;
    const char *version = NULL, *hook = NULL;
    yajl_val hook_obj = NULL, stages = NULL, when = NULL, args_val = NULL;
    if (ng_json_get_string(root, "version", &version, &err) != 1 || strcmp(version, "1.0.0") != 0) {
        ng_doctor_check *c =
            ng_doctor_add(r, "hooks.d", NG_DOCTOR_FAIL, "%s: \"version\" is %s, not \"1.0.0\"", file,
                          version ? version : "missing");
        ng_doctor_fix(c, "set \"version\": \"1.0.0\" in %s", file);
        return;
    }
    if (ng_json_get_object(root, "hook", &hook_obj, &err) != 1 ||
        ng_json_get_string(hook_obj, "path", &hook, &err) != 1) {
        ng_doctor_check *c = ng_doctor_add(r, "hooks.d", NG_DOCTOR_FAIL, "%s: no string hook.path%s%s", file,
                                           err ? ": " : "", err ? ng_error_msg(err) : "");
        ng_doctor_fix(c, "replace %s with the file nodeguard ships (oci-config/hooks.d/ in the source tree)",
                      file);
        return;
    }
    bool hook_ok = check_hook_path(ctx, file, hook);
    const char **args = NULL, **stage_names = NULL;
    size_t n_args = 0, n_stages = 0;
    if (ng_json_get_array(hook_obj, "args", &args_val, &err) < 0 ||
        (args_val && ng_json_string_array(args_val, "hook.args", 64, &args, &n_args, &err) < 0) ||
        ng_json_get_array(root, "stages", &stages, &err) != 1 ||
        ng_json_string_array(stages, "stages", 16, &stage_names, &n_stages, &err) < 0 || n_stages == 0) {
        ng_doctor_check *c = ng_doctor_add(r, "hooks.d", NG_DOCTOR_FAIL, "%s: %s", file,
                                           err ? ng_error_msg(err) : "\"stages\" is empty");
        ng_doctor_fix(c, "replace %s with the file nodeguard ships (oci-config/hooks.d/ in the source tree)",
                      file);
        free(args);
        free(stage_names);
        return;
    }
    bool ok = hook_ok;
    unsigned bits = 0;
    for (size_t i = 0; i < n_stages; i++) {
        if (!known_stage(stage_names[i])) {
            ng_doctor_add(r, "hooks.d", NG_DOCTOR_FAIL,
                          "%s: unknown stage \"%s\": podman and CRI-O refuse the file", file, stage_names[i]);
            ok = false;
        }
        bits |= (unsigned)stage_bit(stage_names[i]);
    }
    /* The hook is told its stage by argv[1]: a file whose args name another stage would run the
     * wrong code (e.g. poststop's at createRuntime). */
    const char *told = n_args >= 2 ? args[1] : "(none)";
    if (n_stages != 1 || strcmp(told, stage_names[0]) != 0) {
        ng_doctor_check *c =
            ng_doctor_add(r, "hooks.d", NG_DOCTOR_FAIL,
                          "%s: hook.args[1] is %s but the stages are %s%s: nodeguard-hook takes "
                          "its stage from args[1], one file per stage",
                          file, told, stage_names[0], n_stages > 1 ? ", ..." : "");
        ng_doctor_fix(c, "one file per stage, with \"args\": [\"nodeguard-hook\", \"STAGE\"] and \"stages\": "
                         "[\"STAGE\"], as in oci-config/hooks.d/");
        ok = false;
    }
    bool always = false;
    int has_when = ng_json_get_object(root, "when", &when, NULL);
    if (has_when == 1 && ng_json_get_bool(when, "always", &always, NULL) == 1 && always) {
        /* the shipped condition */
    } else if (has_when == 1 && (ng_json_member(when, "commands") || ng_json_member(when, "annotations") ||
                                 ng_json_member(when, "hasBindMounts"))) {
        ng_doctor_check *c = ng_doctor_add(
            r, "hooks.d", NG_DOCTOR_WARN,
            "%s: runs only for containers matching its \"when\" condition: nodeguard recognises Node "
            "containers "
            "itself (docker-entrypoint.sh, sh -c, NODE_VERSION), which a condition on args[0] misses",
            file);
        ng_doctor_fix(c, "set \"when\": {\"always\": true} in %s (oci-config/README.md says why)", file);
    } else {
        ng_doctor_check *c =
            ng_doctor_add(r, "hooks.d", NG_DOCTOR_FAIL,
                          "%s: \"when\" has no condition that holds: the hook runs for no container", file);
        ng_doctor_fix(c, "set \"when\": {\"always\": true} in %s", file);
        ok = false;
    }
    if (ok) {
        s->stages |= bits;
        ng_doctor_add(r, "hooks.d", NG_DOCTOR_OK, "%s: stage %s, hook %s, when always", file, stage_names[0],
                      hook);
    }
    free(args);
    free(stage_names);
}

/* The file podman reads under this name, and what it masks. */
static void check_name(const ng_doctor_ctx *ctx, scan *s, const hook_file *f)
{
    int winner = f->in_dir[1] ? 1 : 0;
    char host_file[4096];
    snprintf(host_file, sizeof(host_file), "%s/%s", hook_dirs[winner], f->name);
    cleanup_free char *file = ng_doctor_path(ctx, host_file);
    cleanup_free char *buf = NULL;
    cleanup_yajl_val yajl_val root = NULL;
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    int r = ng_doctor_read(ctx, host_file, HOOK_FILE_MAX, &buf, &len, &err);
    if (r >= 0)
        r = ng_json_parse(buf, len, NG_JSON_MAX_DEPTH, &root, &err);
    bool ours = names_nodeguard(f->name, root);
    if (winner == 1 && f->in_dir[0]) {
        char masked[4096];
        snprintf(masked, sizeof(masked), "%s/%s", hook_dirs[0], f->name);
        cleanup_free char *masked_buf = NULL;
        cleanup_yajl_val yajl_val masked_root = NULL;
        size_t masked_len = 0;
        bool masked_ours = false;
        if (ng_doctor_read(ctx, masked, HOOK_FILE_MAX, &masked_buf, &masked_len, NULL) >= 0 &&
            ng_json_parse(masked_buf, masked_len, NG_JSON_MAX_DEPTH, &masked_root, NULL) >= 0)
            masked_ours = names_nodeguard(f->name, masked_root);
        if (masked_ours && !ours) {
            ng_doctor_check *c = ng_doctor_add(
                ctx->report, "hooks.d", NG_DOCTOR_FAIL,
                "%s masks nodeguard's %s%s (same name: podman and CRI-O read only the one in %s)", file,
                ctx->root, masked, NG_HOOKS_DIR_LOCAL);
            ng_doctor_fix(c, "rename or remove %s", file);
        } else if (ours) {
            ng_doctor_add(ctx->report, "hooks.d", NG_DOCTOR_OK,
                          "%s overrides %s%s (same name: the file in %s wins)", file, ctx->root, masked,
                          NG_HOOKS_DIR_LOCAL);
        }
    }
    if (!ours)
        return;
    if (r < 0) {
        ng_doctor_check *c = ng_doctor_add(ctx->report, "hooks.d", NG_DOCTOR_FAIL, "%s: not read: %s", file,
                                           ng_error_msg(err));
        ng_doctor_fix(c, "replace %s with the file nodeguard ships (oci-config/hooks.d/ in the source tree)",
                      file);
        return;
    }
    check_file(ctx, s, file, root);
}

/* The files the engine needs, written to /etc/containers/oci/hooks.d with the hook path where the
 * hook is installed (the shipped files say /usr/libexec); pasted in nodeguard's source tree. */
static void fix_install(const ng_doctor_ctx *ctx, ng_doctor_check *c, const char *engine)
{
    char hook[PATH_MAX];
    if (!ng_doctor_find_hook(ctx, hook, sizeof(hook))) {
        ng_doctor_fix(
            c, "install nodeguard first: `make install PREFIX=/usr` in its source tree installs the hook "
               "and its hooks.d files; then run nodeguard doctor again");
        return;
    }
    ng_doctor_fix(
        c,
        "in nodeguard's source tree: mkdir -p %s%s && for f in oci-config/%s/50-nodeguard-*.json; do sed "
        "'s|/usr/libexec/nodeguard/nodeguard-hook|%s|' \"$f\" > %s%s/\"$(basename \"$f\")\"; done",
        ctx->root, NG_HOOKS_DIR_LOCAL, strcmp(engine, "crio") == 0 ? "crio/hooks.d" : "hooks.d", hook,
        ctx->root, NG_HOOKS_DIR_LOCAL);
}

static void engine_summary(const ng_doctor_ctx *ctx, const scan *s, const char *engine, unsigned needed)
{
    ng_doctor_report *r = ctx->report;
    if (!(s->stages & (STAGE_CREATE_RUNTIME | STAGE_PRECREATE))) {
        ng_doctor_check *c =
            ng_doctor_add(r, engine, NG_DOCTOR_FAIL,
                          "nodeguard is not registered: no working nodeguard hook in %s%s or %s%s", ctx->root,
                          NG_HOOKS_DIR_PACKAGES, ctx->root, NG_HOOKS_DIR_LOCAL);
        fix_install(ctx, c, engine);
        return;
    }
    if ((needed & STAGE_PRECREATE) && !(s->stages & STAGE_PRECREATE)) {
        ng_doctor_check *c =
            ng_doctor_add(r, engine, NG_DOCTOR_FAIL,
                          "no working precreate hook: containers get no heap flag (only precreate "
                          "can change a container's environment)");
        fix_install(ctx, c, engine);
    }
    if (!(s->stages & STAGE_CREATE_RUNTIME)) {
        ng_doctor_check *c =
            ng_doctor_add(r, engine, NG_DOCTOR_FAIL,
                          "no working createRuntime hook: no OOM watcher, and mode enforce cannot "
                          "refuse a container");
        fix_install(ctx, c, engine);
    }
    if (!(s->stages & STAGE_POSTSTOP)) {
        ng_doctor_check *c =
            ng_doctor_add(r, engine, NG_DOCTOR_WARN, "no working poststop hook: no container_exit records");
        fix_install(ctx, c, engine);
    }
    if ((s->stages & needed) == needed)
        ng_doctor_add(r, engine, NG_DOCTOR_OK, "nodeguard's %s hooks run for every container",
                      needed & STAGE_PRECREATE ? "precreate, createRuntime and poststop"
                                               : "createRuntime and poststop");
}

void ng_doctor_check_hooks_d(const ng_doctor_ctx *ctx)
{
    scan *s = calloc(1, sizeof(*s));
    if (!s)
        abort();
    for (int d = 0; d < NDIRS; d++)
        collect(ctx, s, d);
    for (size_t i = 0; i < s->n; i++)
        check_name(ctx, s, &s->files[i]);
    char found[4096];
    bool podman = ng_doctor_find_program(ctx, "podman", NULL, found, sizeof(found));
    bool crio =
        ng_doctor_find_program(ctx, "crio", NULL, found, sizeof(found)) || ng_doctor_exists(ctx, "/etc/crio");
    if (podman)
        engine_summary(ctx, s, "podman", STAGE_PRECREATE | STAGE_CREATE_RUNTIME | STAGE_POSTSTOP);
    else
        ng_doctor_add(ctx->report, "podman", NG_DOCTOR_OK, "podman not found on %s: nothing to check",
                      NG_DOCTOR_ENGINE_PATH);
    if (crio) {
        engine_summary(ctx, s, "crio", STAGE_CREATE_RUNTIME | STAGE_POSTSTOP);
        if (s->stages & STAGE_PRECREATE) {
            ng_doctor_check *c = ng_doctor_add(ctx->report, "crio", NG_DOCTOR_WARN,
                                               "a precreate hook file is in the directories CRI-O reads: "
                                               "precreate is podman's own stage, which "
                                               "CRI-O's hook validation does not know");
            ng_doctor_fix(
                c,
                "give CRI-O the files of oci-config/crio/hooks.d/ (no precreate) in a directory of "
                "its own, named by hooks_dir in [crio.runtime] of /etc/crio/crio.conf.d/99-nodeguard.conf");
        }
    } else {
        ng_doctor_add(ctx->report, "crio", NG_DOCTOR_OK,
                      "CRI-O not found (no crio on %s, no /etc/crio): nothing "
                      "to check",
                      NG_DOCTOR_ENGINE_PATH);
    }
    free(s);
}
