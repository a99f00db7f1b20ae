/* The seccomp allow-lists, by name. They are compiled into BPF at build time by src/gen/seccomp-gen.c
 * (with libseccomp) and loaded by sandbox.c with one prctl: building the filter at every container
 * start cost ~0.5 ms, a third of the hook's run. Edit here; `make` regenerates the filters. */
#ifndef NODEGUARD_SANDBOX_RULES_H
#define NODEGUARD_SANDBOX_RULES_H

/* What a hook stage does after its inputs are in memory and its files are open: allocate, read and
 * write files (the log's rotation and the runtime state: open, rename, unlink, mkdir, flock),
 * sleep (poststop's wait), read the clock and the host name, and reach syslog on its UNIX socket
 * when the log cannot be written. Nothing that starts programs, changes credentials or mounts,
 * traces, or talks to the network. Not sysinfo: the host's RAM is read before the sandbox
 * (hostmem.h). glibc's qsort asks it too, for a sort buffer of 1 KiB or more (the watcher's 53+
 * processes); refused, it still sorts, only its choice of merge or quick sort can change. */
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
    "ppoll",        "statfs",       "fstatfs", /* is /sys/fs/cgroup cgroup2 (rootless OOM), a cgroup's fs */
    "openat2", /* the app's package.json, resolved inside the container's rootfs (pkgjson_read.c) */
};

/* Poststop signals a watcher that did not finish through a pidfd, so that a pid which is no longer
 * the watcher's is never signalled (src/host/runstate.c). */
static const char *const pidfd_calls[] = {"pidfd_open", "pidfd_send_signal"};

/* The watcher adds its event loop: its descriptors are already armed. */
static const char *const watcher_calls[] = {
    "epoll_wait", "epoll_pwait", "epoll_ctl", "recvfrom", "recvmsg", "eventfd2",
};

/* socket() is allowed for AF_UNIX only (syslog's socket), by an argument rule in the generator. */

#endif
