/* The stage kit (include/nodeguard/stagekit.h): the log opened lazily, the sandbox, error and
 * decision records. Shared by every stage and the runtime wrapper; knows none of them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nodeguard/auditlog.h"
#include "nodeguard/cgroup.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/diag.h"
#include "nodeguard/identity.h"
#include "nodeguard/json.h"
#include "nodeguard/sandbox.h"
#include "nodeguard/stagekit.h"
#include "nodeguard/util.h"

ng_log *ng_stage_log(stage_ctx *c)
{
    if (!c->log_tried) {
        cleanup_error ng_error *err = NULL;
        c->log_tried = true;
        if (ng_log_open_as(c->policy->log_path, c->policy->log_kind, &c->log, &err) < 0)
            ng_diag("nodeguard: %s (the container is not affected)", ng_error_msg(err));
        ng_log_set_rotation(&c->log, c->policy->log_max_bytes, (int)c->policy->log_generations);
        ng_log_set_lock_wait(&c->log, (int)c->policy->log_lock_wait_ms);
    }
    return c->log.fd >= 0 ? &c->log : NULL;
}

void ng_stage_sandbox(stage_ctx *c, int profile)
{
    if (!c->policy->sandbox)
        return;
    cleanup_error ng_error *err = NULL;
    if (ng_sandbox_enter((ng_sandbox_profile)profile, &err) < 0)
        ng_stage_record_error_as(c, NULL, "entering the sandbox", err, "continuing without it",
                                 "not_sandboxed");
}

int ng_run_sandboxed(int (*fn)(void *ctx, int reply_fd), void *ctx, void *reply, size_t reply_size,
                     stage_ctx *c)
{
    int p[2];
    memset(reply, 0, reply_size);
    if (pipe2(p, O_CLOEXEC) < 0)
        return fn(ctx, -1);
    pid_t pid = c->policy->sandbox ? ng_sandbox_fork() : -1;
    if (pid == 0) {
        close(p[0]);
        ng_stage_sandbox(c, NG_SANDBOX_HOOK);
        _exit(fn(ctx, p[1]));
    }
    int rc = 0;
    if (pid < 0)
        rc = fn(ctx, p[1]); /* no fork (or sandbox off): do the work here */
    close(p[1]);
    size_t got = 0;
    while (got < reply_size) {
        ssize_t n = ng_read_retry(p[0], (char *)reply + got, reply_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(p[0]);
    if (got != reply_size)
        memset(reply, 0, reply_size);
    if (pid > 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return rc;
}

void ng_stage_policy_warnings(yajl_gen g, const ng_policy *pol, const ng_warnings *more)
{
    ng_gen_string(g, "policy_warnings");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < pol->warnings.n; i++)
        ng_gen_string(g, pol->warnings.items[i]);
    for (size_t i = 0; more && i < more->n; i++)
        ng_gen_string(g, more->items[i]);
    yajl_gen_array_close(g);
}

void ng_stage_record_error_as(stage_ctx *c, const char *container_id, const char *what, const ng_error *e,
                              const char *consequence, const char *action)
{
    ng_diag("nodeguard %s: %s: %s; %s", c->stage, what, ng_error_msg(e), consequence);
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = ng_record_begin(NG_EVENT_ERROR, c->stage, &err);
    if (!g)
        return;
    ng_gen_string(g, "container_id");
    ng_gen_string(g, container_id);
    ng_gen_string(g, "message");
    char msg[1024];
    snprintf(msg, sizeof(msg), "%s: %s", what, ng_error_msg(e));
    ng_gen_string(g, msg);
    ng_gen_string(g, "action");
    ng_gen_string(g, action);
    ng_stage_policy_warnings(g, c->policy, NULL);
    if (ng_record_write(ng_stage_log(c), g, &err) < 0)
        ng_diag("nodeguard: %s", ng_error_msg(err));
}

void ng_stage_record_error(stage_ctx *c, const char *container_id, const char *what, const ng_error *e)
{
    bool deny = c->policy->on_error_deny;
    ng_stage_record_error_as(c, container_id, what, e,
                             deny ? "container refused (on_error=deny)"
                                  : "container passed through unchanged",
                             deny ? "refused" : "passed_through");
}

/* What a rootless user's decision record says about OOM recording (docs/oom-recording.md). */
static const char *rootless_oom_recording(void)
{
    if (!ng_cgroup_unified_host())
        return "off: rootless on cgroup v1, the container has no memory cgroup of its own to watch";
    return "partial: rootless on cgroup v2, OOM kills are counted from the container's delegated "
           "memory.events but not named (/dev/kmsg needs CAP_SYSLOG), and pid 1's end is seen through a "
           "pidfd, its exit code read from the engine's exit file (the proc connector needs CAP_NET_ADMIN)";
}

/* The names the stage found (ng_spec_fill_names); `nodeguard check`'s output, made by the same
 * ng_decision_gen_fields, has none: it reads a config, not a container. */
static int gen_names(yajl_gen g, const ng_names *names, ng_error **err)
{
    NG_GEN(ng_gen_kv_str(g, "pod", names->pod[0] ? names->pod : NULL));
    NG_GEN(ng_gen_kv_str(g, "namespace", names->namespace_[0] ? names->namespace_ : NULL));
    NG_GEN(ng_gen_kv_str(g, "container_name", names->container_name[0] ? names->container_name : NULL));
    NG_GEN(ng_gen_kv_str(g, "image", names->image[0] ? names->image : NULL));
    return 0;
}

/* A start's decision record, or (exec) that of a process exec'd into a running container, which
 * shares the container's limit with the processes already in it: the per-process heap does not
 * count them (docs/log-schema.md, shares_limit), and OOM recording is the container's, said at its
 * start. */
static void record_decision(stage_ctx *c, const ng_decision *d, const ng_spec *spec, bool exec)
{
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = ng_record_begin(NG_EVENT_DECISION, c->stage, &err);
    if (!g || ng_decision_gen_fields(d, spec, g, &err) < 0 || gen_names(g, &spec->names, &err) < 0 ||
        (exec && ng_gen_kv_bool(g, "shares_limit", true) != yajl_gen_status_ok)) {
        ng_diag("nodeguard: cannot build the log record: %s", err ? ng_error_msg(err) : "yajl");
        return;
    }
    ng_stage_policy_warnings(g, c->policy, NULL);
    if (!exec && ng_rootless() && c->policy->record_oom != NG_RECORD_OOM_OFF)
        ng_gen_kv_str(g, "oom_recording", rootless_oom_recording());
    if (ng_record_write(ng_stage_log(c), g, &err) < 0)
        ng_diag("nodeguard: %s", ng_error_msg(err));
    for (size_t i = 0; i < d->warnings.n; i++)
        ng_diag("nodeguard: warning: %s", d->warnings.items[i]);
}

void ng_stage_record_decision(stage_ctx *c, const ng_decision *d, const ng_spec *spec)
{
    record_decision(c, d, spec, false);
}

void ng_stage_record_exec_decision(stage_ctx *c, const ng_decision *d, const ng_spec *spec)
{
    record_decision(c, d, spec, true);
}

int ng_stage_fail_exit(const stage_ctx *c)
{
    return c->policy->on_error_deny ? 1 : 0;
}

void ng_stage_close(stage_ctx *c)
{
    ng_log_close(&c->log);
}
