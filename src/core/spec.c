#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/engines.h"
#include "nodeguard/json.h"
#include "nodeguard/spec.h"

/* The struct fields of the OCI runtime spec (specs-go/config.go) on the paths nodeguard reads or
 * writes. Go decodes "Env" or "ENV" into process.env, so the tree is put in those terms first. */
static const char *const spec_fields[] = {"ociVersion", "process", "root",        "hostname", "domainname",
                                          "mounts",     "hooks",   "annotations", "linux",    "solaris",
                                          "windows",    "vm",      "zos",         NULL};
static const char *const process_fields[] = {"terminal",
                                             "consoleSize",
                                             "user",
                                             "args",
                                             "commandLine",
                                             "env",
                                             "cwd",
                                             "capabilities",
                                             "rlimits",
                                             "noNewPrivileges",
                                             "apparmorProfile",
                                             "oomScoreAdj",
                                             "selinuxLabel",
                                             "ioPriority",
                                             "scheduler",
                                             NULL};
static const char *const root_fields[] = {"path", "readonly", NULL};
static const char *const hooks_fields[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL};
static const char *const linux_fields[] = {"uidMappings", "gidMappings",       "timeOffsets", "sysctl",
                                           "resources",   "cgroupsPath",       "namespaces",  "devices",
                                           "seccomp",     "rootfsPropagation", "maskedPaths", "readonlyPaths",
                                           "mountLabel",  "intelRdt",          "personality", NULL};
static const char *const resources_fields[] = {"devices",        "memory",  "cpu",  "pids",    "blockIO",
                                               "hugepageLimits", "network", "rdma", "unified", NULL};
static const char *const memory_fields[] = {
    "limit",        "reservation",       "swap", "kernel", "kernelTCP", "swappiness", "disableOOMKiller",
    "useHierarchy", "checkBeforeUpdate", NULL};
static const char *const cpu_fields[] = {"shares",         "quota", "burst", "period", "realtimeRuntime",
                                         "realtimePeriod", "cpus",  "mems",  "idle",   NULL};

static void fold_as_runc_reads(yajl_val root)
{
    ng_json_fold_field_names(root, spec_fields);
    ng_json_fold_field_names(ng_json_member(root, "process"), process_fields);
    ng_json_fold_field_names(ng_json_member(root, "root"), root_fields);
    ng_json_fold_field_names(ng_json_member(root, "hooks"), hooks_fields);
    yajl_val linux_obj = ng_json_member(root, "linux");
    ng_json_fold_field_names(linux_obj, linux_fields);
    yajl_val res = ng_json_member(linux_obj, "resources");
    ng_json_fold_field_names(res, resources_fields);
    ng_json_fold_field_names(ng_json_member(res, "memory"), memory_fields);
    ng_json_fold_field_names(ng_json_member(res, "cpu"), cpu_fields);
}

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

int ng_spec_parse(const char *buf, size_t len, ng_spec *ret, ng_error **err)
{
    ng_spec s = {0};
    int r = ng_json_parse(buf, len, NG_JSON_MAX_DEPTH, &s.root, err);
    if (r < 0)
        return r;
    yajl_val process = NULL, args = NULL, env = NULL, linux_obj = NULL;
    if (!YAJL_IS_OBJECT(s.root)) {
        r = ng_error_set(err, EINVAL, "the config must be a JSON object, not %s", ng_json_type_name(s.root));
        goto fail;
    }
    fold_as_runc_reads(s.root);
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
