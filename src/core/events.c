/* The event registry (include/nodeguard/events.h). docs/log-schema.md is the human reference for
 * the same fields: tests/repo/run checks that it names every event and field listed here, and
 * tests/unit/test_events.c that the writers write exactly these. */
#include <stdio.h>
#include <string.h>
#include "nodeguard/events.h"
#include "nodeguard/util.h"

/* A field the reader skips, and one it keeps in ng_log_entry's member. */
#define FIELD(parent_, name_, type_, flags_, description_)                                                   \
    {                                                                                                        \
        .name = name_, .parent = parent_, .type = NG_FIELD_##type_, .flags = flags_,                         \
        .description = description_                                                                          \
    }
#define KEPT(parent_, name_, type_, flags_, member, description_)                                            \
    {                                                                                                        \
        .name = name_, .parent = parent_, .type = NG_FIELD_##type_, .flags = (flags_) | NG_FIELD_KEPT,       \
        .entry_offset = offsetof(ng_log_entry, member), .description = description_                          \
    }
#define NULLABLE NG_FIELD_NULLABLE
#define OPTIONAL NG_FIELD_OPTIONAL

static const ng_event_field common_fields[] = {
    FIELD(NULL, "schema_version", INT, 0, "the log's schema version, 1"),
    KEPT(NULL, "time", STRING, 0, time, "RFC 3339 UTC with milliseconds"),
    FIELD(NULL, "host", STRING, 0, "the host's name"),
    KEPT(NULL, "event", STRING, 0, event, "the event's name, from this table"),
    KEPT(NULL, "stage", STRING, 0, stage, "the hook stage, watcher or runtime that wrote the record"),
    FIELD(NULL, "nodeguard_version", STRING, 0, "the writer's version"),
    KEPT(NULL, "container_id", STRING, NULLABLE, container_id, "the runtime's id of the container"),
};

/* The container's names (the Kubernetes engines' annotations, podman's and Docker's own records:
 * enginestate.h), as every record about a container writes them after container_id. */
#define NAME_FIELDS                                                                                          \
    KEPT(NULL, "pod", STRING, NULLABLE, pod, "the Kubernetes pod"),                                          \
        KEPT(NULL, "namespace", STRING, NULLABLE, namespace_, "the pod's namespace"),                        \
        KEPT(NULL, "container_name", STRING, NULLABLE, container_name, "the container's name"),              \
        KEPT(NULL, "image", STRING, NULLABLE, image, "the container's image")

/* What is known of the container's memory and heap when the event happened. */
#define MEMORY_FIELDS                                                                                        \
    KEPT(NULL, "memory_limit_bytes", INT, NULLABLE, memory_limit_bytes, "the cgroup's memory limit"),        \
        KEPT(NULL, "usage_bytes", INT, NULLABLE, usage_bytes,                                                \
             "oom_kill: usage at the kill (kernel's report); else when the watcher woke"),                   \
        KEPT(NULL, "peak_bytes", INT, NULLABLE, peak_bytes, "the cgroup's peak usage"),                      \
        KEPT(NULL, "heap_mib", INT, NULLABLE, heap_mib, "the heap flag in effect for node, MiB"),            \
        FIELD(NULL, "node_options", STRING, NULLABLE, "NODE_OPTIONS as the container got it"),               \
        KEPT(NULL, "heap_flag", STRING, NULLABLE, heap_flag, "the heap flag in effect and where it was")

static const ng_event_field decision_fields[] = {
    NAME_FIELDS,
    KEPT(NULL, "mode", STRING, 0, mode, "fix, enforce, warn or off"),
    FIELD(NULL, "outcome", STRING, 0, "guarded, not_node or disabled"),
    KEPT(NULL, "verdict", STRING, NULLABLE, verdict,
         "fits, does_not_fit or unlimited; null when not guarded"),
    KEPT(NULL, "action", STRING, 0, action, "none, injected, lowered, warned or refused"),
    KEPT(NULL, "reason", STRING, 0, reason, "what was found and done, with the arithmetic"),
    FIELD(NULL, "detected_by", STRING, NULLABLE, "why this is a Node container"),
    KEPT(NULL, "memory_limit_bytes", INT, NULLABLE, memory_limit_bytes,
         "the spec's limit; null when unlimited"),
    /* From here to warnings only for guarded containers. */
    FIELD(NULL, "processes", INT, OPTIONAL, "node processes sharing the limit"),
    FIELD(NULL, "processes_reason", STRING, OPTIONAL, "why that many"),
    KEPT(NULL, "heap_mib_before", INT, NULLABLE | OPTIONAL, heap_mib_before,
         "the heap flag in effect before"),
    FIELD(NULL, "heap_source", STRING, OPTIONAL,
          "NODE_OPTIONS, command line, none, or package.json scripts.NAME"),
    KEPT(NULL, "heap_mib_after", INT, NULLABLE | OPTIONAL, heap_mib_after, "the heap flag in effect after"),
    FIELD(NULL, "heap_mib_fits", INT, NULLABLE | OPTIONAL, "the largest heap that fits, per process"),
    FIELD(NULL, "node_default_heap_mib", INT, NULLABLE | OPTIONAL, "what node would choose by itself"),
    FIELD(NULL, "node_options_before", STRING, NULLABLE | OPTIONAL,
          "NODE_OPTIONS as the container set it for node (process.env, or env's or the script's "
          "NODE_OPTIONS=...)"),
    KEPT(NULL, "node_options_after", STRING, NULLABLE | OPTIONAL, node_options_after,
         "NODE_OPTIONS as the process gets it"),
    FIELD(NULL, "command_line_arg_after", STRING, NULLABLE | OPTIONAL,
          "the replacement for a too-large heap flag in process.args (for a sh -c script: the script)"),
    FIELD(NULL, "package_script", OBJECT, NULLABLE | OPTIONAL,
          "the package.json script an npm, yarn or pnpm command runs; null when none was read"),
    FIELD("package_script", "file", STRING, 0, "the package.json, as the container sees it"),
    FIELD("package_script", "script", STRING, 0, "the script's name"),
    FIELD("package_script", "command", STRING, 0, "the script's command line (cut at 255 bytes)"),
    FIELD(NULL, "connection_limit", OBJECT, OPTIONAL, "the database connection limit"),
    FIELD("connection_limit", "env", STRING, NULLABLE, "the variable's name; null for off and none"),
    FIELD("connection_limit", "value", INT, NULLABLE, "the limit"),
    FIELD("connection_limit", "action", STRING, 0, "injected, kept_user_value, recommended, off or none"),
    FIELD("connection_limit", "database_url_action", STRING, NULLABLE,
          "set, kept_user_value or left_alone; null when DATABASE_URL was not looked at"),
    FIELD("connection_limit", "database_url_param", STRING, NULLABLE,
          "the pool-size parameter set in DATABASE_URL, or the one it had; never the URL"),
    FIELD(NULL, "plan", STRING, OPTIONAL, "the sizing arithmetic"),
    FIELD(NULL, "warnings", ARRAY, OPTIONAL, "problems in this container's input"),
    FIELD(NULL, "policy_warnings", ARRAY, 0, "problems in the policy file"),
    FIELD(NULL, "shares_limit", BOOL, OPTIONAL,
          "stage exec only: true, the process shares the container's limit with those already in it"),
    FIELD(NULL, "oom_recording", STRING, OPTIONAL,
          "rootless only: why OOM recording is off (cgroup v1) or partial (cgroup v2)"),
};

static const ng_event_field oom_kill_fields[] = {
    NAME_FIELDS,
    MEMORY_FIELDS,
    KEPT(NULL, "oom_kill_count", INT, 0, oom_kill_count, "this kill's number in the container's life"),
    FIELD(NULL, "group_kill", BOOL, NULLABLE,
          "the kernel killed the whole cgroup (memory.oom.group); null on v1"),
    FIELD(NULL, "victim", OBJECT, NULLABLE, "the killed process; null when kmsg named none"),
    KEPT("victim", "pid", INT, NULLABLE, victim_pid, "its pid"),
    KEPT("victim", "name", STRING, 0, victim_name, "its command name"),
    KEPT("victim", "is_pid1", BOOL, 0, victim_is_pid1, "whether it was the container's pid 1"),
    FIELD("victim", "total_vm_kb", INT, NULLABLE, "its virtual memory"),
    KEPT("victim", "anon_rss_kb", INT, NULLABLE, victim_anon_rss_kb, "its anonymous resident memory"),
    FIELD("victim", "file_rss_kb", INT, NULLABLE, "its file-backed resident memory"),
    FIELD("victim", "shmem_rss_kb", INT, NULLABLE, "its shared resident memory"),
    FIELD("victim", "oom_score_adj", INT, 0, "its oom_score_adj"),
    FIELD("victim", "kernel_time_us", INT, 0, "kmsg's timestamp, microseconds since boot"),
    FIELD(NULL, "victim_unknown_reason", STRING, NULLABLE,
          "why victim is null (kmsg not readable, or it named no process); null when named"),
    FIELD(NULL, "processes", ARRAY, 0, "up to 16 processes in the cgroup at the wake, largest first"),
    FIELD("processes", "pid", INT, 0, "the process's pid"),
    FIELD("processes", "name", STRING, 0, "its command name"),
    FIELD("processes", "rss_kb", INT, 0, "its resident memory"),
    FIELD("processes", "command", STRING, NULLABLE, "its command line, cut at 127 bytes"),
};

static const ng_event_field memory_pressure_fields[] = {
    NAME_FIELDS,
    MEMORY_FIELDS,
    FIELD(NULL, "threshold_percent", INT, 0, "memory_pressure_percent of the limit"),
    FIELD(NULL, "trigger", STRING, 0, "usage_threshold (v1), memory.events max or memory.events high (v2)"),
};

static const ng_event_field container_exit_fields[] = {
    NAME_FIELDS,
    KEPT(NULL, "lifetime_ms", INT, NULLABLE, lifetime_ms, "from createRuntime to pid 1's exit (or poststop)"),
    KEPT(NULL, "oom_kills", INT, 0, oom_kills, "OOM kills recorded in this life"),
    KEPT(NULL, "peak_bytes", INT, NULLABLE, peak_bytes, "the cgroup's peak usage"),
    KEPT(NULL, "memory_limit_bytes", INT, NULLABLE, memory_limit_bytes, "the container's memory limit"),
    KEPT(NULL, "heap_mib", INT, NULLABLE, heap_mib, "the heap flag in effect for node, MiB"),
    FIELD(NULL, "node_options", STRING, NULLABLE, "NODE_OPTIONS as the container got it"),
    KEPT(NULL, "heap_flag", STRING, NULLABLE, heap_flag, "the heap flag in effect and where it was"),
    FIELD(NULL, "exit", OBJECT, 0, "how pid 1 ended"),
    KEPT("exit", "classification", STRING, 0, exit_classification,
         "oom_kill, v8_heap_oom, signal, exit or unknown"),
    FIELD("exit", "certain", BOOL, 0, "whether the classification is certain"),
    KEPT("exit", "code", INT, NULLABLE, exit_code, "the exit code, or null"),
    KEPT("exit", "signal", INT, NULLABLE, exit_signal, "the signal's number, or null"),
    KEPT("exit", "explanation", STRING, 0, exit_explanation, "the classification in words"),
    FIELD(NULL, "watcher_note", STRING, NULLABLE, "what the watcher could not do"),
};

static const ng_event_field error_fields[] = {
    KEPT(NULL, "message", STRING, 0, message, "what failed and why"),
    KEPT(NULL, "action", STRING, 0, action,
         "passed_through, refused, not_watched, not_recorded, not_sandboxed or armed_late"),
    FIELD(NULL, "policy_warnings", ARRAY, 0, "problems in the policy file"),
};

/* --- the DETAIL column of `nodeguard log` --- */

static void render_decision(const ng_log_entry *e, char *out, size_t size)
{
    char heap[32];
    bool changed =
        e->heap_mib_before >= 0 && e->heap_mib_after >= 0 && e->heap_mib_before != e->heap_mib_after;
    if (changed)
        snprintf(heap, sizeof(heap), "%lld -> %lld MiB", (long long)e->heap_mib_before,
                 (long long)e->heap_mib_after);
    else if (e->heap_mib_after >= 0)
        snprintf(heap, sizeof(heap), "%lld MiB", (long long)e->heap_mib_after);
    else
        snprintf(heap, sizeof(heap), "none");
    snprintf(out, size, "%s: heap %s (%s, mode %s, %s)", e->action ? e->action : "?", heap,
             e->verdict ? e->verdict : "-", e->mode ? e->mode : "-", e->stage ? e->stage : "-");
}

static void render_oom_kill(const ng_log_entry *e, char *out, size_t size)
{
    char rss[32], limit[32];
    ng_format_bytes(e->victim_anon_rss_kb >= 0 ? e->victim_anon_rss_kb * 1024 : -1, rss, sizeof(rss));
    ng_format_bytes(e->memory_limit_bytes, limit, sizeof(limit));
    snprintf(out, size, "killed %s (pid %lld%s), anon-rss %s, limit %s%s%s",
             e->victim_name ? e->victim_name : "?", (long long)e->victim_pid,
             e->victim_is_pid1 ? ", pid 1" : "", rss, limit, e->heap_flag ? ", " : "",
             e->heap_flag ? e->heap_flag : "");
}

static void render_memory_pressure(const ng_log_entry *e, char *out, size_t size)
{
    char usage[32], limit[32];
    ng_format_bytes(e->usage_bytes, usage, sizeof(usage));
    ng_format_bytes(e->memory_limit_bytes, limit, sizeof(limit));
    snprintf(out, size, "usage %s of %s", usage, limit);
}

static void render_container_exit(const ng_log_entry *e, char *out, size_t size)
{
    char peak[32], limit[32];
    ng_format_bytes(e->peak_bytes, peak, sizeof(peak));
    ng_format_bytes(e->memory_limit_bytes, limit, sizeof(limit));
    snprintf(out, size, "%s after %.1f s, %lld OOM kill(s), peak %s of %s: %s",
             e->exit_classification ? e->exit_classification : "?", (double)e->lifetime_ms / 1000,
             (long long)e->oom_kills, peak, limit, e->exit_explanation ? e->exit_explanation : "");
}

/* Errors, and events this table does not know: what the record says in words. */
static void render_message(const ng_log_entry *e, char *out, size_t size)
{
    snprintf(out, size, "%s", e->message ? e->message : e->reason ? e->reason : "");
}

/* --- the table --- */

static const char *const hook_stages[] = {"precreate", "createRuntime", "prestart", "runtime", "exec", NULL};
/* The watcher's only error record is armed_late: createRuntime's not_watched turned out wrong. */
static const char *const failing_stages[] = {"precreate", "createRuntime", "prestart", "poststop",
                                             "runtime",   "exec",          "watcher",  NULL};
static const char *const watcher_stage[] = {"watcher", NULL};
static const char *const poststop_stage[] = {"poststop", NULL};

#define EVENT(type_, name_, stages_, fields_, render_)                                                       \
    [type_] = {.type = type_,                                                                                \
               .name = name_,                                                                                \
               .stages = stages_,                                                                            \
               .fields = fields_,                                                                            \
               .n_fields = sizeof(fields_) / sizeof(fields_[0]),                                             \
               .render = render_}

static const ng_event_info events[NG_EVENT_COUNT] = {
    EVENT(NG_EVENT_DECISION, "decision", hook_stages, decision_fields, render_decision),
    EVENT(NG_EVENT_OOM_KILL, "oom_kill", watcher_stage, oom_kill_fields, render_oom_kill),
    EVENT(NG_EVENT_MEMORY_PRESSURE, "memory_pressure", watcher_stage, memory_pressure_fields,
          render_memory_pressure),
    EVENT(NG_EVENT_CONTAINER_EXIT, "container_exit", poststop_stage, container_exit_fields,
          render_container_exit),
    EVENT(NG_EVENT_ERROR, "error", failing_stages, error_fields, render_message),
};

const ng_event_info *ng_event_get(ng_event type)
{
    return type >= 0 && type < NG_EVENT_COUNT ? &events[type] : NULL;
}

const char *ng_event_name(ng_event type)
{
    const ng_event_info *info = ng_event_get(type);
    return info ? info->name : NULL;
}

ng_event ng_event_from_name(const char *name)
{
    for (int i = 0; name && i < NG_EVENT_COUNT; i++)
        if (strcmp(events[i].name, name) == 0)
            return (ng_event)i;
    return NG_EVENT_UNKNOWN;
}

const ng_event_field *ng_event_common_fields(size_t *ret_n)
{
    *ret_n = sizeof(common_fields) / sizeof(common_fields[0]);
    return common_fields;
}

static const ng_event_field *find_in(const ng_event_field *fields, size_t n, const char *parent,
                                     const char *name)
{
    for (size_t i = 0; i < n; i++) {
        bool same_parent =
            parent ? fields[i].parent && strcmp(fields[i].parent, parent) == 0 : !fields[i].parent;
        if (same_parent && strcmp(fields[i].name, name) == 0)
            return &fields[i];
    }
    return NULL;
}

const ng_event_field *ng_event_field_find(ng_event type, const char *parent, const char *name)
{
    const ng_event_info *info = ng_event_get(type);
    const ng_event_field *f =
        find_in(common_fields, sizeof(common_fields) / sizeof(common_fields[0]), parent, name);
    return f || !info ? f : find_in(info->fields, info->n_fields, parent, name);
}

void ng_event_names_joined(const char *sep, char *out, size_t size)
{
    size_t used = 0;
    if (size)
        out[0] = '\0';
    for (int i = 0; i < NG_EVENT_COUNT && used < size; i++) {
        int n = snprintf(out + used, size - used, "%s%s", i ? sep : "", events[i].name);
        used += n > 0 ? (size_t)n : 0;
    }
}

void ng_event_render(const ng_log_entry *e, char *out, size_t size)
{
    const ng_event_info *info = ng_event_get(e->type);
    (info ? info->render : render_message)(e, out, size);
}
