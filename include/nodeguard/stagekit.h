/* The stage kit: what every hook stage (precreate, createRuntime/prestart, poststop) and the runtime
 * wrapper share. A stage reads its input from the fd it is handed, records to the audit log, says
 * what a person must know through ng_diag (the main prints it), and fails open: an error inside
 * nodeguard lets the container start unless the policy says on_error=deny. */
#ifndef NODEGUARD_STAGEKIT_H
#define NODEGUARD_STAGEKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "nodeguard/auditlog.h"
#include "nodeguard/decide.h"
#include "nodeguard/policy.h"
#include "nodeguard/spec.h"
#include "nodeguard/util.h"

/* The log is opened once per stage run, lazily, and only when there is something to record.
 * started_ms (ng_monotonic_ms) is when the stage began: waits inside it are budgeted from there, so
 * the whole stage stays inside the runtime's hook timeout. */
typedef struct stage_ctx {
    const ng_policy *policy;
    const char *stage;
    ng_log log;
    bool log_tried;
    int64_t started_ms;
} stage_ctx;

#define STAGE_CTX_INIT(pol, name)                                                                            \
    ((stage_ctx){.policy = (pol), .stage = (name), .log = NG_LOG_INIT, .started_ms = ng_monotonic_ms()})

/* The log, opened on first use (NULL when it cannot be: records then go to syslog and ng_diag). */
ng_log *ng_stage_log(stage_ctx *c);
void ng_stage_close(stage_ctx *c);

/* The exit code for a failure inside nodeguard: 0 (fail open) unless on_error=deny. */
int ng_stage_fail_exit(const stage_ctx *c);

void ng_stage_policy_warnings(yajl_gen g, const ng_policy *pol, const ng_warnings *more);

/* An internal error or bad input: recorded, and said; the caller then fails open (or refuses with
 * on_error=deny). */
void ng_stage_record_error(stage_ctx *c, const char *container_id, const char *what, const ng_error *e);
/* The same with the consequence spelled out (for failures that never touch the container). */
void ng_stage_record_error_as(stage_ctx *c, const char *container_id, const char *what, const ng_error *e,
                              const char *consequence, const char *action);

/* A decision record, and its warnings said. */
void ng_stage_record_decision(stage_ctx *c, const ng_decision *d, const ng_spec *spec);
/* The same for a process exec'd into a running container (stage exec, shares_limit). */
void ng_stage_record_exec_decision(stage_ctx *c, const ng_decision *d, const ng_spec *spec);

/* Runs fn in a forked child that enters the sandbox first; fn writes exactly reply_size bytes of
 * reply to reply_fd. Returns the child's exit code (128 + signal if it died) and the reply (zeroed
 * if incomplete). With the sandbox off, or no fork, fn runs in this process. */
int ng_run_sandboxed(int (*fn)(void *ctx, int reply_fd), void *ctx, void *reply, size_t reply_size,
                     stage_ctx *c);

/* Enters the sandbox in this process (unless the policy turned it off), recording a failure to. */
void ng_stage_sandbox(stage_ctx *c, int profile);

#endif
