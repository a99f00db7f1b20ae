/* createRuntime and prestart: the state on stdin, the bundle's config.json read and judged in a
 * sandboxed child; refuses the start only in mode enforce (runc shows the reason to the user), and
 * arms the container's OOM watcher. Cannot change the container: runc does not re-read config.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/diag.h"
#include "nodeguard/engines.h"
#include "nodeguard/enginestate.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/hostmem.h"
#include "nodeguard/pkgjson_read.h"
#include "nodeguard/sandbox.h"
#include "nodeguard/spec.h"
#include "nodeguard/stagekit.h"
#include "nodeguard/stages.h"
#include "nodeguard/util.h"
#include "nodeguard/watch_setup.h"

/* createRuntime's unprivileged part, in a sandboxed child: parse the state and the bundle's
 * config (both carry what container authors wrote), decide, record, and say whether to watch. */
struct validate_ctx {
    const ng_policy *policy;
    const char *stage;
    const char *buf;
    size_t len;
    int cwd_fd;              /* the current directory, opened before the sandbox; -1 if it could not be */
    const char *cwd;         /* its path, or NULL */
    int64_t host_memory_mib; /* read before the sandbox, which forbids sysinfo (ng_host_memory_mib) */
};

struct validate_reply {
    int watch;
    ng_container_state cs;
};

static int validate_child(void *vctx, int reply_fd)
{
    struct validate_ctx *v = vctx;
    stage_ctx c = STAGE_CTX_INIT(v->policy, v->stage);
    cleanup_free char *config = NULL, *config_path = NULL;
    cleanup_error ng_error *err = NULL;
    struct validate_reply reply = {0};
    size_t config_len = 0;
    int exit_code = 0;
    ng_state st = {0};
    ng_spec spec = {0};
    ng_decision d = {0};
    ng_package_json pkg = {0};
    if (ng_state_parse(v->buf, v->len, &st, &err) < 0) {
        ng_stage_record_error(&c, NULL, "reading the state from stdin", err);
        exit_code = ng_stage_fail_exit(&c);
        goto out;
    }
    /* runc runs these hooks with the bundle as cwd, and the state names it too. The directory opened
     * there before the sandbox serves when it is the one the state names: this process, without
     * its capabilities, may not reach it by its path (containerd's are under /run/containerd,
     * mode 0600). Any other bundle is read by its path. */
    const char *bundle = st.bundle && *st.bundle ? st.bundle : NULL;
    int r;
    bool at_cwd = v->cwd_fd >= 0 && (!bundle || (v->cwd && strcmp(bundle, v->cwd) == 0));
    if (at_cwd) {
        r = ng_read_file_at(v->cwd_fd, "config.json", NG_INPUT_MAX, &config, &config_len, NULL, &err);
        if (r < 0)
            ng_error_wrap(&err, "bundle %s", bundle ? bundle : ".");
    } else {
        if (asprintf(&config_path, "%s/config.json", bundle ? bundle : ".") < 0)
            abort();
        r = ng_read_file_bounded(config_path, NG_INPUT_MAX, &config, &config_len, &err);
    }
    if (r < 0 || ng_spec_parse(config, config_len, &spec, &err) < 0) {
        ng_stage_record_error(&c, st.id, "reading the bundle's config.json", err);
        exit_code = ng_stage_fail_exit(&c);
        goto out;
    }
    snprintf(spec.container_id, sizeof(spec.container_id), "%s", st.id);
    spec.host_memory_mib = v->host_memory_mib;
    if (ng_pkgjson_wanted(&spec)) {
        ng_pkgjson_read(at_cwd ? v->cwd_fd : -1, bundle, &spec, &pkg);
        spec.package_json = &pkg;
    }
    ng_decide(v->policy, &spec, false, &d);
    bool watch = ng_should_watch(v->policy, &d);
    if (d.outcome == NG_OUTCOME_GUARDED || watch)
        ng_spec_fill_names(&spec, st.bundle);
    if (d.outcome == NG_OUTCOME_GUARDED)
        ng_stage_record_decision(&c, &d, &spec);
    if (watch) {
        reply.watch = 1;
        ng_container_state_describe(v->policy, &st, &spec, &d, &reply.cs);
    }
    if (d.outcome == NG_OUTCOME_GUARDED && d.action == NG_ACTION_REFUSED) {
        ng_diag("%s", d.refusal);
        exit_code = 1;
    } else if (d.outcome == NG_OUTCOME_GUARDED && d.verdict == NG_VERDICT_DOES_NOT_FIT) {
        ng_diag("nodeguard: warning: container %s: %s", st.id, d.reason);
    }
out:
    if (reply_fd >= 0)
        ng_write_all(reply_fd, &reply, sizeof(reply));
    ng_decision_free(&d);
    ng_spec_free(&spec);
    ng_package_json_free(&pkg);
    ng_state_free(&st);
    ng_stage_close(&c);
    return exit_code;
}

int ng_stage_validate(const ng_policy *policy, const char *stage, int in_fd, int out_fd)
{
    stage_ctx c = STAGE_CTX_INIT(policy, stage);
    (void)out_fd; /* nothing to write: runc does not read a createRuntime hook's stdout */
    cleanup_free char *buf = NULL;
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    bool truncated = false;
    if (ng_read_fd_bounded(in_fd, NG_INPUT_MAX, &buf, &len, &truncated, &err) < 0 ||
        (truncated && ng_error_set(&err, EFBIG, "the state is larger than %u bytes", NG_INPUT_MAX) < 0)) {
        ng_stage_record_error(&c, NULL, "reading the state from stdin", err);
        ng_stage_close(&c);
        return ng_stage_fail_exit(&c);
    }
    /* The bundle, for the child (above): an O_PATH descriptor needs no read permission on it. */
    cleanup_close int cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    cleanup_free char *cwd = getcwd(NULL, 0);
    struct validate_ctx v = {.policy = policy,
                             .stage = stage,
                             .buf = buf,
                             .len = len,
                             .cwd_fd = cwd_fd,
                             .cwd = cwd,
                             .host_memory_mib = ng_host_memory_mib()};
    struct validate_reply reply;
    int exit_code = ng_run_sandboxed(validate_child, &v, &reply, sizeof(reply), &c);
    if (exit_code > 1) {
        ng_error_set(&err, EIO, "the sandboxed check ended with status %d", exit_code);
        ng_stage_record_error(&c, NULL, "checking the config", err);
        exit_code = ng_stage_fail_exit(&c);
    }
    if (reply.watch && exit_code == 0) {
        /* The reply came from the sandboxed child: take nothing on trust that makes a path. */
        reply.cs.id[sizeof(reply.cs.id) - 1] = reply.cs.log_path[sizeof(reply.cs.log_path) - 1] = '\0';
        snprintf(reply.cs.log_path, sizeof(reply.cs.log_path), "%s", policy->log_path);
        reply.cs.log_kind = (int)policy->log_kind;
        reply.cs.node_options[sizeof(reply.cs.node_options) - 1] =
            reply.cs.heap_flag[sizeof(reply.cs.heap_flag) - 1] = '\0';
        reply.cs.pod[sizeof(reply.cs.pod) - 1] = reply.cs.namespace_[sizeof(reply.cs.namespace_) - 1] = '\0';
        reply.cs.container_name[sizeof(reply.cs.container_name) - 1] =
            reply.cs.image[sizeof(reply.cs.image) - 1] = '\0';
        /* The levels say how far above pid 1's cgroup the container's own is: only as the engine
         * table makes them, else pid 1's own cgroup is watched. */
        if (!ng_engine_cgroup_levels_valid(&reply.cs.levels, reply.cs.id))
            reply.cs.levels = (ng_cgroup_levels){.own = "", .inner = ""};
        ng_arm_watcher(&c, &reply.cs);
    }
    ng_stage_close(&c);
    return exit_code;
}
