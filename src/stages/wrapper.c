/* The runtime wrapper's work (include/nodeguard/wrapper.h): finding the real runtime behind it, and
 * giving a bundle's config.json the decision precreate would have made, plus nodeguard's hooks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/engines.h"
#include "nodeguard/json.h"
#include "nodeguard/stagekit.h"
#include "nodeguard/watch_setup.h"
#include "nodeguard/wrapper.h"
#include "nodeguard/spec.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/util.h"

void ng_runtime_parse_args(int argc, char *const *argv, ng_runtime_args *ret)
{
    ng_runtime_args a = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
        if (ng_runtime_flag_takes_value(NG_FLAGS_GLOBAL, argv[i]))
            i++;
    if (i >= argc) {
        *ret = a;
        return;
    }
    a.command_index = i;
    a.command = argv[i];
    ng_flag_scope scope = ng_runtime_command_scope(a.command);
    /* exec's operands are the container and then the command run in it, flags and all. */
    bool exec = scope == NG_FLAGS_EXEC;
    for (i++; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            if (i + 1 < argc)
                a.id = argv[exec ? i + 1 : argc - 1];
            break;
        }
        if (arg[0] != '-' || !arg[1]) {
            a.id = arg;
            if (exec)
                break;
            continue;
        }
        const char *attached = NULL;
        if (ng_runtime_bundle_flag(arg, &attached)) {
            if (attached)
                a.bundle = attached;
            else if (i + 1 < argc)
                a.bundle = argv[i + 1];
        }
        if (ng_runtime_flag_takes_value(scope, arg))
            i++;
    }
    *ret = a;
}

int ng_runtime_find_real(const char *configured, char *ret, size_t size, ng_error **err)
{
    struct stat self;
    if (stat("/proc/self/exe", &self) < 0)
        return ng_error_set(err, errno, "cannot stat /proc/self/exe: %s", strerror(errno));
    if (configured && *configured) {
        struct stat st;
        if (configured[0] != '/' || stat(configured, &st) < 0 || access(configured, X_OK) < 0)
            return ng_error_set(err, ENOENT, "runtime_path %s is not an executable absolute path",
                                configured);
        if (st.st_dev == self.st_dev && st.st_ino == self.st_ino)
            return ng_error_set(err, ELOOP, "runtime_path %s is nodeguard-runtime itself", configured);
        snprintf(ret, size, "%s", configured);
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /* In the table's order: runc, then crun. */
    for (size_t n = 0; n < ng_engines_count; n++) {
        if (!ng_engines[n].runtime)
            continue;
        for (const char *p = path; p && *p;) {
            const char *colon = strchr(p, ':');
            size_t len = colon ? (size_t)(colon - p) : strlen(p);
            char candidate[PATH_MAX];
            struct stat st;
            if (len &&
                snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)len, p,
                         ng_engines[n].runtime->binary) < (int)sizeof(candidate) &&
                candidate[0] == '/' && stat(candidate, &st) == 0 && S_ISREG(st.st_mode) &&
                access(candidate, X_OK) == 0 && !(st.st_dev == self.st_dev && st.st_ino == self.st_ino)) {
                snprintf(ret, size, "%s", candidate);
                return 0;
            }
            p = colon ? colon + 1 : NULL;
        }
    }
    return ng_error_set(err, ENOENT,
                        "no runc or crun on PATH other than nodeguard-runtime itself (set runtime_path)");
}

/* --- the hooks member --- */

typedef struct hooks_patch {
    const char *hook_path;
    bool add_poststop;
    const ng_decision *d;
    const ng_spec *spec;
} hooks_patch;

static bool has_our_hook(yajl_val stage_array, const char *hook_path)
{
    if (!YAJL_IS_ARRAY(stage_array))
        return false;
    for (size_t i = 0; i < stage_array->u.array.len; i++) {
        const char *path = NULL;
        if (ng_json_get_string(stage_array->u.array.values[i], "path", &path, NULL) > 0 &&
            strcmp(path, hook_path) == 0)
            return true;
    }
    return false;
}

static int gen_our_hook(yajl_gen g, const char *hook_path, const char *stage, ng_error **err)
{
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_kv_str(g, "path", hook_path));
    NG_GEN(ng_gen_string(g, "args"));
    NG_GEN(yajl_gen_array_open(g));
    NG_GEN(ng_gen_string(g, "nodeguard-hook"));
    NG_GEN(ng_gen_string(g, stage));
    NG_GEN(yajl_gen_array_close(g));
    /* runc gives a hook only the env its entry names: a policy or state directory chosen for the
     * wrapper must reach the hooks it adds, or they would follow another policy. */
    static const char *const passed_on[] = {"NODEGUARD_CONFIG", "NODEGUARD_STATE_DIR"};
    bool env_open = false;
    for (size_t i = 0; i < sizeof(passed_on) / sizeof(passed_on[0]); i++) {
        const char *value = getenv(passed_on[i]);
        if (!value || value[0] != '/')
            continue;
        if (!env_open) {
            NG_GEN(ng_gen_string(g, "env"));
            NG_GEN(yajl_gen_array_open(g));
            env_open = true;
        }
        cleanup_free char *entry = NULL;
        if (asprintf(&entry, "%s=%s", passed_on[i], value) < 0)
            abort();
        NG_GEN(ng_gen_string(g, entry));
    }
    if (env_open)
        NG_GEN(yajl_gen_array_close(g));
    NG_GEN(ng_gen_kv_int(g, "timeout", 5));
    NG_GEN(yajl_gen_map_close(g));
    return 0;
}

/* A stage's array: the entries already there, then ours unless one of them is ours. */
static int gen_stage(yajl_gen g, yajl_val old, const char *hook_path, const char *stage, ng_error **err)
{
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; YAJL_IS_ARRAY(old) && i < old->u.array.len; i++) {
        int r = ng_json_gen_value(g, old->u.array.values[i], err);
        if (r < 0)
            return r;
    }
    if (!has_our_hook(old, hook_path)) {
        int r = gen_our_hook(g, hook_path, stage, err);
        if (r < 0)
            return r;
    }
    NG_GEN(yajl_gen_array_close(g));
    return 0;
}

static int emit_hooks(yajl_gen g, yajl_val old, void *userdata, ng_error **err)
{
    const hooks_patch *hp = userdata;
    const char *stages[2] = {"createRuntime", hp->add_poststop ? "poststop" : NULL};
    bool done[2] = {false, false};
    NG_GEN(yajl_gen_map_open(g));
    for (size_t i = 0; YAJL_IS_OBJECT(old) && i < old->u.object.len; i++) {
        const char *key = old->u.object.keys[i];
        NG_GEN(ng_gen_string(g, key));
        int which = stages[0] && strcmp(key, stages[0]) == 0   ? 0
                    : stages[1] && strcmp(key, stages[1]) == 0 ? 1
                                                               : -1;
        int r = which >= 0 ? gen_stage(g, old->u.object.values[i], hp->hook_path, stages[which], err)
                           : ng_json_gen_value(g, old->u.object.values[i], err);
        if (r < 0)
            return r;
        if (which >= 0)
            done[which] = true;
    }
    for (int s = 0; s < 2; s++) {
        if (!stages[s] || done[s])
            continue;
        NG_GEN(ng_gen_string(g, stages[s]));
        int r = gen_stage(g, NULL, hp->hook_path, stages[s], err);
        if (r < 0)
            return r;
    }
    NG_GEN(yajl_gen_map_close(g));
    return 0;
}

static bool hooks_present(const ng_spec *spec, const char *hook_path, bool want_poststop)
{
    yajl_val hooks = ng_json_member(spec->root, "hooks");
    return has_our_hook(ng_json_member(hooks, "createRuntime"), hook_path) &&
           (!want_poststop || has_our_hook(ng_json_member(hooks, "poststop"), hook_path));
}

/* Writes buf to dir/config.json through a temporary file with the original's mode and owner. */
static int replace_config(const char *bundle, const unsigned char *buf, size_t len, ng_error **err)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    snprintf(tmp, sizeof(tmp), "%s/.config.json.nodeguard.%d", bundle, (int)getpid());
    struct stat st;
    if (stat(path, &st) < 0)
        return ng_error_set(err, errno, "cannot stat %s: %s", path, strerror(errno));
    cleanup_close int fd =
        open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, st.st_mode & 07777);
    if (fd < 0)
        return ng_error_set(err, errno, "cannot create %s: %s", tmp, strerror(errno));
    int r = ng_write_all(fd, buf, len);
    if (r == 0 && (fchmod(fd, st.st_mode & 07777) < 0 || fchown(fd, st.st_uid, st.st_gid) < 0))
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0) {
        unlink(tmp);
        return ng_error_set(err, -r, "cannot replace %s: %s", path, strerror(-r));
    }
    return 0;
}

void ng_runtime_prepare_bundle(const ng_policy *policy, const char *bundle, const char *id,
                               const char *hook_path)
{
    stage_ctx c = STAGE_CTX_INIT(policy, "runtime");
    cleanup_free char *buf = NULL;
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = NULL;
    char path[PATH_MAX];
    size_t len = 0;
    ng_spec spec = {0};
    ng_decision d = {0};
    const char *what = "reading the bundle's config.json";
    if (!bundle)
        bundle = ".";
    snprintf(path, sizeof(path), "%s/config.json", bundle);
    if (ng_read_file_bounded(path, NG_INPUT_MAX, &buf, &len, &err) < 0 ||
        ng_spec_parse(buf, len, &spec, &err) < 0)
        goto fail;
    if (id && *id)
        snprintf(spec.container_id, sizeof(spec.container_id), "%s", id);
    ng_decide(policy, &spec, true, &d);
    bool watch = ng_should_watch(policy, &d) || d.action == NG_ACTION_REFUSED;
    bool guarded = d.outcome == NG_OUTCOME_GUARDED;
    if (!guarded && !watch)
        goto out; /* not ours: config.json is not touched */
    /* A refused start keeps its env; the createRuntime hook refuses it with the reason. */
    bool rewrite_env = guarded && d.action != NG_ACTION_REFUSED && (d.env_changed || d.args_changed);
    bool add_hooks = !hooks_present(&spec, hook_path, watch);
    if (add_hooks && (!hook_path || hook_path[0] != '/' || access(hook_path, X_OK) < 0)) {
        /* A hook entry runc cannot execute would fail every start: add none, say so. */
        ng_error_set(&err, ENOENT, "hook_path %s is not an executable file",
                     hook_path ? hook_path : "(unset)");
        ng_stage_record_error_as(&c, id, "adding nodeguard's hooks", err,
                                 "no hooks added: the container is not validated or watched", "not_watched");
        add_hooks = false;
    }
    if (guarded)
        ng_stage_record_decision(&c, &d, &spec);
    if (!rewrite_env && !add_hooks)
        goto out;
    what = "writing the bundle's config.json";
    hooks_patch hp = {.hook_path = hook_path, .add_poststop = watch, .d = &d, .spec = &spec};
    g = ng_gen_new();
    ng_decision unchanged = {0};
    if (ng_decision_gen_config_with(rewrite_env ? &d : &unchanged, &spec, g, add_hooks ? emit_hooks : NULL,
                                    &hp, &err) < 0)
        goto fail;
    const unsigned char *out = NULL;
    size_t out_len = 0;
    yajl_gen_get_buf(g, &out, &out_len);
    if (replace_config(bundle, out, out_len, &err) < 0)
        goto fail;
    goto out;
fail:
    ng_stage_record_error(&c, id, what, err);
out:
    ng_decision_free(&d);
    ng_spec_free(&spec);
    ng_stage_close(&c);
}
