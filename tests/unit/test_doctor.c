/* nodeguard doctor's report: statuses counted, fixes attached, a failure past the limit still
 * counted, and the JSON form as the man page describes it. */
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/doctor.h"
#include "nodeguard/json.h"

static void test_counts_and_fix(void **state)
{
    (void)state;
    ng_doctor_report *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    ng_doctor_add(r, "podman", NG_DOCTOR_OK, "fine");
    ng_doctor_check *c =
        ng_doctor_add(r, "docker", NG_DOCTOR_FAIL, "%s is broken", "/etc/docker/daemon.json");
    ng_doctor_fix(c, "chmod 0755 %s", "/usr/bin/nodeguard-runtime");
    ng_doctor_add(r, "watcher", NG_DOCTOR_WARN, "not root");
    assert_int_equal(ng_doctor_count(r, NG_DOCTOR_OK), 1);
    assert_int_equal(ng_doctor_count(r, NG_DOCTOR_WARN), 1);
    assert_int_equal(ng_doctor_count(r, NG_DOCTOR_FAIL), 1);
    assert_string_equal(r->checks[1].what, "/etc/docker/daemon.json is broken");
    assert_string_equal(r->checks[1].fix, "chmod 0755 /usr/bin/nodeguard-runtime");
    assert_null(r->checks[0].fix);
    assert_string_equal(ng_doctor_status_name(NG_DOCTOR_FAIL), "FAIL");
    ng_doctor_report_free(r);
    free(r);
}

static void test_limit_keeps_failures(void **state)
{
    (void)state;
    ng_doctor_report *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    for (int i = 0; i < NG_DOCTOR_MAX_CHECKS; i++)
        assert_non_null(ng_doctor_add(r, "hooks.d", NG_DOCTOR_OK, "file %d", i));
    ng_doctor_check *late = ng_doctor_add(r, "hooks.d", NG_DOCTOR_FAIL, "one too many");
    assert_null(late);
    ng_doctor_fix(late, "ignored"); /* a NULL check takes a fix harmlessly */
    ng_doctor_add(r, "hooks.d", NG_DOCTOR_OK, "another");
    assert_int_equal(r->n, NG_DOCTOR_MAX_CHECKS);
    assert_int_equal(r->dropped, 2);
    assert_int_equal(ng_doctor_count(r, NG_DOCTOR_FAIL), 1);
    ng_doctor_report_free(r);
    free(r);
}

static void test_json(void **state)
{
    (void)state;
    ng_doctor_report *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    ng_doctor_add(r, "log", NG_DOCTOR_OK, "writable");
    ng_doctor_fix(ng_doctor_add(r, "containerd", NG_DOCTOR_FAIL, "runtime_type is \"\""), "add \"x\"\n");
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    assert_int_equal(ng_doctor_gen_json(r, g, NULL), 0);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    cleanup_yajl_val yajl_val root = NULL;
    assert_int_equal(ng_json_parse((const char *)buf, len, NG_JSON_MAX_DEPTH, &root, NULL), 0);
    yajl_val checks = NULL;
    assert_int_equal(ng_json_get_array(root, "checks", &checks, NULL), 1);
    assert_int_equal(checks->u.array.len, 2);
    const char *status = NULL, *fix = NULL, *what = NULL;
    assert_int_equal(ng_json_get_string(checks->u.array.values[1], "status", &status, NULL), 1);
    assert_string_equal(status, "fail");
    assert_int_equal(ng_json_get_string(checks->u.array.values[1], "fix", &fix, NULL), 1);
    assert_string_equal(fix, "add \"x\"\n");
    assert_int_equal(ng_json_get_string(checks->u.array.values[1], "what", &what, NULL), 1);
    assert_string_equal(what, "runtime_type is \"\"");
    assert_int_equal(ng_json_get_string(checks->u.array.values[0], "fix", &fix, NULL), 0); /* null */
    int64_t n = -1;
    assert_int_equal(ng_json_get_int64(root, "fail", &n, NULL), 1);
    assert_int_equal(n, 1);
    assert_int_equal(ng_json_get_int64(root, "ok", &n, NULL), 1);
    assert_int_equal(n, 1);
    ng_doctor_report_free(r);
    free(r);
}

static void test_path_below_root(void **state)
{
    (void)state;
    ng_doctor_ctx host = {.root = ""}, tree = {.root = "/tmp/t"};
    cleanup_free char *a = ng_doctor_path(&host, "/etc/docker/daemon.json");
    cleanup_free char *b = ng_doctor_path(&tree, "/etc/docker/daemon.json");
    assert_string_equal(a, "/etc/docker/daemon.json");
    assert_string_equal(b, "/tmp/t/etc/docker/daemon.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_fix),
        cmocka_unit_test(test_limit_keeps_failures),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_path_below_root),
    };
    return cmocka_run_group_tests_name("doctor", tests, NULL, NULL);
}
