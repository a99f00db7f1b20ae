#include <fcntl.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nodeguard/auditlog.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/identity.h"
#include "nodeguard/json.h"
#include "nodeguard/lifecycle.h"
#include "nodeguard/runstate.h"
#include "nodeguard/sandbox.h"
#include "nodeguard/spec.h"
#include "nodeguard/stages.h"
#include "nodeguard/util.h"

#include "stage_internal.h"

void ng_say(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    ng_write_all(STDERR_FILENO, line, (size_t)n);
}

ng_log *ng_stage_log(stage_ctx *c)
{
    if (!c->log_tried) {
        cleanup_error ng_error *err = NULL;
        c->log_tried = true;
        if (ng_log_open(c->policy->log_path, &c->log, &err) < 0)
            ng_say("nodeguard: %s (the container is not affected)", ng_error_msg(err));
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
        ssize_t n = read(p[0], (char *)reply + got, reply_size - got);
        if (n < 0 && errno == EINTR)
            continue;
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
    ng_say("nodeguard %s: %s: %s; %s", c->stage, what, ng_error_msg(e), consequence);
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = ng_record_begin("error", c->stage, &err);
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
        ng_say("nodeguard: %s", ng_error_msg(err));
}

void ng_stage_record_error(stage_ctx *c, const char *container_id, const char *what, const ng_error *e)
{
    bool deny = c->policy->on_error_deny;
    ng_stage_record_error_as(c, container_id, what, e,
                             deny ? "container refused (on_error=deny)"
                                  : "container passed through unchanged",
                             deny ? "refused" : "passed_through");
}

void ng_stage_record_decision(stage_ctx *c, const ng_decision *d, const ng_spec *spec)
{
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = ng_record_begin("decision", c->stage, &err);
    if (!g || ng_decision_gen_fields(d, spec, g, &err) < 0) {
        ng_say("nodeguard: cannot build the log record: %s", ng_error_msg(err));
        return;
    }
    ng_stage_policy_warnings(g, c->policy, NULL);
    if (ng_rootless() && c->policy->record_oom != NG_RECORD_OOM_OFF)
        ng_gen_kv_str(g, "oom_recording",
                      "off: rootless, the container has no cgroup or events nodeguard may watch");
    if (ng_record_write(ng_stage_log(c), g, &err) < 0)
        ng_say("nodeguard: %s", ng_error_msg(err));
    for (size_t i = 0; i < d->warnings.n; i++)
        ng_say("nodeguard: warning: %s", d->warnings.items[i]);
}

static int fail_exit(const stage_ctx *c)
{
    return c->policy->on_error_deny ? 1 : 0;
}

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
    int exit_code = fail_exit(c);
    if (exit_code == 0)
        echo_input(out_fd, buf, len, in_fd, more);
    return exit_code;
}

/* Decides on one config and records the decision. Returns 1 with *ret_gen holding the rewritten
 * config, 0 when the config must go out as it came, or a negative errno with *ret_what saying
 * which step failed. */
static int precreate_rewrite(stage_ctx *c, const char *buf, size_t len, yajl_gen *ret_gen, char *ret_id,
                             size_t id_size, const char **ret_what, ng_error **err)
{
    ng_spec spec = {0};
    ng_decision d = {0};
    int r = ng_spec_parse(buf, len, &spec, err);
    if (r < 0) {
        *ret_what = "reading the config";
        return r;
    }
    snprintf(ret_id, id_size, "%s", spec.container_id);
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
    ng_stage_record_decision(c, &d, &spec);
out:
    ng_decision_free(&d);
    ng_spec_free(&spec);
    return r;
}

int ng_stage_precreate(const ng_policy *policy, int in_fd, int out_fd)
{
    stage_ctx c = {.policy = policy, .stage = "precreate", .log = NG_LOG_INIT};
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
        ng_stage_sandbox(&c, NG_SANDBOX_HOOK);
        int r = precreate_rewrite(&c, buf, len, &g, id, sizeof(id), &what, &err);
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
    ng_log_close(&c.log);
    return exit_code;
}

/* createRuntime's unprivileged part, in a sandboxed child: parse the state and the bundle's
 * config (both carry what container authors wrote), decide, record, and say whether to watch. */
struct validate_ctx {
    const ng_policy *policy;
    const char *stage;
    const char *buf;
    size_t len;
};

struct validate_reply {
    int watch;
    ng_container_state cs;
};

static int validate_child(void *vctx, int reply_fd)
{
    struct validate_ctx *v = vctx;
    stage_ctx c = {.policy = v->policy, .stage = v->stage, .log = NG_LOG_INIT};
    cleanup_free char *config = NULL, *config_path = NULL;
    cleanup_error ng_error *err = NULL;
    struct validate_reply reply = {0};
    size_t config_len = 0;
    int exit_code = 0;
    ng_state st = {0};
    ng_spec spec = {0};
    ng_decision d = {0};
    if (ng_state_parse(v->buf, v->len, &st, &err) < 0) {
        ng_stage_record_error(&c, NULL, "reading the state from stdin", err);
        exit_code = fail_exit(&c);
        goto out;
    }
    /* runc runs these hooks with the bundle as cwd; the state names it too. */
    if (asprintf(&config_path, "%s/config.json", st.bundle && *st.bundle ? st.bundle : ".") < 0)
        abort();
    if (ng_read_file_bounded(config_path, NG_INPUT_MAX, &config, &config_len, &err) < 0 ||
        ng_spec_parse(config, config_len, &spec, &err) < 0) {
        ng_stage_record_error(&c, st.id, "reading the bundle's config.json", err);
        exit_code = fail_exit(&c);
        goto out;
    }
    snprintf(spec.container_id, sizeof(spec.container_id), "%s", st.id);
    ng_decide(v->policy, &spec, false, &d);
    if (d.outcome == NG_OUTCOME_GUARDED)
        ng_stage_record_decision(&c, &d, &spec);
    if (ng_should_watch(v->policy, &d)) {
        reply.watch = 1;
        ng_container_state_describe(v->policy, &st, &spec, &d, &reply.cs);
    }
    if (d.outcome == NG_OUTCOME_GUARDED && d.action == NG_ACTION_REFUSED) {
        ng_say("%s", d.refusal);
        exit_code = 1;
    } else if (d.outcome == NG_OUTCOME_GUARDED && d.verdict == NG_VERDICT_DOES_NOT_FIT) {
        ng_say("nodeguard: warning: container %s: %s", st.id, d.reason);
    }
out:
    if (reply_fd >= 0)
        ng_write_all(reply_fd, &reply, sizeof(reply));
    ng_decision_free(&d);
    ng_spec_free(&spec);
    ng_state_free(&st);
    ng_log_close(&c.log);
    return exit_code;
}

int ng_stage_validate(const ng_policy *policy, const char *stage, int in_fd)
{
    stage_ctx c = {.policy = policy, .stage = stage, .log = NG_LOG_INIT};
    cleanup_free char *buf = NULL;
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    bool truncated = false;
    if (ng_read_fd_bounded(in_fd, NG_INPUT_MAX, &buf, &len, &truncated, &err) < 0 ||
        (truncated && ng_error_set(&err, EFBIG, "the state is larger than %u bytes", NG_INPUT_MAX) < 0)) {
        ng_stage_record_error(&c, NULL, "reading the state from stdin", err);
        ng_log_close(&c.log);
        return fail_exit(&c);
    }
    struct validate_ctx v = {.policy = policy, .stage = stage, .buf = buf, .len = len};
    struct validate_reply reply;
    int exit_code = ng_run_sandboxed(validate_child, &v, &reply, sizeof(reply), &c);
    if (exit_code > 1) {
        ng_error_set(&err, EIO, "the sandboxed check ended with status %d", exit_code);
        ng_stage_record_error(&c, NULL, "checking the config", err);
        exit_code = fail_exit(&c);
    }
    if (reply.watch && exit_code == 0) {
        /* The reply came from the sandboxed child: take nothing on trust that makes a path. */
        reply.cs.id[sizeof(reply.cs.id) - 1] = reply.cs.log_path[sizeof(reply.cs.log_path) - 1] = '\0';
        snprintf(reply.cs.log_path, sizeof(reply.cs.log_path), "%s", policy->log_path);
        reply.cs.node_options[sizeof(reply.cs.node_options) - 1] =
            reply.cs.heap_flag[sizeof(reply.cs.heap_flag) - 1] = '\0';
        reply.cs.pod[sizeof(reply.cs.pod) - 1] = reply.cs.namespace_[sizeof(reply.cs.namespace_) - 1] = '\0';
        reply.cs.container_name[sizeof(reply.cs.container_name) - 1] =
            reply.cs.image[sizeof(reply.cs.image) - 1] = '\0';
        ng_arm_watcher(&c, &reply.cs);
    }
    ng_log_close(&c.log);
    return exit_code;
}
