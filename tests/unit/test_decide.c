#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers.h"
#include "spec_builder.h"
#include "nodeguard/auditlog.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/json.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/util.h"

typedef struct fixture {
    ng_policy policy;
    ng_spec spec;
    ng_decision d;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    ng_policy_defaults(&f->policy);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ng_decision_free(&f->d);
    ng_spec_free(&f->spec);
    ng_policy_free(&f->policy);
    free(f);
    return 0;
}

static ng_decision *decide(fixture *f, const char *args, const char *env, const char *ann, long long mib,
                           bool modify)
{
    ng_decision_free(&f->d);
    ng_spec_free(&f->spec);
    f->spec = build_spec(args, env, ann, mib);
    assert_non_null(f->spec.root);
    ng_decide(&f->policy, &f->spec, modify, &f->d);
    return &f->d;
}

static const char *new_env(const ng_decision *d, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < d->n_new_env; i++)
        if (strncmp(d->new_env[i], name, n) == 0 && d->new_env[i][n] == '=')
            return d->new_env[i] + n + 1;
    return NULL;
}

static void test_injects_when_absent(void **state)
{
    ng_decision *d = decide(*state, "[\"node\",\"server.js\"]", "[\"PATH=/bin\"]", NULL, 512, true);
    assert_int_equal(d->outcome, NG_OUTCOME_GUARDED);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_int_equal(d->verdict, NG_VERDICT_FITS);
    assert_int_equal(d->heap_after_mib, 390);
    assert_string_equal(new_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");
    assert_string_equal(new_env(d, "DB_CONNECTION_LIMIT"), "5");
    assert_string_equal(new_env(d, "PATH"), "/bin");
    assert_true(d->env_changed);
    assert_false(d->args_changed);
}

static void test_lowers_and_keeps_other_flags(void **state)
{
    ng_decision *d =
        decide(*state, "[\"node\",\"server.js\"]",
               "[\"NODE_OPTIONS=--max-old-space-size=2048 --title=\\\"dev server\\\"\"]", NULL, 512, true);
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_int_equal(d->verdict, NG_VERDICT_DOES_NOT_FIT);
    assert_int_equal(d->heap_before_mib, 2048);
    assert_string_equal(d->heap_source, "NODE_OPTIONS");
    assert_string_equal(new_env(d, "NODE_OPTIONS"), "--max-old-space-size=390 --title=\"dev server\"");
}

static void test_command_line_flag_wins_and_is_lowered(void **state)
{
    ng_decision *d =
        decide(*state, "[\"node\",\"--max-old-space-size=1024\",\"server.js\"]", "[]", NULL, 512, true);
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_string_equal(d->heap_source, "command line");
    assert_true(d->args_changed);
    assert_int_equal(d->new_arg_index, 1);
    assert_string_equal(d->new_arg, "--max-old-space-size=390");
    assert_null(d->node_options_after); /* no NODE_OPTIONS needed: the command line decides */
}

static void test_fitting_flag_is_kept(void **state)
{
    ng_decision *d =
        decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-old-space-size=200\"]", NULL, 512, true);
    assert_int_equal(d->action, NG_ACTION_NONE);
    assert_int_equal(d->verdict, NG_VERDICT_FITS);
    assert_null(d->node_options_after);
    assert_int_equal(d->heap_after_mib, 200);
}

static void test_enforce_refuses_with_a_fix(void **state)
{
    fixture *f = *state;
    f->policy.mode = NG_MODE_ENFORCE;
    ng_decision *d =
        decide(f, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-old-space-size=2048\"]", NULL, 512, true);
    assert_int_equal(d->action, NG_ACTION_REFUSED);
    assert_false(d->env_changed);
    assert_non_null(strstr(d->refusal, "does not fit the 512 MiB memory limit"));
    assert_non_null(strstr(d->refusal, "at most 390 MiB"));
    assert_non_null(strstr(d->refusal, "raise the limit to at least"));
    /* and without a flag, enforce injects like fix */
    d = decide(f, "[\"node\",\"a.js\"]", "[]", NULL, 512, true);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
}

static void test_annotation_mode_and_disable(void **state)
{
    ng_decision *d = decide(*state, "[\"node\"]", "[\"NODE_OPTIONS=--max-old-space-size=2048\"]",
                            "{\"io.nodeguard.mode\":\"warn\"}", 512, true);
    assert_int_equal(d->action, NG_ACTION_WARNED);
    assert_false(d->env_changed);
    assert_string_equal(d->conn_action, "recommended");
    d = decide(*state, "[\"node\"]", "[]", "{\"io.nodeguard.enable\":\"false\"}", 512, true);
    assert_int_equal(d->outcome, NG_OUTCOME_DISABLED);
    assert_false(d->env_changed);
}

static void test_read_only_stage_never_changes(void **state)
{
    ng_decision *d =
        decide(*state, "[\"node\"]", "[\"NODE_OPTIONS=--max-old-space-size=2048\"]", NULL, 512, false);
    assert_int_equal(d->verdict, NG_VERDICT_DOES_NOT_FIT);
    assert_int_equal(d->action, NG_ACTION_WARNED);
    assert_false(d->env_changed);
    assert_false(d->args_changed);
    /* node's default 259 MiB does not fit 256 MiB: a read-only check says so */
    d = decide(*state, "[\"node\"]", "[]", NULL, 256, false);
    assert_int_equal(d->verdict, NG_VERDICT_DOES_NOT_FIT);
    d = decide(*state, "[\"node\"]", "[]", NULL, 1024, false);
    assert_int_equal(d->verdict, NG_VERDICT_FITS);
}

static void test_unlimited_and_too_small(void **state)
{
    fixture *f = *state;
    ng_decision *d = decide(f, "[\"node\"]", "[]", NULL, 0, true);
    assert_int_equal(d->verdict, NG_VERDICT_UNLIMITED);
    assert_int_equal(d->action, NG_ACTION_NONE);
    assert_null(new_env(d, "NODE_OPTIONS"));
    d = decide(f, "[\"node\"]", "[]", NULL, 48, true);
    assert_int_equal(d->verdict, NG_VERDICT_DOES_NOT_FIT);
    assert_int_equal(d->action, NG_ACTION_WARNED);
    assert_non_null(strstr(d->reason, "needs at least"));
    f->policy.mode = NG_MODE_ENFORCE;
    d = decide(f, "[\"node\"]", "[]", NULL, 48, true);
    assert_int_equal(d->action, NG_ACTION_REFUSED);
}

static void test_invalid_node_options_left_untouched(void **state)
{
    ng_decision *d =
        decide(*state, "[\"node\"]", "[\"NODE_OPTIONS=--title=\\\"unterminated\"]", NULL, 512, true);
    assert_true(d->node_options_invalid);
    assert_string_equal(new_env(d, "NODE_OPTIONS"), "--title=\"unterminated");
    assert_int_equal(d->action, NG_ACTION_WARNED);
    assert_true(d->warnings.n >= 1);
    assert_non_null(strstr(d->warnings.items[0], "unterminated"));
}

static void test_processes_and_heap_annotations(void **state)
{
    ng_decision *d = decide(*state, "[\"node\"]", "[]", "{\"io.nodeguard.processes\":\"2\"}", 1024, true);
    assert_int_equal(d->plan.processes, 2);
    assert_true(d->heap_after_mib < 400);
    d = decide(*state, "[\"node\"]", "[]", "{\"io.nodeguard.heap\":\"200\"}", 1024, true);
    assert_string_equal(new_env(d, "NODE_OPTIONS"), "--max-old-space-size=200");
}

static void test_connection_limits(void **state)
{
    fixture *f = *state;
    ng_decision *d = decide(f, "[\"node\"]", "[\"DB_CONNECTION_LIMIT=40\"]", NULL, 512, true);
    assert_string_equal(d->conn_action, "kept_user_value");
    assert_string_equal(new_env(d, "DB_CONNECTION_LIMIT"), "40");
    assert_true(d->warnings.n == 1 && strstr(d->warnings.items[0], "above the 5"));
    d = decide(f, "[\"node\"]", "[]", "{\"io.nodeguard.connection-limit\":\"off\"}", 512, true);
    assert_null(new_env(d, "DB_CONNECTION_LIMIT"));
    f->policy.conn_database_url = true;
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=mysql://u:p@db/app#frag\"]", NULL, 512, true);
    assert_string_equal(new_env(d, "DATABASE_URL"), "mysql://u:p@db/app?connection_limit=5#frag");
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=pg://db/app?ssl=1\"]", NULL, 512, true);
    assert_string_equal(new_env(d, "DATABASE_URL"), "pg://db/app?ssl=1&connection_limit=5");
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=pg://db/app?connection_limit=3\"]", NULL, 512, true);
    assert_string_equal(new_env(d, "DATABASE_URL"), "pg://db/app?connection_limit=3");
}

static void test_gen_config_preserves_the_rest(void **state)
{
    fixture *f = *state;
    ng_decision_free(&f->d);
    const char *js =
        "{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":0},\"args\":[\"node\",\"--max-old-space-"
        "size=9000\",\"a.js\"],"
        "\"cwd\":\"/\"},\"linux\":{\"resources\":{\"memory\":{\"limit\":536870912,\"swap\":1.0e9}}}}";
    assert_int_equal(ng_spec_parse(js, strlen(js), &f->spec, NULL), 0);
    ng_decide(&f->policy, &f->spec, true, &f->d);
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    assert_int_equal(ng_decision_gen_config(&f->d, &f->spec, g, NULL), 0);
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    assert_string_equal((const char *)buf,
                        "{\"ociVersion\":\"1.0.2\",\"process\":{\"user\":{\"uid\":0},\"args\":[\"node\",\"--"
                        "max-old-space-size=390\",\"a.js\"],"
                        "\"cwd\":\"/\",\"env\":[\"DB_CONNECTION_LIMIT=5\"]},"
                        "\"linux\":{\"resources\":{\"memory\":{\"limit\":536870912,\"swap\":1.0e9}}}}");
}

/* --- audit log --- */

static char *read_all(const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(ng_read_file_bounded(path, 1 << 20, &buf, &len, NULL), 0);
    return buf;
}

static void test_log_record_round_trips(void **state)
{
    fixture *f = *state;
    char dir[] = "/tmp/ng-log-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof(path), "%s/sub/events.jsonl", dir);
    ng_log log;
    assert_int_equal(ng_log_open(path, &log, NULL), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    /* env and annotations can carry control characters and invalid UTF-8 */
    ng_decision *d = decide(f, "[\"node\"]", "[\"NODE_OPTIONS=--title=a\\u0001\\u001b[31m\"]",
                            "{\"io.nodeguard.mode\":\"\\u00ff bogus\\n\"}", 512, true);
    yajl_gen g = ng_record_begin("decision", "precreate", NULL);
    assert_non_null(g);
    assert_int_equal(ng_decision_gen_fields(d, &f->spec, g, NULL), 0);
    assert_int_equal(ng_gen_string(g, "raw"), yajl_gen_status_ok);
    assert_int_equal(ng_gen_string(g, "\xff\xfe\x01"), yajl_gen_status_ok);
    assert_int_equal(ng_record_write(&log, g, NULL), 0);
    yajl_gen_free(g);
    ng_log_close(&log);
    cleanup_free char *text = read_all(path);
    size_t len = strlen(text);
    assert_true(len > 0 && text[len - 1] == '\n');
    assert_null(memchr(text, '\n', len - 1)); /* one line */
    cleanup_yajl_val yajl_val v = NULL;
    assert_int_equal(ng_json_parse(text, len, 64, &v, NULL), 0);
    const char *s = NULL;
    int64_t n = 0;
    assert_int_equal(ng_json_get_int64(v, "schema_version", &n, NULL), 1);
    assert_int_equal(n, NG_LOG_SCHEMA_VERSION);
    assert_int_equal(ng_json_get_string(v, "node_options_before", &s, NULL), 1);
    assert_string_equal(s, "--title=a\x01\x1b[31m");
    assert_int_equal(ng_json_get_string(v, "raw", &s, NULL), 1);
    assert_string_equal(s, "\xef\xbf\xbd\xef\xbf\xbd\x01");
    assert_int_equal(ng_json_get_string(v, "time", &s, NULL), 1);
    assert_int_equal(strlen(s), 24); /* 2026-11-26T23:03:40.123Z */
    assert_int_equal(s[23], 'Z');
    unlink(path);
    snprintf(path, sizeof(path), "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}

static void test_log_refuses_symlink_and_directory(void **state)
{
    (void)state;
    char dir[] = "/tmp/ng-log-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char link_path[128], target[128], sub[128];
    snprintf(link_path, sizeof(link_path), "%s/events.jsonl", dir);
    snprintf(target, sizeof(target), "%s/target", dir);
    assert_int_equal(symlink(target, link_path), 0);
    ng_log log;
    ng_error *err = NULL;
    assert_true(ng_log_open(link_path, &log, &err) < 0);
    assert_non_null(strstr(ng_error_msg(err), "symlink"));
    assert_int_equal(access(target, F_OK), -1); /* nothing created through the link */
    ng_error_free(err);
    err = NULL;
    snprintf(sub, sizeof(sub), "%s/dir.jsonl", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_true(ng_log_open(sub, &log, &err) < 0);
    ng_error_free(err);
    unlink(link_path);
    rmdir(sub);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_injects_when_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lowers_and_keeps_other_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_line_flag_wins_and_is_lowered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fitting_flag_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enforce_refuses_with_a_fix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_annotation_mode_and_disable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_stage_never_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unlimited_and_too_small, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_node_options_left_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_processes_and_heap_annotations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gen_config_preserves_the_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_record_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_refuses_symlink_and_directory, setup, teardown),
    };
    return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
