#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/json.h"
#include "nodeguard/spec.h"
#include "nodeguard/util.h"

static int parse(const char *s, yajl_val *v, ng_error **err)
{
    return ng_json_parse(s, strlen(s), NG_JSON_MAX_DEPTH, v, err);
}

static void test_accessors_types(void **state)
{
    (void)state;
    cleanup_yajl_val yajl_val v = NULL;
    cleanup_error ng_error *err = NULL;
    assert_int_equal(
        parse("{\"s\":\"x\",\"i\":5,\"o\":{},\"a\":[],\"b\":true,\"n\":null,\"big\":1e400}", &v, &err), 0);
    const char *s = NULL;
    int64_t i = 0;
    bool b = false;
    yajl_val o = NULL;
    assert_int_equal(ng_json_get_string(v, "s", &s, &err), 1);
    assert_string_equal(s, "x");
    assert_int_equal(ng_json_get_int64(v, "i", &i, &err), 1);
    assert_int_equal(i, 5);
    assert_int_equal(ng_json_get_bool(v, "b", &b, &err), 1);
    assert_true(b);
    assert_int_equal(ng_json_get_object(v, "o", &o, &err), 1);
    /* absent and null are "not there", not errors */
    assert_int_equal(ng_json_get_string(v, "missing", &s, &err), 0);
    assert_int_equal(ng_json_get_string(v, "n", &s, &err), 0);
    /* wrong types are errors that name the key */
    assert_int_equal(ng_json_get_string(v, "i", &s, &err), -EINVAL);
    assert_non_null(strstr(ng_error_msg(err), "\"i\" must be a string, not an integer"));
    assert_int_equal(ng_json_get_int64(v, "s", &i, &err), -EINVAL);
    assert_int_equal(ng_json_get_int64(v, "big", &i, &err), -EINVAL);
    assert_int_equal(ng_json_get_object(v, "a", &o, &err), -EINVAL);
    assert_int_equal(ng_json_get_array(v, "o", &o, &err), -EINVAL);
    /* accessors on a non-object do not crash */
    assert_int_equal(ng_json_get_string(v->u.object.values[0], "x", &s, &err), 0);
}

static void test_bad_input(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "{",
                                      "{\"a\":",
                                      "{\"a\":1,}",
                                      "[1,2",
                                      "nul",
                                      "{\"a\":\"\\u0000\"}",
                                      "{\"a\":\"\xff\"}",
                                      "\"unterminated",
                                      "{\"a\":\"ends in a backslash\\",
                                      "{\"a\":\"\\u000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        yajl_val v = NULL;
        ng_error *err = NULL;
        assert_true(parse(bad[i], &v, &err) < 0);
        assert_null(v);
        assert_non_null(err);
        ng_error_free(err);
    }
    /* an embedded NUL byte */
    yajl_val v = NULL;
    ng_error *err = NULL;
    assert_int_equal(ng_json_parse("{\"a\":1}\0{", 9, 64, &v, &err), -EINVAL);
    assert_non_null(strstr(ng_error_msg(err), "NUL byte"));
    ng_error_free(err);
}

static void test_depth_limit(void **state)
{
    (void)state;
    size_t n = 100000;
    char *deep = malloc(2 * n + 1);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    deep[2 * n] = '\0';
    yajl_val v = NULL;
    ng_error *err = NULL;
    assert_int_equal(ng_json_parse(deep, 2 * n, 64, &v, &err), -E2BIG);
    assert_non_null(strstr(ng_error_msg(err), "deeper than 64"));
    ng_error_free(err);
    /* brackets inside strings, after escaped quotes, do not count; a non-NUL \u escape is fine */
    assert_int_equal(parse("{\"a\":\"\\\"[[[[\\\\\",\"b\":\"\\u0001\\u00000\"}", &v, NULL), -EINVAL);
    assert_int_equal(parse("{\"a\":\"\\\"[[[[\\\\\",\"b\":\"\\u0001\"}", &v, NULL), 0);
    yajl_tree_free(v);
    assert_int_equal(
        parse("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", &v, NULL),
        0);
    yajl_tree_free(v);
    free(deep);
}

static char *gen_to_string(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    return strndup((const char *)buf, len);
}

static void test_gen_string_sanitizes(void **state)
{
    (void)state;
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    assert_int_equal(yajl_gen_array_open(g), yajl_gen_status_ok);
    assert_int_equal(ng_gen_string(g, "bad\xff\xfe utf8"), yajl_gen_status_ok);
    assert_int_equal(ng_gen_string(g, "ctl\x01\n\t\"\\"), yajl_gen_status_ok);
    assert_int_equal(ng_gen_string(g, "\xc3\xa9 ok"), yajl_gen_status_ok);
    assert_int_equal(ng_gen_string(g, "\xed\xa0\x80 surrogate"), yajl_gen_status_ok);
    assert_int_equal(yajl_gen_array_close(g), yajl_gen_status_ok);
    cleanup_free char *out = gen_to_string(g);
    assert_string_equal(out,
                        "[\"bad\xef\xbf\xbd\xef\xbf\xbd utf8\",\"ctl\\u0001\\n\\t\\\"\\\\\",\"\xc3\xa9 ok\","
                        "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd surrogate\"]");
    /* and what we wrote parses back */
    yajl_val v = NULL;
    assert_int_equal(parse(out, &v, NULL), 0);
    yajl_tree_free(v);
}

static int emit_replacement(yajl_gen g, yajl_val old, void *userdata, ng_error **err)
{
    (void)userdata;
    NG_GEN(ng_gen_string(g, old ? "replaced" : "added"));
    return 0;
}

static void test_gen_tree_patches(void **state)
{
    (void)state;
    cleanup_yajl_val yajl_val v = NULL;
    assert_int_equal(parse("{\"n\":1.50e3,\"p\":{\"env\":[\"A=1\"],\"x\":[{\"env\":1}]},\"big\":"
                           "123456789012345678901234567890}",
                           &v, NULL),
                     0);
    ng_json_patch patches[] = {
        {.path = {"p", "env"}, .emit = emit_replacement},
        {.path = {"p", "new"}, .emit = emit_replacement, .add_if_absent = true},
        {.path = {"q", "new"}, .emit = emit_replacement, .add_if_absent = true}, /* no parent: nothing */
    };
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    assert_int_equal(ng_json_gen_tree(g, v, patches, 3, NULL), 0);
    cleanup_free char *out = gen_to_string(g);
    assert_string_equal(out,
                        "{\"n\":1.50e3,\"p\":{\"env\":\"replaced\",\"x\":[{\"env\":1}],\"new\":\"added\"},"
                        "\"big\":123456789012345678901234567890}");
}

static void test_spec_errors_name_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"[]", "must be a JSON object"},
        {"{}", "no \"process\""},
        {"{\"process\":{}}", "no \"args\""},
        {"{\"process\":{\"args\":\"node\"}}", "\"args\" must be an array"},
        {"{\"process\":{\"args\":[1]}}", "process.args[0] must be a string"},
        {"{\"process\":{\"args\":[\"n\"],\"env\":[\"A\",2]}}", "process.env[1] must be a string"},
        {"{\"process\":{\"args\":[\"n\"]},\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1G\"}}}}",
         "\"limit\" must be an integer"},
        {"{\"process\":{\"args\":[\"n\"]},\"linux\":{\"resources\":{\"memory\":{\"limit\":-5}}}}",
         "negative"},
        {"{\"process\":{\"args\":[\"n\"]},\"linux\":{\"resources\":{\"memory\":{\"limit\":"
         "99999999999999999999}}}}",
         "\"limit\" must be an integer, not a number out of integer range"},
        {"{\"process\":{\"args\":[\"n\"]},\"annotations\":{\"a\":1}}", "annotation \"a\" must be a string"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ng_spec s = {0};
        ng_error *err = NULL;
        assert_true(ng_spec_parse(cases[i].json, strlen(cases[i].json), &s, &err) < 0);
        if (!strstr(ng_error_msg(err), cases[i].msg))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, ng_error_msg(err), cases[i].msg);
        ng_error_free(err);
    }
}

/* Serialises a tree compactly, for comparing a folded tree with what Go's decoder would see. */
static char *compact(yajl_val v)
{
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    cleanup_error ng_error *err = NULL;
    assert_int_equal(ng_json_gen_value(g, v, &err), 0);
    const unsigned char *buf = NULL;
    size_t len = 0;
    yajl_gen_get_buf(g, &buf, &len);
    return strndup((const char *)buf, len);
}

static void test_duplicate_keys_fold_as_go_decodes(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        /* A later scalar or array replaces an earlier one. */
        {"{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}"},
        {"{\"env\":[\"A=1\"],\"env\":[\"B=2\"]}", "{\"env\":[\"B=2\"]}"},
        /* An object decoded onto an object merges into it, recursively (checked with runc 1.1.5:
         * a second "process" with only env keeps the first one's args). */
        {"{\"process\":{\"args\":[\"node\"],\"env\":[\"X=1\"]},\"process\":{\"env\":[\"Y=2\"]}}",
         "{\"process\":{\"args\":[\"node\"],\"env\":[\"Y=2\"]}}"},
        {"{\"l\":{\"r\":{\"m\":{\"limit\":1}}},\"l\":{\"r\":{\"m\":{\"swap\":2},\"m\":{\"limit\":3}}}}",
         "{\"l\":{\"r\":{\"m\":{\"limit\":3,\"swap\":2}}}}"},
        /* A non-object in between replaces, and a later object starts afresh from it. */
        {"{\"o\":{\"a\":1},\"o\":null,\"o\":{\"b\":2}}", "{\"o\":{\"b\":2}}"},
        /* Inside arrays too. */
        {"[{\"k\":1,\"k\":2}]", "[{\"k\":2}]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cleanup_yajl_val yajl_val v = NULL;
        cleanup_error ng_error *err = NULL;
        assert_int_equal(parse(cases[i].in, &v, &err), 0);
        cleanup_free char *got = compact(v);
        assert_string_equal(got, cases[i].want);
    }
}

static void test_many_duplicate_keys(void **state)
{
    (void)state;
    /* 100,000 members, every key written twice: each folds to its last value. (Not timed here: a
     * unit test runs under valgrind and sanitizers too; combine_duplicates sorts, O(n log n).) */
    size_t n = 100000, cap = n * 24 + 16, len = 0;
    cleanup_free char *buf = malloc(cap);
    assert_non_null(buf);
    buf[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s\"k%zu\":%zu", i ? "," : "", i % (n / 2), i);
    buf[len++] = '}';
    buf[len] = '\0';
    cleanup_yajl_val yajl_val v = NULL;
    cleanup_error ng_error *err = NULL;
    assert_int_equal(ng_json_parse(buf, len, NG_JSON_MAX_DEPTH, &v, &err), 0);
    assert_int_equal(v->u.object.len, n / 2);
    int64_t last = 0;
    assert_int_equal(ng_json_get_int64(v, "k7", &last, &err), 1);
    assert_int_equal(last, (int64_t)(n / 2 + 7));
}

static void test_field_names_fold_as_go_matches_them(void **state)
{
    (void)state;
    static const ng_json_field inner[] = {{"a", NULL}, {"b", NULL}, {NULL, NULL}};
    static const ng_json_field fields[] = {
        {"env", NULL}, {"args", NULL}, {"processLimit", NULL}, {"p", inner}, {NULL, NULL}};
    static const struct {
        const char *in, *want;
    } cases[] = {
        /* Go matches a struct field case-insensitively; the later key then wins as usual. */
        {"{\"env\":[\"A=1\"],\"Env\":[\"B=2\"]}", "{\"env\":[\"B=2\"]}"},
        {"{\"ENV\":[\"B=2\"],\"env\":[\"A=1\"]}", "{\"env\":[\"A=1\"]}"},
        {"{\"ProcessLIMIT\":1}", "{\"processLimit\":1}"},
        /* Document order decides across spellings, not which spelling came first. */
        {"{\"args\":[1],\"ARGS\":[2],\"args\":[3]}", "{\"args\":[3]}"},
        {"{\"args\":[1],\"args\":[3],\"ARGS\":[2]}", "{\"args\":[2]}"},
        /* Objects merge in document order, and their members fold as their own type. */
        {"{\"p\":{\"a\":1},\"P\":{\"A\":2},\"p\":{\"b\":3}}", "{\"p\":{\"a\":2,\"b\":3}}"},
        /* U+017F LONG S folds to s, U+212A KELVIN SIGN to k: "arg\u017f" is args. */
        {"{\"args\":[1],\"arg\u017f\":[2]}", "{\"args\":[2]}"},
        /* No other folding: unknown keys, near misses and other non-ASCII stay as they are. */
        {"{\"en\":1,\"envs\":2,\"\u00e9nv\":3,\"e_nv\":4}",
         "{\"en\":1,\"envs\":2,\"\u00e9nv\":3,\"e_nv\":4}"},
        /* Below a map (no field list) keys are exact. */
        {"{\"m\":{\"Env\":1,\"env\":2}}", "{\"m\":{\"Env\":1,\"env\":2}}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cleanup_yajl_val yajl_val v = NULL;
        cleanup_error ng_error *err = NULL;
        assert_int_equal(
            ng_json_parse_as(cases[i].in, strlen(cases[i].in), NG_JSON_MAX_DEPTH, fields, &v, &err), 0);
        cleanup_free char *got = compact(v);
        assert_string_equal(got, cases[i].want);
    }
    /* The spec reader applies it on the paths it reads: "Process" merges into "process", "Env"
     * replaces "env", "LIMIT" is the limit (runc 1.1.5 runs such a config with B=2 and 512 MiB). */
    const char *js = "{\"process\":{\"args\":[\"node\"],\"env\":[\"A=1\"]},\"Process\":{\"Env\":[\"B=2\"]},"
                     "\"Linux\":{\"RESOURCES\":{\"Memory\":{\"limit\":1,\"LIMIT\":536870912}}}}";
    ng_spec s = {0};
    assert_int_equal(ng_spec_parse(js, strlen(js), &s, NULL), 0);
    assert_int_equal(s.n_args, 1);
    assert_int_equal(s.memory_limit, 536870912);
    assert_null(ng_spec_getenv(&s, "A"));
    assert_string_equal(ng_spec_getenv(&s, "B"), "2");
    ng_spec_free(&s);
}

static void test_spec_limits_and_ids(void **state)
{
    (void)state;
    const char *js = "{\"process\":{\"args\":[\"node\"],\"env\":[\"NOEQUALS\",\"A=1\",\"A=2\"]},"
                     "\"linux\":{\"cgroupsPath\":\"machine.slice:libpod:abc123\",\"resources\":{\"memory\":{"
                     "\"limit\":-1}}}}";
    ng_spec s = {0};
    assert_int_equal(ng_spec_parse(js, strlen(js), &s, NULL), 0);
    assert_int_equal(s.memory_limit, 0);
    assert_string_equal(s.container_id, "abc123");
    assert_string_equal(ng_spec_getenv(&s, "A"), "2"); /* the last, as runc sets it */
    assert_null(ng_spec_getenv(&s, "NOEQUALS"));
    ng_spec_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accessors_types),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_gen_string_sanitizes),
        cmocka_unit_test(test_gen_tree_patches),
        cmocka_unit_test(test_spec_errors_name_the_field),
        cmocka_unit_test(test_spec_limits_and_ids),
        cmocka_unit_test(test_duplicate_keys_fold_as_go_decodes),
        cmocka_unit_test(test_many_duplicate_keys),
        cmocka_unit_test(test_field_names_fold_as_go_matches_them),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
