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
    int64_t host_memory_mib; /* the host's RAM as the stages hand it in (ng_host_memory_mib) */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    ng_policy_defaults(&f->policy);
    f->host_memory_mib = 16384; /* a 16 GiB host, whatever machine runs the tests */
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
    f->spec.host_memory_mib = f->host_memory_mib;
    ng_decide(&f->policy, &f->spec, modify, &f->d);
    return &f->d;
}

static void test_injects_when_absent(void **state)
{
    ng_decision *d = decide(*state, "[\"node\",\"server.js\"]", "[\"PATH=/bin\"]", NULL, 512, true);
    assert_int_equal(d->outcome, NG_OUTCOME_GUARDED);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_int_equal(d->verdict, NG_VERDICT_FITS);
    assert_int_equal(d->heap_after_mib, 390);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");
    assert_string_equal(decision_env(d, "DB_CONNECTION_LIMIT"), "5");
    assert_string_equal(decision_env(d, "PATH"), "/bin");
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
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390 --title=\"dev server\"");
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

/* node 22's and 24's own value options (docs/node-versions.md): their value is not the script, so a
 * heap flag after one is node's and is lowered; before, nodeguard stopped at the value, missed the
 * 4096 and put its own flag in front of it (and between --localstorage-file and its value). */
static void test_node22_value_option_before_heap_flag(void **state)
{
    ng_decision *d = decide(*state, "[\"node\",\"server.js\"]",
                            "[\"NODE_VERSION=24.22.3\",\"NODE_OPTIONS=--localstorage-file /data/ls "
                            "--max-old-space-size=4096\"]",
                            NULL, 512, true);
    assert_int_equal(d->heap_before_mib, 4096);
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"),
                        "--localstorage-file /data/ls --max-old-space-size=390 --max-semi-space-size=1");

    d = decide(*state,
               "[\"node\",\"--localstorage-file\",\"/data/ls\",\"--max-old-space-size=4096\",\"server.js\"]",
               "[\"NODE_VERSION=22.23.5\"]", NULL, 512, true);
    assert_int_equal(d->heap_before_mib, 4096);
    assert_string_equal(d->heap_source, "command line");
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_true(d->args_changed);
    assert_int_equal(d->new_arg_index, 3);
    assert_string_equal(d->new_arg, "--max-old-space-size=390");
}

/* `env NODE_OPTIONS=... node`: node reads env's value, not the container's; it is judged and lowered
 * on env's command line. env -i leaves node no NODE_OPTIONS: nodeguard's goes in as an assignment. */
static void test_env_launcher_node_options(void **state)
{
    ng_decision *d =
        decide(*state, "[\"env\",\"NODE_OPTIONS=--max-old-space-size=4096 -r fs\",\"node\",\"a.js\"]",
               "[\"NODE_OPTIONS=--max-old-space-size=100\"]", NULL, 512, true);
    assert_int_equal(d->heap_before_mib, 4096);
    assert_string_equal(d->heap_source, "NODE_OPTIONS");
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_true(d->args_changed);
    assert_false(d->new_assignment_insert);
    assert_int_equal(d->new_assignment_index, 1);
    assert_string_equal(d->new_assignment, "NODE_OPTIONS=--max-old-space-size=390 -r fs");
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=100"); /* not node's */

    d = decide(*state, "[\"env\",\"-i\",\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-old-space-size=100\"]",
               NULL, 256, true);
    assert_int_equal(d->heap_before_mib, -1);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_true(d->new_assignment_insert);
    assert_int_equal(d->new_assignment_index, 2);
    assert_string_equal(d->new_assignment, "NODE_OPTIONS=--max-old-space-size=188");

    d = decide(*state, "[\"env\",\"-S\",\"node a.js\"]", "[\"NODE_VERSION=20\"]", NULL, 256, true);
    assert_int_equal(d->outcome, NG_OUTCOME_GUARDED);
    assert_true(d->warnings.n >= 1);
    assert_non_null(strstr(d->warnings.items[0], "not read"));
}

/* A sh -c script's node command line and NODE_OPTIONS=... prefix are judged and rewritten in the
 * script, every other byte of it kept. */
static void test_shell_script_rewritten(void **state)
{
    ng_decision *d =
        decide(*state,
               "[\"sh\",\"-c\",\"cd /app && NODE_OPTIONS='--max-old-space-size=4096 -r fs' exec node "
               "--title 'a b' --max_old_space_size=3000 a.js 2>&1\"]",
               "[\"NODE_OPTIONS=--max-old-space-size=100\"]", NULL, 512, true);
    assert_int_equal(d->heap_before_mib, 3000);
    assert_string_equal(d->heap_source, "command line");
    assert_string_equal(d->node_options_before, "--max-old-space-size=4096 -r fs");
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_true(d->args_changed);
    assert_int_equal(d->new_arg_index, 2);
    assert_string_equal(d->new_arg,
                        "cd /app && NODE_OPTIONS='--max-old-space-size=390 -r fs' exec node --title 'a b' "
                        "--max-old-space-size=390 a.js 2>&1");
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=100"); /* not node's */

    /* No prefix: node inherits the container's NODE_OPTIONS through the shell. */
    d = decide(*state, "[\"sh\",\"-c\",\"exec node a.js\"]", "[]", NULL, 512, true);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_false(d->args_changed);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");

    /* A value that needs quoting comes out quoted. */
    d = decide(*state, "[\"sh\",\"-c\",\"NODE_OPTIONS=--title=it\\\\'s node a.js\"]", "[]", NULL, 512, true);
    assert_string_equal(d->new_arg, "NODE_OPTIONS='--title=it'\\''s --max-old-space-size=390' node a.js");

    /* Not read: said, and nothing in the script touched. */
    d = decide(*state, "[\"sh\",\"-c\",\"exec node $FLAGS a.js\"]", "[]", NULL, 512, true);
    assert_false(d->args_changed);
    assert_true(d->warnings.n >= 1);
    assert_non_null(strstr(d->warnings.items[0], "not read"));
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
    assert_null(decision_env(d, "NODE_OPTIONS"));
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
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--title=\"unterminated");
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
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=200");
}

static void test_connection_limits(void **state)
{
    fixture *f = *state;
    ng_decision *d = decide(f, "[\"node\"]", "[\"DB_CONNECTION_LIMIT=40\"]", NULL, 512, true);
    assert_string_equal(d->conn_action, "kept_user_value");
    assert_string_equal(decision_env(d, "DB_CONNECTION_LIMIT"), "40");
    assert_true(d->warnings.n == 1 && strstr(d->warnings.items[0], "above the 5"));
    d = decide(f, "[\"node\"]", "[]", "{\"io.nodeguard.connection-limit\":\"off\"}", 512, true);
    assert_null(decision_env(d, "DB_CONNECTION_LIMIT"));
    f->policy.conn_database_url = NG_DBURL_AUTO;
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=mysql://u:p@db/app#frag\"]", NULL, 512, true);
    assert_string_equal(decision_env(d, "DATABASE_URL"), "mysql://u:p@db/app?connectionLimit=5#frag");
    assert_string_equal(d->database_url_action, "set");
    assert_string_equal(d->database_url_param, "connectionLimit");
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=mysql://db/app?connection_limit=3\"]", NULL, 512, true);
    assert_string_equal(decision_env(d, "DATABASE_URL"), "mysql://db/app?connection_limit=3");
    assert_string_equal(d->database_url_action, "kept_user_value");
    assert_int_equal(d->warnings.n, 0);
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=mysql://db/app?connectionLimit=40\"]", NULL, 512, true);
    assert_string_equal(decision_env(d, "DATABASE_URL"), "mysql://db/app?connectionLimit=40");
    assert_true(d->warnings.n == 1 && strstr(d->warnings.items[0], "connectionLimit=40 is above the 5"));
    /* postgres:// may be node-postgres, postgres.js or Prisma: left alone, and said so */
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=postgres://u:secret@db/app\"]", NULL, 512, true);
    assert_string_equal(decision_env(d, "DATABASE_URL"), "postgres://u:secret@db/app");
    assert_string_equal(d->database_url_action, "left_alone");
    assert_true(d->warnings.n == 1 && strstr(d->warnings.items[0], "DATABASE_URL left alone"));
    assert_null(strstr(d->warnings.items[0], "secret"));
    f->policy.conn_database_url = NG_DBURL_PRISMA;
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=postgres://db/app?ssl=1\"]", NULL, 512, true);
    assert_string_equal(decision_env(d, "DATABASE_URL"), "postgres://db/app?ssl=1&connection_limit=5");
    assert_string_equal(d->database_url_param, "connection_limit");
    /* no rewrite allowed: nothing looked at */
    d = decide(f, "[\"node\"]", "[\"DATABASE_URL=mysql://db/app\"]", NULL, 512, false);
    assert_null(d->database_url_action);
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

/* --- the verdict, called directly: the judgement without its prose --- */

/* A guarded container with one node process and no heap flags, as ng_decide_gather describes it. */
static ng_decide_inputs plain_inputs(ng_mode mode, long long limit_mib)
{
    ng_decide_inputs in = {
        .overrides = {.enable = -1, .overhead_mib = -1, .conn_limit = -1},
        .mode = mode,
        .detection = {.is_node = true, .processes = 1},
        .outcome = NG_OUTCOME_GUARDED,
        .processes = 1,
        .memory_limit = limit_mib * 1048576LL,
        .semi_space_mib = -1,
    };
    ng_heap_flags_init(&in.env_flags);
    ng_heap_flags_init(&in.argv_flags);
    return in;
}

static void set_heap_flag(ng_heap_flags *f, int64_t mib)
{
    f->old_space_mib = mib;
    f->last_heap_kind = NG_FLAG_OLD_SPACE;
    f->n_heap_flags++;
}

static void set_heap_percentage(ng_heap_flags *f, double percent)
{
    f->old_space_percent = percent;
    f->last_heap_kind = NG_FLAG_OLD_SPACE_PERCENT;
    f->n_heap_flags++;
}

/* The budget the default policy gives these inputs; its warnings into w when given. */
static ng_heap_budget budget_of(const ng_decide_inputs *in, ng_warnings *w)
{
    ng_policy pol;
    ng_policy_defaults(&pol);
    ng_warnings ignored = {0};
    ng_heap_budget b;
    ng_decide_budget(&pol, in, &b, w ? w : &ignored);
    ng_warnings_free(&ignored);
    ng_policy_free(&pol);
    return b;
}

static ng_heap_verdict verdict_of(const ng_decide_inputs *in, bool can_modify)
{
    ng_heap_budget b = budget_of(in, NULL);
    ng_heap_verdict v;
    ng_decide_verdict(in, &b, can_modify, &v);
    return v;
}

/* The smallest limit the default sizing model gives one process this heap. */
static int64_t min_limit_for(int64_t heap_mib, int processes)
{
    ng_sizing_params params;
    ng_sizing_params_default(&params);
    return ng_plan_min_limit_mib(&params, heap_mib, processes, 0, -1);
}

static bool has_warning(const ng_decision *d, const char *text)
{
    for (size_t i = 0; i < d->warnings.n; i++)
        if (strstr(d->warnings.items[i], text))
            return true;
    return false;
}

static const char *new_arg_at(const ng_decision *d, size_t i)
{
    return d->new_args && i < d->n_new_args ? d->new_args[i] : NULL;
}

/* Values as V8 reads them: a sign, blanks, 0 (node's default), out of bounds (the previous value). */
static void test_values_as_node_reads_them(void **state)
{
    ng_decision *d = decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-old-space-size=+3000\"]",
                            NULL, 512, true);
    assert_int_equal(d->heap_before_mib, 3000);
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");
    assert_int_equal(d->warnings.n, 0);
    d = decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=\\\"--max-old-space-size= 3000\\\"\"]", NULL,
               512, true);
    assert_int_equal(d->heap_before_mib, 3000);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");
    /* 0: node's default heap, which the rewrite replaces in place */
    d = decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-old-space-size=0 --x\"]", NULL, 256,
               true);
    assert_int_equal(d->heap_before_mib, -1);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=188 --x");
    /* ... also on the command line, where it would undo NODE_OPTIONS */
    d = decide(*state, "[\"node\",\"--max-old-space-size=\",\"a.js\"]", "[]", NULL, 256, true);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_string_equal(new_arg_at(d, 1), "--max-old-space-size=188");
    /* out of bounds: node keeps the value before it */
    d = decide(*state, "[\"node\",\"a.js\"]",
               "[\"NODE_OPTIONS=--max-old-space-size=4096 --max-old-space-size=-1\"]", NULL, 512, false);
    assert_int_equal(d->heap_before_mib, 4096);
    d = decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-old-space-size=18446744073709551616\"]",
               NULL, 512, true);
    assert_int_equal(d->heap_before_mib, -1);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");
    d = decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-old-space-size=1000000001\"]", NULL, 512,
               false);
    assert_int_equal(d->heap_before_mib, 1000000001);
}

/* node stops reading NODE_OPTIONS at a token that is not an option: the flag goes before it. */
static void test_nonoption_token_in_node_options(void **state)
{
    ng_decision *d = decide(*state, "[\"node\",\"a.js\"]",
                            "[\"NODE_OPTIONS=--x foo --max-old-space-size=100\"]", NULL, 512, true);
    assert_int_equal(d->heap_before_mib, -1);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"),
                        "--x --max-old-space-size=390 foo --max-old-space-size=100");
    d = decide(*state, "[\"node\",\"a.js\"]",
               "[\"NODE_OPTIONS=--max-http-header-size 16384 --max-old-space-size=4096\"]", NULL, 512, true);
    assert_int_equal(d->heap_before_mib, 4096);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"),
                        "--max-http-header-size 16384 --max-old-space-size=390");
}

static void test_refused_in_node_options(void **state)
{
    static const char *const refused[] = {"--max-heap-size=300", "--initial-heap-size=64",
                                          "-max-old-space-size=100"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char env[128];
        snprintf(env, sizeof(env), "[\"NODE_OPTIONS=%s\"]", refused[i]);
        ng_decision *d = decide(*state, "[\"node\",\"a.js\"]", env, NULL, 512, true);
        assert_true(d->node_options_invalid);
        assert_true(has_warning(d, "not allowed in NODE_OPTIONS (node will refuse it)"));
        assert_null(d->node_options_after);
    }
    /* one dash on the command line is V8's and node takes it */
    ng_decision *d =
        decide(*state, "[\"node\",\"-max-old-space-size=4096\",\"a.js\"]", "[]", NULL, 512, true);
    assert_int_equal(d->heap_before_mib, 4096);
    assert_string_equal(d->heap_source, "command line");
    assert_string_equal(new_arg_at(d, 1), "--max-old-space-size=390");
}

/* node 24 (V8 13.6) derives a young generation up to 4 times the model's from its limit (bench/
 * node-versions: heap_size_limit 836 with nodeguard's 788 at 1 GiB, not 800): with NODE_VERSION 24+
 * nodeguard sets the model's semi-space, as for a node that cannot see its limit, also beside a
 * heap flag that fits. node 22 and no NODE_VERSION keep node 20's model (measured the same on 22). */
static void test_node24_young_generation_pinned(void **state)
{
    ng_decision *d =
        decide(*state, "[\"node\",\"server.js\"]", "[\"NODE_VERSION=24.22.3\"]", NULL, 1024, true);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_int_equal(d->heap_after_mib, 788);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=788 --max-semi-space-size=4");
    d = decide(*state, "[\"node\",\"server.js\"]",
               "[\"NODE_VERSION=v24.1.0\",\"NODE_OPTIONS=--max-old-space-size=1000\"]", NULL, 2048, true);
    assert_int_equal(d->action, NG_ACTION_NONE); /* the heap fits; only the young generation is set */
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=1000 --max-semi-space-size=8");
    /* a user's semi-space is the young generation the plan counts: left alone */
    d = decide(*state, "[\"node\",\"server.js\"]",
               "[\"NODE_VERSION=24.22.3\",\"NODE_OPTIONS=--max-semi-space-size=2\"]", NULL, 1024, true);
    assert_null(strstr(decision_env(d, "NODE_OPTIONS"), "--max-semi-space-size=4"));
    d = decide(*state, "[\"node\",\"server.js\"]", "[\"NODE_VERSION=22.23.5\"]", NULL, 1024, true);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=788");
    d = decide(*state, "[\"node\",\"server.js\"]", "[]", NULL, 1024, true);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=788");
}

/* --max-old-space-size-percentage exists from node 22.21 / 24.6: node 20 exits on it. */
static void test_percentage_by_node_version(void **state)
{
    ng_decision *d = decide(*state, "[\"node\",\"a.js\"]",
                            "[\"NODE_VERSION=20.20.2\",\"NODE_OPTIONS=--max-old-space-size-percentage=50\"]",
                            NULL, 512, true);
    assert_true(has_warning(d, "node will refuse it"));
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");
    assert_non_null(strstr(d->reason, "replaced by --max-old-space-size=390"));
    d = decide(*state, "[\"node\",\"--max-old-space-size-percentage=50\",\"a.js\"]", "[]", NULL, 512, true);
    assert_true(has_warning(d, "NODE_VERSION unset"));
    assert_string_equal(new_arg_at(d, 1), "--max-old-space-size=390");
    d = decide(*state, "[\"node\",\"--max-old-space-size-percentage=50\",\"a.js\"]",
               "[\"NODE_VERSION=24.5.0\"]", NULL, 512, false);
    assert_int_equal(d->verdict, NG_VERDICT_DOES_NOT_FIT);
    d = decide(*state, "[\"node\",\"a.js\"]",
               "[\"NODE_VERSION=22.21.0\",\"NODE_OPTIONS=--max-old-space-size-percentage=50\"]", NULL, 512,
               true);
    assert_int_equal(d->warnings.n, 0);
    assert_int_equal(d->heap_before_mib, 256);
    assert_int_equal(d->action, NG_ACTION_NONE);
    d = decide(*state, "[\"node\",\"a.js\"]",
               "[\"NODE_VERSION=v24.6.0\",\"NODE_OPTIONS=--max-old-space-size-percentage=50\"]", NULL, 512,
               true);
    assert_int_equal(d->warnings.n, 0);
}

/* --max-heap-size on the command line is old space and young generation together; with an old space
 * and a semi-space as well V8 aborts, so a rewrite never leaves it next to nodeguard's flag. */
static void test_max_heap_size_on_the_command_line(void **state)
{
    ng_decision *d = decide(*state, "[\"node\",\"--max-heap-size=3000\",\"a.js\"]", "[]", NULL, 512, false);
    assert_string_equal(d->heap_source, "command line");
    assert_int_equal(d->heap_before_mib, 3000 - d->plan.young_mib);
    assert_int_equal(d->verdict, NG_VERDICT_DOES_NOT_FIT);
    d = decide(*state, "[\"node\",\"--max-heap-size=3000\",\"--max-semi-space-size=16\",\"a.js\"]", "[]",
               NULL, 512, true);
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_int_equal(d->plan.young_mib, 48); /* the semi-space stays, and is planned for */
    assert_int_equal(d->heap_after_mib, 353);
    assert_string_equal(new_arg_at(d, 1), "--max-old-space-size=353");
    assert_null(new_arg_at(d, 2));
    assert_null(d->node_options_after);
    /* a fitting one stands, and nothing is added beside it */
    d = decide(*state, "[\"node\",\"--max-heap-size=200\",\"a.js\"]", "[]", NULL, 512, true);
    assert_int_equal(d->action, NG_ACTION_NONE);
    assert_false(d->args_changed);
    assert_null(d->node_options_after);
    /* ... unless NODE_OPTIONS is lowered: then it goes too */
    d = decide(*state, "[\"node\",\"--max-heap-size=200\",\"a.js\"]",
               "[\"NODE_OPTIONS=--max-old-space-size=4096\"]", NULL, 512, true);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");
    assert_string_equal(new_arg_at(d, 1), "--max-old-space-size=390");
    /* with an old space, V8 gives the young generation the rest: 150 + 3 x 1024 here */
    d = decide(*state, "[\"node\",\"--max-old-space-size=150\",\"--max-heap-size=2048\",\"a.js\"]", "[]",
               NULL, 1024, true);
    assert_int_equal(d->heap_before_mib, 150 + 3 * 1024 - d->plan.young_mib);
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_null(new_arg_at(d, 1));
    assert_string_equal(new_arg_at(d, 2), "--max-old-space-size=150");
    /* all three: V8 aborts; fix replaces --max-heap-size and keeps the fitting old space */
    d = decide(*state,
               "[\"node\",\"--max-heap-size=3000\",\"--max-semi-space-size=16\",\"--max-old-space-size=100\","
               "\"a.js\"]",
               "[]", NULL, 512, true);
    assert_true(has_warning(d, "V8 aborts at start (node will refuse it)"));
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_string_equal(new_arg_at(d, 1), "--max-old-space-size=100");
    assert_null(new_arg_at(d, 3));
    /* without a limit node's young generation is the one it makes for the host's RAM, out of the
     * same heap_size_limit (differential case 23:189: node said 3000, nodeguard believed 3048):
     * 3 x 16 MiB on a 16 GiB host, 3 x 1 MiB on a 512 MiB one */
    fixture *f = *state;
    d = decide(f, "[\"node\",\"--max-heap-size=3000\",\"--max-old-space-size=00\",\"a.js\"]", "[]", NULL, 0,
               false);
    assert_int_equal(d->heap_before_mib, 3000 - 48);
    f->host_memory_mib = 512;
    d = decide(f, "[\"node\",\"--max-heap-size=3000\",\"--max-old-space-size=00\",\"a.js\"]", "[]", NULL, 0,
               false);
    assert_int_equal(d->heap_before_mib, 3000 - 3);
}

/* A semi-space that leaves no room for a heap: fix removes it, node's own young generation instead. */
static void test_semi_space_that_does_not_fit(void **state)
{
    ng_decision *d = decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-semi-space-size=512 --x\"]",
                            NULL, 256, true);
    assert_int_equal(d->verdict, NG_VERDICT_FITS);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--x --max-old-space-size=188");
    assert_non_null(strstr(d->reason, "--max-semi-space-size=512 removed"));
    d = decide(*state, "[\"node\",\"--max-semi-space-size=512\",\"--max-old-space-size=100\",\"a.js\"]", "[]",
               NULL, 256, true);
    assert_int_equal(d->action, NG_ACTION_LOWERED);
    assert_string_equal(new_arg_at(d, 1), "--max-old-space-size=100");
    /* a stage that cannot rewrite, and mode warn, report it */
    d = decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-semi-space-size=512\"]", NULL, 256,
               false);
    assert_int_equal(d->verdict, NG_VERDICT_DOES_NOT_FIT);
    assert_non_null(strstr(d->reason, "1536 young"));
    d = decide(*state, "[\"node\",\"a.js\"]", "[\"NODE_OPTIONS=--max-semi-space-size=512\"]",
               "{\"io.nodeguard.mode\":\"warn\"}", 256, true);
    assert_int_equal(d->action, NG_ACTION_WARNED);
    assert_false(d->env_changed && decision_env(d, "NODE_OPTIONS") &&
                 strcmp(decision_env(d, "NODE_OPTIONS"), "--max-semi-space-size=512") != 0);
}

static void test_verdict_unlimited(void **state)
{
    (void)state;
    ng_decide_inputs in = plain_inputs(NG_MODE_FIX, 0);
    ng_heap_verdict v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_UNLIMITED);
    assert_int_equal(v.verdict, NG_VERDICT_UNLIMITED);
    assert_int_equal(v.action, NG_ACTION_NONE);
    assert_true(v.may_rewrite);
    assert_int_equal(v.limit_mib, 0);
    assert_int_equal(v.heap_before_mib, -1);
    assert_int_equal(v.heap_source, NG_HEAP_SOURCE_NONE);
    assert_int_equal(v.min_limit_mib, -1);
    assert_int_equal(v.node_default_mib, -1);
    /* a flag changes nothing without a limit to hold it against, in any mode */
    set_heap_flag(&in.env_flags, 9000);
    in.mode = NG_MODE_ENFORCE;
    v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_UNLIMITED);
    assert_int_equal(v.action, NG_ACTION_NONE);
    assert_int_equal(v.heap_before_mib, 9000);
    assert_int_equal(v.heap_source, NG_HEAP_SOURCE_NODE_OPTIONS);
}

static void test_verdict_limit_too_small(void **state)
{
    (void)state;
    ng_decide_inputs in = plain_inputs(NG_MODE_FIX, 48);
    ng_heap_verdict v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_LIMIT_TOO_SMALL);
    assert_int_equal(v.verdict, NG_VERDICT_DOES_NOT_FIT);
    assert_int_equal(v.action, NG_ACTION_WARNED); /* fix cannot make a limit larger */
    assert_int_equal(v.limit_mib, 48);
    assert_int_equal(v.min_heap_mib, 32);
    assert_int_equal(v.min_limit_mib, min_limit_for(32, 1));
    assert_true(v.min_limit_mib > 48);
    assert_int_equal(v.processes, 1);
    in.mode = NG_MODE_WARN;
    assert_int_equal(verdict_of(&in, true).action, NG_ACTION_WARNED);
    in.mode = NG_MODE_ENFORCE;
    assert_int_equal(verdict_of(&in, true).action, NG_ACTION_REFUSED);
    assert_int_equal(verdict_of(&in, false).action, NG_ACTION_REFUSED);
    /* the limit is the problem whatever the flag says */
    set_heap_flag(&in.env_flags, 20);
    assert_int_equal(verdict_of(&in, true).kind, NG_CASE_LIMIT_TOO_SMALL);
    /* more processes need more */
    in = plain_inputs(NG_MODE_FIX, 48);
    in.processes = 2;
    v = verdict_of(&in, true);
    assert_int_equal(v.processes, 2);
    assert_int_equal(v.min_limit_mib, min_limit_for(32, 2));
    assert_true(v.min_limit_mib > min_limit_for(32, 1));
}

static void test_verdict_flag_fits(void **state)
{
    (void)state;
    const ng_mode modes[] = {NG_MODE_FIX, NG_MODE_ENFORCE, NG_MODE_WARN};
    for (size_t i = 0; i < 3; i++)
        for (int can_modify = 0; can_modify < 2; can_modify++) {
            ng_decide_inputs in = plain_inputs(modes[i], 512);
            set_heap_flag(&in.env_flags, 200);
            ng_heap_verdict v = verdict_of(&in, can_modify);
            assert_int_equal(v.kind, NG_CASE_FLAG_FITS);
            assert_int_equal(v.verdict, NG_VERDICT_FITS);
            assert_int_equal(v.action, NG_ACTION_NONE);
            assert_int_equal(v.heap_before_mib, 200);
            assert_int_equal(v.allowed_mib, 390);
            assert_int_equal(v.allowed_by, NG_ALLOWED_BY_MODEL);
            assert_int_equal(v.heap_source, NG_HEAP_SOURCE_NODE_OPTIONS);
            assert_int_equal(v.min_limit_mib, -1);
        }
    /* exactly the allowed heap still fits; one more does not */
    ng_decide_inputs in = plain_inputs(NG_MODE_FIX, 512);
    set_heap_flag(&in.env_flags, 390);
    assert_int_equal(verdict_of(&in, true).kind, NG_CASE_FLAG_FITS);
    set_heap_flag(&in.env_flags, 391);
    assert_int_equal(verdict_of(&in, true).kind, NG_CASE_FLAG_TOO_LARGE);
}

static void test_verdict_flag_too_large_by_mode(void **state)
{
    (void)state;
    const struct {
        ng_mode mode;
        bool can_modify;
        ng_action action;
        bool may_rewrite;
    } cases[] = {
        {NG_MODE_FIX, true, NG_ACTION_LOWERED, true},     {NG_MODE_FIX, false, NG_ACTION_WARNED, false},
        {NG_MODE_ENFORCE, true, NG_ACTION_REFUSED, true}, {NG_MODE_ENFORCE, false, NG_ACTION_REFUSED, false},
        {NG_MODE_WARN, true, NG_ACTION_WARNED, false},    {NG_MODE_WARN, false, NG_ACTION_WARNED, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ng_decide_inputs in = plain_inputs(cases[i].mode, 512);
        set_heap_flag(&in.env_flags, 2048);
        ng_heap_verdict v = verdict_of(&in, cases[i].can_modify);
        assert_int_equal(v.kind, NG_CASE_FLAG_TOO_LARGE);
        assert_int_equal(v.verdict, NG_VERDICT_DOES_NOT_FIT);
        assert_int_equal(v.action, cases[i].action);
        assert_int_equal(v.may_rewrite, cases[i].may_rewrite);
        assert_int_equal(v.heap_before_mib, 2048);
        assert_int_equal(v.allowed_mib, 390);
        assert_int_equal(v.limit_mib, 512);
        assert_int_equal(v.min_limit_mib, min_limit_for(2048, 1));
        assert_true(v.min_limit_mib > 2048);
        assert_int_equal(v.node_default_mib, -1);
    }
}

static void test_verdict_no_flag_by_mode(void **state)
{
    (void)state;
    /* 512 MiB: node's default (259 MiB) is within the 390 that fit */
    const struct {
        ng_mode mode;
        bool can_modify;
        long long limit_mib;
        ng_verdict verdict;
        ng_action action;
    } cases[] = {
        {NG_MODE_FIX, true, 512, NG_VERDICT_FITS, NG_ACTION_INJECTED},
        {NG_MODE_FIX, false, 512, NG_VERDICT_FITS, NG_ACTION_NONE},
        {NG_MODE_ENFORCE, true, 512, NG_VERDICT_FITS, NG_ACTION_INJECTED},
        {NG_MODE_ENFORCE, false, 512, NG_VERDICT_FITS, NG_ACTION_NONE},
        {NG_MODE_WARN, true, 512, NG_VERDICT_FITS, NG_ACTION_NONE},
        /* 256 MiB: the default (259 MiB) exceeds the 188 that fit; whoever can add the flag does */
        {NG_MODE_FIX, true, 256, NG_VERDICT_FITS, NG_ACTION_INJECTED},
        {NG_MODE_FIX, false, 256, NG_VERDICT_DOES_NOT_FIT, NG_ACTION_WARNED},
        {NG_MODE_ENFORCE, true, 256, NG_VERDICT_FITS, NG_ACTION_INJECTED},
        {NG_MODE_ENFORCE, false, 256, NG_VERDICT_DOES_NOT_FIT, NG_ACTION_WARNED},
        {NG_MODE_WARN, true, 256, NG_VERDICT_DOES_NOT_FIT, NG_ACTION_WARNED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ng_decide_inputs in = plain_inputs(cases[i].mode, cases[i].limit_mib);
        ng_heap_verdict v = verdict_of(&in, cases[i].can_modify);
        assert_int_equal(v.kind, NG_CASE_NO_FLAG);
        assert_int_equal(v.verdict, cases[i].verdict);
        assert_int_equal(v.action, cases[i].action);
        assert_int_equal(v.heap_source, NG_HEAP_SOURCE_NONE);
        assert_int_equal(v.heap_before_mib, -1);
        assert_int_equal(v.node_default_mib, 259);
        assert_int_equal(v.allowed_mib, cases[i].limit_mib == 512 ? 390 : 188);
        assert_int_equal(v.min_limit_mib, -1);
    }
}

static void test_verdict_heap_annotation_above_model(void **state)
{
    (void)state;
    ng_decide_inputs in = plain_inputs(NG_MODE_FIX, 512);
    in.overrides.heap_mib = 600;
    ng_warnings w = {0};
    ng_heap_budget b = budget_of(&in, &w);
    assert_int_equal(b.allowed_mib, 600);
    assert_int_equal(b.allowed_by, NG_ALLOWED_BY_ANNOTATION);
    assert_int_equal(b.plan.heap_mib, 390);
    assert_int_equal(w.n, 1);
    assert_non_null(strstr(w.items[0], "io.nodeguard.heap=600 is above the 390 MiB"));
    ng_warnings_free(&w);
    /* the annotation, not the model, is what a flag must fit and what is injected */
    ng_heap_verdict v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_NO_FLAG);
    assert_int_equal(v.action, NG_ACTION_INJECTED);
    assert_int_equal(v.allowed_mib, 600);
    assert_int_equal(v.allowed_by, NG_ALLOWED_BY_ANNOTATION);
    set_heap_flag(&in.env_flags, 500);
    v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_FLAG_FITS);
    assert_int_equal(v.heap_before_mib, 500);
    set_heap_flag(&in.env_flags, 700);
    assert_int_equal(verdict_of(&in, true).action, NG_ACTION_LOWERED);
    /* below the model's minimum the annotation still decides: no LIMIT_TOO_SMALL */
    in = plain_inputs(NG_MODE_ENFORCE, 48);
    in.overrides.heap_mib = 20;
    v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_NO_FLAG);
    assert_int_equal(v.action, NG_ACTION_INJECTED);
    assert_int_equal(v.allowed_mib, 20);
}

static void test_verdict_percentage_flag(void **state)
{
    (void)state;
    ng_decide_inputs in = plain_inputs(NG_MODE_FIX, 512);
    set_heap_percentage(&in.env_flags, 50);
    ng_heap_verdict v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_FLAG_FITS);
    assert_int_equal(v.heap_before_mib, 256); /* 50% of the 512 MiB limit */
    set_heap_percentage(&in.argv_flags, 90);
    v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_FLAG_TOO_LARGE);
    assert_int_equal(v.heap_source, NG_HEAP_SOURCE_COMMAND_LINE);
    assert_int_equal(v.heap_before_mib, 460);
    assert_int_equal(v.action, NG_ACTION_LOWERED);
    assert_int_equal(v.min_limit_mib, min_limit_for(460, 1));
    /* without a limit a percentage means nothing nodeguard can weigh */
    in.memory_limit = 0;
    v = verdict_of(&in, true);
    assert_int_equal(v.kind, NG_CASE_UNLIMITED);
    assert_int_equal(v.heap_before_mib, -1);
}

static void test_verdict_command_line_wins_over_node_options(void **state)
{
    (void)state;
    ng_decide_inputs in = plain_inputs(NG_MODE_FIX, 512);
    set_heap_flag(&in.env_flags, 200);
    set_heap_flag(&in.argv_flags, 1024);
    ng_heap_verdict v = verdict_of(&in, true);
    assert_int_equal(v.heap_source, NG_HEAP_SOURCE_COMMAND_LINE);
    assert_int_equal(v.kind, NG_CASE_FLAG_TOO_LARGE);
    assert_int_equal(v.heap_before_mib, 1024);
    /* and the other way round: NODE_OPTIONS too large, the command line's flag is the one node uses */
    in = plain_inputs(NG_MODE_ENFORCE, 512);
    set_heap_flag(&in.env_flags, 2048);
    set_heap_flag(&in.argv_flags, 300);
    v = verdict_of(&in, true);
    assert_int_equal(v.heap_source, NG_HEAP_SOURCE_COMMAND_LINE);
    assert_int_equal(v.kind, NG_CASE_FLAG_FITS);
    assert_int_equal(v.action, NG_ACTION_NONE);
    assert_int_equal(v.heap_before_mib, 300);
    /* NODE_OPTIONS alone */
    in = plain_inputs(NG_MODE_ENFORCE, 512);
    set_heap_flag(&in.env_flags, 2048);
    v = verdict_of(&in, true);
    assert_int_equal(v.heap_source, NG_HEAP_SOURCE_NODE_OPTIONS);
    assert_int_equal(v.action, NG_ACTION_REFUSED);
    assert_string_equal(ng_heap_source_name(v.heap_source), "NODE_OPTIONS");
    assert_string_equal(ng_heap_source_name(NG_HEAP_SOURCE_COMMAND_LINE), "command line");
}

/* The verdict reads only its arguments: a plan made by hand, not by the model, decides it. */
static void test_verdict_on_a_constructed_plan(void **state)
{
    (void)state;
    ng_decide_inputs in = plain_inputs(NG_MODE_WARN, 1000);
    in.processes = 3;
    ng_heap_budget b = {
        .plan = {.limit_mib = 1000,
                 .processes = 3,
                 .heap_mib = 250,
                 .node_default_heap_mib = 509,
                 .verdict = NG_VERDICT_FITS},
        .allowed_mib = 250,
        .allowed_by = NG_ALLOWED_BY_MODEL,
    };
    ng_sizing_params_default(&b.params);
    ng_heap_verdict v;
    ng_decide_verdict(&in, &b, false, &v);
    assert_int_equal(v.kind, NG_CASE_NO_FLAG);
    assert_int_equal(v.verdict, NG_VERDICT_DOES_NOT_FIT);
    assert_int_equal(v.action, NG_ACTION_WARNED);
    assert_int_equal(v.node_default_mib, 509);
    assert_int_equal(v.limit_mib, 1000);
    set_heap_flag(&in.argv_flags, 300);
    ng_decide_verdict(&in, &b, false, &v);
    assert_int_equal(v.kind, NG_CASE_FLAG_TOO_LARGE);
    assert_int_equal(v.processes, 3);
    assert_int_equal(v.min_limit_mib, min_limit_for(300, 3));
    b.plan.verdict = NG_VERDICT_DOES_NOT_FIT;
    ng_decide_verdict(&in, &b, false, &v);
    assert_int_equal(v.kind, NG_CASE_LIMIT_TOO_SMALL);
    assert_int_equal(v.min_limit_mib, min_limit_for(32, 3));
}

/* The rewrite the verdict asks for can fail; the words then say so instead. */
static void test_render_a_failed_rewrite(void **state)
{
    (void)state;
    ng_heap_verdict v = {.kind = NG_CASE_FLAG_TOO_LARGE,
                         .verdict = NG_VERDICT_DOES_NOT_FIT,
                         .action = NG_ACTION_LOWERED,
                         .heap_source = NG_HEAP_SOURCE_NODE_OPTIONS,
                         .processes = 1,
                         .limit_mib = 512,
                         .heap_before_mib = 2048,
                         .allowed_mib = 390,
                         .min_limit_mib = 2600};
    char reason[512], refusal[640];
    ng_decide_render(&v, "the plan", false, reason, sizeof(reason), refusal, sizeof(refusal));
    assert_string_equal(reason,
                        "heap 2048 MiB from NODE_OPTIONS does not fit the 512 MiB limit (at most 390): "
                        "lowered to 390 MiB (the plan)");
    ng_decide_render(&v, "the plan", true, reason, sizeof(reason), refusal, sizeof(refusal));
    assert_string_equal(reason,
                        "heap 2048 MiB from NODE_OPTIONS does not fit the 512 MiB limit (at most 390): "
                        "could not be lowered (see warnings)");
    assert_non_null(strstr(refusal, "raise the limit to at least 2600 MiB."));
    v = (ng_heap_verdict){.kind = NG_CASE_NO_FLAG,
                          .action = NG_ACTION_INJECTED,
                          .limit_mib = 256,
                          .allowed_mib = 188,
                          .node_default_mib = 259};
    ng_decide_render(&v, "the plan", true, reason, sizeof(reason), refusal, sizeof(refusal));
    assert_string_equal(reason,
                        "no heap flag: node's default 259 MiB exceeds the 188 MiB that fits (the plan)");
    assert_string_equal(refusal, "");
}

/* Gather reads both flag sources; a disabled container is not scanned, so it collects no warnings. */
static void test_gather_scans_both_flag_sources(void **state)
{
    fixture *f = *state;
    f->spec = build_spec("[\"node\",\"--max-old-space-size=300\",\"--max-semi-space-size=8\",\"a.js\"]",
                         "[\"NODE_OPTIONS=--max-old-space-size=2048 --max-semi-space-size=4\"]",
                         "{\"io.nodeguard.processes\":\"2\"}", 512);
    ng_warnings w = {0};
    ng_decide_inputs in;
    ng_decide_gather(&f->policy, &f->spec, &in, &w);
    assert_int_equal(in.outcome, NG_OUTCOME_GUARDED);
    assert_int_equal(in.argv_flags.old_space_mib, 300);
    assert_int_equal(in.env_flags.old_space_mib, 2048);
    assert_int_equal(in.semi_space_mib, 8); /* the command line's */
    assert_int_equal(in.processes, 2);
    assert_string_equal(in.detection.processes_reason, "annotation io.nodeguard.processes=2");
    assert_int_equal(w.n, 0);
    ng_spec_free(&f->spec);
    f->spec = build_spec("[\"node\"]", "[\"NODE_OPTIONS=--title=\\\"unterminated\"]",
                         "{\"io.nodeguard.enable\":\"false\"}", 512);
    ng_decide_gather(&f->policy, &f->spec, &in, &w);
    assert_int_equal(in.outcome, NG_OUTCOME_DISABLED);
    assert_false(in.node_options_invalid);
    assert_int_equal(w.n, 0);
    ng_warnings_free(&w);
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
    yajl_gen g = ng_record_begin(NG_EVENT_DECISION, "precreate", NULL);
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

/* A spec with mounts, with or without a cgroup at /sys/fs/cgroup (ctr's default spec has none). */
static ng_decision *decide_args_mounts(fixture *f, const char *args, const char *env, const char *mounts,
                                       long long mib)
{
    char buf[4096];
    snprintf(buf, sizeof(buf),
             "{\"process\":{\"args\":%s,\"env\":%s},\"mounts\":%s,"
             "\"linux\":{\"resources\":{\"memory\":{\"limit\":%lld}}}}",
             args, env, mounts, mib * 1048576LL);
    ng_decision_free(&f->d);
    ng_spec_free(&f->spec);
    assert_int_equal(ng_spec_parse(buf, strlen(buf), &f->spec, NULL), 0);
    f->spec.host_memory_mib = f->host_memory_mib;
    ng_decide(&f->policy, &f->spec, true, &f->d);
    return &f->d;
}

static ng_decision *decide_mounts(fixture *f, const char *env, const char *mounts, long long mib)
{
    return decide_args_mounts(f, "[\"node\",\"a.js\"]", env, mounts, mib);
}

#define SYSFS  "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\"}"
#define CGROUP "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"}"

static void test_cgroup_view_from_mounts(void **state)
{
    (void)state;
    static const struct {
        const char *mounts;
        ng_cgroup_view want;
    } cases[] = {
        {"[" SYSFS "," CGROUP "]", NG_CGROUP_VIEW_MOUNTED},
        {"[" SYSFS "]", NG_CGROUP_VIEW_NONE},
        {"[]", NG_CGROUP_VIEW_NONE},
        {"[" CGROUP "," SYSFS "]", NG_CGROUP_VIEW_NONE}, /* sysfs mounted over it */
        {"[{\"destination\":\"/sys/fs/cgroup/\",\"type\":\"cgroup2\",\"source\":\"cgroup\"}]",
         NG_CGROUP_VIEW_MOUNTED},
        {"[{\"destination\":\"/sys/fs/cgroup\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]",
         NG_CGROUP_VIEW_NONE},
        {"[{\"destination\":\"/sys/fs/cgroup\",\"type\":\"none\",\"source\":\"/sys/fs/cgroup\","
         "\"options\":[\"rbind\",\"ro\"]}]",
         NG_CGROUP_VIEW_MOUNTED},
        {"[{\"destination\":\"/sys\",\"source\":\"/sys\",\"options\":[\"rbind\"]}]", NG_CGROUP_VIEW_MOUNTED},
        {"[{\"destination\":\"/sys\",\"source\":\"/sys\",\"options\":[\"bind\"]}]", NG_CGROUP_VIEW_NONE},
        {"[{\"destination\":7}]", NG_CGROUP_VIEW_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[1024];
        snprintf(buf, sizeof(buf), "{\"process\":{\"args\":[\"node\"]},\"mounts\":%s}", cases[i].mounts);
        ng_spec s = {0};
        assert_int_equal(ng_spec_parse(buf, strlen(buf), &s, NULL), 0);
        if (s.cgroup_view != cases[i].want)
            fail_msg("%s: view %d, want %d", cases[i].mounts, s.cgroup_view, cases[i].want);
        ng_spec_free(&s);
    }
    ng_spec s = build_spec("[\"node\"]", "[]", NULL, 512); /* no mounts list at all */
    assert_int_equal(s.cgroup_view, NG_CGROUP_VIEW_UNKNOWN);
    ng_spec_free(&s);
}

/* node that cannot see its limit sizes its young generation from the host's RAM: nodeguard sets
 * the one node would pick for the limit, beside the heap, unless a flag already sets it. */
static void test_young_generation_when_node_cannot_see_the_limit(void **state)
{
    fixture *f = *state;
    ng_decision *d = decide_mounts(f, "[]", "[" SYSFS "]", 512);
    assert_int_equal(d->action, NG_ACTION_INJECTED);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390 --max-semi-space-size=1");
    d = decide_mounts(f, "[]", "[" SYSFS "]", 1024);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=788 --max-semi-space-size=4");
    d = decide_mounts(f, "[]", "[" SYSFS "," CGROUP "]", 512);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390");
    /* a fitting flag is kept, the action stays none, the young generation is still set */
    d = decide_mounts(f, "[\"NODE_OPTIONS=--max-old-space-size=200 --title=t\"]", "[" SYSFS "]", 512);
    assert_int_equal(d->action, NG_ACTION_NONE);
    assert_int_equal(d->heap_after_mib, 200);
    assert_string_equal(decision_env(d, "NODE_OPTIONS"),
                        "--max-old-space-size=200 --max-semi-space-size=1 --title=t");
    /* the user's semi-space decides the young generation: left alone */
    d = decide_mounts(f, "[\"NODE_OPTIONS=--max-semi-space-size=2\"]", "[" SYSFS "]", 512);
    assert_null(strstr(decision_env(d, "NODE_OPTIONS"), "--max-semi-space-size=1"));
    /* --max-heap-size sets the young generation itself (V8 derives it): left alone while it fits,
     * and when the rewrite replaces it, the semi-space goes in beside nodeguard's heap */
    d = decide_args_mounts(f, "[\"node\",\"--max-heap-size=300\",\"a.js\"]", "[]", "[" SYSFS "]", 512);
    assert_false(d->args_changed);
    assert_null(decision_env(d, "NODE_OPTIONS"));
    d = decide_args_mounts(f, "[\"node\",\"--max-heap-size=3000\",\"a.js\"]", "[]", "[" SYSFS "]", 512);
    assert_string_equal(d->new_arg, "--max-old-space-size=390");
    assert_string_equal(decision_env(d, "NODE_OPTIONS"), "--max-old-space-size=390 --max-semi-space-size=1");
    /* mode warn changes nothing; node's own default is then the host's, which it records */
    f->policy.mode = NG_MODE_WARN;
    d = decide_mounts(f, "[]", "[" SYSFS "]", 512);
    assert_false(d->env_changed);
    assert_int_equal(d->plan.node_default_heap_mib, 4096 + 48); /* node's default on a 16 GiB host */
    assert_int_equal(d->verdict, NG_VERDICT_DOES_NOT_FIT);
    f->host_memory_mib = 512;
    d = decide_mounts(f, "[]", "[" SYSFS "]", 512);
    assert_int_equal(d->plan.node_default_heap_mib, 256 + 3);
    assert_int_equal(d->verdict, NG_VERDICT_FITS);
    f->host_memory_mib = 16384;
    d = decide_mounts(f, "[]", "[" SYSFS "," CGROUP "]", 512);
    assert_int_equal(d->plan.node_default_heap_mib, 259); /* the limit's: node sees it */
}

/* The host's RAM unknown (0: the stage could not read it), as decide.h documents: a node that cannot
 * see its limit is believed to pick the limit's default, and --max-heap-size without a limit is
 * believed all old space. A host's RAM node does not size itself from is not gathered at all. */
static void test_host_memory_unknown(void **state)
{
    fixture *f = *state;
    f->host_memory_mib = 0;
    f->policy.mode = NG_MODE_WARN;
    ng_decision *d = decide_mounts(f, "[]", "[" SYSFS "]", 512);
    assert_int_equal(d->plan.node_default_heap_mib, 259);
    assert_int_equal(d->verdict, NG_VERDICT_FITS);
    assert_int_equal(d->action, NG_ACTION_NONE);
    d = decide(f, "[\"node\",\"--max-heap-size=3000\",\"a.js\"]", "[]", NULL, 0, false);
    assert_int_equal(d->verdict, NG_VERDICT_UNLIMITED);
    assert_int_equal(d->heap_before_mib, 3000);
    /* gathered only where node sizes itself from it */
    ng_warnings w = {0};
    ng_decide_inputs in;
    f->spec.host_memory_mib = 16384;
    ng_decide_gather(&f->policy, &f->spec, &in, &w);
    assert_int_equal(in.host_memory_mib, 16384);
    ng_decide_inputs_free(&in);
    ng_spec_free(&f->spec);
    f->spec = build_spec("[\"node\",\"--max-heap-size=3000\",\"a.js\"]", "[]", NULL, 512);
    f->spec.host_memory_mib = 16384;
    ng_decide_gather(&f->policy, &f->spec, &in, &w);
    assert_int_equal(in.host_memory_mib, 0);
    ng_decide_inputs_free(&in);
    ng_warnings_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_injects_when_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lowers_and_keeps_other_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_line_flag_wins_and_is_lowered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node22_value_option_before_heap_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node24_young_generation_pinned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fitting_flag_is_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enforce_refuses_with_a_fix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_annotation_mode_and_disable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_stage_never_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unlimited_and_too_small, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_node_options_left_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_processes_and_heap_annotations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gen_config_preserves_the_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_as_node_reads_them, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nonoption_token_in_node_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_in_node_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_percentage_by_node_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_heap_size_on_the_command_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_semi_space_that_does_not_fit, setup, teardown),
        cmocka_unit_test(test_cgroup_view_from_mounts),
        cmocka_unit_test_setup_teardown(test_young_generation_when_node_cannot_see_the_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_host_memory_unknown, setup, teardown),
        cmocka_unit_test(test_verdict_unlimited),
        cmocka_unit_test(test_verdict_limit_too_small),
        cmocka_unit_test(test_verdict_flag_fits),
        cmocka_unit_test(test_verdict_flag_too_large_by_mode),
        cmocka_unit_test(test_verdict_no_flag_by_mode),
        cmocka_unit_test(test_verdict_heap_annotation_above_model),
        cmocka_unit_test(test_verdict_percentage_flag),
        cmocka_unit_test(test_verdict_command_line_wins_over_node_options),
        cmocka_unit_test(test_verdict_on_a_constructed_plan),
        cmocka_unit_test(test_render_a_failed_rewrite),
        cmocka_unit_test_setup_teardown(test_gather_scans_both_flag_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_launcher_node_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shell_script_rewritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_record_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_refuses_symlink_and_directory, setup, teardown),
    };
    return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
