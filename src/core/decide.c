/* The decision (include/nodeguard/decide.h): gather, budget and verdict, the rewrite of env and
 * args that follows, and the config and log output. The verdict's words are in decide_render.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/dburl.h"
#include "nodeguard/decide.h"
#include "nodeguard/json.h"
#include "nodeguard/nodeopts.h"
#include "nodeguard/shellcmd.h"
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

/* The heap a set of flags asks for, in MiB; a percentage needs the limit. -1: none in effect (none
 * given, only out-of-bounds values, or a 0 that resets to node's default), or unknowable. */
static int64_t flags_heap_mib(const ng_heap_flags *f, int64_t limit_mib)
{
    if (f->last_heap_kind == NG_FLAG_OLD_SPACE_PERCENT)
        return limit_mib > 0 ? (int64_t)(f->old_space_percent * (double)limit_mib / 100.0) : -1;
    return f->last_heap_kind == NG_FLAG_OLD_SPACE ? f->old_space_mib : -1;
}

/* A list of flags that decides the old space for node: a value, or a 0 back to node's default. */
static bool flags_in_effect(const ng_heap_flags *f)
{
    return f->last_heap_kind != NG_FLAG_NONE;
}

/* V8 rounds a semi-space it derives up to a power of two (Heap::ConfigureHeap), at least 1 MiB. */
static int64_t pow2_semi_mib(int64_t young_mib)
{
    double semi = (double)young_mib / 3;
    int64_t p = 1;
    while ((double)p < semi && p < ((int64_t)1 << 40))
        p *= 2;
    return p;
}

/* Sets NAME=value in the new env. A name listed more than once ends as one entry, where the last
 * was: runc applies process.env in order, so the last one is what the process gets (and what
 * ng_spec_getenv reads); an earlier copy left behind would only mislead a reader of the config. */
static void set_env(ng_decision *d, const char *name, const char *value)
{
    size_t n = strlen(name), kept = 0;
    ssize_t last = -1;
    char *entry = xasprintf("%s=%s", name, value);
    for (size_t i = 0; i < d->n_new_env; i++)
        if (strncmp(d->new_env[i], name, n) == 0 && d->new_env[i][n] == '=')
            last = (ssize_t)i;
    if (last >= 0) {
        for (size_t i = 0; i < d->n_new_env; i++) {
            bool same = strncmp(d->new_env[i], name, n) == 0 && d->new_env[i][n] == '=';
            if (same && (ssize_t)i != last) {
                free(d->new_env[i]);
                continue;
            }
            if ((ssize_t)i == last) {
                free(d->new_env[i]);
                d->new_env[i] = entry;
            }
            d->new_env[kept++] = d->new_env[i];
        }
        d->n_new_env = kept;
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

/* The pool size in DATABASE_URL too, in the parameter its driver reads (src/core/dburl.c). */
static void decide_database_url(ng_decision *d, ng_dburl_mode mode, const char *url, int64_t want)
{
    if (!url)
        return;
    ng_dburl_rewrite r;
    ng_dburl_set_pool_size(url, want, mode, &r);
    static const char *const actions[] = {"set", "kept_user_value", "left_alone"};
    d->database_url_action = actions[r.outcome];
    snprintf(d->database_url_param, sizeof(d->database_url_param), "%s", r.param ? r.param : "");
    if (r.outcome == NG_DBURL_LEFT_ALONE)
        ng_warn(&d->warnings, "%s", r.warning);
    if (r.outcome == NG_DBURL_USER_VALUE && r.found_value > want)
        ng_warn(&d->warnings,
                "DATABASE_URL's %s=%lld is above the %lld connections recommended for this container; left "
                "as set",
                r.found, (long long)r.found_value, (long long)want);
    if (r.outcome == NG_DBURL_SET) {
        d->database_url_after = r.url;
        set_env(d, "DATABASE_URL", r.url);
    }
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
    if (pol->conn_database_url != NG_DBURL_OFF)
        decide_database_url(d, pol->conn_database_url, ng_spec_getenv(spec, "DATABASE_URL"), want);
}

/* Replaces args[i] with the heap flag (one string per replaced argument, so the config keeps its
 * shape: argument lists are compared by position). */
static void replace_arg(ng_decision *d, const ng_spec *spec, size_t i, const char *flag)
{
    if (!d->new_args) {
        d->new_args = calloc(spec->n_args + 1, sizeof(*d->new_args));
        if (!d->new_args)
            abort();
        d->n_new_args = spec->n_args;
    }
    free(d->new_args[i]);
    d->new_args[i] = xasprintf("%s", flag);
    d->args_changed = true;
}

/* The command line's part of the rewrite: the old-space flags when they do not fit (or reset to
 * node's default), and, whatever else changes, the flags that would clash with nodeguard's heap:
 * --max-heap-size (with an old space V8 derives the young generation from it, and with a semi-space
 * too it aborts), a percentage this node refuses, a semi-space the budget leaves out. Each becomes
 * --max-old-space-size=value, so node reads one heap and the arguments keep their positions. */
static bool clashes(const ng_decide_inputs *in, const ng_heap_budget *b, const char *arg, bool lower)
{
    ng_heap_flag h;
    if (ng_heap_flag_parse(arg, &h, NULL) != 1)
        return false;
    bool old = h.kind == NG_FLAG_OLD_SPACE || h.kind == NG_FLAG_OLD_SPACE_PERCENT;
    return (old && lower) || h.kind == NG_FLAG_MAX_HEAP ||
           (h.kind == NG_FLAG_OLD_SPACE_PERCENT && in->refusal == NG_REFUSAL_PERCENTAGE) ||
           (h.kind == NG_FLAG_SEMI_SPACE && b->semi_dropped_mib > 0);
}

/* Marks in replace[] node's options in args[start..] that rewrite_argv replaces (replace has n
 * entries); returns how many. node's options end at the script, "-" or "--", as node reads them. */
static size_t mark_clashing(const ng_decide_inputs *in, const ng_heap_budget *b, const char *const *args,
                            size_t n, size_t start, bool lower, bool *replace)
{
    size_t marked = 0;
    for (size_t i = start; i < n; i++) {
        const char *a = args[i];
        if (strcmp(a, "--") == 0 || a[0] != '-' || strcmp(a, "-") == 0)
            break;
        if (clashes(in, b, a, lower))
            replace[i] = true, marked++;
        if (ng_node_option_takes_value(a))
            i++;
    }
    return marked;
}

static void rewrite_argv(ng_decision *d, const ng_decide_inputs *in, const ng_spec *spec,
                         const ng_heap_budget *b, bool lower, int64_t value)
{
    char flag[64];
    snprintf(flag, sizeof(flag), "--max-old-space-size=%lld", (long long)value);
    cleanup_free bool *replace = calloc(spec->n_args + 1, sizeof(*replace));
    if (!replace)
        abort();
    if (!mark_clashing(in, b, spec->args, spec->n_args, in->detection.node_opts_start, lower, replace))
        return;
    for (size_t i = 0; i < spec->n_args; i++)
        if (replace[i]) {
            replace_arg(d, spec, i, flag);
            d->new_arg_index = i;
        }
    free(d->new_arg);
    d->new_arg = xasprintf("%s", flag);
}

/* The script with the words marked in text[] (one entry per word of c, NULL: kept) replaced; every
 * other byte stays as it was. */
static char *edit_script(const char *script, const ng_shell_command *c, char *const *text)
{
    char *out = xasprintf("%s", "");
    size_t pos = 0;
    for (size_t i = 0; i < c->n_words; i++) {
        if (!text[i])
            continue;
        const ng_shell_word *w = &c->words[i];
        char *next = xasprintf("%s%.*s%s", out, (int)(w->start - pos), script + pos, text[i]);
        free(out);
        out = next;
        pos = w->end;
    }
    char *last = xasprintf("%s%s", out, script + pos);
    free(out);
    return last;
}

/* Where NODE_OPTIONS goes so that node reads it: the container's env, env's command line (env
 * launcher), or the script's NODE_OPTIONS=... prefix (script_edit, filled in for the caller). */
static void put_node_options(ng_decision *d, const ng_decide_inputs *in, char **script_edit)
{
    const ng_detection *det = &d->detection;
    if (in->script_node_options) {
        cleanup_free char *quoted = ng_shell_quote(d->node_options_after);
        *script_edit = xasprintf("NODE_OPTIONS=%s", quoted);
    } else if (det->env_options_index || det->env_clears || det->env_unsets_options) {
        /* node gets env's environment, not the container's: the value goes on env's command line. */
        d->new_assignment = xasprintf("NODE_OPTIONS=%s", d->node_options_after);
        d->new_assignment_insert = det->env_options_index == 0;
        d->new_assignment_index = det->env_options_index ? det->env_options_index : det->command_index;
        d->args_changed = true;
    } else {
        set_env(d, "NODE_OPTIONS", d->node_options_after);
    }
}

/* A sh -c script's part of the rewrite: node's options in the script as rewrite_argv treats a command
 * line, and the NODE_OPTIONS=... prefix when there is a new one (options_edit); the edited script
 * replaces its argument, every other byte of it kept. */
static void rewrite_script(ng_decision *d, const ng_decide_inputs *in, const ng_spec *spec,
                           const ng_heap_budget *b, bool lower, int64_t value, const char *options_edit)
{
    const ng_detection *det = &d->detection;
    ng_shell_script sc = {0};
    const char *script = spec->args[det->script_index];
    if (ng_shell_parse(script, &sc, NULL) < 0) /* it parsed in ng_detect */
        return;
    const ng_shell_command *c = &sc.commands[det->script_command];
    cleanup_free bool *replace = calloc(c->n_words + 1, sizeof(*replace));
    cleanup_free char **text = calloc(c->n_words + 1, sizeof(*text));
    cleanup_free const char **words = calloc(c->n_words + 1, sizeof(*words));
    if (!replace || !text || !words)
        abort();
    for (size_t i = 0; i < c->n_words; i++)
        words[i] = c->words[i].value;
    char flag[64];
    snprintf(flag, sizeof(flag), "--max-old-space-size=%lld", (long long)value);
    size_t marked = det->script_node_argv
                        ? mark_clashing(in, b, words, c->n_words, det->script_word + 1, lower, replace)
                        : 0;
    for (size_t i = 0; i < c->n_words; i++)
        if (replace[i])
            text[i] = flag;
    if (options_edit)
        text[in->script_options_word] = (char *)options_edit;
    if (marked || options_edit) {
        cleanup_free char *edited = edit_script(script, c, text);
        replace_arg(d, spec, det->script_index, edited);
        free(d->new_arg);
        d->new_arg = xasprintf("%s", edited);
        d->new_arg_index = det->script_index;
    }
    ng_shell_script_free(&sc);
}

/* The semi-space (MiB) node must be told when it cannot see its limit: the one it would pick if it
 * saw it, so its young generation is the plan's (3 MiB at 512 MiB, not the 48 of a large host). The
 * same for node 24 (young_larger), whose V8 would pick up to 4 times the plan's.
 * 0 when node sees the limit (and is not node 24), or the young generation is set by a flag node reads after
 * the rewrite: a semi-space the budget keeps, or --max-heap-size, from which V8 derives it (and beside which
 * a semi-space would make V8 abort). argv_rewritten: the rewrite replaces the command line's
 * --max-heap-size (apply_heap always does). */
static int64_t hidden_limit_semi_mib(const ng_decide_inputs *in, const ng_heap_budget *b, int64_t limit_mib,
                                     bool argv_rewritten)
{
    /* A semi-space the budget drops is removed by the rewrite: it no longer sets anything. */
    bool semi_kept =
        b->semi_dropped_mib == 0 &&
        (in->semi_space_mib > 0 || in->argv_flags.semi_space_in_effect || in->env_flags.semi_space_in_effect);
    bool max_heap_kept =
        (in->argv_flags.n_max_heap_flags && !argv_rewritten) || in->env_flags.n_max_heap_flags;
    if (!(in->cgroup_hidden || in->young_larger) || limit_mib <= 0 || semi_kept || max_heap_kept)
        return 0;
    return ng_node_default_young_mib(limit_mib) / 3;
}

/* Sets the heap to target everywhere a flag would otherwise win with a larger value, or adds it to
 * NODE_OPTIONS (where node reads it: put_node_options) when there is none; keep is the heap node
 * keeps where its flag fits. Returns false when it cannot (NODE_OPTIONS that node rejects). */
static bool apply_heap(ng_decision *d, const ng_decide_inputs *in, const ng_spec *spec,
                       const ng_heap_budget *b, int64_t target, int64_t keep)
{
    const ng_heap_flags *env = &in->env_flags, *argv = &in->argv_flags;
    int64_t limit = d->plan.limit_mib;
    bool refused_percent = in->refusal == NG_REFUSAL_PERCENTAGE;
    int64_t argv_heap = flags_heap_mib(argv, limit);
    bool argv_fits = flags_in_effect(argv) && argv_heap >= 0 && argv_heap <= target &&
                     !(refused_percent && argv->n_percent_flags);
    bool argv_effective = flags_in_effect(argv) || argv->n_max_heap_flags;
    bool argv_lower = flags_in_effect(argv) &&
                      (argv_heap < 0 || argv_heap > target || (refused_percent && argv->n_percent_flags));
    /* NODE_OPTIONS needs nodeguard's flag when its own is too large (or a percentage of an unknown
     * limit, or one this node refuses), or when nothing sets the heap at all. Child processes
     * inherit it, so it matters even when the command line wins for node itself. */
    int64_t env_heap = flags_heap_mib(env, limit);
    bool env_needs = flags_in_effect(env) ? env_heap < 0 || env_heap > target : !argv_effective;
    env_needs = env_needs || (refused_percent && env->n_percent_flags) ||
                (b->semi_dropped_mib > 0 && env->n_semi_flags);
    /* A semi-space node reads first from NODE_OPTIONS: the command line's would win, and has none. */
    int64_t semi = hidden_limit_semi_mib(in, b, limit, true);
    env_needs = env_needs || semi > 0;
    bool env_done = false;
    cleanup_free char *options_edit = NULL;
    if (env_needs && !d->node_options_invalid) {
        cleanup_error ng_error *e = NULL;
        bool env_fits = flags_in_effect(env) && env_heap >= 0 && env_heap <= target &&
                        !(refused_percent && env->n_percent_flags);
        int r = ng_nodeopts_set_heap(d->node_options_before ? d->node_options_before : "",
                                     env_fits ? env_heap : target, b->semi_dropped_mib > 0,
                                     &d->node_options_after, &e);
        if (r == 0 && semi > 0) {
            char *with_semi = NULL;
            r = ng_nodeopts_add_semi_space(d->node_options_after, semi, &with_semi, &e);
            if (r == 0) {
                free(d->node_options_after);
                d->node_options_after = with_semi;
            }
        }
        if (r < 0) {
            ng_warn(&d->warnings, "NODE_OPTIONS not rewritten: %s", ng_error_msg(e));
        } else {
            put_node_options(d, in, &options_edit);
            env_done = true;
        }
    }
    bool argv_needs = argv_lower || (refused_percent && argv->n_percent_flags) ||
                      (b->semi_dropped_mib > 0 && argv->n_semi_flags) || argv->n_max_heap_flags;
    int64_t argv_value = argv_fits ? argv_heap : flags_in_effect(argv) ? target : keep;
    if (d->detection.script_read)
        rewrite_script(d, in, spec, b, argv_lower, argv_value, options_edit);
    else if (argv_needs)
        rewrite_argv(d, in, spec, b, argv_lower, argv_value);
    if (env_needs && !env_done)
        return d->args_changed && !(refused_percent && env->n_percent_flags);
    return env_done || d->args_changed;
}

/* A script's node command: its options (node's command line) and its NODE_OPTIONS=... prefix. */
static void gather_script(const ng_spec *spec, ng_decide_inputs *in, ng_warnings *w)
{
    const ng_detection *det = &in->detection;
    ng_shell_script sc = {0};
    if (ng_shell_parse(spec->args[det->script_index], &sc, NULL) < 0)
        return; /* it parsed in ng_detect */
    const ng_shell_command *c = &sc.commands[det->script_command];
    for (size_t i = 0; i < c->n_assignments; i++)
        if (strncmp(c->words[i].value, "NODE_OPTIONS=", 13) == 0) {
            free(in->script_node_options);
            in->script_node_options = xasprintf("%s", c->words[i].value + 13);
            in->script_options_word = i;
        }
    if (in->script_node_options)
        in->node_options = in->script_node_options;
    if (det->script_node_argv) {
        size_t n = c->n_words - det->script_word;
        const char **argv = calloc(n, sizeof(*argv));
        if (!argv)
            abort();
        for (size_t i = 0; i < n; i++)
            argv[i] = c->words[det->script_word + i].value;
        cleanup_error ng_error *e = NULL;
        if (ng_node_argv_scan(argv, n, 1, &in->argv_flags, &e) < 0) {
            ng_heap_flags_init(&in->argv_flags);
            ng_warn(w, "sh -c script: %s", ng_error_msg(e));
        }
        free(argv);
    }
    ng_shell_script_free(&sc);
}

/* The runner command (npm, yarn, pnpm) in args[] or in a sh -c script: its script in package.json
 * is what really starts node. Its NODE_OPTIONS=... replaces the one node would otherwise get, and its
 * node command line is node's; the counts are the script's, plus the runner. */
static void gather_package(const ng_spec *spec, ng_decide_inputs *in, ng_warnings *w)
{
    const ng_detection *det = &in->detection;
    ng_shell_script sc = {0};
    cleanup_free const char **words = NULL;
    const char *const *argv = NULL;
    size_t argc = 0;
    if (det->script_read && !det->script_node_argv) {
        if (ng_shell_parse(spec->args[det->script_index], &sc, NULL) < 0)
            return; /* it parsed in ng_detect */
        const ng_shell_command *c = &sc.commands[det->script_command];
        argc = c->n_words - det->script_word;
        words = calloc(argc + 1, sizeof(*words));
        if (!words)
            abort();
        for (size_t i = 0; i < argc; i++)
            words[i] = c->words[det->script_word + i].value;
        argv = words;
    } else if (!det->script_read && det->command_index < spec->n_args) {
        argv = spec->args + det->command_index;
        argc = spec->n_args - det->command_index;
    }
    /* npm_config_node_options, in any case as npm reads it: the last one, as runc applies env */
    const char *npm_node_options = NULL;
    for (size_t i = 0; i < spec->n_env; i++)
        if (strncasecmp(spec->env[i], "npm_config_node_options=", 24) == 0)
            npm_node_options = spec->env[i] + 24;
    int r = argc ? ng_pkg_resolve_env(argv, argc, spec->package_json, npm_node_options, &in->pkg) : 0;
    ng_shell_script_free(&sc);
    if (in->pkg.problem[0])
        ng_warn(w, "package.json: %s; the script was not judged", in->pkg.problem);
    if (r != 1)
        return;
    in->pkg_replaces_options = in->pkg.node_options != NULL;
    if (in->pkg_replaces_options)
        in->node_options = in->pkg.node_options;
    in->argv_flags = in->pkg.argv_flags;
    in->pkg_heap_fixed = in->pkg_replaces_options || flags_in_effect(&in->pkg.argv_flags) ||
                         in->pkg.argv_flags.n_max_heap_flags;
    in->detection.processes = in->pkg.processes;
    in->detection.launchers = in->pkg.launchers;
    if (!in->overrides.processes) {
        in->processes = in->pkg.processes;
        snprintf(in->detection.processes_reason, sizeof(in->detection.processes_reason), "%s",
                 in->pkg.processes_reason);
    }
}

/* The image's NODE_VERSION (official images set it: "24.22.3", "v22.21.0"): its major, -1 without
 * one; *minor is 0 when it has none. */
static long node_version(const ng_spec *spec, long *minor)
{
    const char *v = ng_spec_getenv(spec, "NODE_VERSION");
    *minor = 0;
    if (!v)
        return -1;
    if (*v == 'v')
        v++;
    char *end;
    long major = strtol(v, &end, 10);
    if (end == v)
        return -1;
    if (*end == '.')
        *minor = strtol(end + 1, NULL, 10);
    return major;
}

/* --max-old-space-size-percentage exists from node 22.21 and 24.6 on. Without a NODE_VERSION that
 * says so, the node is taken to be one without it (node 20, nodeguard's reference). */
static bool percentage_supported(const ng_spec *spec)
{
    long minor, major = node_version(spec, &minor);
    return major >= 25 || (major == 24 && minor >= 6) || (major == 22 && minor >= 21);
}

void ng_decide_inputs_free(ng_decide_inputs *in)
{
    free(in->script_node_options);
    in->script_node_options = NULL;
    ng_pkg_run_free(&in->pkg);
}

/* Step 1. The flags are scanned only for a guarded container: a disabled or non-Node one must not
 * collect warnings about a NODE_OPTIONS that nodeguard will never touch. */
void ng_decide_gather(const ng_policy *pol, const ng_spec *spec, ng_decide_inputs *ret, ng_warnings *w)
{
    ng_decide_inputs in = {.memory_limit = spec->memory_limit, .semi_space_mib = -1};
    ng_heap_flags_init(&in.env_flags);
    ng_heap_flags_init(&in.argv_flags);
    ng_heap_flags_init(&in.pkg.env_flags);
    ng_heap_flags_init(&in.pkg.argv_flags);
    ng_overrides_from_spec(spec, &in.overrides, w);
    const ng_overrides *o = &in.overrides;
    in.mode = o->has_mode ? o->mode : pol->mode;
    ng_detect(spec, o->enable, &in.detection);
    if (in.mode == NG_MODE_OFF || o->enable == 0)
        in.outcome = NG_OUTCOME_DISABLED;
    else if (!in.detection.is_node)
        in.outcome = NG_OUTCOME_NOT_NODE;
    else
        in.outcome = NG_OUTCOME_GUARDED;
    if (in.outcome != NG_OUTCOME_GUARDED) {
        *ret = in;
        return;
    }

    in.processes = o->processes ? o->processes : in.detection.processes;
    if (o->processes)
        snprintf(in.detection.processes_reason, sizeof(in.detection.processes_reason),
                 "annotation io.nodeguard.processes=%d", o->processes);

    const ng_detection *det = &in.detection;
    if (det->unknown[0])
        ng_warn(w, "%s: heap flags there are not seen", det->unknown);
    /* `env NODE_OPTIONS=... node` replaces the container's value for node; env -i and
     * -u NODE_OPTIONS remove it. */
    if (det->env_options_index)
        in.node_options = spec->args[det->env_options_index] + strlen("NODE_OPTIONS=");
    else if (!det->env_clears && !det->env_unsets_options)
        in.node_options = ng_spec_getenv(spec, "NODE_OPTIONS");
    if (det->script_read)
        gather_script(spec, &in, w);
    if (spec->package_json && !det->has_node_argv)
        gather_package(spec, &in, w);
    if (in.node_options) {
        cleanup_error ng_error *e = NULL;
        ng_tokens t = {0};
        if (ng_nodeopts_tokenize(in.node_options, &t, &e) < 0 ||
            ng_nodeopts_scan(&t, &in.env_flags, &e) < 0) {
            in.node_options_invalid = true;
            ng_heap_flags_init(&in.env_flags);
            ng_warn(w, "NODE_OPTIONS left untouched, node will refuse it: %s", ng_error_msg(e));
        }
        ng_tokens_free(&t);
    }
    if (in.detection.has_node_argv) {
        cleanup_error ng_error *e = NULL;
        if (ng_node_argv_scan(spec->args, spec->n_args, in.detection.node_opts_start, &in.argv_flags, &e) <
            0) {
            ng_heap_flags_init(&in.argv_flags);
            ng_warn(w, "%s", ng_error_msg(e));
        }
    }
    /* node reads NODE_OPTIONS first: the command line's semi-space (a 0 too) wins */
    in.semi_space_mib =
        in.argv_flags.semi_space_in_effect ? in.argv_flags.semi_space_mib : in.env_flags.semi_space_mib;
    in.max_heap_limit_mib = -1;
    if ((in.env_flags.n_percent_flags || in.argv_flags.n_percent_flags) && !percentage_supported(spec)) {
        const char *version = ng_spec_getenv(spec, "NODE_VERSION");
        in.refusal = NG_REFUSAL_PERCENTAGE;
        ng_warn(w,
                "--max-old-space-size-percentage is in node 22.21+ and 24.6+ only (NODE_VERSION %.32s): "
                "node will refuse it",
                version ? version : "unset");
    }
    const ng_heap_flags *win = flags_in_effect(&in.argv_flags) ? &in.argv_flags : &in.env_flags;
    bool old_set = flags_heap_mib(win, (int64_t)(in.memory_limit / NG_MIB)) >= 0 ||
                   win->last_heap_kind == NG_FLAG_OLD_SPACE_PERCENT;
    int64_t max_heap = in.argv_flags.max_heap_mib;
    if (max_heap > 0 && old_set && in.semi_space_mib > 0) {
        if (in.refusal == NG_REFUSAL_NONE)
            in.refusal = NG_REFUSAL_V8_ABORT;
        ng_warn(w, "--max-heap-size with both --max-old-space-size and --max-semi-space-size: V8 aborts at "
                   "start (node will refuse it)");
    } else if (max_heap > 0 && old_set) {
        /* V8 gives the young generation what the old space leaves of --max-heap-size (measured:
         * =3000 with an old space of 1000 gives heap_size_limit 4072). */
        int64_t old = flags_heap_mib(win, (int64_t)(in.memory_limit / NG_MIB));
        in.max_heap_limit_mib = old + 3 * pow2_semi_mib(max_heap > old ? max_heap - old : 0);
    } else if (max_heap > 0) {
        in.max_heap_limit_mib = max_heap;
    }
    in.cgroup_hidden = spec->cgroup_view == NG_CGROUP_VIEW_NONE;
    /* node 24's V8 (13.6) takes old space / 32 as its semi-space above 256 MiB of old space, up to
     * 64 MiB, where node 20's and 22's take / 128 up to 16 (measured by bench/node-versions: 48 MiB
     * of young generation at 1 GiB, not 12). A NODE_VERSION of 24 or later gets the model's semi-space
     * set, as a node that cannot see its limit does; without NODE_VERSION the model is node 20's. */
    long minor;
    in.young_larger = node_version(spec, &minor) >= 24;
    /* Without a limit node sizes its young generation from the host's RAM: only the belief about
     * --max-heap-size needs it. A node that cannot see its limit sizes its defaults from the host's
     * RAM too: the belief about its own default needs it. The caller read it (spec.h). */
    bool sized_by_host = in.memory_limit <= 0 ? in.max_heap_limit_mib > 0 : in.cgroup_hidden;
    in.host_memory_mib = sized_by_host ? spec->host_memory_mib : 0;
    in.cpus =
        spec->cpu_quota > 0 && spec->cpu_period > 0 ? (double)spec->cpu_quota / (double)spec->cpu_period : 0;
    *ret = in;
}

void ng_decide_budget(const ng_policy *pol, const ng_decide_inputs *in, ng_heap_budget *ret, ng_warnings *w)
{
    const ng_overrides *o = &in->overrides;
    ng_heap_budget b = {.params = pol->sizing};
    if (o->overhead_mib >= 0)
        b.params.base_overhead_mib = o->overhead_mib;
    ng_plan_compute(&b.params, &pol->conn, (uint64_t)in->memory_limit, in->processes, in->detection.launchers,
                    in->semi_space_mib, in->cpus, &b.plan);
    b.allowed_mib = o->heap_mib ? o->heap_mib : b.plan.heap_mib;
    b.allowed_by = o->heap_mib ? NG_ALLOWED_BY_ANNOTATION : NG_ALLOWED_BY_MODEL;
    if (o->heap_mib && b.plan.verdict == NG_VERDICT_FITS && o->heap_mib > b.plan.heap_mib)
        ng_warn(w, "io.nodeguard.heap=%lld is above the %lld MiB the model fits in this limit",
                (long long)o->heap_mib, (long long)b.plan.heap_mib);
    *ret = b;
}

/* The heap node picks by itself: for the limit, or for the host's RAM when it cannot see the limit. */
static int64_t node_default_heap_mib(const ng_decide_inputs *in, const ng_plan *plan)
{
    if (plan->limit_mib > 0 && in->cgroup_hidden && in->host_memory_mib > 0)
        return ng_node_default_old_space_mib(in->host_memory_mib) +
               ng_node_default_young_mib(in->host_memory_mib);
    return plan->node_default_heap_mib;
}

void ng_decide_verdict(const ng_decide_inputs *in, const ng_heap_budget *budget, bool can_modify,
                       ng_heap_verdict *ret)
{
    const ng_plan *plan = &budget->plan;
    /* The command line wins over NODE_OPTIONS for node itself, as the last flag wins within each;
     * --max-heap-size alone is old space and young generation together. */
    bool argv_wins = flags_in_effect(&in->argv_flags);
    const ng_heap_flags *user = argv_wins ? &in->argv_flags : &in->env_flags;
    int64_t heap_before = flags_heap_mib(user, plan->limit_mib);
    if (in->max_heap_limit_mib > 0) {
        /* nodeguard's heap is old space, beside the young generation node has: the plan's, or
         * without a limit the one node makes for the host's RAM (the plan has none then). */
        int64_t young = plan->limit_mib > 0 || in->host_memory_mib <= 0
                            ? plan->young_mib
                            : ng_node_young_mib(in->host_memory_mib, in->semi_space_mib);
        heap_before = in->max_heap_limit_mib > young ? in->max_heap_limit_mib - young : 0;
    }
    bool cmdline_wins = argv_wins || in->max_heap_limit_mib > 0;
    bool env_wins = !cmdline_wins && flags_in_effect(&in->env_flags);
    /* A package.json script's command line is the only one node has then; its NODE_OPTIONS is the
     * one node reads when it sets one. */
    bool script_wins = in->pkg_heap_fixed && (cmdline_wins || (env_wins && in->pkg_replaces_options));
    ng_heap_verdict v = {
        .action = NG_ACTION_NONE,
        .may_rewrite = can_modify && (in->mode == NG_MODE_FIX || in->mode == NG_MODE_ENFORCE),
        .heap_source = script_wins    ? NG_HEAP_SOURCE_PACKAGE_SCRIPT
                       : cmdline_wins ? NG_HEAP_SOURCE_COMMAND_LINE
                       : env_wins     ? NG_HEAP_SOURCE_NODE_OPTIONS
                                      : NG_HEAP_SOURCE_NONE,
        .processes = in->processes,
        .limit_mib = plan->limit_mib,
        .heap_before_mib = heap_before,
        .allowed_mib = budget->allowed_mib,
        .allowed_by = budget->allowed_by,
        .min_heap_mib = -1,
        .min_limit_mib = -1,
        .node_default_mib = -1,
        .refusal = in->refusal,
        .semi_dropped_mib = budget->semi_dropped_mib,
        .script = in->pkg_heap_fixed ? &in->pkg : NULL,
        .script_replaces_options = in->pkg_replaces_options,
    };
    ng_action problem_action = in->mode == NG_MODE_ENFORCE ? NG_ACTION_REFUSED : NG_ACTION_WARNED;
    /* A package.json script's heap is the script's: NODE_OPTIONS from outside is replaced (or loses
     * to its node command line), and nodeguard does not edit the app's files. */
    bool heap_rewrite = v.may_rewrite && !in->pkg_heap_fixed;

    if (plan->verdict == NG_VERDICT_UNLIMITED) {
        v.kind = NG_CASE_UNLIMITED;
        v.verdict = NG_VERDICT_UNLIMITED;
    } else if (plan->verdict == NG_VERDICT_DOES_NOT_FIT && budget->allowed_by == NG_ALLOWED_BY_MODEL) {
        /* An io.nodeguard.heap annotation overrides the model, so only the model's plan can say
         * the limit is too small for anything. */
        v.kind = NG_CASE_LIMIT_TOO_SMALL;
        v.verdict = NG_VERDICT_DOES_NOT_FIT;
        v.action = problem_action;
        v.min_heap_mib = budget->params.min_heap_mib;
        v.min_limit_mib = ng_plan_min_limit_mib(&budget->params, v.min_heap_mib, in->processes,
                                                in->detection.launchers, in->semi_space_mib);
    } else if (in->refusal != NG_REFUSAL_NONE) {
        /* node would not start; fix replaces what it refuses with a heap that fits. */
        v.kind = NG_CASE_FLAG_REFUSED;
        v.verdict = NG_VERDICT_DOES_NOT_FIT;
        v.action = in->mode == NG_MODE_FIX && heap_rewrite ? NG_ACTION_LOWERED : problem_action;
    } else if (v.heap_before_mib >= 0 && v.heap_before_mib <= v.allowed_mib) {
        v.kind = NG_CASE_FLAG_FITS;
        v.verdict = NG_VERDICT_FITS;
    } else if (v.heap_before_mib >= 0) {
        v.kind = NG_CASE_FLAG_TOO_LARGE;
        v.verdict = NG_VERDICT_DOES_NOT_FIT;
        /* fix lowers the user's flag; enforce refuses the start instead (docs/configuration.md). */
        v.action = in->mode == NG_MODE_FIX && heap_rewrite ? NG_ACTION_LOWERED : problem_action;
        v.min_limit_mib = ng_plan_min_limit_mib(&budget->params, v.heap_before_mib, in->processes,
                                                in->detection.launchers, in->semi_space_mib);
    } else {
        /* No heap flag: node would pick its own default, which is larger than the container below
         * 512 MiB. enforce adds nodeguard's flag like fix (it refuses only a flag or a limit that
         * cannot work); a caller that cannot rewrite can only say whether the default fits. */
        v.kind = NG_CASE_NO_FLAG;
        v.node_default_mib = node_default_heap_mib(in, plan);
        bool default_fits = v.node_default_mib <= v.allowed_mib;
        v.verdict = heap_rewrite || default_fits ? NG_VERDICT_FITS : NG_VERDICT_DOES_NOT_FIT;
        v.action = heap_rewrite   ? NG_ACTION_INJECTED
                   : default_fits ? NG_ACTION_NONE
                   : v.script     ? problem_action /* nothing nodeguard does can change it */
                                  : NG_ACTION_WARNED;
    }
    if (v.semi_dropped_mib > 0 && heap_rewrite && v.action == NG_ACTION_NONE)
        v.action = NG_ACTION_LOWERED; /* the heap fits, the semi-space still has to go */
    *ret = v;
}

void ng_decide(const ng_policy *pol, const ng_spec *spec, bool can_modify, ng_decision *ret)
{
    ng_decision d = {.heap_before_mib = -1,
                     .heap_after_mib = -1,
                     .conn_limit = -1,
                     .conn_action = "none",
                     .heap_source = "none"};
    ng_decide_inputs in;
    ng_decide_gather(pol, spec, &in, &d.warnings);
    d.outcome = in.outcome;
    d.mode = in.mode;
    d.detection = in.detection;
    copy_env(&d, spec);
    if (in.outcome == NG_OUTCOME_DISABLED) {
        snprintf(d.reason, sizeof(d.reason), "%s",
                 in.overrides.enable == 0 ? in.detection.reason : "mode off");
        *ret = d;
        return;
    }
    if (in.outcome == NG_OUTCOME_NOT_NODE) {
        snprintf(d.reason, sizeof(d.reason), "%s", in.detection.reason);
        *ret = d;
        return;
    }
    d.node_options_before = in.node_options;
    d.script_node_options = in.script_node_options; /* d owns it from here */
    d.node_options_invalid = in.node_options_invalid;

    ng_heap_budget budget;
    ng_decide_budget(pol, &in, &budget, &d.warnings);
    if (can_modify && in.mode == NG_MODE_FIX && !in.pkg_heap_fixed &&
        budget.plan.verdict == NG_VERDICT_DOES_NOT_FIT && budget.allowed_by == NG_ALLOWED_BY_MODEL &&
        in.semi_space_mib > 0) {
        /* A semi-space that leaves no room for any heap (the young generation is 3 of them): node's
         * own young generation instead, if a heap fits with it. */
        ng_decide_inputs alt = in;
        alt.semi_space_mib = -1;
        ng_heap_budget without;
        ng_decide_budget(pol, &alt, &without, &d.warnings);
        if (without.plan.verdict == NG_VERDICT_FITS) {
            without.semi_dropped_mib = in.semi_space_mib;
            in = alt;
            budget = without;
        }
    }
    d.plan = budget.plan;
    d.plan.node_default_heap_mib = node_default_heap_mib(&in, &budget.plan);

    ng_heap_verdict v;
    ng_decide_verdict(&in, &budget, can_modify, &v);
    /* d owns the script's strings from here, and the verdict (rendered below) reads them there. */
    d.package_script = in.pkg;
    in.pkg.node_options = in.pkg.origin = NULL;
    if (v.script)
        v.script = &d.package_script;
    d.verdict = v.verdict;
    d.action = v.action;
    d.heap_source = v.heap_source == NG_HEAP_SOURCE_PACKAGE_SCRIPT ? d.package_script.origin
                                                                   : ng_heap_source_name(v.heap_source);
    d.heap_before_mib = v.heap_before_mib;
    d.heap_after_mib = v.heap_before_mib;

    /* The verdict assumes the rewrite can be made. When it cannot (NODE_OPTIONS node would reject),
     * the problem stays and is only recorded: nodeguard's own trouble never affects the start. */
    bool rewrite_failed = false;
    /* A flag that fits is left as it is, but a node that cannot see its limit still needs the young
     * generation the plan counted: only NODE_OPTIONS changes, the action stays none. */
    bool young_only = v.action == NG_ACTION_NONE && v.kind == NG_CASE_FLAG_FITS && v.may_rewrite &&
                      !in.pkg_replaces_options &&
                      hidden_limit_semi_mib(&in, &budget, d.plan.limit_mib, false) > 0;
    if (young_only) {
        int64_t keep = v.heap_before_mib;
        if (!apply_heap(&d, &in, spec, &budget, keep, keep))
            ng_warn(&d.warnings,
                    "node cannot see its memory limit (or is node 24+) and its young generation could not "
                    "be set");
    }
    if (v.action == NG_ACTION_LOWERED || v.action == NG_ACTION_INJECTED) {
        int64_t keep =
            v.heap_before_mib >= 0 && v.heap_before_mib <= v.allowed_mib ? v.heap_before_mib : v.allowed_mib;
        if (apply_heap(&d, &in, spec, &budget, v.allowed_mib, keep)) {
            d.heap_after_mib = v.kind == NG_CASE_FLAG_FITS ? keep : v.allowed_mib;
        } else {
            d.action = NG_ACTION_WARNED;
            rewrite_failed = true;
        }
    }
    ng_decide_render(&v, d.plan.explanation, rewrite_failed, d.reason, sizeof(d.reason), d.refusal,
                     sizeof(d.refusal));
    decide_connections(&d, pol, spec, &in.overrides, v.may_rewrite && d.action != NG_ACTION_REFUSED);
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
    if (d->new_args)
        for (size_t i = 0; i < d->n_new_args; i++)
            free(d->new_args[i]);
    free(d->new_args);
    free(d->new_assignment);
    free(d->script_node_options);
    ng_pkg_run_free(&d->package_script);
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
    const ng_decision *d = c->d;
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; i < c->spec->n_args; i++) {
        const char *arg = d->new_args && d->new_args[i] ? d->new_args[i] : c->spec->args[i];
        if (d->new_assignment && i == d->new_assignment_index) {
            if (d->new_assignment_insert)
                NG_GEN(ng_gen_string(g, d->new_assignment));
            else
                arg = d->new_assignment;
        }
        NG_GEN(ng_gen_string(g, arg));
    }
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

int ng_decision_gen_process(const ng_decision *d, const ng_spec *spec, yajl_gen g, ng_error **err)
{
    struct emit_ctx c = {.d = d, .spec = spec};
    ng_json_patch patches[2];
    size_t n = 0;
    yajl_val process = ng_json_member(spec->root, "process");
    if (d->env_changed)
        patches[n++] =
            (ng_json_patch){.path = {"env"}, .emit = emit_env, .userdata = &c, .add_if_absent = true};
    if (d->args_changed)
        patches[n++] = (ng_json_patch){.path = {"args"}, .emit = emit_args, .userdata = &c};
    return ng_json_gen_tree(g, process, patches, n, err);
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
    NG_GEN(ng_gen_string(g, "package_script"));
    if (d->package_script.resolved) {
        NG_GEN(yajl_gen_map_open(g));
        NG_GEN(ng_gen_kv_str(g, "file", d->package_script.file));
        NG_GEN(ng_gen_kv_str(g, "script", d->package_script.script));
        NG_GEN(ng_gen_kv_str(g, "command", d->package_script.command));
        NG_GEN(yajl_gen_map_close(g));
    } else {
        NG_GEN(yajl_gen_null(g));
    }
    NG_GEN(ng_gen_string(g, "connection_limit"));
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_string(g, "env"));
    NG_GEN(ng_gen_string(g, d->conn_env));
    NG_GEN(ng_gen_kv_int_if(g, "value", d->conn_limit, d->conn_limit > 0));
    NG_GEN(ng_gen_string(g, "action"));
    NG_GEN(ng_gen_string(g, d->conn_action));
    NG_GEN(ng_gen_string(g, "database_url_action"));
    NG_GEN(ng_gen_string(g, d->database_url_action));
    NG_GEN(ng_gen_string(g, "database_url_param"));
    NG_GEN(ng_gen_string(g, d->database_url_param[0] ? d->database_url_param : NULL));
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
