#include <errno.h>
#include <signal.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "nodeguard/sandbox.h"

/* Generated at build time from sandbox_rules.h (build/gen/seccomp_filters.c). */
extern const struct sock_filter ng_seccomp_hook[], ng_seccomp_watcher[];
extern const unsigned short ng_seccomp_hook_len, ng_seccomp_watcher_len;

static int drop_capabilities(ng_error **err)
{
    /* The bounding set first (needs CAP_SETPCAP, which goes with the rest below); unprivileged
     * callers have nothing to drop and get EPERM, which is fine. */
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL && errno != EPERM)
            return ng_error_set(err, errno, "dropping capability %d from the bounding set: %s", cap,
                                strerror(errno));
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    cap_t none = cap_init();
    if (!none)
        return ng_error_set(err, errno, "cap_init: %s", strerror(errno));
    int r = cap_set_proc(none);
    int e = errno;
    cap_free(none);
    if (r < 0)
        return ng_error_set(err, e, "dropping capabilities: %s", strerror(e));
    return 0;
}

pid_t ng_sandbox_fork(void)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
        _exit(1);
    return pid;
}

int ng_sandbox_enter(ng_sandbox_profile profile, ng_error **err)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return ng_error_set(err, errno, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
    int r = drop_capabilities(err);
    if (r < 0)
        return r;
#ifdef NODEGUARD_SANITIZER_BUILD
    /* Sanitizer test builds only: LeakSanitizer checks for leaks at exit from a ptracing child,
     * which no seccomp filter of ours would let run. The filter is tested in the normal build. */
    (void)profile;
    return 0;
#endif
    struct sock_fprog prog =
        profile == NG_SANDBOX_WATCHER
            ? (struct sock_fprog){ng_seccomp_watcher_len, (struct sock_filter *)ng_seccomp_watcher}
            : (struct sock_fprog){ng_seccomp_hook_len, (struct sock_filter *)ng_seccomp_hook};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
        return ng_error_set(err, errno, "loading the seccomp filter: %s", strerror(errno));
    return 0;
}
