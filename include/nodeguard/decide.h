/* The decision: given a policy and a container's spec, what nodeguard does to it and why. Shared by
 * the hook's stages, `nodeguard check` and (later) the runtime wrapper, so all of them agree. */
#ifndef NODEGUARD_DECIDE_H
#define NODEGUARD_DECIDE_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "nodeguard/detect.h"
#include "nodeguard/json.h"
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
    const char *heap_source;         /* "NODE_OPTIONS", "command line", "none" */
    int64_t heap_after_mib;          /* effective heap after, -1 none */
    const char *node_options_before; /* points into the spec; NULL when unset */
    char *node_options_after;        /* NULL when unchanged */
    bool node_options_invalid;

    const char *conn_env;    /* the variable acted on, or NULL */
    int64_t conn_limit;      /* the value in effect, -1 none */
    const char *conn_action; /* "injected", "kept_user_value", "off", "none" */
    char *database_url_after;

    /* The rewritten process: set only when something changed. */
    bool env_changed, args_changed;
    char **new_env; /* n_new_env owned strings */
    size_t n_new_env;
    char *new_arg; /* replacement for args[new_arg_index] */
    size_t new_arg_index;

    ng_warnings warnings;
} ng_decision;

/* can_modify: the caller can rewrite the config (precreate, the runtime wrapper). Without it (the
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

/* Writes the decision's fields into an open JSON map (the audit record, `check --json`). */
int ng_decision_gen_fields(const ng_decision *d, const ng_spec *spec, yajl_gen g, ng_error **err);

#endif
