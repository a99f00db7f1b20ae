#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/json.h"
#include "nodeguard/nodeopts.h"
#include "nodeguard/util.h"

const char *ng_action_name(ng_action a)
{
    static const char *const names[] = {"none", "injected", "lowered", "warned", "refused"};
    return (unsigned)a < 5 ? names[a] : "unknown";
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    va_end(ap);
    return s;
}

/* The heap a set of flags asks for, in MiB; a percentage needs the limit. -1: none or unknowable. */
static int64_t flags_heap_mib(const ng_heap_flags *f, int64_t limit_mib)
{
    if (f->n_heap_flags == 0)
        return -1;
    if (f->last_heap_kind == NG_FLAG_OLD_SPACE_PERCENT)
        return limit_mib > 0 ? (int64_t)(f->old_space_percent * (double)limit_mib / 100.0) : -1;
    return f->old_space_mib;
}

static void set_env(ng_decision *d, const char *name, const char *value)
{
    size_t n = strlen(name);
    char *entry = xasprintf("%s=%s", name, value);
    for (size_t i = 0; i < d->n_new_env; i++)
        if (strncmp(d->new_env[i], name, n) == 0 && d->new_env[i][n] == '=') {
            free(d->new_env[i]);
            d->new_env[i] = entry;
            d->env_changed = true;
            return;
        }
    char **grown = realloc(d->new_env, (d->n_new_env + 1) * sizeof(*grown));
    if (!grown)
        abort();
    d->new_env = grown;
    d->new_env[d->n_new_env++] = entry;
    d->env_changed = true;
}

static void copy_env(ng_decision *d, const ng_spec *spec)
{
    d->new_env = calloc(spec->n_env + 1, sizeof(*d->new_env));
    if (!d->new_env)
        abort();
    for (size_t i = 0; i < spec->n_env; i++)
        d->new_env[i] = xasprintf("%s", spec->env[i]);
    d->n_new_env = spec->n_env;
}

static void decide_connections(ng_decision *d, const ng_policy *pol, const ng_spec *spec,
                               const ng_overrides *o, bool may_change)
{
    if (!pol->conn_enabled || o->conn_limit == 0) {
        d->conn_action = "off";
        return;
    }
    int64_t want = o->conn_limit > 0 ? o->conn_limit : d->plan.conn_limit;
    for (size_t i = 0; i < pol->n_conn_env; i++) {
        const char *user = ng_spec_getenv(spec, pol->conn_env[i]);
        if (!user)
            continue;
        int64_t v = 0;
        d->conn_env = pol->conn_env[i];
        d->conn_action = "kept_user_value";
        if (ng_parse_int64(user, &v) < 0 || v < 1) {
            ng_warn(&d->warnings, "%s=%.32s is not a positive integer; left as set", pol->conn_env[i], user);
        } else {
            d->conn_limit = v;
            if (want > 0 && v > want)
                ng_warn(&d->warnings,
                        "%s=%lld is above the %lld connections recommended for this container; left as set",
                        pol->conn_env[i], (long long)v, (long long)want);
        }
        return;
    }
    if (want <= 0) {
        d->conn_action = "none";
        return;
    }
    d->conn_limit = want;
    d->conn_env = pol->conn_env[0];
    if (!may_change) {
        d->conn_action = "recommended";
        return;
    }
    char value[32];
    snprintf(value, sizeof(value), "%lld", (long long)want);
    for (size_t i = 0; i < pol->n_conn_env; i++)
        set_env(d, pol->conn_env[i], value);
    d->conn_action = "injected";
    const char *url = ng_spec_getenv(spec, "DATABASE_URL");
    if (pol->conn_database_url && url && !strstr(url, "connection_limit=")) {
        /* Prisma's convention: a query parameter, placed before any #fragment. */
        size_t base_len = strcspn(url, "#");
        d->database_url_after =
            xasprintf("%.*s%sconnection_limit=%lld%s", (int)base_len, url,
                      memchr(url, '?', base_len) ? "&" : "?", (long long)want, url + base_len);
        set_env(d, "DATABASE_URL", d->database_url_after);
    }
}

/* Sets the heap to target everywhere a flag would otherwise win with a larger value, or adds it to
 * NODE_OPTIONS when there is none. Returns false when it cannot (NODE_OPTIONS that node rejects). */
static bool apply_heap(ng_decision *d, const ng_heap_flags *env_flags, const ng_heap_flags *argv_flags,
                       int64_t target)
{
    int64_t limit = d->plan.limit_mib;
    bool changed = false;
    if (argv_flags->n_heap_flags && flags_heap_mib(argv_flags, limit) > target) {
        d->new_arg = xasprintf("--max-old-space-size=%lld", (long long)target);
        d->new_arg_index = argv_flags->last_heap_index;
        d->args_changed = changed = true;
    }
    /* NODE_OPTIONS needs nodeguard's flag when its own is too large (or a percentage of an unknown
     * limit), or when nothing sets the heap at all. Child processes inherit it, so it matters even
     * when the command line wins for node itself. */
    int64_t env_heap = flags_heap_mib(env_flags, limit);
    bool env_needs =
        env_flags->n_heap_flags ? env_heap < 0 || env_heap > target : argv_flags->n_heap_flags == 0;
    if (!env_needs || d->node_options_invalid)
        return changed;
    cleanup_error ng_error *e = NULL;
    if (ng_nodeopts_set_heap(d->node_options_before ? d->node_options_before : "", target,
                             &d->node_options_after, &e) < 0) {
        ng_warn(&d->warnings, "NODE_OPTIONS not rewritten: %s", ng_error_msg(e));
        return changed;
    }
    set_env(d, "NODE_OPTIONS", d->node_options_after);
    return true;
}

void ng_decide(const ng_policy *pol, const ng_spec *spec, bool can_modify, ng_decision *ret)
{
    ng_decision d = {.heap_before_mib = -1,
                     .heap_after_mib = -1,
                     .conn_limit = -1,
                     .conn_action = "none",
                     .heap_source = "none"};
    ng_overrides o;
    ng_overrides_from_spec(spec, &o, &d.warnings);
    d.mode = o.has_mode ? o.mode : pol->mode;
    ng_detect(spec, o.enable, &d.detection);
    copy_env(&d, spec);
    if (d.mode == NG_MODE_OFF || o.enable == 0) {
        d.outcome = NG_OUTCOME_DISABLED;
        snprintf(d.reason, sizeof(d.reason), "%s", o.enable == 0 ? d.detection.reason : "mode off");
        *ret = d;
        return;
    }
    if (!d.detection.is_node) {
        d.outcome = NG_OUTCOME_NOT_NODE;
        snprintf(d.reason, sizeof(d.reason), "%s", d.detection.reason);
        *ret = d;
        return;
    }
    d.outcome = NG_OUTCOME_GUARDED;

    ng_sizing_params params = pol->sizing;
    if (o.overhead_mib >= 0)
        params.base_overhead_mib = o.overhead_mib;
    int processes = o.processes ? o.processes : d.detection.processes;
    if (o.processes)
        snprintf(d.detection.processes_reason, sizeof(d.detection.processes_reason),
                 "annotation io.nodeguard.processes=%d", o.processes);

    ng_heap_flags env_flags, argv_flags;
    ng_heap_flags_init(&env_flags);
    ng_heap_flags_init(&argv_flags);
    d.node_options_before = ng_spec_getenv(spec, "NODE_OPTIONS");
    if (d.node_options_before) {
        cleanup_error ng_error *e = NULL;
        ng_tokens t = {0};
        if (ng_nodeopts_tokenize(d.node_options_before, &t, &e) < 0 ||
            ng_nodeopts_scan(&t, &env_flags, &e) < 0) {
            d.node_options_invalid = true;
            ng_heap_flags_init(&env_flags);
            ng_warn(&d.warnings, "NODE_OPTIONS left untouched, node will refuse it: %s", ng_error_msg(e));
        }
        ng_tokens_free(&t);
    }
    if (d.detection.has_node_argv) {
        cleanup_error ng_error *e = NULL;
        if (ng_node_argv_scan(spec->args, spec->n_args, d.detection.node_opts_start, &argv_flags, &e) < 0) {
            ng_heap_flags_init(&argv_flags);
            ng_warn(&d.warnings, "%s", ng_error_msg(e));
        }
    }
    int64_t semi = argv_flags.semi_space_mib >= 0 ? argv_flags.semi_space_mib : env_flags.semi_space_mib;
    double cpus =
        spec->cpu_quota > 0 && spec->cpu_period > 0 ? (double)spec->cpu_quota / (double)spec->cpu_period : 0;
    ng_plan_compute(&params, &pol->conn, (uint64_t)spec->memory_limit, processes, d.detection.launchers, semi,
                    cpus, &d.plan);

    const ng_heap_flags *user = argv_flags.n_heap_flags ? &argv_flags : &env_flags;
    d.heap_source = argv_flags.n_heap_flags  ? "command line"
                    : env_flags.n_heap_flags ? "NODE_OPTIONS"
                                             : "none";
    d.heap_before_mib = flags_heap_mib(user, d.plan.limit_mib);
    d.heap_after_mib = d.heap_before_mib;
    bool may_change = can_modify && (d.mode == NG_MODE_FIX || d.mode == NG_MODE_ENFORCE);
    int64_t allowed = o.heap_mib ? o.heap_mib : d.plan.heap_mib;
    const char *who = o.heap_mib ? "the io.nodeguard.heap annotation" : "the sizing model";
    if (o.heap_mib && d.plan.verdict == NG_VERDICT_FITS && o.heap_mib > d.plan.heap_mib)
        ng_warn(&d.warnings, "io.nodeguard.heap=%lld is above the %lld MiB the model fits in this limit",
                (long long)o.heap_mib, (long long)d.plan.heap_mib);
    int processes_shown = processes;

    if (d.plan.verdict == NG_VERDICT_UNLIMITED) {
        d.verdict = NG_VERDICT_UNLIMITED;
        snprintf(d.reason, sizeof(d.reason),
                 "no memory limit: no heap set, node sizes its heap from the host's memory");
    } else if (d.plan.verdict == NG_VERDICT_DOES_NOT_FIT && !o.heap_mib) {
        int64_t need =
            ng_plan_min_limit_mib(&params, params.min_heap_mib, processes, d.detection.launchers, semi);
        d.verdict = NG_VERDICT_DOES_NOT_FIT;
        d.action = d.mode == NG_MODE_ENFORCE ? NG_ACTION_REFUSED : NG_ACTION_WARNED;
        snprintf(d.reason, sizeof(d.reason),
                 "the %lld MiB limit leaves no room for a %lld MiB heap for %d node process%s: %s; needs at "
                 "least %lld MiB",
                 (long long)d.plan.limit_mib, (long long)params.min_heap_mib, processes_shown,
                 processes_shown > 1 ? "es" : "", d.plan.explanation, (long long)need);
        snprintf(
            d.refusal, sizeof(d.refusal),
            "nodeguard: refusing to start: the %lld MiB memory limit is too small for %d node process%s. "
            "Fix: raise the limit to at least %lld MiB (e.g. --memory %lldm).",
            (long long)d.plan.limit_mib, processes_shown, processes_shown > 1 ? "es" : "", (long long)need,
            (long long)need);
    } else if (d.heap_before_mib >= 0 && d.heap_before_mib <= allowed) {
        d.verdict = NG_VERDICT_FITS;
        snprintf(d.reason, sizeof(d.reason),
                 "heap %lld MiB from %s fits the %lld MiB limit (at most %lld per %s: %s)",
                 (long long)d.heap_before_mib, d.heap_source, (long long)d.plan.limit_mib, (long long)allowed,
                 who, d.plan.explanation);
    } else if (d.heap_before_mib >= 0 || user->n_heap_flags) {
        int64_t need =
            ng_plan_min_limit_mib(&params, d.heap_before_mib, processes, d.detection.launchers, semi);
        d.verdict = NG_VERDICT_DOES_NOT_FIT;
        char problem[256];
        snprintf(
            problem, sizeof(problem), "heap %lld MiB from %s does not fit the %lld MiB limit (at most %lld)",
            (long long)d.heap_before_mib, d.heap_source, (long long)d.plan.limit_mib, (long long)allowed);
        if (d.mode == NG_MODE_FIX && may_change) {
            if (apply_heap(&d, &env_flags, &argv_flags, allowed)) {
                d.action = NG_ACTION_LOWERED;
                d.heap_after_mib = allowed;
                snprintf(d.reason, sizeof(d.reason), "%s: lowered to %lld MiB (%s)", problem,
                         (long long)allowed, d.plan.explanation);
            } else {
                d.action = NG_ACTION_WARNED;
                snprintf(d.reason, sizeof(d.reason), "%s: could not be lowered (see warnings)", problem);
            }
        } else {
            d.action = d.mode == NG_MODE_ENFORCE ? NG_ACTION_REFUSED : NG_ACTION_WARNED;
            snprintf(d.reason, sizeof(d.reason), "%s: %s", problem, d.plan.explanation);
        }
        snprintf(d.refusal, sizeof(d.refusal),
                 "nodeguard: refusing to start: --max-old-space-size=%lld (from %s) does not fit the %lld "
                 "MiB memory "
                 "limit; at most %lld MiB fits %d node process%s. Fix: remove the flag and let nodeguard "
                 "size the heap, "
                 "set --max-old-space-size=%lld or less, or raise the limit to at least %lld MiB.",
                 (long long)d.heap_before_mib, d.heap_source, (long long)d.plan.limit_mib, (long long)allowed,
                 processes_shown, processes_shown > 1 ? "es" : "", (long long)allowed, (long long)need);
    } else {
        /* No heap flag: node would pick its own default, which is larger than the container below 512 MiB. */
        int64_t node_default = d.plan.node_default_heap_mib;
        d.verdict = may_change || node_default <= allowed ? NG_VERDICT_FITS : NG_VERDICT_DOES_NOT_FIT;
        if (may_change && apply_heap(&d, &env_flags, &argv_flags, allowed)) {
            d.action = NG_ACTION_INJECTED;
            d.heap_after_mib = allowed;
            snprintf(d.reason, sizeof(d.reason),
                     "no heap flag (node's default would be %lld MiB): set %lld MiB by %s: %s",
                     (long long)node_default, (long long)allowed, who, d.plan.explanation);
        } else {
            d.action = node_default > allowed || may_change ? NG_ACTION_WARNED : NG_ACTION_NONE;
            snprintf(d.reason, sizeof(d.reason),
                     "no heap flag: node's default %lld MiB %s the %lld MiB that fits (%s)",
                     (long long)node_default, node_default > allowed ? "exceeds" : "is within",
                     (long long)allowed, d.plan.explanation);
        }
    }
    decide_connections(&d, pol, spec, &o, may_change && d.action != NG_ACTION_REFUSED);
    *ret = d;
}

void ng_decision_free(ng_decision *d)
{
    for (size_t i = 0; i < d->n_new_env; i++)
        free(d->new_env[i]);
    free(d->new_env);
    free(d->node_options_after);
    free(d->database_url_after);
    free(d->new_arg);
    ng_warnings_free(&d->warnings);
    *d = (ng_decision){0};
}

struct emit_ctx {
    const ng_decision *d;
    const ng_spec *spec;
};

static int emit_env(yajl_gen g, yajl_val old, void *userdata, ng_error **err)
{
    const ng_decision *d = ((struct emit_ctx *)userdata)->d;
    (void)old;
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; i < d->n_new_env; i++)
        NG_GEN(ng_gen_string(g, d->new_env[i]));
    NG_GEN(yajl_gen_array_close(g));
    return 0;
}

static int emit_args(yajl_gen g, yajl_val old, void *userdata, ng_error **err)
{
    const struct emit_ctx *c = userdata;
    (void)old;
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; i < c->spec->n_args; i++)
        NG_GEN(ng_gen_string(g, c->d->args_changed && i == c->d->new_arg_index ? c->d->new_arg
                                                                               : c->spec->args[i]));
    NG_GEN(yajl_gen_array_close(g));
    return 0;
}

int ng_decision_gen_config_with(const ng_decision *d, const ng_spec *spec, yajl_gen g,
                                ng_json_emit_fn hooks_emit, void *hooks_data, ng_error **err)
{
    struct emit_ctx c = {.d = d, .spec = spec};
    ng_json_patch patches[3];
    size_t n = 0;
    if (d->env_changed)
        patches[n++] = (ng_json_patch){
            .path = {"process", "env"}, .emit = emit_env, .userdata = &c, .add_if_absent = true};
    if (d->args_changed)
        patches[n++] = (ng_json_patch){.path = {"process", "args"}, .emit = emit_args, .userdata = &c};
    if (hooks_emit)
        patches[n++] = (ng_json_patch){
            .path = {"hooks"}, .emit = hooks_emit, .userdata = hooks_data, .add_if_absent = true};
    return ng_json_gen_tree(g, spec->root, patches, n, err);
}

int ng_decision_gen_config(const ng_decision *d, const ng_spec *spec, yajl_gen g, ng_error **err)
{
    return ng_decision_gen_config_with(d, spec, g, NULL, NULL, err);
}

int ng_decision_gen_fields(const ng_decision *d, const ng_spec *spec, yajl_gen g, ng_error **err)
{
    static const char *const outcome_names[] = {"guarded", "not_node", "disabled"};
    bool guarded = d->outcome == NG_OUTCOME_GUARDED;
    NG_GEN(ng_gen_string(g, "container_id"));
    NG_GEN(ng_gen_string(g, spec->container_id[0] ? spec->container_id : NULL));
    NG_GEN(ng_gen_string(g, "mode"));
    NG_GEN(ng_gen_string(g, ng_mode_name(d->mode)));
    NG_GEN(ng_gen_string(g, "outcome"));
    NG_GEN(ng_gen_string(g, outcome_names[d->outcome]));
    NG_GEN(ng_gen_string(g, "verdict"));
    NG_GEN(ng_gen_string(g, guarded ? ng_verdict_name(d->verdict) : NULL));
    NG_GEN(ng_gen_string(g, "action"));
    NG_GEN(ng_gen_string(g, ng_action_name(d->action)));
    NG_GEN(ng_gen_string(g, "reason"));
    NG_GEN(ng_gen_string(g, d->reason));
    NG_GEN(ng_gen_string(g, "detected_by"));
    NG_GEN(ng_gen_string(g, d->detection.is_node ? d->detection.reason : NULL));
    NG_GEN(ng_gen_kv_int_if(g, "memory_limit_bytes", spec->memory_limit, spec->memory_limit > 0));
    if (!guarded)
        return 0;
    NG_GEN(ng_gen_kv_int_if(g, "processes", d->plan.processes, true));
    NG_GEN(ng_gen_string(g, "processes_reason"));
    NG_GEN(ng_gen_string(g, d->detection.processes_reason));
    NG_GEN(ng_gen_kv_int_if(g, "heap_mib_before", d->heap_before_mib, d->heap_before_mib >= 0));
    NG_GEN(ng_gen_string(g, "heap_source"));
    NG_GEN(ng_gen_string(g, d->heap_source));
    NG_GEN(ng_gen_kv_int_if(g, "heap_mib_after", d->heap_after_mib, d->heap_after_mib >= 0));
    NG_GEN(ng_gen_kv_int_if(g, "heap_mib_fits", d->plan.heap_mib, d->plan.verdict == NG_VERDICT_FITS));
    NG_GEN(ng_gen_kv_int_if(g, "node_default_heap_mib", d->plan.node_default_heap_mib,
                            d->plan.node_default_heap_mib > 0));
    NG_GEN(ng_gen_string(g, "node_options_before"));
    NG_GEN(ng_gen_string(g, d->node_options_before));
    NG_GEN(ng_gen_string(g, "node_options_after"));
    NG_GEN(ng_gen_string(g, d->node_options_after ? d->node_options_after : d->node_options_before));
    NG_GEN(ng_gen_string(g, "command_line_arg_after"));
    NG_GEN(ng_gen_string(g, d->args_changed ? d->new_arg : NULL));
    NG_GEN(ng_gen_string(g, "connection_limit"));
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_string(g, "env"));
    NG_GEN(ng_gen_string(g, d->conn_env));
    NG_GEN(ng_gen_kv_int_if(g, "value", d->conn_limit, d->conn_limit > 0));
    NG_GEN(ng_gen_string(g, "action"));
    NG_GEN(ng_gen_string(g, d->conn_action));
    NG_GEN(yajl_gen_map_close(g));
    NG_GEN(ng_gen_string(g, "plan"));
    NG_GEN(ng_gen_string(g, d->plan.explanation));
    NG_GEN(ng_gen_string(g, "warnings"));
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; i < d->warnings.n; i++)
        NG_GEN(ng_gen_string(g, d->warnings.items[i]));
    NG_GEN(yajl_gen_array_close(g));
    return 0;
}
