/* precreate (podman only): the one stage that can change a container's environment. The whole
 * config comes in on stdin and must go out on stdout, rewritten or byte for byte as it came. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/enginestate.h"
#include "nodeguard/hostmem.h"
#include "nodeguard/json.h"
#include "nodeguard/pkgjson_read.h"
#include "nodeguard/sandbox.h"
#include "nodeguard/spec.h"
#include "nodeguard/stagekit.h"
#include "nodeguard/stages.h"
#include "nodeguard/util.h"

/* Fail open for precreate: podman needs a whole config on stdout, so the input goes back as it came
 * (the rest of stdin too, when the input was over the cap). */
static int echo_input(int out_fd, const char *buf, size_t len, int in_fd, bool more)
{
    if (buf && ng_write_all(out_fd, buf, len) < 0)
        return -errno;
    return more ? ng_copy_fd(in_fd, out_fd) : 0;
}

/* Records an error and returns the exit code; with on_error=allow the input goes out unchanged. */
static int precreate_failed(stage_ctx *c, const char *container_id, const char *what, const ng_error *e,
                            int out_fd, const char *buf, size_t len, int in_fd, bool more)
{
    ng_stage_record_error(c, container_id, what, e);
    int exit_code = ng_stage_fail_exit(c);
    if (exit_code == 0)
        echo_input(out_fd, buf, len, in_fd, more);
    return exit_code;
}

/* Decides on one config and records the decision. Returns 1 with *ret_gen holding the rewritten
 * config, 0 when the config must go out as it came, or a negative errno with *ret_what saying
 * which step failed. */
static int precreate_rewrite(stage_ctx *c, const char *buf, size_t len, int64_t host_memory_mib,
                             yajl_gen *ret_gen, char *ret_id, size_t id_size, const char **ret_what,
                             ng_error **err)
{
    ng_spec spec = {0};
    ng_decision d = {0};
    ng_package_json pkg = {0};
    int r = ng_spec_parse(buf, len, &spec, err);
    if (r < 0) {
        *ret_what = "reading the config";
        return r;
    }
    snprintf(ret_id, id_size, "%s", spec.container_id);
    spec.host_memory_mib = host_memory_mib;
    /* podman gives precreate root.path as an absolute path, its storage already mounted there
     * (docs/scripts.md): the app's package.json can be read before the container exists. */
    if (ng_pkgjson_wanted(&spec)) {
        ng_pkgjson_read(-1, NULL, &spec, &pkg);
        spec.package_json = &pkg;
    }
    ng_decide(c->policy, &spec, true, &d);
    /* Not Node: byte-identical and not logged (most containers). Refused: podman does not show a
     * precreate hook's stderr (only "exit status 1"), while runc puts a createRuntime hook's stderr
     * in its error, so the config goes on unchanged and the createRuntime hook, which sees the same
     * config, refuses the start and records it with the reason. */
    if (d.outcome != NG_OUTCOME_GUARDED || d.action == NG_ACTION_REFUSED)
        goto out;
    if (d.env_changed || d.args_changed) {
        yajl_gen g = ng_gen_new();
        r = ng_decision_gen_config(&d, &spec, g, err);
        if (r < 0) {
            yajl_gen_free(g);
            *ret_what = "writing the new config";
            goto out;
        }
        *ret_gen = g;
        r = 1;
    }
    ng_spec_fill_names(&spec, NULL);
    ng_stage_record_decision(c, &d, &spec);
out:
    ng_decision_free(&d);
    ng_spec_free(&spec);
    ng_package_json_free(&pkg);
    return r;
}

int ng_stage_precreate(const ng_policy *policy, const char *stage, int in_fd, int out_fd)
{
    stage_ctx c = STAGE_CTX_INIT(policy, stage);
    cleanup_free char *buf = NULL;
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = NULL;
    size_t len = 0;
    bool truncated = false;
    char id[96] = "";
    const char *what = NULL;
    int exit_code = 0;
    if (ng_read_fd_bounded(in_fd, NG_INPUT_MAX, &buf, &len, &truncated, &err) < 0 ||
        (truncated && ng_error_set(&err, EFBIG, "the config is larger than %u bytes", NG_INPUT_MAX) < 0)) {
        exit_code = precreate_failed(&c, NULL, "reading the config", err, out_fd, buf, len, in_fd, true);
    } else {
        /* Input read: parse inside the sandbox. The log stays lazy (the sandbox lets it be
         * opened), so a non-Node container, which is not logged, costs no open at all. */
        int64_t host_memory_mib = ng_host_memory_mib(); /* the sandbox forbids sysinfo */
        ng_stage_sandbox(&c, NG_SANDBOX_HOOK);
        int r = precreate_rewrite(&c, buf, len, host_memory_mib, &g, id, sizeof(id), &what, &err);
        if (r < 0)
            exit_code = precreate_failed(&c, *id ? id : NULL, what, err, out_fd, buf, len, in_fd, false);
        else if (r == 0)
            echo_input(out_fd, buf, len, in_fd, false);
        else {
            const unsigned char *out = NULL;
            size_t out_len = 0;
            yajl_gen_get_buf(g, &out, &out_len);
            ng_write_all(out_fd, out, out_len);
        }
    }
    ng_stage_close(&c);
    return exit_code;
}
