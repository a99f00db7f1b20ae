/* Docker, containerd and plain runc: is nodeguard-runtime where each engine looks for a runtime? */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/containerd_conf.h"
#include "nodeguard/doctor_engines.h"
#include "nodeguard/doctor_files.h"
#include "nodeguard/json.h"
#include "nodeguard/util.h"

#define DAEMON_JSON_MAX (1024 * 1024)
#define CONTAINERD_MAX  (1024 * 1024)

/* No runtime entry: a new file when there is none, else the entry to add to it. */
static void docker_not_registered(const ng_doctor_ctx *ctx, const char *what, bool file_exists)
{
    char wrapper[4096];
    ng_doctor_suggested_wrapper(ctx, wrapper, sizeof(wrapper));
    ng_doctor_check *c =
        ng_doctor_add(ctx->report, "docker", NG_DOCTOR_FAIL, "nodeguard is not registered: %s", what);
    if (file_exists)
        ng_doctor_fix(
            c,
            "add \"nodeguard\": {\"path\": \"%s\"} to \"runtimes\" in %s%s (and \"default-runtime\": "
            "\"nodeguard\" to guard every container), then systemctl restart docker",
            wrapper, ctx->root, NG_DOCKER_DAEMON_JSON);
    else
        ng_doctor_fix(c,
                      "printf '{\"runtimes\": {\"nodeguard\": {\"path\": \"%s\"}}, \"default-runtime\": "
                      "\"nodeguard\"}\\n' > %s%s, then systemctl restart docker",
                      wrapper, ctx->root, NG_DOCKER_DAEMON_JSON);
}

/* dockerd decodes daemon.json with Go's encoding/json, which has no comments; the library's
 * parser takes them (policy files have them), so they are looked for here, outside strings. */
static bool has_comment(const char *buf, size_t len)
{
    bool in_string = false;
    for (size_t i = 0; i + 1 < len; i++) {
        if (in_string) {
            if (buf[i] == '\\')
                i++;
            else if (buf[i] == '"')
                in_string = false;
        } else if (buf[i] == '"') {
            in_string = true;
        } else if (buf[i] == '/' && (buf[i + 1] == '/' || buf[i + 1] == '*')) {
            return true;
        }
    }
    return false;
}

/* default-runtime: which containers the nodeguard runtime gets. */
static void docker_default_runtime(const ng_doctor_ctx *ctx, yajl_val root, yajl_val runtimes,
                                   const char *ours)
{
    const char *def = NULL;
    if (ng_json_get_string(root, "default-runtime", &def, NULL) != 1) {
        ng_doctor_add(
            ctx->report, "docker", NG_DOCTOR_OK,
            "default-runtime is not set: only `docker run --runtime %s` goes through nodeguard; to guard "
            "every container add \"default-runtime\": \"%s\" and restart docker",
            ours, ours);
    } else if (strcmp(def, ours) == 0) {
        ng_doctor_add(
            ctx->report, "docker", NG_DOCTOR_OK,
            "default-runtime is \"%s\": every container Docker starts without --runtime goes through "
            "nodeguard",
            def);
    } else if (strcmp(def, "runc") != 0 && !ng_json_member(runtimes, def)) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "docker", NG_DOCTOR_FAIL,
                          "default-runtime \"%s\" is not in \"runtimes\": dockerd refuses to start", def);
        ng_doctor_fix(c, "set \"default-runtime\": \"%s\" (or \"runc\") in %s%s", ours, ctx->root,
                      NG_DOCKER_DAEMON_JSON);
    } else {
        ng_doctor_add(ctx->report, "docker", NG_DOCTOR_OK,
                      "default-runtime is \"%s\": only `docker run --runtime %s` goes through nodeguard", def,
                      ours);
    }
}

void ng_doctor_check_docker(const ng_doctor_ctx *ctx, ng_doctor_wrappers *w)
{
    char found[4096];
    bool has_file = ng_doctor_exists(ctx, NG_DOCKER_DAEMON_JSON);
    /* dockerd, not docker: the docker CLI can be installed without the engine. */
    if (!has_file && !ng_doctor_find_program(ctx, "dockerd", NULL, found, sizeof(found))) {
        ng_doctor_add(ctx->report, "docker", NG_DOCTOR_OK,
                      "Docker not found (no dockerd on %s, no %s): nothing to check", NG_DOCTOR_ENGINE_PATH,
                      NG_DOCKER_DAEMON_JSON);
        return;
    }
    if (!has_file) {
        docker_not_registered(ctx, "dockerd is installed but there is no " NG_DOCKER_DAEMON_JSON, false);
        return;
    }
    cleanup_free char *buf = NULL;
    cleanup_yajl_val yajl_val root = NULL;
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    if (ng_doctor_read(ctx, NG_DOCKER_DAEMON_JSON, DAEMON_JSON_MAX, &buf, &len, &err) < 0 ||
        ng_json_parse(buf, len, NG_JSON_MAX_DEPTH, &root, &err) < 0 || !YAJL_IS_OBJECT(root)) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "docker", NG_DOCTOR_FAIL,
                          "%s%s is not a valid JSON object (%s): dockerd refuses to start", ctx->root,
                          NG_DOCKER_DAEMON_JSON, err ? ng_error_msg(err) : "not an object");
        ng_doctor_fix(c,
                      "correct it (`python3 -m json.tool %s%s` shows where), then `systemctl restart docker`",
                      ctx->root, NG_DOCKER_DAEMON_JSON);
        return;
    }
    if (has_comment(buf, len)) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "docker", NG_DOCTOR_FAIL,
                          "%s%s has comments, which dockerd does not accept: it refuses to start", ctx->root,
                          NG_DOCKER_DAEMON_JSON);
        ng_doctor_fix(c, "remove the // and /* */ comments from %s%s, then `systemctl restart docker`",
                      ctx->root, NG_DOCKER_DAEMON_JSON);
    }
    yajl_val runtimes = NULL;
    if (ng_json_get_object(root, "runtimes", &runtimes, &err) < 0) {
        ng_doctor_check *c = ng_doctor_add(ctx->report, "docker", NG_DOCTOR_FAIL, "%s%s: %s", ctx->root,
                                           NG_DOCKER_DAEMON_JSON, ng_error_msg(err));
        ng_doctor_fix(c, "make \"runtimes\" an object: {\"nodeguard\": {\"path\": \"%s\"}}",
                      NG_WRAPPER_INSTALLED_AT);
        return;
    }
    const char *ours = NULL;
    for (size_t i = 0; runtimes && i < runtimes->u.object.len; i++) {
        const char *name = runtimes->u.object.keys[i], *path = NULL;
        if (ng_json_get_string(runtimes->u.object.values[i], "path", &path, NULL) != 1 ||
            strcmp(ng_basename(path), NG_WRAPPER_NAME) != 0)
            continue;
        char where[300], host_path[4096];
        snprintf(where, sizeof(where), "runtimes.%s.path in %s%s", name, ctx->root, NG_DOCKER_DAEMON_JSON);
        if (ng_doctor_runtime_path_ok(ctx, "docker", where, path, host_path, sizeof(host_path))) {
            ng_doctor_add(ctx->report, "docker", NG_DOCTOR_OK,
                          "runtime \"%s\" is %s%s (docker run --runtime %s)", name, ctx->root, host_path,
                          name);
            ng_doctor_wrappers_add(w, host_path);
        }
        if (!ours)
            ours = name;
    }
    if (!ours) {
        docker_not_registered(
            ctx, "no entry of \"runtimes\" in " NG_DOCKER_DAEMON_JSON " has a path to " NG_WRAPPER_NAME,
            true);
        return;
    }
    docker_default_runtime(ctx, root, runtimes, ours);
}

static bool is_runc_shim(const char *type)
{
    return strcmp(type, "io.containerd.runc.v2") == 0 || strcmp(type, "io.containerd.runc.v1") == 0;
}

static void containerd_handler(const ng_doctor_ctx *ctx, const ng_ctrd_conf *conf, const ng_ctrd_handler *h,
                               ng_doctor_wrappers *w)
{
    char table[400], where[500], host_path[4096];
    snprintf(table, sizeof(table), "[%s.containerd.runtimes.%s]", conf->cri_table, h->name);
    snprintf(where, sizeof(where), "BinaryName of %s (line %d)", table, h->line);
    bool ok =
        ng_doctor_runtime_path_ok(ctx, "containerd", where, h->binary_name, host_path, sizeof(host_path));
    if (!h->has_runtime_type || !h->runtime_type[0]) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "containerd", NG_DOCTOR_FAIL,
                          "%s sets BinaryName but runtime_type is %s: containerd then decodes the options "
                          "into a generic type "
                          "and drops BinaryName, so runc runs without nodeguard",
                          table,
                          h->has_runtime_type ? "\"\""
                                              : "not set in this table (a table written here replaces the "
                                                "default's, leaving it \"\")");
        ng_doctor_fix(
            c,
            "add runtime_type = \"io.containerd.runc.v2\" under %s in %s%s, then `systemctl restart "
            "containerd`",
            table, ctx->root, NG_CONTAINERD_CONFIG);
        return;
    }
    if (!is_runc_shim(h->runtime_type)) {
        ng_doctor_check *c = ng_doctor_add(ctx->report, "containerd", NG_DOCTOR_FAIL,
                                           "%s has runtime_type \"%s\", whose options have no BinaryName",
                                           table, h->runtime_type);
        ng_doctor_fix(c, "set runtime_type = \"io.containerd.runc.v2\" under %s", table);
        return;
    }
    if (!ok)
        return;
    ng_doctor_wrappers_add(w, host_path);
    bool every = strcmp(h->name, conf->default_runtime[0] ? conf->default_runtime : "runc") == 0;
    if (every)
        ng_doctor_add(
            ctx->report, "containerd", NG_DOCTOR_OK,
            "handler \"%s\" runs %s%s (%s): every CRI container without a runtimeClassName goes through "
            "nodeguard",
            h->name, ctx->root, host_path, h->runtime_type);
    else
        ng_doctor_add(ctx->report, "containerd", NG_DOCTOR_OK,
                      "handler \"%s\" runs %s%s (%s): pods with runtimeClassName: %s go through nodeguard",
                      h->name, ctx->root, host_path, h->runtime_type, h->name);
}

/* The two keys to set, in the CRI plugin's table as this file names it (config version 3,
 * containerd 2.x, renamed it). */
static void fix_register(const ng_doctor_ctx *ctx, ng_doctor_check *c, const ng_ctrd_conf *conf)
{
    const char *cri = conf && conf->cri_table[0]   ? conf->cri_table
                      : conf && conf->version >= 3 ? "plugins.\"io.containerd.cri.v1.runtime\""
                                                   : "plugins.\"io.containerd.grpc.v1.cri\"";
    char wrapper[PATH_MAX];
    ng_doctor_suggested_wrapper(ctx, wrapper, sizeof(wrapper));
    ng_doctor_fix(
        c,
        "in %s%s, under [%s.containerd.runtimes.runc] set runtime_type = \"io.containerd.runc.v2\", and "
        "under [%s.containerd.runtimes.runc.options] set BinaryName = \"%s\" (add the tables if the file "
        "has none; oci-config/containerd/config.toml shows both), then `systemctl restart containerd`",
        ctx->root, NG_CONTAINERD_CONFIG, cri, cri, wrapper);
}

void ng_doctor_check_containerd(const ng_doctor_ctx *ctx, ng_doctor_wrappers *w)
{
    char found[4096];
    bool has_file = ng_doctor_exists(ctx, NG_CONTAINERD_CONFIG);
    if (!has_file && !ng_doctor_find_program(ctx, "containerd", NULL, found, sizeof(found)) &&
        !ng_doctor_exists(ctx, "/etc/containerd")) {
        ng_doctor_add(ctx->report, "containerd", NG_DOCTOR_OK,
                      "containerd not found (no containerd on %s, no /etc/containerd): nothing to check",
                      NG_DOCTOR_ENGINE_PATH);
        return;
    }

    cleanup_free char *buf = NULL;
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    if (ng_doctor_read(ctx, NG_CONTAINERD_CONFIG, CONTAINERD_MAX, &buf, &len, &err) < 0) {
        ng_doctor_check *c = ng_doctor_add(
            ctx->report, "containerd", NG_DOCTOR_FAIL,
            "nodeguard is not registered: %s (containerd's defaults run runc directly)", ng_error_msg(err));
        fix_register(ctx, c, NULL);
        return;
    }
    ng_ctrd_conf *conf = calloc(1, sizeof(*conf));
    if (!conf)
        abort();
    ng_ctrd_conf_scan(buf, len, conf);
    if (conf->too_complex[0]) {
        ng_doctor_check *c = ng_doctor_add(ctx->report, "containerd", NG_DOCTOR_WARN,
                                           "%s%s is too complex for doctor to judge (%s)", ctx->root,
                                           NG_CONTAINERD_CONFIG, conf->too_complex);
        ng_doctor_fix(
            c,
            "check what containerd decoded: `containerd config dump | grep -B8 BinaryName` must show "
            "runtime_type = \"io.containerd.runc.v2\" and BinaryName = \"%s\"",
            NG_WRAPPER_INSTALLED_AT);
        free(conf);
        return;
    }
    if (conf->has_imports)
        ng_doctor_add(
            ctx->report, "containerd", NG_DOCTOR_WARN,
            "%s%s imports other files, which doctor does not read: a handler there is not seen here",
            ctx->root, NG_CONTAINERD_CONFIG);
    size_t ours = 0;
    for (size_t i = 0; i < conf->n_handlers; i++) {
        const ng_ctrd_handler *h = &conf->handlers[i];
        if (h->has_binary_name && strcmp(ng_basename(h->binary_name), NG_WRAPPER_NAME) == 0) {
            containerd_handler(ctx, conf, h, w);
            ours++;
        }
    }
    if (ours == 0) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "containerd", NG_DOCTOR_FAIL,
                          "nodeguard is not registered: no CRI runtime handler in %s%s has BinaryName "
                          "= \"…/%s\"",
                          ctx->root, NG_CONTAINERD_CONFIG, NG_WRAPPER_NAME);
        fix_register(ctx, c, conf);
    }
    ng_doctor_add(
        ctx->report, "containerd", NG_DOCTOR_OK,
        "this is the CRI plugin's configuration (kubelet, crictl): ctr, nerdctl and Docker ignore it; with "
        "ctr pass --runc-binary %s",
        NG_WRAPPER_INSTALLED_AT);
    free(conf);
}

void ng_doctor_check_runc(const ng_doctor_ctx *ctx)
{
    char runc[4096];
    if (!ng_doctor_find_program(ctx, "runc", NULL, runc, sizeof(runc))) {
        ng_doctor_add(ctx->report, "runc", NG_DOCTOR_OK, "runc not found on %s: nothing to check",
                      NG_DOCTOR_ENGINE_PATH);
        return;
    }
    ng_doctor_add(
        ctx->report, "runc", NG_DOCTOR_OK,
        "%s%s: plain `runc run` runs nodeguard only with its hooks in the bundle's config.json "
        "(oci-config/runc/config-hooks.json: createRuntime and poststop) or when started through %s",
        ctx->root, runc, NG_WRAPPER_NAME);
}
