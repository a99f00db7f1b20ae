/* The decision: given a policy and a container's spec, what nodeguard does to it and why. Shared by
 * the hook's stages, `nodeguard check` and the runtime wrapper (nodeguard-runtime), so all of them
 * agree. ng_decide is four steps, each exposed below so tests can check one without the others. */
#ifndef NODEGUARD_DECIDE_H
#define NODEGUARD_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "nodeguard/detect.h"
#include "nodeguard/json.h"
#include "nodeguard/nodeopts.h"
#include "nodeguard/pkgscripts.h"
#include "nodeguard/policy.h"
#include "nodeguard/sizing.h"
#include "nodeguard/spec.h"

typedef enum ng_action {
    NG_ACTION_NONE,     /* nothing to do (not node, disabled, unlimited, or it already fits) */
    NG_ACTION_INJECTED, /* no heap flag was set: nodeguard's was added */
    NG_ACTION_LOWERED,  /* a heap flag too large for the limit was lowered (mode fix) */
    NG_ACTION_WARNED,   /* a problem recorded but left alone (mode warn, or not fixable) */
    NG_ACTION_REFUSED,  /* the start must be refused (mode enforce) */
} ng_action;

const char *ng_action_name(ng_action a);

typedef enum ng_outcome {
    NG_OUTCOME_GUARDED, /* a Node container, evaluated */
    NG_OUTCOME_NOT_NODE,
    NG_OUTCOME_DISABLED, /* mode off, or io.nodeguard.enable=false */
} ng_outcome;

typedef struct ng_decision {
    ng_outcome outcome;
    ng_mode mode;
    ng_detection detection;
    ng_plan plan;
    ng_action action;
    ng_verdict verdict;
    char reason[512];  /* one line: what was found, what was done */
    char refusal[640]; /* with NG_ACTION_REFUSED: the problem and the fix, for the user */

    int64_t heap_before_mib;         /* effective heap flag before, -1 none */
    const char *heap_source;         /* "NODE_OPTIONS", "command line", "none", or the script's
                                      * "package.json scripts.dev" (package_script.origin) */
    int64_t heap_after_mib;          /* effective heap after, -1 none */
    const char *node_options_before; /* points into the spec; NULL when unset */
    char *node_options_after;        /* NULL when unchanged */
    bool node_options_invalid;

    const char *conn_env;            /* the variable acted on, or NULL */
    int64_t conn_limit;              /* the value in effect, -1 none */
    const char *conn_action;         /* "injected", "kept_user_value", "off", "none" */
    char *database_url_after;        /* DATABASE_URL with the pool size added; NULL when unchanged */
    const char *database_url_action; /* "set", "kept_user_value", "left_alone"; NULL: not looked at */
    char database_url_param[40];     /* set: the parameter added; kept_user_value: the URL's own */

    /* The rewritten process: set only when something changed. */
    bool env_changed, args_changed;
    char **new_env; /* n_new_env owned strings */
    size_t n_new_env;
    char *new_arg; /* the heap flag written on the command line (args[new_arg_index]; a sh -c script:
                    * the whole script) ... */
    size_t new_arg_index;
    char **new_args; /* ... and every replaced argument: NULL where unchanged */
    size_t n_new_args;
    /* env launcher: NODE_OPTIONS=... for env's command line, where node reads it: replacing
     * args[new_assignment_index], or inserted before it (env -i, -u NODE_OPTIONS). */
    char *new_assignment;
    size_t new_assignment_index;
    bool new_assignment_insert;
    char *script_node_options; /* owns what node_options_before points to for a script */
    /* The package.json script an npm/yarn/pnpm command runs (.resolved); it owns what
     * node_options_before points to when the script sets NODE_OPTIONS. */
    ng_pkg_run package_script;

    ng_warnings warnings;
} ng_decision;

/* The whole decision: the four steps declared below, in order.
 * can_modify: the caller can rewrite the config (precreate, the runtime wrapper). Without it (the
 * createRuntime/prestart stages, `nodeguard check`) mode fix only records what does not fit.
 * It cannot fail: what it cannot do (a NODE_OPTIONS node would reject, a bad annotation) becomes a
 * warning in the decision, so the container is never affected by nodeguard's own trouble. */
void ng_decide(const ng_policy *policy, const ng_spec *spec, bool can_modify, ng_decision *ret);
void ng_decision_free(ng_decision *d);

/* Writes the config with the decision applied (process.env, process.args), everything else as it
 * was. Call only when d->env_changed || d->args_changed. */
int ng_decision_gen_config(const ng_decision *d, const ng_spec *spec, yajl_gen g, ng_error **err);

/* The same, also replacing (or adding) the top-level "hooks" member with hooks_emit when given. */
int ng_decision_gen_config_with(const ng_decision *d, const ng_spec *spec, yajl_gen g,
                                ng_json_emit_fn hooks_emit, void *hooks_data, ng_error **err);

/* Writes process, the spec's own "process" object (an exec's process file), with the decision's
 * env and args. Call only when d->env_changed || d->args_changed. */
int ng_decision_gen_process(const ng_decision *d, const ng_spec *spec, yajl_gen g, ng_error **err);

/* Writes the decision's fields into an open JSON map (the audit record, `check --json`). */
int ng_decision_gen_fields(const ng_decision *d, const ng_spec *spec, yajl_gen g, ng_error **err);

/* The four steps of ng_decide, in order: gather what the spec says, plan the heap the limit allows,
 * judge the heap flags against it (typed, no text), and render that judgement as reason and refusal.
 * Between verdict and render, ng_decide applies the rewrite the verdict asks for (env, args). */

/* Heap flags node accepts alone but not in this node or combination: it exits, or V8 aborts. */
typedef enum ng_heap_refusal {
    NG_REFUSAL_NONE,
    NG_REFUSAL_PERCENTAGE, /* --max-old-space-size-percentage before node 22.21 / 24.6 */
    NG_REFUSAL_V8_ABORT,   /* --max-heap-size with both old and semi-space sizes: V8's CHECK fails */
} ng_heap_refusal;

/* Step 1, gather: everything ng_decide reads from the spec, before any judgement. */
typedef struct ng_decide_inputs {
    ng_overrides overrides;     /* the io.nodeguard.* annotations */
    ng_mode mode;               /* the annotation's, else the policy's */
    ng_detection detection;     /* processes_reason names the annotation when it set the count */
    ng_outcome outcome;         /* the fields below are filled in only for NG_OUTCOME_GUARDED */
    int processes;              /* the annotation's count, else the detected one (not clamped) */
    int64_t memory_limit;       /* bytes; 0 when unlimited */
    double cpus;                /* the CPU quota in CPUs; 0 when none */
    int64_t host_memory_mib;    /* without a memory limit, or with one node cannot see (cgroup_hidden),
                                 * the host's RAM node sizes itself from (spec->host_memory_mib); 0
                                 * otherwise. 0 (unknown) there: node's default heap is believed the
                                 * limit's, and --max-heap-size without a limit all old space */
    const char *node_options;   /* what node reads, pointing into the spec (process.env, or env's
                                 * NODE_OPTIONS=... argument); NULL when unset */
    bool node_options_invalid;  /* node would reject it: left alone, its flags read as none */
    ng_heap_flags env_flags;    /* the heap flags in NODE_OPTIONS */
    ng_heap_flags argv_flags;   /* the heap flags on node's command line, which win over NODE_OPTIONS */
    int64_t semi_space_mib;     /* --max-semi-space-size (command line first); -1 when unset */
    int64_t max_heap_limit_mib; /* with --max-heap-size on the command line, the heap_size_limit V8
                                   makes of it (and of an old space); -1 without */
    ng_heap_refusal refusal;    /* heap flags node refuses to start with, which the rewrite can replace */
    bool cgroup_hidden;         /* the spec gives node no view of its cgroup (ng_cgroup_view): node sizes
                                 * its young generation from the host's RAM, not the limit */
    bool young_larger;          /* NODE_VERSION 24+: V8 13.6 derives up to 4 x the model's young
                                 * generation from the limit (docs/node-versions.md); as with
                                 * cgroup_hidden, nodeguard sets the model's semi-space */
    /* A `sh -c` script's node command (detection.script_read): node's options are its words from
     * detection.script_word on, and node_options points to this copy of its NODE_OPTIONS=...
     * prefix (word script_options_word) when it has one. */
    char *script_node_options;
    size_t script_options_word;
    /* An npm/yarn/pnpm command's package.json script (spec->package_json), when resolved: its node
     * command's flags are the argv_flags, its NODE_OPTIONS=... the node_options. */
    ng_pkg_run pkg;
    bool pkg_replaces_options; /* the script sets NODE_OPTIONS: the container's never reaches node */
    bool pkg_heap_fixed;       /* the heap node gets is the script's: nothing from outside changes it */
} ng_decide_inputs;

void ng_decide_inputs_free(ng_decide_inputs *in);

/* Reads the annotations, detects node and scans its heap flags. What it cannot read (a bad
 * annotation, NODE_OPTIONS node would reject) becomes a warning in w; it never fails. The flags are
 * scanned only for a guarded container, so a disabled one gets no warnings about them. */
void ng_decide_gather(const ng_policy *policy, const ng_spec *spec, ng_decide_inputs *ret, ng_warnings *w);

/* Step 2, plan: the sizing model's plan for this container and the heap each process is allowed. */
typedef enum ng_allowed_by {
    NG_ALLOWED_BY_MODEL,      /* the plan's heap */
    NG_ALLOWED_BY_ANNOTATION, /* io.nodeguard.heap, which overrides the plan */
} ng_allowed_by;

typedef struct ng_heap_budget {
    ng_sizing_params params; /* the policy's, with io.nodeguard.overhead applied */
    ng_plan plan;
    int64_t allowed_mib; /* the heap each process may have */
    ng_allowed_by allowed_by;
    int64_t semi_dropped_mib; /* the user's semi-space, left out because no heap fits with it; 0 none */
} ng_heap_budget;

/* io.nodeguard.heap replaces the model's heap as documented (docs/configuration.md): above what the
 * model fits, it still applies, with a warning into w. */
void ng_decide_budget(const ng_policy *policy, const ng_decide_inputs *in, ng_heap_budget *ret,
                      ng_warnings *w);

/* Step 3, verdict: which of five cases the container is in, and what to do about it. No text, so
 * tests can check the judgement itself rather than its prose. */
typedef enum ng_heap_case {
    NG_CASE_UNLIMITED,       /* no memory limit: nothing to size against */
    NG_CASE_LIMIT_TOO_SMALL, /* not even the smallest useful heap fits (and no io.nodeguard.heap) */
    NG_CASE_FLAG_FITS,       /* the user's heap flag is within the allowed heap */
    NG_CASE_FLAG_TOO_LARGE,  /* the user's heap flag is above it (or a percentage that cannot be resolved) */
    NG_CASE_NO_FLAG,         /* no heap flag: node would pick its own default */
    NG_CASE_FLAG_REFUSED,    /* heap flags node refuses to start with (ng_heap_refusal) */
} ng_heap_case;

typedef enum ng_heap_source {
    NG_HEAP_SOURCE_NONE,
    NG_HEAP_SOURCE_NODE_OPTIONS,
    NG_HEAP_SOURCE_COMMAND_LINE,   /* wins over NODE_OPTIONS, as in node */
    NG_HEAP_SOURCE_PACKAGE_SCRIPT, /* a package.json script's NODE_OPTIONS or node command line */
} ng_heap_source;

/* The text ng_decision.heap_source carries: "none", "NODE_OPTIONS", "command line". */
const char *ng_heap_source_name(ng_heap_source s);

typedef struct ng_heap_verdict {
    ng_heap_case kind;
    ng_verdict verdict;
    /* What to do. LOWERED and INJECTED ask for a rewrite of the heap flags, which ng_decide may
     * find it cannot make (NODE_OPTIONS node would reject): its action is then NG_ACTION_WARNED. */
    ng_action action;
    bool may_rewrite; /* the caller can rewrite the config and the mode (fix, enforce) wants it */
    ng_heap_source heap_source;
    int processes;            /* as gathered, for the text */
    int64_t limit_mib;        /* the plan's; 0 when unlimited */
    int64_t heap_before_mib;  /* the winning flag's heap, a percentage resolved; -1 none */
    int64_t allowed_mib;      /* the budget's */
    ng_allowed_by allowed_by; /* the budget's */
    int64_t min_heap_mib;     /* LIMIT_TOO_SMALL: the smallest useful heap (params.min_heap_mib), else -1 */
    int64_t min_limit_mib;    /* LIMIT_TOO_SMALL, FLAG_TOO_LARGE: the limit it would take, else -1 */
    int64_t node_default_mib; /* NO_FLAG: the heap node would pick itself, else -1 */
    ng_heap_refusal refusal;  /* FLAG_REFUSED: why */
    int64_t semi_dropped_mib; /* the budget's: the rewrite removes --max-semi-space-size */
    /* The heap is fixed by a package.json script (nothing from outside overrides it): the script,
     * and whether it replaces NODE_OPTIONS (else its node command line wins). NULL otherwise. */
    const ng_pkg_run *script;
    bool script_replaces_options;
} ng_heap_verdict;

/* Pure: reads nothing but its arguments, changes nothing but *ret. The mode is in->mode. */
void ng_decide_verdict(const ng_decide_inputs *in, const ng_heap_budget *budget, bool can_modify,
                       ng_heap_verdict *ret);

/* Step 4, render: the verdict in words, for ng_decision.reason and .refusal (always written for
 * the two does-not-fit cases, whatever the action, and empty otherwise). rewrite_failed: the
 * rewrite the verdict asked for (LOWERED, INJECTED) could not be made. */
void ng_decide_render(const ng_heap_verdict *v, const char *plan_explanation, bool rewrite_failed,
                      char *reason, size_t reason_size, char *refusal, size_t refusal_size);

#endif
