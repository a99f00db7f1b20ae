#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/engines.h"
#include "nodeguard/json.h"
#include "nodeguard/spec.h"

/* The struct fields of the OCI runtime spec (specs-go/config.go) on the paths nodeguard reads or
 * writes: Go decodes "Env" or "ENV" into process.env, so the tree is read in those terms. */
#define LEAF(name)                                                                                           \
    {                                                                                                        \
        name, NULL                                                                                           \
    }
#define END                                                                                                  \
    {                                                                                                        \
        NULL, NULL                                                                                           \
    }
static const ng_json_field hook_fields[] = {LEAF("path"), LEAF("args"), LEAF("env"), LEAF("timeout"), END};
static const ng_json_field process_fields[] = {LEAF("terminal"),
                                               LEAF("consoleSize"),
                                               LEAF("user"),
                                               LEAF("args"),
                                               LEAF("commandLine"),
                                               LEAF("env"),
                                               LEAF("cwd"),
                                               LEAF("capabilities"),
                                               LEAF("rlimits"),
                                               LEAF("noNewPrivileges"),
                                               LEAF("apparmorProfile"),
                                               LEAF("oomScoreAdj"),
                                               LEAF("selinuxLabel"),
                                               LEAF("ioPriority"),
                                               LEAF("scheduler"),
                                               END};
static const ng_json_field root_fields[] = {LEAF("path"), LEAF("readonly"), END};
static const ng_json_field hooks_fields[] = {{"prestart", hook_fields},
                                             {"createRuntime", hook_fields},
                                             {"createContainer", hook_fields},
                                             {"startContainer", hook_fields},
                                             {"poststart", hook_fields},
                                             {"poststop", hook_fields},
                                             END};
static const ng_json_field memory_fields[] = {LEAF("limit"),
                                              LEAF("reservation"),
                                              LEAF("swap"),
                                              LEAF("kernel"),
                                              LEAF("kernelTCP"),
                                              LEAF("swappiness"),
                                              LEAF("disableOOMKiller"),
                                              LEAF("useHierarchy"),
                                              LEAF("checkBeforeUpdate"),
                                              END};
static const ng_json_field cpu_fields[] = {
    LEAF("shares"),         LEAF("quota"), LEAF("burst"), LEAF("period"), LEAF("realtimeRuntime"),
    LEAF("realtimePeriod"), LEAF("cpus"),  LEAF("mems"),  LEAF("idle"),   END};
static const ng_json_field resources_fields[] = {
    LEAF("devices"),        {"memory", memory_fields}, {"cpu", cpu_fields}, LEAF("pids"),    LEAF("blockIO"),
    LEAF("hugepageLimits"), LEAF("network"),           LEAF("rdma"),        LEAF("unified"), END};
static const ng_json_field linux_fields[] = {LEAF("uidMappings"),
                                             LEAF("gidMappings"),
                                             LEAF("timeOffsets"),
                                             LEAF("sysctl"),
                                             {"resources", resources_fields},
                                             LEAF("cgroupsPath"),
                                             LEAF("namespaces"),
                                             LEAF("devices"),
                                             LEAF("seccomp"),
                                             LEAF("rootfsPropagation"),
                                             LEAF("maskedPaths"),
                                             LEAF("readonlyPaths"),
                                             LEAF("mountLabel"),
                                             LEAF("intelRdt"),
                                             LEAF("personality"),
                                             END};
static const ng_json_field spec_fields[] = {LEAF("ociVersion"),
                                            {"process", process_fields},
                                            {"root", root_fields},
                                            LEAF("hostname"),
                                            LEAF("domainname"),
                                            LEAF("mounts"),
                                            {"hooks", hooks_fields},
                                            LEAF("annotations"),
                                            {"linux", linux_fields},
                                            LEAF("solaris"),
                                            LEAF("windows"),
                                            LEAF("vm"),
                                            LEAF("zos"),
                                            END};

static int read_resources(ng_spec *s, yajl_val linux_obj, ng_error **err)
{
    yajl_val res = NULL, mem = NULL, cpu = NULL;
    int r = ng_json_get_object(linux_obj, "resources", &res, err);
    if (r <= 0)
        return r < 0 ? ng_error_wrap(err, "linux") : 0;
    r = ng_json_get_object(res, "memory", &mem, err);
    if (r < 0)
        return ng_error_wrap(err, "linux.resources");
    if (r > 0) {
        int64_t limit = 0;
        r = ng_json_get_int64(mem, "limit", &limit, err);
        if (r < 0)
            return ng_error_wrap(err, "linux.resources.memory");
        if (limit < -1)
            return ng_error_set(err, ERANGE, "linux.resources.memory.limit is negative (%lld)",
                                (long long)limit);
        s->memory_limit = limit > 0 ? limit : 0;
    }
    r = ng_json_get_object(res, "cpu", &cpu, err);
    if (r < 0)
        return ng_error_wrap(err, "linux.resources");
    if (r > 0) {
        int64_t quota = 0, period = 0;
        if (ng_json_get_int64(cpu, "quota", &quota, err) < 0 ||
            ng_json_get_int64(cpu, "period", &period, err) < 0)
            return ng_error_wrap(err, "linux.resources.cpu");
        s->cpu_quota = quota > 0 ? quota : 0;
        s->cpu_period = period > 0 ? (uint64_t)period : 0;
    }
    return 0;
}

static bool has_option(yajl_val mount, const char *option)
{
    yajl_val options = ng_json_member(mount, "options");
    for (size_t i = 0; YAJL_IS_ARRAY(options) && i < options->u.array.len; i++) {
        yajl_val v = options->u.array.values[i];
        if (YAJL_IS_STRING(v) && v->u.string && strcmp(v->u.string, option) == 0)
            return true;
    }
    return false;
}

/* A path without its trailing slashes ("/sys/fs/cgroup/" is "/sys/fs/cgroup"), in buf. */
static const char *without_trailing_slash(const char *path, char *buf, size_t size)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    snprintf(buf, size, "%.*s", (int)len, path);
    return buf;
}

/* Does the mount at destination dest show node the host's cgroup files where libuv reads them?
 * A cgroup filesystem at /sys/fs/cgroup (or the v1 memory controller's directory) does; so does a
 * bind of the host's own directory, or a recursive bind of the host's /sys or /sys/fs, which brings
 * the cgroup mounts along. Anything else there (a tmpfs, sysfs alone) hides them. */
static bool shows_cgroup(yajl_val mount, const char *dest)
{
    const char *type = NULL, *source = NULL;
    ng_json_get_string(mount, "type", &type, NULL);
    ng_json_get_string(mount, "source", &source, NULL);
    bool bind = ng_spec_mount_is_bind(mount);
    char src[PATH_MAX];
    if (source)
        source = without_trailing_slash(source, src, sizeof(src));
    bool cgroup_dest = strcmp(dest, "/sys/fs/cgroup") == 0 || strcmp(dest, "/sys/fs/cgroup/memory") == 0;
    if (cgroup_dest)
        return (type && (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)) ||
               (bind && source && strncmp(source, "/sys/fs/cgroup", 14) == 0);
    return has_option(mount, "rbind") && source && strcmp(source, dest) == 0;
}

bool ng_spec_mount_is_bind(yajl_val mount)
{
    const char *type = NULL;
    ng_json_get_string(mount, "type", &type, NULL);
    return (type && strcmp(type, "bind") == 0) || has_option(mount, "bind") || has_option(mount, "rbind");
}

yajl_val ng_spec_mount_over(const ng_spec *spec, const char *path, size_t *ret_dest_len)
{
    yajl_val mounts = NULL, last = NULL;
    if (ng_json_get_array(spec->root, "mounts", &mounts, NULL) <= 0)
        return NULL;
    for (size_t i = 0; i < mounts->u.array.len; i++) {
        yajl_val m = mounts->u.array.values[i];
        const char *dest = NULL;
        if (!YAJL_IS_OBJECT(m) || ng_json_get_string(m, "destination", &dest, NULL) <= 0 || dest[0] != '/')
            continue;
        size_t n = strlen(dest);
        while (n > 1 && dest[n - 1] == '/')
            n--;
        if (n == 1 || (strncmp(path, dest, n) == 0 && (path[n] == '/' || path[n] == '\0'))) {
            last = m;
            *ret_dest_len = n == 1 ? 0 : n;
        }
    }
    return last;
}

/* Mounts are made in order, so the last one at /sys/fs/cgroup or above it decides what node sees. */
static ng_cgroup_view read_cgroup_view(yajl_val root)
{
    yajl_val mounts = NULL;
    if (ng_json_get_array(root, "mounts", &mounts, NULL) <= 0)
        return NG_CGROUP_VIEW_UNKNOWN;
    ng_cgroup_view view = NG_CGROUP_VIEW_NONE;
    for (size_t i = 0; i < mounts->u.array.len; i++) {
        yajl_val m = mounts->u.array.values[i];
        const char *dest = NULL;
        if (!YAJL_IS_OBJECT(m) || ng_json_get_string(m, "destination", &dest, NULL) <= 0)
            return NG_CGROUP_VIEW_UNKNOWN;
        char clean[PATH_MAX];
        dest = without_trailing_slash(dest, clean, sizeof(clean));
        bool above = strcmp(dest, "/sys") == 0 || strcmp(dest, "/sys/fs") == 0;
        bool at = strcmp(dest, "/sys/fs/cgroup") == 0 || strcmp(dest, "/sys/fs/cgroup/memory") == 0;
        if (above || at)
            view = shows_cgroup(m, dest) ? NG_CGROUP_VIEW_MOUNTED : NG_CGROUP_VIEW_NONE;
    }
    return view;
}

int ng_spec_parse(const char *buf, size_t len, ng_spec *ret, ng_error **err)
{
    ng_spec s = {0};
    int r = ng_json_parse_as(buf, len, NG_JSON_MAX_DEPTH, spec_fields, &s.root, err);
    if (r < 0)
        return r;
    yajl_val process = NULL, args = NULL, env = NULL, linux_obj = NULL;
    if (!YAJL_IS_OBJECT(s.root)) {
        r = ng_error_set(err, EINVAL, "the config must be a JSON object, not %s", ng_json_type_name(s.root));
        goto fail;
    }
    r = ng_json_get_object(s.root, "process", &process, err);
    if (r == 0)
        r = ng_error_set(err, EINVAL, "the config has no \"process\" object");
    if (r < 0)
        goto fail;
    r = ng_json_get_array(process, "args", &args, err);
    if (r == 0)
        r = ng_error_set(err, EINVAL, "process has no \"args\"");
    if (r < 0 ||
        (r = ng_json_string_array(args, "process.args", NG_SPEC_MAX_ARGS, &s.args, &s.n_args, err)) < 0)
        goto fail_process;
    r = ng_json_get_array(process, "env", &env, err);
    if (r < 0)
        goto fail_process;
    if (r > 0 && (r = ng_json_string_array(env, "process.env", NG_SPEC_MAX_ENV, &s.env, &s.n_env, err)) < 0)
        goto fail;
    if ((r = ng_json_get_object(s.root, "annotations", &s.annotations, err)) < 0)
        goto fail;
    if (s.annotations) {
        for (size_t i = 0; i < s.annotations->u.object.len; i++)
            if (!YAJL_IS_STRING(s.annotations->u.object.values[i])) {
                r = ng_error_set(err, EINVAL, "annotation \"%s\" must be a string, not %s",
                                 s.annotations->u.object.keys[i],
                                 ng_json_type_name(s.annotations->u.object.values[i]));
                goto fail;
            }
    }
    if ((r = ng_json_get_string(s.root, "hostname", &s.hostname, err)) < 0)
        goto fail;
    if ((r = ng_json_get_object(s.root, "linux", &linux_obj, err)) < 0)
        goto fail;
    if (linux_obj) {
        if ((r = read_resources(&s, linux_obj, err)) < 0)
            goto fail;
        if (ng_json_get_string(linux_obj, "cgroupsPath", &s.cgroups_path, err) < 0) {
            r = ng_error_wrap(err, "linux");
            goto fail;
        }
        /* The id the operator sees in `podman ps`, `crictl ps`, `docker ps`. */
        if (s.cgroups_path && *s.cgroups_path)
            ng_engine_container_id(s.cgroups_path, s.container_id, sizeof(s.container_id));
    }
    if (!s.container_id[0] && s.hostname)
        snprintf(s.container_id, sizeof(s.container_id), "%s", s.hostname);
    s.cgroup_view = read_cgroup_view(s.root);
    *ret = s;
    return 0;
fail_process:
    ng_error_wrap(err, "process");
fail:
    ng_spec_free(&s);
    return r;
}

void ng_spec_free(ng_spec *spec)
{
    free(spec->args);
    free(spec->env);
    if (spec->root)
        yajl_tree_free(spec->root);
    *spec = (ng_spec){0};
}

const char *ng_spec_getenv(const ng_spec *spec, const char *name)
{
    /* The last entry wins: runc sets process.env in order, so a later NAME= replaces an earlier one
     * (checked with runc 1.1.5), and node's getenv then sees that one. */
    size_t n = strlen(name);
    for (size_t i = spec->n_env; i-- > 0;)
        if (strncmp(spec->env[i], name, n) == 0 && spec->env[i][n] == '=')
            return spec->env[i] + n + 1;
    return NULL;
}

const char *ng_spec_annotation(const ng_spec *spec, const char *key)
{
    yajl_val v = ng_json_member(spec->annotations, key);
    return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

int ng_state_parse(const char *buf, size_t len, ng_state *ret, ng_error **err)
{
    ng_state st = {0};
    int r = ng_json_parse(buf, len, NG_JSON_MAX_DEPTH, &st.root, err);
    if (r < 0)
        return ng_error_wrap(err, "state");
    if (!YAJL_IS_OBJECT(st.root)) {
        r = ng_error_set(err, EINVAL, "state must be a JSON object, not %s", ng_json_type_name(st.root));
        goto fail;
    }
    if ((r = ng_json_get_string(st.root, "id", &st.id, err)) < 0 ||
        (r = ng_json_get_string(st.root, "status", &st.status, err)) < 0 ||
        (r = ng_json_get_string(st.root, "bundle", &st.bundle, err)) < 0 ||
        (r = ng_json_get_int64(st.root, "pid", &st.pid, err)) < 0 ||
        (r = ng_json_get_object(st.root, "annotations", &st.annotations, err)) < 0) {
        ng_error_wrap(err, "state");
        goto fail;
    }
    if (!st.id || !*st.id) {
        r = ng_error_set(err, EINVAL, "state has no container \"id\"");
        goto fail;
    }
    *ret = st;
    return 0;
fail:
    ng_state_free(&st);
    return r;
}

void ng_state_free(ng_state *st)
{
    if (st->root)
        yajl_tree_free(st->root);
    *st = (ng_state){0};
}
