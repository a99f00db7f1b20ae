#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "helpers.h"
#include "spec_builder.h"
#include "nodeguard/policy.h"
#include "nodeguard/policyfile.h"

static bool has_warning(const ng_warnings *w, const char *needle)
{
    for (size_t i = 0; i < w->n; i++)
        if (strstr(w->items[i], needle))
            return true;
    return false;
}

static void test_defaults(void **state)
{
    (void)state;
    ng_policy p;
    ng_policy_defaults(&p);
    assert_int_equal(p.mode, NG_MODE_FIX);
    assert_false(p.on_error_deny);
    assert_true(p.conn_enabled);
    assert_int_equal(p.conn_database_url, NG_DBURL_OFF);
    assert_string_equal(p.conn_env[0], "DB_CONNECTION_LIMIT");
    assert_int_equal(p.sizing.reserve_percent, 5);
    ng_policy_free(&p);
}

static void test_parse_with_comments_and_warnings(void **state)
{
    (void)state;
    const char *js =
        "/* operator's policy */\n{\n"
        "  \"mode\": \"enforce\", // refuse what does not fit\n"
        "  \"on_error\": \"deny\",\n"
        "  \"log_path\": \"/tmp/x.jsonl\",\n"
        "  \"sizing\": {\"reserve_percent\": 5, \"base_overhead_mib\": \"lots\", \"typo\": 1},\n"
        "  \"connection_limit\": {\"env\": [\"PG_POOL_MAX\", \"MYSQL_LIMIT\"], \"database_url\": true,"
        "                         \"min\": 3, \"max\": 9999999},\n"
        "  \"colour\": \"blue\"\n}";
    ng_policy p;
    ng_policy_defaults(&p);
    assert_int_equal(ng_policy_parse(&p, js, strlen(js), NULL), 0);
    assert_int_equal(p.mode, NG_MODE_ENFORCE);
    assert_true(p.on_error_deny);
    assert_string_equal(p.log_path, "/tmp/x.jsonl");
    assert_int_equal(p.sizing.reserve_percent, 5);
    assert_int_equal(p.sizing.base_overhead_mib, 15); /* bad value: default kept */
    assert_int_equal(p.n_conn_env, 2);
    assert_string_equal(p.conn_env[1], "MYSQL_LIMIT");
    assert_int_equal(p.conn_database_url, NG_DBURL_AUTO); /* true, from before the modes */
    assert_int_equal(p.conn.min, 3);
    assert_int_equal(p.conn.max, 50);
    assert_true(has_warning(&p.warnings, "sizing.base_overhead_mib must be an integer"));
    assert_true(has_warning(&p.warnings, "unknown key \"sizing.typo\""));
    assert_true(has_warning(&p.warnings, "unknown key \"colour\""));
    assert_true(has_warning(&p.warnings, "connection_limit.max must be an integer from 1 to 100000"));
    ng_policy_free(&p);
}

static void test_bad_values(void **state)
{
    (void)state;
    const char *js = "{\"mode\":\"strict\",\"on_error\":true,\"log_path\":\"relative.log\","
                     "\"connection_limit\":{\"env\":[\"1BAD\"],\"enabled\":\"yes\"},\"sizing\":[]}";
    ng_policy p;
    ng_policy_defaults(&p);
    assert_int_equal(ng_policy_parse(&p, js, strlen(js), NULL), 0);
    assert_int_equal(p.mode, NG_MODE_FIX);
    assert_false(p.on_error_deny);
    assert_string_equal(p.conn_env[0], "DB_CONNECTION_LIMIT");
    assert_true(p.conn_enabled);
    assert_int_equal(p.warnings.n, 6);
    ng_policy_free(&p);
}

static void test_database_url_modes(void **state)
{
    (void)state;
    const char *modes[] = {"\"prisma\"", "\"auto\"", "false", "\"mysql\"", "1"};
    const ng_dburl_mode want[] = {NG_DBURL_PRISMA, NG_DBURL_AUTO, NG_DBURL_OFF, NG_DBURL_OFF, NG_DBURL_OFF};
    for (size_t i = 0; i < 5; i++) {
        char js[128];
        snprintf(js, sizeof(js), "{\"connection_limit\":{\"database_url\":%s}}", modes[i]);
        ng_policy p;
        ng_policy_defaults(&p);
        assert_int_equal(ng_policy_parse(&p, js, strlen(js), NULL), 0);
        assert_int_equal(p.conn_database_url, want[i]);
        assert_int_equal(p.warnings.n, i >= 3 ? 1 : 0); /* a bad value: a warning, default kept */
        ng_policy_free(&p);
    }
}

static char *write_temp(const char *content)
{
    char *path = strdup("/tmp/ng-policy-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    return path;
}

static void test_load_broken_file_means_defaults(void **state)
{
    (void)state;
    char *path = write_temp("{\"mode\": \"off\", \"sizing\": {");
    ng_policy p;
    ng_policy_load(&p, path);
    assert_int_equal(p.mode, NG_MODE_FIX); /* nothing of the broken file applied */
    assert_true(has_warning(&p.warnings, "is broken, using defaults"));
    assert_string_equal(p.source, "defaults");
    ng_policy_free(&p);
    unlink(path);
    free(path);

    ng_policy_load(&p, "/nonexistent/nodeguard.json");
    assert_true(has_warning(&p.warnings, "policy not read"));
    ng_policy_free(&p);

    setenv("NODEGUARD_CONFIG", "", 1);
    path = write_temp("{\"mode\": \"warn\"}");
    setenv("NODEGUARD_CONFIG", path, 1);
    ng_policy_load(&p, NULL);
    assert_int_equal(p.mode, NG_MODE_WARN);
    assert_string_equal(p.source, path);
    assert_int_equal(p.warnings.n, 0);
    ng_policy_free(&p);
    unsetenv("NODEGUARD_CONFIG");
    unlink(path);
    free(path);
}

/* The shipped policy names /var/log/nodeguard; a rootless user cannot write there, so their hook
 * logs to their own file unless the operator names a path for rootless users. */
static void test_log_chosen_for_who_runs(void **state)
{
    (void)state;
    const char *shipped = "{\"log_path\": \"/var/log/nodeguard/events.jsonl\"}";
    const char *shared = "{\"log_path\": \"/var/log/nodeguard/events.jsonl\","
                         " \"rootless_log_path\": \"/var/log/nodeguard/users.jsonl\"}";
    const char *own = "/home/u/.local/state/nodeguard/events.jsonl";
    ng_policy p;
    ng_policy_defaults(&p);
    assert_int_equal(ng_policy_parse(&p, shipped, strlen(shipped), NULL), 0);
    ng_policy_choose_log(&p, false, NULL);
    assert_string_equal(p.log_path, "/var/log/nodeguard/events.jsonl");
    assert_int_equal(p.log_kind, NG_LOG_SYSTEM);
    ng_policy_choose_log(&p, true, own);
    assert_string_equal(p.log_path, own);
    assert_int_equal(p.log_kind, NG_LOG_USER);
    ng_policy_free(&p);

    ng_policy_defaults(&p);
    assert_int_equal(ng_policy_parse(&p, shared, strlen(shared), NULL), 0);
    assert_int_equal(p.warnings.n, 0);
    ng_policy_choose_log(&p, true, own);
    assert_string_equal(p.log_path, "/var/log/nodeguard/users.jsonl");
    assert_int_equal(p.log_kind, NG_LOG_SHARED);
    ng_policy_free(&p);

    ng_policy_defaults(&p);
    assert_int_equal(ng_policy_parse(&p, shared, strlen(shared), NULL), 0);
    ng_policy_choose_log(&p, false, NULL); /* root: rootless_log_path is not root's */
    assert_string_equal(p.log_path, "/var/log/nodeguard/events.jsonl");
    assert_int_equal(p.log_kind, NG_LOG_SYSTEM);
    ng_policy_free(&p);
}

static void test_annotations(void **state)
{
    (void)state;
    ng_spec s = build_spec("[\"node\"]", "[]",
                           "{\"io.nodeguard.enable\":\"true\",\"io.nodeguard.mode\":\"warn\","
                           "\"io.nodeguard.processes\":\"3\",\"io.nodeguard.heap\":\"1G\","
                           "\"io.nodeguard.overhead\":\"64\",\"io.nodeguard.connection-limit\":\"off\","
                           "\"other.key\":\"x\"}",
                           512);
    ng_overrides o;
    ng_warnings w = {0};
    ng_overrides_from_spec(&s, &o, &w);
    assert_int_equal(o.enable, 1);
    assert_true(o.has_mode);
    assert_int_equal(o.mode, NG_MODE_WARN);
    assert_int_equal(o.processes, 3);
    assert_int_equal(o.heap_mib, 1024);
    assert_int_equal(o.overhead_mib, 64);
    assert_int_equal(o.conn_limit, 0);
    assert_int_equal(w.n, 0);
    ng_spec_free(&s);

    s = build_spec(
        "[\"node\"]", "[]",
        "{\"io.nodeguard.enable\":\"maybe\",\"io.nodeguard.mode\":\"x\",\"io.nodeguard.processes\":\"0\","
        "\"io.nodeguard.heap\":\"-5\",\"io.nodeguard.overhead\":\"1e9\",\"io.nodeguard.connection-limit\":\"-"
        "1\","
        "\"io.nodeguard.hepa\":\"1\"}",
        512);
    ng_overrides_from_spec(&s, &o, &w);
    assert_int_equal(o.enable, -1);
    assert_false(o.has_mode);
    assert_int_equal(o.processes, 0);
    assert_int_equal(o.heap_mib, 0);
    assert_int_equal(o.overhead_mib, -1);
    assert_int_equal(o.conn_limit, -1);
    assert_int_equal(w.n, 7);
    assert_true(has_warning(&w, "unknown annotation io.nodeguard.hepa"));
    ng_warnings_free(&w);
    ng_spec_free(&s);
}

static void test_warnings_are_bounded(void **state)
{
    (void)state;
    ng_warnings w = {0};
    for (int i = 0; i < 100; i++)
        ng_warn(&w, "warning %d", i);
    assert_int_equal(w.n, NG_MAX_WARNINGS);
    assert_int_equal(w.dropped, 100 - NG_MAX_WARNINGS);
    ng_warnings_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_parse_with_comments_and_warnings),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_database_url_modes),
        cmocka_unit_test(test_load_broken_file_means_defaults),
        cmocka_unit_test(test_log_chosen_for_who_runs),
        cmocka_unit_test(test_annotations),
        cmocka_unit_test(test_warnings_are_bounded),
    };
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
