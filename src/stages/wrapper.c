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
#include "nodeguard/enginestate.h"
#include "nodeguard/hostmem.h"
#include "nodeguard/json.h"
#include "nodeguard/pkgjson_read.h"
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

/* Who could change the bundle between nodeguard's rewrite and runc's read of it. The directory and
 * config.json must be this process's (root for Docker and containerd; the user, seen as uid 0 in
 * the user's namespace, for rootless) and writable by no other user: otherwise another user could
 * put back a config nodeguard never judged, or keep a file nodeguard wrote for them. runc does not
 * ask; nodeguard leaves such a bundle alone and says so. */
static int check_ours(const struct stat *st, const char *what, ng_error **err)
{
    if (st->st_uid != geteuid())
        return ng_error_set(err, EPERM, "%s is owned by uid %u, not by uid %u as nodeguard-runtime", what,
                            (unsigned)st->st_uid, (unsigned)geteuid());
    if ((st->st_mode & S_IWOTH) || ((st->st_mode & S_IWGRP) && st->st_gid != getegid()))
        return ng_error_set(err, EPERM, "%s is writable by other users (mode %04o)", what,
                            (unsigned)(st->st_mode & 07777));
    return 0;
}

/* Did config.json change since it was read: another file at its name, or the same one written? */
static bool changed_since(int dirfd, const struct stat *was)
{
    struct stat now;
    return fstatat(dirfd, "config.json", &now, AT_SYMLINK_NOFOLLOW) < 0 || now.st_dev != was->st_dev ||
           now.st_ino != was->st_ino || now.st_size != was->st_size ||
           now.st_mtim.tv_sec != was->st_mtim.tv_sec || now.st_mtim.tv_nsec != was->st_mtim.tv_nsec ||
           now.st_ctim.tv_sec != was->st_ctim.tv_sec || now.st_ctim.tv_nsec != was->st_ctim.tv_nsec;
}

/* Replaces config.json in the bundle directory dirfd with buf: a temporary file in the same
 * directory, given the mode and owner of the file that was read (was), renamed over config.json
 * only if that name still names the file read. Every step is relative to dirfd, so nothing is
 * written outside the directory that was read, whatever happens to the bundle's path meanwhile. */
static int replace_config(int dirfd, const struct stat *was, const unsigned char *buf, size_t len,
                          ng_error **err)
{
    char tmp[64];
    snprintf(tmp, sizeof(tmp), ".config.json.nodeguard.%d", (int)getpid());
    cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return ng_error_set(err, errno, "cannot create %s: %s", tmp, strerror(errno));
    int r = ng_write_all(fd, buf, len);
    if (r == 0 && (fchown(fd, was->st_uid, was->st_gid) < 0 || fchmod(fd, was->st_mode & 07777) < 0))
        r = -errno;
    if (r == 0 && changed_since(dirfd, was)) {
        unlinkat(dirfd, tmp, 0);
        return ng_error_set(err, EAGAIN, "config.json was replaced or changed while nodeguard read it");
    }
    if (r == 0 && renameat(dirfd, tmp, dirfd, "config.json") < 0)
        r = -errno;
    if (r < 0) {
        unlinkat(dirfd, tmp, 0);
        return ng_error_set(err, -r, "cannot replace config.json: %s", strerror(-r));
    }
    return 0;
}

void ng_runtime_open_bundle(const char *path, ng_runtime_bundle *ret)
{
    *ret = (ng_runtime_bundle){.path = path ? path : ".", .dirfd = -1};
    ret->dirfd = open(ret->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ret->dirfd >= 0)
        return;
    int open_errno = errno;
    struct stat st;
    if ((open_errno == ELOOP || open_errno == ENOTDIR) && lstat(ret->path, &st) == 0 && S_ISLNK(st.st_mode))
        ng_error_set(&ret->open_error, ELOOP,
                     "the bundle %s is a symbolic link, which nodeguard does not follow", ret->path);
    else
        ng_error_set(&ret->open_error, open_errno, "cannot open the bundle %s: %s", ret->path,
                     strerror(open_errno));
}

void ng_runtime_bundle_close(ng_runtime_bundle *b)
{
    ng_closep(&b->dirfd);
    b->dirfd = -1;
    ng_error_free(b->open_error);
    b->open_error = NULL;
}

/* Reads the opened bundle's config.json, refusing what nodeguard must not judge or write: a
 * config.json that is a symbolic link or not a regular file, it or the directory another user's. */
static int read_bundle(const ng_runtime_bundle *b, char **ret_buf, size_t *ret_len, struct stat *ret_st,
                       ng_error **err)
{
    if (b->dirfd < 0)
        return ng_error_set(err, b->open_error ? b->open_error->code : EBADF, "%s",
                            ng_error_msg(b->open_error));
    struct stat st;
    if (fstat(b->dirfd, &st) < 0)
        return ng_error_set(err, errno, "cannot stat the bundle %s: %s", b->path, strerror(errno));
    int r = check_ours(&st, "the bundle directory", err);
    if (r < 0)
        return ng_error_wrap(err, "bundle %s", b->path);
    cleanup_free char *buf = NULL;
    size_t len = 0;
    r = ng_read_file_at(b->dirfd, "config.json", NG_INPUT_MAX, &buf, &len, &st, err);
    if (r == 0)
        r = check_ours(&st, "config.json", err);
    if (r < 0)
        return ng_error_wrap(err, "bundle %s", b->path);
    *ret_buf = NG_TAKE_PTR(buf);
    *ret_len = len;
    *ret_st = st;
    return 0;
}

void ng_runtime_prepare_bundle(const ng_policy *policy, const ng_runtime_bundle *bundle, const char *id,
                               const char *hook_path, int64_t host_memory_mib)
{
    stage_ctx c = STAGE_CTX_INIT(policy, "runtime");
    cleanup_free char *buf = NULL;
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = NULL;
    struct stat was = {0};
    size_t len = 0;
    ng_spec spec = {0};
    ng_decision d = {0};
    ng_package_json pkg = {0};
    const char *what = "reading the bundle's config.json";
    if (read_bundle(bundle, &buf, &len, &was, &err) < 0 || ng_spec_parse(buf, len, &spec, &err) < 0)
        goto fail;
    if (id && *id)
        snprintf(spec.container_id, sizeof(spec.container_id), "%s", id);
    spec.host_memory_mib = host_memory_mib;
    if (ng_pkgjson_wanted(&spec)) {
        ng_pkgjson_read(bundle->dirfd, bundle->path, &spec, &pkg);
        spec.package_json = &pkg;
    }
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
    if (guarded) {
        ng_spec_fill_names(&spec, bundle->path);
        ng_stage_record_decision(&c, &d, &spec);
    }
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
    if (replace_config(bundle->dirfd, &was, out, out_len, &err) < 0)
        goto fail;
    goto out;
fail:
    /* The wrapper cannot refuse (it execs the runtime whatever happens) and adds no hooks that
     * could: the start goes on without nodeguard, which the message says as it is. */
    ng_stage_record_error_as(&c, id, what, err, "config.json left as it was: the container starts unguarded",
                             "passed_through");
out:
    ng_decision_free(&d);
    ng_spec_free(&spec);
    ng_package_json_free(&pkg);
    ng_stage_close(&c);
}
