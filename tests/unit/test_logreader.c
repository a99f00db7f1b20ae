#include <errno.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/logreader.h"

static void test_rfc3339(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(ng_parse_rfc3339("1970-01-01T00:00:00Z", &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(ng_parse_rfc3339("2026-11-26T23:17:10.208Z", &ms), 0);
    assert_int_equal(ms, 1795735030208LL);
    assert_int_equal(ng_parse_rfc3339("2026-11-26T23:17:10.2Z", &ms), 0);
    assert_int_equal(ms % 1000, 200);
    assert_int_equal(ng_parse_rfc3339("2026-11-27T01:17:10+02:00", &ms), 0);
    assert_int_equal(ms, 1795735030000LL);
    static const char *const bad[] = {"",
                                      "2026-11-26",
                                      "2026-11-26T23:17:10",
                                      "2026-13-26T23:17:10Z",
                                      "2026-11-26 23:17:10Z",
                                      "2026-11-26T23:17:10Zjunk",
                                      "x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ng_parse_rfc3339(bad[i], &ms), -EINVAL);
}

static void test_when(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(ng_parse_when("2h", 10000000, &ms), 0);
    assert_int_equal(ms, 10000000 - 7200000);
    assert_int_equal(ng_parse_when("30s", 100000, &ms), 0);
    assert_int_equal(ms, 70000);
    assert_int_equal(ng_parse_when("7d", 0, &ms), 0);
    assert_int_equal(ms, -7LL * 86400000);
    assert_int_equal(ng_parse_when("1970-01-01T00:00:01Z", 5, &ms), 0);
    assert_int_equal(ms, 1000);
    static const char *const bad[] = {"", "h", "2", "2x", "-2h", "2hh", "99999999999999999999d"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_true(ng_parse_when(bad[i], 0, &ms) < 0);
}

static void test_entry_parse(void **state)
{
    (void)state;
    ng_log_entry e;
    const char *line =
        "{\"schema_version\":1,\"time\":\"2026-11-26T23:17:10.208Z\",\"event\":\"oom_kill\","
        "\"container_id\":\"abc\",\"pod\":\"web-0\",\"namespace\":\"shop\",\"peak_bytes\":268435456,"
        "\"victim\":{\"pid\":7,\"name\":\"node\",\"is_pid1\":true,\"anon_rss_kb\":250000},"
        "\"processes\":[{\"pid\":7,\"name\":\"x\"}],\"exit\":null}";
    assert_int_equal(ng_log_entry_parse(line, strlen(line), &e), 0);
    assert_string_equal(e.event, "oom_kill");
    assert_string_equal(e.container_id, "abc");
    assert_string_equal(e.victim_name, "node"); /* not the processes' "name" */
    assert_true(e.victim_is_pid1);
    assert_int_equal(e.victim_pid, 7);
    assert_int_equal(e.victim_anon_rss_kb, 250000);
    assert_int_equal(e.peak_bytes, 268435456);
    assert_int_equal(e.time_ms, 1795735030208LL);
    static const char *const bad[] = {"",
                                      "garbage",
                                      "{\"time\":\"2026-11-26T23:17:10Z\"}",
                                      "{\"event\":\"x\"}",
                                      "{\"event\":\"x\",\"time\":\"yesterday\"}",
                                      "{\"event\":\"x\",\"time\":",
                                      "[1,2]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ng_log_entry_parse(bad[i], strlen(bad[i]), &e), -EINVAL);
}

static void test_filters(void **state)
{
    (void)state;
    ng_log_entry e;
    const char *line =
        "{\"time\":\"2026-11-26T23:17:10Z\",\"event\":\"decision\",\"container_id\":\"3430b621577d\","
        "\"container_name\":\"api\",\"pod\":\"web-0\",\"namespace\":\"shop\"}";
    assert_int_equal(ng_log_entry_parse(line, strlen(line), &e), 0);
    ng_log_filter f = {0};
    assert_true(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.container = "3430"};
    assert_true(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.container = "api"};
    assert_true(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.container = "430"};
    assert_false(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.events = "oom_kill,decision"};
    assert_true(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.events = "oom_kill,decisio"};
    assert_false(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.pod = "shop/web-0"};
    assert_true(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.pod = "other/web-0"};
    assert_false(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.since_ms = e.time_ms, .until_ms = e.time_ms};
    assert_true(ng_log_filter_match(&f, &e));
    f = (ng_log_filter){.since_ms = e.time_ms + 1};
    assert_false(ng_log_filter_match(&f, &e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_when),
        cmocka_unit_test(test_entry_parse),
        cmocka_unit_test(test_filters),
    };
    return cmocka_run_group_tests_name("logreader", tests, NULL, NULL);
}
