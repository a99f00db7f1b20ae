#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include "nodeguard/sandbox.h"

/* What a hook stage does after its inputs are in memory and its files are open: allocate, read and
 * write files (the log's rotation and the runtime state: open, rename, unlink, mkdir, flock),
 * sleep (poststop's wait), read the clock and the host name, and reach syslog on its UNIX socket
 * when the log cannot be written. Nothing that starts programs, changes credentials or mounts,
 * traces, or talks to the network. */
static const char *const hook_calls[] = {
    "read",         "write",        "writev",         "pread64",
    "readv",        "close",        "fstat",          "newfstatat",
    "stat",         "lstat",        "statx",          "lseek",
    "openat",       "open",         "access",         "faccessat",
    "faccessat2",   "readlink",     "readlinkat",     "rename",
    "renameat",     "renameat2",    "unlink",         "unlinkat",
    "mkdir",        "mkdirat",      "rmdir",          "fchmod",
    "fchown",       "flock",        "fcntl",          "fsync",
    "getdents64",   "brk",          "mmap",           "munmap",
    "mremap",       "madvise",      "mprotect",       "exit",
    "exit_group",   "rt_sigreturn", "rt_sigprocmask", "rt_sigaction",
    "getpid",       "gettid",       "getuid",         "geteuid",
    "getgid",       "getegid",      "uname",          "clock_gettime",
    "gettimeofday", "time",         "nanosleep",      "clock_nanosleep",
    "futex",        "getrandom",    "connect",        "sendto",
    "sendmsg",      "kill",         "ioctl",          "poll",
    "ppoll",
};

/* The watcher adds its event loop: its descriptors are already armed. */
static const char *const watcher_calls[] = {
    "epoll_wait", "epoll_pwait", "epoll_ctl", "recvfrom", "recvmsg", "eventfd2",
};

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

static int allow(scmp_filter_ctx ctx, const char *const *names, size_t n, ng_error **err)
{
    for (size_t i = 0; i < n; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]);
        if (nr == __NR_SCMP_ERROR)
            continue; /* not on this architecture (open, stat on arm64) */
        int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
        if (r < 0)
            return ng_error_set(err, -r, "seccomp rule for %s: %s", names[i], strerror(-r));
    }
    return 0;
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
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx)
        return ng_error_set(err, ENOMEM, "seccomp_init failed");
    r = allow(ctx, hook_calls, sizeof(hook_calls) / sizeof(hook_calls[0]), err);
    if (r == 0 && profile == NG_SANDBOX_WATCHER)
        r = allow(ctx, watcher_calls, sizeof(watcher_calls) / sizeof(watcher_calls[0]), err);
    /* syslog's socket only: AF_UNIX. */
    if (r == 0 &&
        (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX))) < 0)
        ng_error_set(err, -r, "seccomp rule for socket: %s", strerror(-r));
    if (r == 0 && (r = seccomp_load(ctx)) < 0)
        ng_error_set(err, -r, "loading the seccomp filter: %s", strerror(-r));
    seccomp_release(ctx);
    return r < 0 ? r : 0;
}
