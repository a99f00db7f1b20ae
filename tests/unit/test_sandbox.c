#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "helpers.h"
#include "nodeguard/sandbox.h"

/* The value of a "Key:" line of /proc/self/status. */
static void status_field(const char *key, char *out, size_t size)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    out[0] = '\0';
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, key, strlen(key)) == 0) {
            char *v = line + strlen(key);
            v += strspn(v, " \t");
            v[strcspn(v, "\n")] = '\0';
            snprintf(out, size, "%s", v);
        }
    if (f)
        fclose(f);
}

/* Runs fn in a child that enters the sandbox first; the child's exit code is fn's result. */
static int in_sandbox(int (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        if (ng_sandbox_enter(NG_SANDBOX_HOOK, NULL) < 0)
            _exit(100);
        _exit(fn());
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status);
}

static int check_status(void)
{
    char seccomp[32], nnp[32], capeff[32], capbnd[32], capprm[32];
    status_field("Seccomp:", seccomp, sizeof(seccomp));
    status_field("NoNewPrivs:", nnp, sizeof(nnp));
    status_field("CapEff:", capeff, sizeof(capeff));
    status_field("CapPrm:", capprm, sizeof(capprm));
    status_field("CapBnd:", capbnd, sizeof(capbnd));
#ifdef NODEGUARD_SANITIZER_BUILD
    snprintf(seccomp, sizeof(seccomp), "2"); /* no filter in sanitizer builds (sandbox.c) */
#endif
    bool ok = strcmp(seccomp, "2") == 0 && strcmp(nnp, "1") == 0 && strcmp(capeff, "0000000000000000") == 0 &&
              strcmp(capprm, "0000000000000000") == 0 &&
              (getuid() != 0 || strcmp(capbnd, "0000000000000000") == 0);
    if (!ok)
        fprintf(stderr, "Seccomp=%s NoNewPrivs=%s CapEff=%s CapPrm=%s CapBnd=%s\n", seccomp, nnp, capeff,
                capprm, capbnd);
    return ok ? 0 : 1;
}

static void test_filter_and_capabilities(void **state)
{
    (void)state;
    assert_int_equal(in_sandbox(check_status), 0);
}

static __attribute__((unused)) int try_exec(void)
{
    char *argv[] = {"true", NULL};
    execv("/bin/true", argv);
    return errno == EPERM ? 0 : 1;
}

static __attribute__((unused)) int try_fork(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    return p < 0 && errno == EPERM ? 0 : 1;
}

static __attribute__((unused)) int try_inet_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    return fd < 0 && errno == EPERM ? 0 : 1;
}

static int try_unix_socket_and_files(void)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0); /* syslog's fallback */
    if (fd < 0)
        return 1;
    close(fd);
    char path[] = "/tmp/ng-sandbox-XXXXXX";
    int f = mkstemp(path); /* openat: the log and state files */
    if (f < 0 || write(f, "x", 1) != 1)
        return 2;
    close(f);
    unlink(path);
    return 0;
}

/* Whether /sys/fs/cgroup is cgroup2 decides rootless OOM recording, asked inside the sandbox. */
static int try_statfs(void)
{
    struct statfs sf;
    int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = statfs("/", &sf) == 0 && fd >= 0 && fstatfs(fd, &sf) == 0 ? 0 : 1;
    if (fd >= 0)
        close(fd);
    return r;
}

static int try_setuid(void)
{
    return setuid(1000) < 0 && errno == EPERM ? 0 : 1;
}

static void test_refused_and_allowed_calls(void **state)
{
    (void)state;
#ifndef NODEGUARD_SANITIZER_BUILD /* the filter is not loaded in sanitizer builds (sandbox.c) */
    assert_int_equal(in_sandbox(try_exec), 0);
    assert_int_equal(in_sandbox(try_fork), 0);
    assert_int_equal(in_sandbox(try_inet_socket), 0);
#endif
    assert_int_equal(in_sandbox(try_setuid), 0);
    assert_int_equal(in_sandbox(try_unix_socket_and_files), 0);
    assert_int_equal(in_sandbox(try_statfs), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_and_capabilities),
        cmocka_unit_test(test_refused_and_allowed_calls),
    };
    return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
