/* Shared by the hook's stage files (stages.c, lifecycle.c); not part of the library's API. */
#ifndef NODEGUARD_STAGE_INTERNAL_H
#define NODEGUARD_STAGE_INTERNAL_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include "nodeguard/auditlog.h"
#include "nodeguard/policy.h"

/* The log is opened once per hook run, lazily, and only when there is something to record. */
typedef struct stage_ctx {
    const ng_policy *policy;
    const char *stage;
    ng_log log;
    bool log_tried;
} stage_ctx;

/* One line on stderr (bounded, one write). */
void ng_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

ng_log *ng_stage_log(stage_ctx *c);
void ng_stage_policy_warnings(yajl_gen g, const ng_policy *pol, const ng_warnings *more);

/* An internal error or bad input: recorded, said on stderr; the caller then fails open. */
void ng_stage_record_error(stage_ctx *c, const char *container_id, const char *what, const ng_error *e);
/* The same with the consequence spelled out (for failures that never touch the container). */
void ng_stage_record_error_as(stage_ctx *c, const char *container_id, const char *what, const ng_error *e,
                              const char *consequence, const char *action);

struct ng_state;
struct ng_spec;
struct ng_decision;
/* A decision record, and its warnings on stderr. */
void ng_stage_record_decision(stage_ctx *c, const struct ng_decision *d, const struct ng_spec *spec);
struct ng_container_state;
/* What the watcher needs to know of a container, from its state, config and decision (no
 * privileges needed: runs in the sandboxed part of createRuntime). */
void ng_container_state_describe(const ng_policy *policy, const struct ng_state *st,
                                 const struct ng_spec *spec, const struct ng_decision *d,
                                 struct ng_container_state *ret);
/* createRuntime's privileged part: resolves the cgroup, writes the container's state and starts
 * its watcher, waiting until it is armed. Failures are recorded; the container starts either way. */
void ng_arm_watcher(stage_ctx *c, struct ng_container_state *cs);

/* Runs fn in a forked child that enters the sandbox first; fn writes exactly reply_size bytes of
 * reply to reply_fd. Returns the child's exit code (128 + signal if it died) and the reply (zeroed
 * if incomplete). With the sandbox off, or no fork, fn runs in this process. */
int ng_run_sandboxed(int (*fn)(void *ctx, int reply_fd), void *ctx, void *reply, size_t reply_size,
                     stage_ctx *c);

/* Enters the sandbox in this process (unless the policy turned it off), recording a failure to. */
void ng_stage_sandbox(stage_ctx *c, int profile);

#endif
