/* nodeguard-runtime exec's command line: where the process file is, which container, which root. */
#include <string.h>
#include "helpers.h"
#include "nodeguard/wrapper_exec.h"

static ng_exec_args parse(char **argv, int command_index)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    ng_exec_args a;
    ng_exec_parse_args(argc, argv, command_index, &a);
    return a;
}

static void test_containerd_shape(void **state)
{
    (void)state;
    char *argv[] = {
        "runc", "--root",    "/run/containerd/runc/k8s.io", "--log",    "/l.json",    "--log-format", "json",
        "exec", "--process", "/tmp/runc-process1",          "--detach", "--pid-file", "/p",           "c1",
        NULL};
    ng_exec_args a = parse(argv, 7);
    assert_string_equal(a.root, "/run/containerd/runc/k8s.io");
    assert_string_equal(a.id, "c1");
    assert_string_equal(a.process, "/tmp/runc-process1");
    assert_int_equal(a.process_index, 9);
    assert_false(a.process_attached);
}

static void test_attached_and_short_forms(void **state)
{
    (void)state;
    char *attached[] = {"runc", "--root=/r", "exec", "--preserve-fds", "2", "-p=/x.json", "c2", "node",
                        "-p",   "1",         NULL};
    ng_exec_args a = parse(attached, 2);
    assert_string_equal(a.root, "/r");
    assert_string_equal(a.id, "c2");
    assert_string_equal(a.process, "/x.json");
    assert_int_equal(a.process_index, 5);
    assert_true(a.process_attached);
    assert_int_equal(a.preserve_fds, 2);
    /* the command after the container is the process's, its -p is node's */
    char *command_line[] = {"runc", "exec", "-e", "A=1", "--cwd", "/", "c3", "node", "-p", "x.json", NULL};
    a = parse(command_line, 1);
    assert_null(a.root);
    assert_string_equal(a.id, "c3");
    assert_null(a.process);
    assert_int_equal(a.process_index, 0);
    assert_int_equal(a.operands_index, 6);
    assert_int_equal(a.n_env, 1);
    assert_string_equal(a.env[0], "A=1");
    assert_string_equal(a.env_flag, "-e");
    assert_string_equal(a.cwd, "/");
    ng_exec_args_free(&a);
    char *long_env[] = {"runc", "exec", "--env=B=2", "--env", "C=3", "--", "c4", "node", NULL};
    a = parse(long_env, 1);
    assert_string_equal(a.id, "c4");
    assert_int_equal(a.operands_index, 5);
    assert_int_equal(a.n_env, 2);
    assert_string_equal(a.env[0], "B=2");
    assert_string_equal(a.env[1], "C=3");
    assert_string_equal(a.env_flag, "--env");
    ng_exec_args_free(&a);
    char *dangling[] = {"runc", "exec", "--process", NULL};
    a = parse(dangling, 1);
    assert_null(a.process);
    assert_null(a.id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_containerd_shape),
        cmocka_unit_test(test_attached_and_short_forms),
    };
    return cmocka_run_group_tests_name("wrapper_exec", tests, NULL, NULL);
}
