/* Step 4 of ng_decide: the verdict in words. These are the lines users read in the log, from
 * `nodeguard check` and (the refusal) when a start is refused, so they change only on purpose:
 * the golden suite compares them byte for byte. */
#include <stdio.h>
#include <string.h>
#include "nodeguard/decide.h"

const char *ng_heap_source_name(ng_heap_source s)
{
    switch (s) {
    case NG_HEAP_SOURCE_NONE:
        return "none";
    case NG_HEAP_SOURCE_NODE_OPTIONS:
        return "NODE_OPTIONS";
    case NG_HEAP_SOURCE_COMMAND_LINE:
        return "command line";
    case NG_HEAP_SOURCE_PACKAGE_SCRIPT:
        return "package.json script";
    }
    return "unknown";
}

/* Where the heap flag in effect is, as the user finds it: a script by its name. */
static const char *source_text(const ng_heap_verdict *v)
{
    if (v->heap_source == NG_HEAP_SOURCE_PACKAGE_SCRIPT && v->script)
        return v->script->origin;
    return ng_heap_source_name(v->heap_source);
}

/* Why a package.json script's heap cannot be overridden, for the reason and the refusal. */
static const char *script_wins_text(const ng_heap_verdict *v)
{
    return v->script_replaces_options
               ? "the script sets NODE_OPTIONS itself, which replaces the container's for what it starts"
               : "the script's node command line wins over NODE_OPTIONS";
}

/* A script's heap flag that does not fit: nodeguard cannot lower it (it does not edit the app's
 * files), so the record says what to remove from where, and enforce refuses with the same words. */
static void render_script_too_large(const ng_heap_verdict *v, const char *explanation, char *reason,
                                    size_t reason_size, char *refusal, size_t refusal_size)
{
    const ng_pkg_run *s = v->script;
    snprintf(reason, reason_size,
             "heap %lld MiB from %s does not fit the %lld MiB limit (at most %lld): not overridable, %s; "
             "remove %s from scripts.%s in %s (%s)",
             (long long)v->heap_before_mib, s->origin, (long long)v->limit_mib, (long long)v->allowed_mib,
             script_wins_text(v), s->heap_flag, s->flag_script, s->file, explanation);
    snprintf(refusal, refusal_size,
             "nodeguard: refusing to start: scripts.%s in %s sets %s, which does not fit the %lld MiB memory "
             "limit (at most %lld MiB fits %d node process%s), and nodeguard cannot override it: %s. Fix: "
             "remove %s from scripts.%s and let nodeguard size the heap, set it to %lld or less, or raise "
             "the limit to at least %lld MiB.",
             s->flag_script, s->file, s->heap_flag, (long long)v->limit_mib, (long long)v->allowed_mib,
             v->processes, v->processes > 1 ? "es" : "", script_wins_text(v), s->heap_flag, s->flag_script,
             (long long)v->allowed_mib, (long long)v->min_limit_mib);
}

/* No heap flag, and a script's NODE_OPTIONS that nodeguard's flag cannot reach node through. */
static void render_script_no_flag(const ng_heap_verdict *v, const char *explanation, char *reason,
                                  size_t reason_size, char *refusal, size_t refusal_size)
{
    const ng_pkg_run *s = v->script;
    bool fits = v->node_default_mib <= v->allowed_mib;
    snprintf(reason, reason_size,
             "no heap flag: node's default %lld MiB %s the %lld MiB that fits, and nodeguard's flag is not "
             "injected: not overridable, scripts.%s in %s sets NODE_OPTIONS itself, which replaces the "
             "container's (%s)",
             (long long)v->node_default_mib, fits ? "is within" : "exceeds", (long long)v->allowed_mib,
             s->flag_script, s->file, explanation);
    if (!fits)
        snprintf(
            refusal, refusal_size,
            "nodeguard: refusing to start: scripts.%s in %s sets NODE_OPTIONS itself, which replaces the "
            "container's, so nodeguard cannot set the heap; node's default %lld MiB does not fit the "
            "%lld MiB memory limit. Fix: add --max-old-space-size=%lld to the script's NODE_OPTIONS, or "
            "remove NODE_OPTIONS=... from scripts.%s and let nodeguard size the heap.",
            s->flag_script, s->file, (long long)v->node_default_mib, (long long)v->limit_mib,
            (long long)v->allowed_mib, s->flag_script);
}

static const char *allowed_by_text(ng_allowed_by by)
{
    return by == NG_ALLOWED_BY_ANNOTATION ? "the io.nodeguard.heap annotation" : "the sizing model";
}

static const char *processes_suffix(int processes)
{
    return processes > 1 ? "es" : "";
}

static void render_limit_too_small(const ng_heap_verdict *v, const char *explanation, char *reason,
                                   size_t reason_size, char *refusal, size_t refusal_size)
{
    snprintf(reason, reason_size,
             "the %lld MiB limit leaves no room for a %lld MiB heap for %d node process%s: %s; needs at "
             "least %lld MiB",
             (long long)v->limit_mib, (long long)v->min_heap_mib, v->processes,
             processes_suffix(v->processes), explanation, (long long)v->min_limit_mib);
    snprintf(refusal, refusal_size,
             "nodeguard: refusing to start: the %lld MiB memory limit is too small for %d node process%s. "
             "Fix: raise the limit to at least %lld MiB (e.g. --memory %lldm).",
             (long long)v->limit_mib, v->processes, processes_suffix(v->processes),
             (long long)v->min_limit_mib, (long long)v->min_limit_mib);
}

static void render_flag_too_large(const ng_heap_verdict *v, const char *explanation, bool rewrite_failed,
                                  char *reason, size_t reason_size, char *refusal, size_t refusal_size)
{
    const char *source = source_text(v);
    char problem[256];
    snprintf(problem, sizeof(problem), "heap %lld MiB from %s does not fit the %lld MiB limit (at most %lld)",
             (long long)v->heap_before_mib, source, (long long)v->limit_mib, (long long)v->allowed_mib);
    if (v->action == NG_ACTION_LOWERED && rewrite_failed)
        snprintf(reason, reason_size, "%s: could not be lowered (see warnings)", problem);
    else if (v->action == NG_ACTION_LOWERED)
        snprintf(reason, reason_size, "%s: lowered to %lld MiB (%s)", problem, (long long)v->allowed_mib,
                 explanation);
    else
        snprintf(reason, reason_size, "%s: %s", problem, explanation);
    /* Written whatever the action: only a refused start shows it, but it is the same problem. */
    snprintf(refusal, refusal_size,
             "nodeguard: refusing to start: --max-old-space-size=%lld (from %s) does not fit the %lld MiB "
             "memory limit; at most %lld MiB fits %d node process%s. Fix: remove the flag and let nodeguard "
             "size the heap, set --max-old-space-size=%lld or less, or raise the limit to at least %lld MiB.",
             (long long)v->heap_before_mib, source, (long long)v->limit_mib, (long long)v->allowed_mib,
             v->processes, processes_suffix(v->processes), (long long)v->allowed_mib,
             (long long)v->min_limit_mib);
}

static void render_no_flag(const ng_heap_verdict *v, const char *explanation, bool rewrite_failed,
                           char *reason, size_t reason_size)
{
    if (v->action == NG_ACTION_INJECTED && !rewrite_failed)
        snprintf(reason, reason_size,
                 "no heap flag (node's default would be %lld MiB): set %lld MiB by %s: %s",
                 (long long)v->node_default_mib, (long long)v->allowed_mib, allowed_by_text(v->allowed_by),
                 explanation);
    else
        snprintf(reason, reason_size, "no heap flag: node's default %lld MiB %s the %lld MiB that fits (%s)",
                 (long long)v->node_default_mib,
                 v->node_default_mib > v->allowed_mib ? "exceeds" : "is within", (long long)v->allowed_mib,
                 explanation);
}

static const char *refusal_text(ng_heap_refusal r)
{
    switch (r) {
    case NG_REFUSAL_PERCENTAGE:
        return "--max-old-space-size-percentage is in node 22.21+ and 24.6+ only";
    case NG_REFUSAL_V8_ABORT:
        return "--max-heap-size with both --max-old-space-size and --max-semi-space-size makes V8 abort";
    case NG_REFUSAL_NONE:
        break;
    }
    return "";
}

static void render_flag_refused(const ng_heap_verdict *v, const char *explanation, bool rewrite_failed,
                                char *reason, size_t reason_size, char *refusal, size_t refusal_size)
{
    const char *why = refusal_text(v->refusal);
    if (v->action == NG_ACTION_LOWERED && !rewrite_failed)
        snprintf(reason, reason_size, "%s, node will refuse it: replaced by --max-old-space-size=%lld (%s)",
                 why, (long long)v->allowed_mib, explanation);
    else
        snprintf(reason, reason_size, "%s, node will refuse it%s", why,
                 rewrite_failed ? ": could not be replaced (see warnings)" : "");
    snprintf(refusal, refusal_size,
             "nodeguard: refusing to start: %s (node would not start). Fix: set --max-old-space-size=%lld or "
             "less instead, or leave the heap to nodeguard.",
             why, (long long)v->allowed_mib);
}

/* The semi-space fix mode removed, said after what was done to the heap. */
static void append_semi_dropped(const ng_heap_verdict *v, bool rewrite_failed, char *reason,
                                size_t reason_size)
{
    size_t n = strlen(reason);
    if (v->semi_dropped_mib <= 0 || rewrite_failed || n >= reason_size)
        return;
    snprintf(
        reason + n, reason_size - n,
        "; --max-semi-space-size=%lld removed: its young generation (3 x %lld MiB) left no room for a heap",
        (long long)v->semi_dropped_mib, (long long)v->semi_dropped_mib);
}

void ng_decide_render(const ng_heap_verdict *v, const char *explanation, bool rewrite_failed, char *reason,
                      size_t reason_size, char *refusal, size_t refusal_size)
{
    snprintf(refusal, refusal_size, "%s", "");
    switch (v->kind) {
    case NG_CASE_UNLIMITED:
        snprintf(reason, reason_size, "%s",
                 "no memory limit: no heap set, node sizes its heap from the host's memory");
        break;
    case NG_CASE_LIMIT_TOO_SMALL:
        render_limit_too_small(v, explanation, reason, reason_size, refusal, refusal_size);
        break;
    case NG_CASE_FLAG_FITS:
        snprintf(reason, reason_size,
                 "heap %lld MiB from %s fits the %lld MiB limit (at most %lld per %s: %s)",
                 (long long)v->heap_before_mib, source_text(v), (long long)v->limit_mib,
                 (long long)v->allowed_mib, allowed_by_text(v->allowed_by), explanation);
        break;
    case NG_CASE_FLAG_TOO_LARGE:
        if (v->script) {
            render_script_too_large(v, explanation, reason, reason_size, refusal, refusal_size);
            break;
        }
        render_flag_too_large(v, explanation, rewrite_failed, reason, reason_size, refusal, refusal_size);
        break;
    case NG_CASE_NO_FLAG:
        if (v->script) {
            render_script_no_flag(v, explanation, reason, reason_size, refusal, refusal_size);
            break;
        }
        render_no_flag(v, explanation, rewrite_failed, reason, reason_size);
        break;
    case NG_CASE_FLAG_REFUSED:
        render_flag_refused(v, explanation, rewrite_failed, reason, reason_size, refusal, refusal_size);
        break;
    }
    append_semi_dropped(v, rewrite_failed, reason, reason_size);
}
