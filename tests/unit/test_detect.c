#include "helpers.h"
#include "spec_builder.h"
#include "nodeguard/detect.h"

static ng_detection detect(const char *args, const char *env, int enable)
{
    ng_spec s = build_spec(args, env, NULL, 512);
    assert_non_null(s.root);
    ng_detection d;
    ng_detect(&s, enable, &d);
    ng_spec_free(&s);
    return d;
}

/* sh -c scripts: node in command position counts, as an argument it does not. */
static void test_shell_scripts(void **state)
{
    (void)state;
    ng_detection d = detect("[\"sh\",\"-c\",\"node a.js\"]", "[]", -1);
    assert_true(d.is_node);
    assert_false(d.has_node_argv); /* the flag can only go in through NODE_OPTIONS */
    assert_int_equal(d.processes, 1);
    assert_string_equal(d.reason, "sh -c script runs node");
    d = detect("[\"/bin/bash\",\"-c\",\"(crond; sleep 9) & sleep 1; exec /usr/bin/node /app/s.js\"]", "[]",
               -1);
    assert_true(d.is_node);
    assert_int_equal(d.processes, 1);
    d = detect("[\"sh\",\"-c\",\"node worker.js & PORT=80 node web.js\\nwait\"]", "[]", -1);
    assert_int_equal(d.processes, 2);
    d = detect("[\"sh\",\"-c\",\"cd /app && npm start\"]", "[]", -1);
    assert_true(d.is_node);
    assert_int_equal(d.processes, 1);
    assert_int_equal(d.launchers, 0);
    d = detect("[\"sh\",\"-c\",\"npm run migrate && node server.js\"]", "[]", -1);
    assert_int_equal(d.processes, 1);
    assert_int_equal(d.launchers, 1);
    assert_false(detect("[\"sh\",\"-c\",\"echo node | grep nodejs\"]", "[]", -1).is_node);
    assert_false(detect("[\"sh\",\"-c\"]", "[]", -1).is_node);
    assert_false(detect("[\"sh\",\"-c\",\"node a.js\"]", "[]", 0).is_node); /* annotation off wins */
}

/* The script's one node command is read: where it is, and whether its words are node's options. */
static void test_shell_script_node_command(void **state)
{
    (void)state;
    ng_detection d =
        detect("[\"sh\",\"-c\",\"cd /app && NODE_OPTIONS='-r fs' exec node --x a.js 2>&1\"]", "[]", -1);
    assert_true(d.is_node);
    assert_true(d.script_read);
    assert_int_equal(d.script_index, 2);
    assert_int_equal(d.script_command, 1);
    assert_int_equal(d.script_word, 2);
    assert_true(d.script_node_argv);
    assert_false(d.unknown[0]);
    d = detect("[\"docker-entrypoint.sh\",\"bash\",\"-c\",\"npm start\"]", "[]", -1);
    assert_true(d.script_read);
    assert_int_equal(d.script_index, 3);
    assert_false(d.script_node_argv);
    assert_int_equal(d.processes, 1);
    /* Read as the shell splits it: a quoted NODE_OPTIONS value is one word, node the command. */
    d = detect("[\"sh\",\"-c\",\"NODE_OPTIONS=-r\\\\ fs node a.js\"]", "[]", -1);
    assert_true(d.is_node);
    assert_true(d.script_read);
    static const char *const unknown[] = {
        "[\"sh\",\"-c\",\"exec node $FLAGS a.js\"]",
        "[\"sh\",\"-c\",\"export NODE_OPTIONS=--max-old-space-size=9; exec node a.js\"]",
        "[\"sh\",\"-c\",\"node a.js & node b.js\"]",
        "[\"sh\",\"-c\",\". ./env.sh && exec node a.js\"]",
        "[\"sh\",\"-c\",\"exec -a app node a.js\"]",
        "[\"sh\",\"-c\",\"if true; then node a.js; fi\"]",
    };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        d = detect(unknown[i], "[]", -1);
        assert_true(d.is_node);
        assert_false(d.script_read);
        assert_true(d.unknown[0]);
    }
}

static void test_node_commands(void **state)
{
    (void)state;
    static const char *const yes[] = {"[\"node\",\"a.js\"]",
                                      "[\"/usr/local/bin/node\"]",
                                      "[\"nodejs\"]",
                                      "[\"npm\",\"start\"]",
                                      "[\"npx\",\"x\"]",
                                      "[\"yarn\"]",
                                      "[\"pnpm\",\"dev\"]",
                                      "[\"tsx\",\"a.ts\"]",
                                      "[\"ts-node\",\"a.ts\"]",
                                      "[\"nodemon\"]",
                                      "[\"docker-entrypoint.sh\",\"node\",\"a.js\"]",
                                      "[\"docker-entrypoint.sh\",\"--max-old-space-size=1\",\"a.js\"]"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        ng_detection d = detect(yes[i], "[]", -1);
        assert_true(d.is_node);
        assert_true(d.reason[0]);
    }
    static const char *const no[] = {"[\"sh\",\"-c\",\"echo node; cat node.txt\"]", "[\"nginx\"]",
                                     "[\"nodex\"]", "[\"docker-entrypoint.sh\",\"postgres\"]"};
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(detect(no[i], "[]", -1).is_node);
}

static void test_node_argv_position(void **state)
{
    (void)state;
    ng_detection d = detect("[\"docker-entrypoint.sh\",\"node\",\"a.js\"]", "[]", -1);
    assert_true(d.has_node_argv);
    assert_int_equal(d.node_opts_start, 2);
    d = detect("[\"docker-entrypoint.sh\",\"--inspect\",\"a.js\"]", "[]", -1);
    assert_int_equal(d.node_opts_start, 1);
    d = detect("[\"npm\",\"start\"]", "[]", -1);
    assert_false(d.has_node_argv);
}

/* env as a launcher (GNU coreutils and busybox env): options, then NAME=VALUE assignments, then the
 * command; what each does to the NODE_OPTIONS node gets. */
static void test_env_launcher(void **state)
{
    (void)state;
    ng_detection d = detect("[\"/usr/bin/env\",\"node\",\"--max-old-space-size=4096\",\"app.js\"]", "[]", -1);
    assert_true(d.is_node);
    assert_true(d.env_launcher);
    assert_true(d.has_node_argv);
    assert_int_equal(d.node_opts_start, 2);
    assert_int_equal(d.env_options_index, 0);
    assert_false(d.env_clears);
    d = detect(
        "[\"env\",\"A=1\",\"NODE_OPTIONS=--max-old-space-size=1\",\"NODE_OPTIONS=x\",\"node\",\"a.js\"]",
        "[]", -1);
    assert_int_equal(d.env_options_index, 3); /* the last assignment is what node gets */
    assert_int_equal(d.command_index, 4);
    assert_int_equal(d.node_opts_start, 5);
    d = detect("[\"env\",\"-i\",\"node\"]", "[]", -1);
    assert_true(d.env_clears);
    d = detect("[\"env\",\"-\",\"node\"]", "[]", -1);
    assert_true(d.env_clears);
    d = detect("[\"env\",\"--ignore-env\",\"node\"]", "[]", -1); /* getopt_long takes a unique prefix */
    assert_true(d.env_clears);
    d = detect("[\"env\",\"-iuNODE_OPTIONS\",\"node\"]", "[]", -1);
    assert_true(d.env_clears);
    assert_true(d.env_unsets_options);
    d = detect("[\"env\",\"-u\",\"NODE_OPTIONS\",\"-C\",\"/app\",\"--\",\"node\",\"a.js\"]", "[]", -1);
    assert_true(d.env_unsets_options);
    assert_false(d.env_clears);
    assert_int_equal(d.command_index, 6);
    d = detect("[\"env\",\"--unset\",\"NODE_OPTIONS\",\"--chdir=/app\",\"npm\",\"start\"]", "[]", -1);
    assert_true(d.env_unsets_options);
    assert_true(d.is_node);
    assert_int_equal(d.launchers, 1);
    d = detect("[\"env\",\"-u\",\"PATH\",\"node\"]", "[]", -1);
    assert_false(d.env_unsets_options);
    d = detect("[\"env\",\"sh\",\"-c\",\"exec node a.js\"]", "[]", -1);
    assert_true(d.is_node);
    /* What cannot be read is said, never guessed: -S splits a string, --i is ambiguous, -x is not an
     * option (env refuses to start). */
    static const char *const unread[] = {
        "[\"env\",\"-S\",\"node --max-old-space-size=4096 a.js\"]", "[\"env\",\"--split-string=node a.js\"]",
        "[\"env\",\"--i\",\"node\"]", "[\"env\",\"-x\",\"node\"]", "[\"env\",\"-u\"]"};
    for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
        d = detect(unread[i], "[]", -1);
        assert_false(d.is_node);
        assert_true(d.unknown[0]);
    }
    d = detect("[\"env\"]", "[]", -1); /* prints the environment: nothing unknown about it */
    assert_false(d.is_node);
    assert_false(d.unknown[0]);
    d = detect("[\"env\",\"nginx\"]", "[\"NODE_VERSION=20\"]", -1);
    assert_true(d.is_node); /* by NODE_VERSION */
    assert_false(d.has_node_argv);
}

static void test_node_version_env(void **state)
{
    (void)state;
    ng_detection d = detect("[\"/docker-init\",\"--\",\"/start.sh\"]", "[\"NODE_VERSION=20.20.2\"]", -1);
    assert_true(d.is_node);
    assert_non_null(strstr(d.reason, "NODE_VERSION=20.20.2"));
}

static void test_annotation_override(void **state)
{
    (void)state;
    assert_false(detect("[\"node\"]", "[]", 0).is_node);
    ng_detection d = detect("[\"python3\"]", "[]", 1);
    assert_true(d.is_node);
    assert_non_null(strstr(d.reason, "io.nodeguard.enable=true"));
}

static void test_process_counts(void **state)
{
    (void)state;
    assert_int_equal(detect("[\"node\",\"a.js\"]", "[]", -1).processes, 1);
    ng_detection watch = detect("[\"tsx\",\"watch\",\"a.ts\"]", "[]", -1);
    assert_int_equal(watch.processes, 1); /* one app process that grows ... */
    assert_int_equal(watch.launchers, 1); /* ... under a watcher parent that does not */
    assert_int_equal(detect("[\"tsx\",\"a.ts\"]", "[]", -1).processes, 1);
    assert_int_equal(detect("[\"tsx\",\"a.ts\"]", "[]", -1).launchers, 1); /* tsx's cli parent */
    assert_int_equal(detect("[\"ts-node\",\"a.ts\"]", "[]", -1).launchers,
                     0); /* counted as one process (not measured) */
    assert_int_equal(detect("[\"nodemon\",\"a.js\"]", "[]", -1).launchers, 1);
    assert_int_equal(detect("[\"node\",\"--watch\",\"a.js\"]", "[]", -1).launchers, 1);
    assert_int_equal(detect("[\"node\",\"--watch\",\"a.js\"]", "[]", -1).processes, 1);
    ng_detection npm = detect("[\"npm\",\"start\"]", "[]", -1);
    assert_int_equal(npm.processes, 1);
    assert_int_equal(npm.launchers, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_commands),
        cmocka_unit_test(test_shell_scripts),
        cmocka_unit_test(test_node_argv_position),
        cmocka_unit_test(test_env_launcher),
        cmocka_unit_test(test_shell_script_node_command),
        cmocka_unit_test(test_node_version_env),
        cmocka_unit_test(test_annotation_override),
        cmocka_unit_test(test_process_counts),
    };
    return cmocka_run_group_tests_name("detect", tests, NULL, NULL);
}
