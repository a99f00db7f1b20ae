/* nodeguard-runtime seen from the engine's side: the hook path it adds and the runtime it execs. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/doctor_files.h"
#include "nodeguard/doctor_wrapper.h"
#include "nodeguard/util.h"

#define ASK_TIMEOUT_MS 5000

void ng_doctor_wrappers_add(ng_doctor_wrappers *w, const char *host_path)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->paths[i], host_path) == 0)
            return;
    if (w->n < NG_DOCTOR_MAX_WRAPPERS)
        snprintf(w->paths[w->n++], PATH_MAX, "%s", host_path);
}

/* Runs `WRAPPER --nodeguard-hook-path` with the policy the engine's wrapper would read, and
 * returns its first line. Only a file root owns (or this user, for tests) that no one else can
 * write is run: the doctor must not become a way to run someone's planted program as root. */
static int ask_hook_path(const char *wrapper, const char *policy, char *ret, size_t size, ng_error **err)
{
    struct stat st;
    if (stat(wrapper, &st) < 0)
        return ng_error_set(err, errno, "cannot stat %s: %s", wrapper, strerror(errno));
    if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022))
        return ng_error_set(err, EPERM, "%s is writable by others or not root's: not run", wrapper);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return ng_error_set(err, errno, "pipe: %s", strerror(errno));
    cleanup_close int rd = fds[0];
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[1]);
        return ng_error_set(err, errno, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* stdin and stderr to /dev/null, stdout to the pipe (fds 0, 1, 2). */
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(devnull, 2) < 0)
            _exit(127);
        setenv("NODEGUARD_CONFIG", policy, 1);
        unsetenv("NODEGUARD_RUNTIME_ACTIVE");
        execl(wrapper, wrapper, "--nodeguard-hook-path", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    int64_t deadline = ng_monotonic_ms() + ASK_TIMEOUT_MS;
    for (;;) {
        int64_t left = deadline - ng_monotonic_ms();
        struct pollfd p = {.fd = rd, .events = POLLIN};
        int ready = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            kill(pid, SIGKILL);
            break;
        }
        ssize_t n = ng_read_retry(rd, ret + len, size - 1 - len);
        if (n <= 0 || (len += (size_t)n) == size - 1)
            break;
    }
    ret[len] = '\0';
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    ret[strcspn(ret, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || ret[0] != '/')
        return ng_error_set(err, EPROTO,
                            "%s --nodeguard-hook-path did not print a path (a version older than "
                            "this nodeguard?)",
                            wrapper);
    return 0;
}

static void check_hook(const ng_doctor_ctx *ctx, const char *wrapper, const char *policy_path)
{
    cleanup_free char *full = ng_doctor_path(ctx, wrapper);
    cleanup_free char *policy = ng_doctor_path(ctx, policy_path);
    char hook[PATH_MAX], why[128], found[PATH_MAX];
    cleanup_error ng_error *err = NULL;
    if (ask_hook_path(full, policy, hook, sizeof(hook), &err) < 0) {
        ng_doctor_check *c = ng_doctor_add(ctx->report, "wrapper", NG_DOCTOR_WARN,
                                           "cannot tell which hook %s adds: %s", full, ng_error_msg(err));
        ng_doctor_fix(
            c,
            "install nodeguard-runtime from the same build as this nodeguard (`make install PREFIX=/usr`)");
        return;
    }
    cleanup_free char *hook_full = ng_doctor_path(ctx, hook);
    if (ng_doctor_executable(hook_full, why, sizeof(why))) {
        ng_doctor_add(ctx->report, "wrapper", NG_DOCTOR_OK,
                      "%s adds the hook %s to every container it creates (%s)", full, hook_full, why);
        return;
    }
    ng_doctor_check *c =
        ng_doctor_add(ctx->report, "wrapper", NG_DOCTOR_FAIL,
                      "%s adds the hook %s to every container it creates, which %s: runc then fails "
                      "every start through the wrapper",
                      full, hook_full, why);
    if (ng_doctor_find_hook(ctx, found, sizeof(found)) && strcmp(found, hook) != 0)
        ng_doctor_fix(
            c,
            "the hook is at %s: set \"hook_path\": \"%s\" in %s, or rebuild and install both with the "
            "same prefix (`make install PREFIX=/usr`)",
            found, found, policy);
    else if (strncmp(why, "is not executable", 17) == 0)
        ng_doctor_fix(c, "chmod 0755 %s", hook_full);
    else
        ng_doctor_fix(c, "install the hook: `make install PREFIX=/usr` in nodeguard's source tree");
}

static void check_real_runtime(const ng_doctor_ctx *ctx, const char *wrapper, const ng_policy *pol,
                               const char *policy_path)
{
    char why[128], real[PATH_MAX];
    if (pol->runtime_path) {
        cleanup_free char *full = ng_doctor_path(ctx, pol->runtime_path);
        cleanup_free char *wrapper_full = ng_doctor_path(ctx, wrapper);
        struct stat st, self;
        bool ok = false;
        if (pol->runtime_path[0] != '/')
            snprintf(why, sizeof(why), "is not an absolute path");
        else if (stat(full, &st) == 0 && stat(wrapper_full, &self) == 0 && st.st_dev == self.st_dev &&
                 st.st_ino == self.st_ino)
            snprintf(why, sizeof(why), "is nodeguard-runtime itself, which refuses to run itself");
        else
            ok = ng_doctor_executable(full, why, sizeof(why));
        if (ok) {
            ng_doctor_add(ctx->report, "wrapper", NG_DOCTOR_OK,
                          "the real runtime behind it is %s (runtime_path)", full);
        } else {
            ng_doctor_check *c = ng_doctor_add(
                ctx->report, "wrapper", NG_DOCTOR_FAIL,
                "runtime_path %s %s: every container start through the wrapper fails", full, why);
            ng_doctor_fix(c, "install it, or set \"runtime_path\" in %s%s to runc's or crun's path",
                          ctx->root, policy_path);
        }
        return;
    }
    if (ng_doctor_find_program(ctx, "runc", wrapper, real, sizeof(real)) ||
        ng_doctor_find_program(ctx, "crun", wrapper, real, sizeof(real))) {
        ng_doctor_add(ctx->report, "wrapper", NG_DOCTOR_OK,
                      "the real runtime behind it is %s%s (the first runc or crun on the engines' PATH)",
                      ctx->root, real);
        return;
    }
    ng_doctor_check *c = ng_doctor_add(
        ctx->report, "wrapper", NG_DOCTOR_FAIL,
        "no runc or crun on %s: every container start through the wrapper fails", NG_DOCTOR_ENGINE_PATH);
    ng_doctor_fix(c, "apt-get install runc (or set \"runtime_path\" in %s%s)", ctx->root, policy_path);
}

void ng_doctor_check_wrapper(const ng_doctor_ctx *ctx, const char *host_path, const char *policy_path,
                             const ng_policy *pol)
{
    check_hook(ctx, host_path, policy_path);
    check_real_runtime(ctx, host_path, pol, policy_path);
}
