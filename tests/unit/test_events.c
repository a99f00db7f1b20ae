/* The event registry (src/core/events.c): well formed, read back by the log reader field by field,
 * rendered as `nodeguard log` always did, and matching what the real writers write: every key they
 * write is a registry field of the right JSON type, and every field the registry does not call
 * optional is written. (tests/repo/run holds docs/log-schema.md against the same table.) */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers.h"
#include "spec_builder.h"
#include "nodeguard/auditlog.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/events.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/json.h"
#include "nodeguard/logreader.h"
#include "nodeguard/stagekit.h"
#include "nodeguard/stages.h"
#include "nodeguard/util.h"
#include "nodeguard/watcher.h"

static void test_names_both_ways(void **state)
{
    (void)state;
    for (int ev = 0; ev < NG_EVENT_COUNT; ev++) {
        const char *name = ng_event_name((ng_event)ev);
        assert_non_null(name);
        assert_int_equal(ng_event_from_name(name), ev);
        assert_ptr_equal(ng_event_get((ng_event)ev)->name, name);
    }
    assert_string_equal(ng_event_name(NG_EVENT_OOM_KILL), "oom_kill");
    assert_int_equal(ng_event_from_name("container_exit"), NG_EVENT_CONTAINER_EXIT);
    assert_int_equal(ng_event_from_name("oom"), NG_EVENT_UNKNOWN);
    assert_int_equal(ng_event_from_name(""), NG_EVENT_UNKNOWN);
    assert_int_equal(ng_event_from_name(NULL), NG_EVENT_UNKNOWN);
    assert_null(ng_event_name(NG_EVENT_UNKNOWN));
    assert_null(ng_event_name(NG_EVENT_COUNT));
    assert_null(ng_event_get((ng_event)-2));

    char list[256];
    ng_event_names_joined(", ", list, sizeof(list));
    assert_string_equal(list, "decision, oom_kill, memory_pressure, container_exit, error");
    ng_event_names_joined(",", list, 12);
    assert_string_equal(list, "decision,oo"); /* cut to fit, terminated */
}

static void check_field_shape(ng_event ev, const ng_event_field *f)
{
    const char *event = ev == NG_EVENT_UNKNOWN ? "(every record)" : ng_event_name(ev);
    if (!f->name[0] || !f->description || !f->description[0])
        fail_msg("%s: field %s has no name or no description", event, f->name);
    if (f->parent) {
        const ng_event_field *parent = ng_event_field_find(ev, NULL, f->parent);
        if (!parent || (parent->type != NG_FIELD_OBJECT && parent->type != NG_FIELD_ARRAY))
            fail_msg("%s: %s.%s: its parent is no object or array field of the event", event, f->parent,
                     f->name);
    }
    if ((f->flags & NG_FIELD_KEPT) && f->type != NG_FIELD_STRING && f->type != NG_FIELD_INT &&
        f->type != NG_FIELD_BOOL)
        fail_msg("%s: %s is kept by the reader but is no string, integer or bool", event, f->name);
    if (ev != NG_EVENT_UNKNOWN && ng_event_field_find(ev, f->parent, f->name) != f)
        fail_msg("%s: %s is listed twice (or also among the fields of every record)", event, f->name);
}

/* A field the reader keeps must be kept in the same member in every event that has it. */
static void check_kept_agrees(const ng_event_field *f)
{
    if (!(f->flags & NG_FIELD_KEPT))
        return;
    for (int other = 0; other < NG_EVENT_COUNT; other++) {
        const ng_event_field *g = ng_event_field_find((ng_event)other, f->parent, f->name);
        if (g && (g->flags & NG_FIELD_KEPT) && (g->entry_offset != f->entry_offset || g->type != f->type))
            fail_msg("%s is kept in two members (or with two types) by %s and another event", f->name,
                     ng_event_name((ng_event)other));
    }
}

static void test_table_is_well_formed(void **state)
{
    (void)state;
    size_t n;
    const ng_event_field *common = ng_event_common_fields(&n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        check_field_shape(NG_EVENT_UNKNOWN, &common[i]);
        assert_null(common[i].parent);
    }
    for (int ev = 0; ev < NG_EVENT_COUNT; ev++) {
        const ng_event_info *info = ng_event_get((ng_event)ev);
        assert_int_equal(info->type, ev);
        assert_non_null(info->render);
        assert_non_null(info->stages);
        assert_non_null(info->stages[0]);
        assert_true(info->n_fields > 0);
        for (size_t i = 0; i < info->n_fields; i++) {
            check_field_shape((ng_event)ev, &info->fields[i]);
            check_kept_agrees(&info->fields[i]);
        }
    }
}

/* Every field the registry marks kept, alone in a record of each event that has it, lands in its
 * ng_log_entry member. */
static void check_kept(ng_event ev, const ng_event_field *f)
{
    if (!(f->flags & NG_FIELD_KEPT) ||
        (!f->parent && (!strcmp(f->name, "time") || !strcmp(f->name, "event"))))
        return;
    const char *value = f->type == NG_FIELD_STRING ? "\"kept\"" : f->type == NG_FIELD_INT ? "4242" : "true";
    char line[512], member[256];
    if (f->parent)
        snprintf(member, sizeof(member), "\"%s\":{\"%s\":%s}", f->parent, f->name, value);
    else
        snprintf(member, sizeof(member), "\"%s\":%s", f->name, value);
    snprintf(line, sizeof(line), "{\"time\":\"2026-11-26T23:17:10.208Z\",\"event\":\"%s\",%s}",
             ng_event_name(ev), member);
    static ng_log_entry e;
    assert_int_equal(ng_log_entry_parse(line, strlen(line), &e), 0);
    assert_int_equal(e.type, ev);
    const char *at = (const char *)&e + f->entry_offset;
    if (f->type == NG_FIELD_STRING) {
        const char *s = *(const char *const *)at;
        if (!s || strcmp(s, "kept") != 0)
            fail_msg("%s: %s not read into its member", line, f->name);
    } else if (f->type == NG_FIELD_INT) {
        if (*(const int64_t *)at != 4242)
            fail_msg("%s: %s not read into its member", line, f->name);
    } else if (!*(const bool *)at) {
        fail_msg("%s: %s not read into its member", line, f->name);
    }
}

static void test_reader_keeps_the_kept_fields(void **state)
{
    (void)state;
    size_t n;
    const ng_event_field *common = ng_event_common_fields(&n);
    for (int ev = 0; ev < NG_EVENT_COUNT; ev++) {
        const ng_event_info *info = ng_event_get((ng_event)ev);
        for (size_t i = 0; i < n; i++)
            check_kept((ng_event)ev, &common[i]);
        for (size_t i = 0; i < info->n_fields; i++)
            check_kept((ng_event)ev, &info->fields[i]);
    }
    static ng_log_entry e;
    const char *line = "{\"time\":\"2026-11-26T23:17:10Z\",\"event\":\"not_ours\",\"reason\":\"r\"}";
    assert_int_equal(ng_log_entry_parse(line, strlen(line), &e), 0);
    assert_int_equal(e.type, NG_EVENT_UNKNOWN);
    assert_string_equal(e.event, "not_ours");
}

static void expect_rendered(const char *line, const char *want)
{
    static ng_log_entry e;
    char got[1024];
    assert_int_equal(ng_log_entry_parse(line, strlen(line), &e), 0);
    ng_event_render(&e, got, sizeof(got));
    assert_string_equal(got, want);
}

#define T "{\"time\":\"2026-11-26T23:17:10.208Z\","
static void test_render(void **state)
{
    (void)state;
    expect_rendered(
        T "\"event\":\"decision\",\"stage\":\"precreate\",\"mode\":\"fix\",\"verdict\":\"does_not_fit\","
          "\"action\":\"lowered\",\"heap_mib_before\":2048,\"heap_mib_after\":390}",
        "lowered: heap 2048 -> 390 MiB (does_not_fit, mode fix, precreate)");
    expect_rendered(
        T "\"event\":\"decision\",\"stage\":\"createRuntime\",\"action\":\"none\",\"heap_mib_after\":390}",
        "none: heap 390 MiB (-, mode -, createRuntime)");
    expect_rendered(T "\"event\":\"decision\"}", "?: heap none (-, mode -, -)");
    expect_rendered(
        T "\"event\":\"oom_kill\",\"memory_limit_bytes\":536870912,\"heap_flag\":\"--max-old-space-size=390 "
          "(NODE_OPTIONS)\",\"victim\":{\"pid\":1,\"name\":\"node\",\"is_pid1\":true,\"anon_rss_kb\":"
          "524288}}",
        "killed node (pid 1, pid 1), anon-rss 512 MiB, limit 512 MiB, --max-old-space-size=390 "
        "(NODE_OPTIONS)");
    expect_rendered(T "\"event\":\"oom_kill\",\"victim\":null}", "killed ? (pid -1), anon-rss -, limit -");
    expect_rendered(
        T "\"event\":\"memory_pressure\",\"usage_bytes\":471859200,\"memory_limit_bytes\":536870912}",
        "usage 450 MiB of 512 MiB");
    expect_rendered(
        T "\"event\":\"container_exit\",\"lifetime_ms\":12345,\"oom_kills\":1,\"peak_bytes\":536870912,"
          "\"memory_limit_bytes\":1610612736,\"exit\":{\"classification\":\"oom_kill\",\"explanation\":"
          "\"why\"}}",
        "oom_kill after 12.3 s, 1 OOM kill(s), peak 512 MiB of 1.5 GiB: why");
    expect_rendered(T "\"event\":\"error\",\"message\":\"reading the config: bad\"}",
                    "reading the config: bad");
    expect_rendered(T "\"event\":\"from_a_newer_writer\",\"reason\":\"r\"}", "r");
    expect_rendered(T "\"event\":\"error\"}", "");
}
#undef T

/* --- the writers against the registry --- */

static bool type_matches(yajl_val v, const ng_event_field *f)
{
    if (YAJL_IS_NULL(v))
        return f->flags & NG_FIELD_NULLABLE;
    switch (f->type) {
    case NG_FIELD_STRING:
        return YAJL_IS_STRING(v);
    case NG_FIELD_INT:
        return YAJL_IS_INTEGER(v);
    case NG_FIELD_BOOL:
        return YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v);
    case NG_FIELD_OBJECT:
        return YAJL_IS_OBJECT(v);
    case NG_FIELD_ARRAY:
        return YAJL_IS_ARRAY(v);
    }
    return false;
}

static bool listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

static void check_members(ng_event ev, const char *parent, yajl_val obj, const char *const *may_be_absent);

static void check_required(ng_event ev, const char *parent, yajl_val obj, const ng_event_field *fields,
                           size_t n, const char *const *may_be_absent)
{
    for (size_t i = 0; i < n; i++) {
        const ng_event_field *f = &fields[i];
        bool same_parent = parent ? f->parent && strcmp(f->parent, parent) == 0 : !f->parent;
        if (!same_parent || ng_json_member(obj, f->name))
            continue;
        if (!(f->flags & NG_FIELD_OPTIONAL) || !listed(may_be_absent, f->name))
            fail_msg("%s: %s%s%s is in the registry but was not written", ng_event_name(ev),
                     parent ? parent : "", parent ? "." : "", f->name);
    }
}

/* Every member of obj is a registry field of ev (under parent) of its type; every field there is
 * written, but for optional ones named in may_be_absent. */
static void check_members(ng_event ev, const char *parent, yajl_val obj, const char *const *may_be_absent)
{
    assert_true(YAJL_IS_OBJECT(obj));
    for (size_t i = 0; i < obj->u.object.len; i++) {
        const char *key = obj->u.object.keys[i];
        yajl_val v = obj->u.object.values[i];
        const ng_event_field *f = ng_event_field_find(ev, parent, key);
        if (!f)
            fail_msg("%s: %s%s%s is written but not in the registry", ng_event_name(ev), parent ? parent : "",
                     parent ? "." : "", key);
        if (!type_matches(v, f))
            fail_msg("%s: %s is written as %s, not as the registry says", ng_event_name(ev), key,
                     ng_json_type_name(v));
        if (f->type == NG_FIELD_OBJECT && YAJL_IS_OBJECT(v))
            check_members(ev, key, v, may_be_absent);
        for (size_t j = 0; f->type == NG_FIELD_ARRAY && YAJL_IS_ARRAY(v) && j < v->u.array.len; j++)
            if (YAJL_IS_OBJECT(v->u.array.values[j]))
                check_members(ev, key, v->u.array.values[j], may_be_absent);
    }
    size_t n;
    const ng_event_field *common = ng_event_common_fields(&n);
    if (!parent)
        check_required(ev, parent, obj, common, n, may_be_absent);
    const ng_event_info *info = ng_event_get(ev);
    check_required(ev, parent, obj, info->fields, info->n_fields, may_be_absent);
}

static void check_record(ng_event ev, const char *line, size_t len, const char *const *may_be_absent)
{
    cleanup_free char *copy = strndup(line, len);
    cleanup_yajl_val yajl_val v = NULL;
    cleanup_error ng_error *err = NULL;
    if (ng_json_parse(copy, len, 64, &v, &err) < 0)
        fail_msg("%.*s: %s", (int)len, line, ng_error_msg(err));
    const char *event = NULL;
    assert_int_equal(ng_json_get_string(v, "event", &event, NULL), 1);
    assert_string_equal(event, ng_event_name(ev));
    check_members(ev, NULL, v, may_be_absent);
}

/* A record begun by ng_record_begin and filled by a writer's field generator, as text. */
static char *finish(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    assert_int_equal(yajl_gen_map_close(g), yajl_gen_status_ok);
    assert_int_equal(yajl_gen_get_buf(g, &buf, &len), yajl_gen_status_ok);
    char *text = strndup((const char *)buf, len);
    assert_non_null(text);
    yajl_gen_free(g);
    return text;
}

typedef struct log_fixture {
    char dir[32], path[64];
    ng_policy policy;
} log_fixture;

static int log_setup(void **state)
{
    log_fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/ng-events-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/events.jsonl", f->dir);
    ng_policy_defaults(&f->policy);
    free(f->policy.log_path);
    f->policy.log_path = strdup(f->path);
    *state = f;
    return 0;
}

static int log_teardown(void **state)
{
    log_fixture *f = *state;
    char lock[80];
    snprintf(lock, sizeof(lock), "%s.lock", f->path);
    unlink(f->path);
    unlink(lock);
    rmdir(f->dir);
    ng_policy_free(&f->policy);
    free(f);
    return 0;
}

/* The n records the stage kit wrote to the fixture's log, each checked as a record of events[i]. */
static void check_log(log_fixture *f, const ng_event *events, const char *const *const *may_be_absent,
                      size_t n)
{
    cleanup_free char *text = NULL;
    size_t len = 0;
    assert_int_equal(ng_read_file_bounded(f->path, 1 << 20, &text, &len, NULL), 0);
    const char *line = text;
    for (size_t i = 0; i < n; i++) {
        const char *nl = memchr(line, '\n', len - (size_t)(line - text));
        assert_non_null(nl);
        check_record(events[i], line, (size_t)(nl - line), may_be_absent[i]);
        line = nl + 1;
    }
    assert_int_equal(line - text, (ptrdiff_t)len); /* nothing else written */
}

static void record_decision(stage_ctx *c, const ng_policy *pol, const char *args, const char *env,
                            const char *ann, long long mib)
{
    ng_spec spec = build_spec(args, env, ann, mib);
    assert_non_null(spec.root);
    ng_decision d;
    ng_decide(pol, &spec, true, &d);
    ng_stage_record_decision(c, &d, &spec);
    ng_decision_free(&d);
    ng_spec_free(&spec);
}

static void test_decision_and_error_records(void **state)
{
    log_fixture *f = *state;
    stage_ctx c = STAGE_CTX_INIT(&f->policy, "precreate");
    /* Guarded: everything but oom_recording (rootless only) is written. */
    record_decision(&c, &f->policy, "[\"node\",\"server.js\"]",
                    "[\"NODE_OPTIONS=--max-old-space-size=2048\"]", NULL, 512);
    record_decision(&c, &f->policy, "[\"node\",\"server.js\"]", "[\"PATH=/bin\"]", NULL, 0);
    /* Not guarded: the record stops after memory_limit_bytes and the policy's fields. */
    record_decision(&c, &f->policy, "[\"node\",\"server.js\"]", "[]", "{\"io.nodeguard.enable\":\"false\"}",
                    512);
    ng_error *e = NULL;
    ng_error_set(&e, EINVAL, "planted");
    ng_stage_record_error_as(&c, "ctr", "reading the config", e, "container passed through unchanged",
                             "passed_through");
    ng_stage_record_error(&c, NULL, "reading the config", e);
    ng_error_free(e);
    ng_stage_close(&c);

    /* shares_limit: stage exec only (tests/runtime checks nodeguard-runtime exec's records) */
    static const char *const guarded[] = {"oom_recording", "shares_limit", NULL};
    static const char *const not_guarded[] = {"oom_recording",
                                              "shares_limit",
                                              "processes",
                                              "processes_reason",
                                              "heap_mib_before",
                                              "heap_source",
                                              "heap_mib_after",
                                              "heap_mib_fits",
                                              "node_default_heap_mib",
                                              "node_options_before",
                                              "node_options_after",
                                              "command_line_arg_after",
                                              "package_script",
                                              "connection_limit",
                                              "plan",
                                              "warnings",
                                              NULL};
    const ng_event events[] = {NG_EVENT_DECISION, NG_EVENT_DECISION, NG_EVENT_DECISION, NG_EVENT_ERROR,
                               NG_EVENT_ERROR};
    const char *const *absent[] = {guarded, guarded, not_guarded, NULL, NULL};
    check_log(f, events, absent, 5);
}

static ng_container_state test_container(void)
{
    ng_container_state cs = {.pid = 4242,
                             .memory_limit_bytes = 512 * NG_MIB,
                             .heap_mib = 390,
                             .created_ms = ng_now_ms() - 5000,
                             .pressure_percent = 90,
                             .pressure_interval_s = 60};
    snprintf(cs.id, sizeof(cs.id), "%064d", 7);
    snprintf(cs.node_options, sizeof(cs.node_options), "--max-old-space-size=390");
    snprintf(cs.heap_flag, sizeof(cs.heap_flag), "--max-old-space-size=390 (NODE_OPTIONS)");
    snprintf(cs.pod, sizeof(cs.pod), "web-0");
    snprintf(cs.namespace_, sizeof(cs.namespace_), "shop");
    snprintf(cs.container_name, sizeof(cs.container_name), "web");
    snprintf(cs.image, sizeof(cs.image), "node:20");
    return cs;
}

static void test_watcher_records(void **state)
{
    (void)state;
    ng_container_state cs = test_container();
    ng_watcher_state ws = {.peak_bytes = 400 * NG_MIB, .usage_bytes = -1};
    ng_memory_counters c = {.usage_bytes = 500 * NG_MIB,
                            .peak_bytes = 511 * NG_MIB,
                            .limit_bytes = 512 * NG_MIB,
                            .oom_events = 1,
                            .oom_kills = 1,
                            .high_events = -1,
                            .max_events = 3};
    ng_kmsg_oom victim = {.kind = NG_KMSG_KILLED_PROCESS,
                          .ts_us = 123456789,
                          .pid = 4242,
                          .total_vm_kb = 900000,
                          .anon_rss_kb = 500000,
                          .file_rss_kb = 1000,
                          .shmem_rss_kb = 0,
                          .oom_score_adj = 0,
                          .usage_kb = 524288,
                          .limit_kb = 524288};
    snprintf(victim.task, sizeof(victim.task), "node");
    ng_proc_rss procs[2] = {{.pid = 4242, .name = "node", .rss_kb = 500000},
                            {.pid = 4300, .name = "sh", .rss_kb = 900}};

    yajl_gen g = ng_record_begin(NG_EVENT_OOM_KILL, "watcher", NULL);
    assert_non_null(g);
    assert_int_equal(ng_watcher_gen_oom_kill(g, &cs, &ws, &victim, &c, procs, 2, NULL), 0);
    cleanup_free char *kill = finish(g);
    check_record(NG_EVENT_OOM_KILL, kill, strlen(kill), NULL);
    /* usage_bytes is the kernel's usage at the kill (512 MiB), not the counter read after it (500). */
    assert_non_null(strstr(kill, "\"usage_bytes\":536870912"));

    /* A victim whose report printed no usage line: null, never the later counter read. */
    ng_kmsg_oom no_usage = victim;
    no_usage.usage_kb = no_usage.limit_kb = -1;
    g = ng_record_begin(NG_EVENT_OOM_KILL, "watcher", NULL);
    assert_int_equal(ng_watcher_gen_oom_kill(g, &cs, &ws, &no_usage, &c, procs, 2, NULL), 0);
    cleanup_free char *kill_unknown = finish(g);
    check_record(NG_EVENT_OOM_KILL, kill_unknown, strlen(kill_unknown), NULL);
    assert_non_null(strstr(kill_unknown, "\"usage_bytes\":null"));
    /* group_kill: false before any memory.oom.group kill, true after one, null where unknown (v1). */
    assert_non_null(strstr(kill_unknown, "\"group_kill\":false"));

    /* No victim named, nothing in the cgroup any more, no counters: nulls where the registry allows. */
    ng_memory_counters none = {-1, -1, -1, -1, -1, -1, -1, -1};
    ng_container_state bare = {.pid = 1, .memory_limit_bytes = 0, .heap_mib = -1};
    ng_watcher_state ws_none = {.peak_bytes = -1, .usage_bytes = -1, .group_kills = -1};
    g = ng_record_begin(NG_EVENT_OOM_KILL, "watcher", NULL);
    assert_int_equal(ng_watcher_gen_oom_kill(g, &bare, &ws_none, NULL, &none, NULL, 0, NULL), 0);
    cleanup_free char *unnamed = finish(g);
    check_record(NG_EVENT_OOM_KILL, unnamed, strlen(unnamed), NULL);
    /* a null victim says why: kmsg unreadable (rootless), or kmsg read and naming none */
    assert_non_null(strstr(unnamed, "\"victim\":null,\"victim_unknown_reason\":\"kmsg not readable"));
    ng_watcher_state ws_kmsg = ws_none;
    ws_kmsg.kmsg_readable = true;
    g = ng_record_begin(NG_EVENT_OOM_KILL, "watcher", NULL);
    assert_int_equal(ng_watcher_gen_oom_kill(g, &bare, &ws_kmsg, NULL, &none, NULL, 0, NULL), 0);
    cleanup_free char *unnamed_kmsg = finish(g);
    check_record(NG_EVENT_OOM_KILL, unnamed_kmsg, strlen(unnamed_kmsg), NULL);
    assert_non_null(strstr(unnamed_kmsg, "\"victim_unknown_reason\":\"kmsg named no process"));
    /* named: no reason */
    assert_non_null(strstr(kill, "\"victim_unknown_reason\":null"));
    assert_non_null(strstr(unnamed, "\"group_kill\":null"));
    ws_none.group_kills = 1;
    g = ng_record_begin(NG_EVENT_OOM_KILL, "watcher", NULL);
    assert_int_equal(ng_watcher_gen_oom_kill(g, &bare, &ws_none, NULL, &none, NULL, 0, NULL), 0);
    cleanup_free char *grouped = finish(g);
    assert_non_null(strstr(grouped, "\"group_kill\":true"));

    g = ng_record_begin(NG_EVENT_MEMORY_PRESSURE, "watcher", NULL);
    assert_int_equal(ng_watcher_gen_memory_pressure(g, &cs, &ws, &c, "memory.events max", NULL), 0);
    cleanup_free char *pressure = finish(g);
    check_record(NG_EVENT_MEMORY_PRESSURE, pressure, strlen(pressure), NULL);

    /* A watcher armed after createRuntime stopped waiting: an error record of its own stage. */
    assert_non_null(ng_event_get(NG_EVENT_ERROR));
    bool watcher_writes_errors = false;
    for (const char *const *st = ng_event_get(NG_EVENT_ERROR)->stages; *st; st++)
        watcher_writes_errors |= strcmp(*st, "watcher") == 0;
    assert_true(watcher_writes_errors);
    g = ng_record_begin(NG_EVENT_ERROR, "watcher", NULL);
    assert_int_equal(ng_watcher_gen_armed_late(g, &cs, 3100, NULL), 0);
    cleanup_free char *late = finish(g);
    check_record(NG_EVENT_ERROR, late, strlen(late), NULL);
    assert_non_null(strstr(late, "\"action\":\"armed_late\""));
    assert_non_null(strstr(ng_event_field_find(NG_EVENT_ERROR, NULL, "action")->description, "armed_late"));
}

static void test_container_exit_records(void **state)
{
    (void)state;
    ng_container_state cs = test_container();
    /* pid 1 exited 137 after an OOM kill; then one whose exit the watcher never saw. */
    ng_watcher_state seen = {.oom_kills = 1,
                             .peak_bytes = 511 * NG_MIB,
                             .usage_bytes = -1,
                             .exit_known = true,
                             .exit_status = 137 << 8,
                             .exit_ms = ng_now_ms(),
                             .final = true};
    ng_watcher_state unseen = {.peak_bytes = -1, .usage_bytes = -1};
    snprintf(unseen.note, sizeof(unseen.note), "no kmsg");
    /* rootless: pid 1's end seen through a pidfd, its code from conmon's exit file */
    ng_watcher_state engine = {.oom_kills = 1,
                               .peak_bytes = -1,
                               .usage_bytes = -1,
                               .exit_ms = ng_now_ms(),
                               .exit_code_from_engine = true,
                               .engine_exit_code = 137,
                               .final = true};
    ng_watcher_state engine_ok = engine;
    engine_ok.oom_kills = 0;
    engine_ok.engine_exit_code = 0;
    const ng_watcher_state *cases[] = {&seen, &unseen, &engine, &engine_ok};
    static const char *const want[] = {
        "\"classification\":\"oom_kill\",\"certain\":true,\"code\":137,\"signal\":null",
        "\"classification\":\"unknown\",\"certain\":false,\"code\":null,\"signal\":null",
        "\"classification\":\"oom_kill\",\"certain\":false,\"code\":137,\"signal\":null",
        "\"classification\":\"exit\",\"certain\":true,\"code\":0,\"signal\":null",
    };
    for (size_t i = 0; i < 4; i++) {
        yajl_gen g = ng_record_begin(NG_EVENT_CONTAINER_EXIT, "poststop", NULL);
        assert_non_null(g);
        assert_int_equal(ng_container_exit_gen_fields(g, &cs, cases[i], NULL), 0);
        cleanup_free char *text = finish(g);
        check_record(NG_EVENT_CONTAINER_EXIT, text, strlen(text), NULL);
        assert_non_null(strstr(text, want[i]));
    }
}

/* A pid 1 that a signal ended: the explanation names the signal as kill(1) does, and a signal with
 * no such name (a real-time one) by its number alone. */
static void test_container_exit_names_the_signal(void **state)
{
    (void)state;
    ng_container_state cs = test_container();
    const struct {
        int signal;
        const char *want;
    } cases[] = {
        {SIGKILL, "\"explanation\":\"pid 1 was killed by signal 9 (SIGKILL)\""},
        {SIGTERM, "\"explanation\":\"pid 1 was killed by signal 15 (SIGTERM)\""},
        {SIGRTMIN + 6, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ng_watcher_state ws = {.peak_bytes = -1,
                               .usage_bytes = -1,
                               .exit_known = true,
                               .exit_status = cases[i].signal,
                               .exit_ms = ng_now_ms(),
                               .final = true};
        yajl_gen g = ng_record_begin(NG_EVENT_CONTAINER_EXIT, "poststop", NULL);
        assert_non_null(g);
        assert_int_equal(ng_container_exit_gen_fields(g, &cs, &ws, NULL), 0);
        cleanup_free char *text = finish(g);
        check_record(NG_EVENT_CONTAINER_EXIT, text, strlen(text), NULL);
        assert_non_null(strstr(text, "\"classification\":\"signal\""));
        char want[128];
        if (cases[i].want)
            snprintf(want, sizeof(want), "%s", cases[i].want);
        else
            snprintf(want, sizeof(want), "\"explanation\":\"pid 1 was killed by signal %d\"",
                     cases[i].signal);
        assert_non_null(strstr(text, want));
    }
    /* Rootless: a code from the engine's exit file, where 128+N also reads as signal N. */
    ng_watcher_state engine = {.peak_bytes = -1,
                               .usage_bytes = -1,
                               .exit_ms = ng_now_ms(),
                               .exit_code_from_engine = true,
                               .engine_exit_code = 128 + SIGTERM,
                               .final = true};
    yajl_gen g = ng_record_begin(NG_EVENT_CONTAINER_EXIT, "poststop", NULL);
    assert_non_null(g);
    assert_int_equal(ng_container_exit_gen_fields(g, &cs, &engine, NULL), 0);
    cleanup_free char *text = finish(g);
    assert_non_null(strstr(text, "\"explanation\":\"pid 1 ended with 143 (the engine's exit file: signal 15 "
                                 "(SIGTERM), or that exit code)\""));
}

static void test_record_begin_refuses_unknown_events(void **state)
{
    (void)state;
    cleanup_error ng_error *err = NULL;
    assert_null(ng_record_begin(NG_EVENT_UNKNOWN, "watcher", &err));
    assert_non_null(err);
    assert_null(ng_record_begin(NG_EVENT_COUNT, "watcher", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_both_ways),
        cmocka_unit_test(test_table_is_well_formed),
        cmocka_unit_test(test_reader_keeps_the_kept_fields),
        cmocka_unit_test(test_render),
        cmocka_unit_test_setup_teardown(test_decision_and_error_records, log_setup, log_teardown),
        cmocka_unit_test(test_watcher_records),
        cmocka_unit_test(test_container_exit_records),
        cmocka_unit_test(test_container_exit_names_the_signal),
        cmocka_unit_test(test_record_begin_refuses_unknown_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
