/* Policy, audit log and the watcher's kernel interfaces, as `nodeguard doctor` checks them. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/doctor_files.h"
#include "nodeguard/doctor_host.h"
#include "nodeguard/procexit.h"
#include "nodeguard/util.h"

#ifndef NODEGUARD_SYSCONFDIR
#define NODEGUARD_SYSCONFDIR "/etc"
#endif

#define CGROUP2_SUPER_MAGIC_ 0x63677270
#define SMALL_FILE_MAX       4096

const char *ng_doctor_policy_path(void)
{
    return NODEGUARD_SYSCONFDIR "/nodeguard/nodeguard.json";
}

void ng_doctor_check_user(const ng_doctor_ctx *ctx)
{
    if (geteuid() != 0)
        ng_doctor_add(
            ctx->report, "doctor", NG_DOCTOR_WARN,
            "not run as root: the checks below say what this user may do, not what root's hooks may");
}

void ng_doctor_check_policy(const ng_doctor_ctx *ctx, ng_policy *ret)
{
    ng_policy_defaults(ret);
    const char *path = ng_doctor_policy_path();
    cleanup_free char *full = ng_doctor_path(ctx, path);
    const char *env = getenv("NODEGUARD_CONFIG");
    if (env && *env && strcmp(env, path) != 0)
        ng_doctor_add(
            ctx->report, "policy", NG_DOCTOR_WARN,
            "NODEGUARD_CONFIG is set in this shell, but engines run hooks without it: doctor checks %s",
            full);
    cleanup_free char *buf = NULL;
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    int r = ng_doctor_read(ctx, path, NG_POLICY_MAX_BYTES, &buf, &len, &err);
    if (r == -ENOENT) {
        ng_doctor_add(ctx->report, "policy", NG_DOCTOR_OK, "%s does not exist: the defaults apply (mode fix)",
                      full);
        return;
    }
    ng_policy parsed;
    ng_policy_defaults(&parsed);
    if (r >= 0)
        r = ng_policy_parse(&parsed, buf, len, &err);
    if (r < 0) {
        ng_policy_free(&parsed);
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "policy", NG_DOCTOR_FAIL,
                          "%s is not read (%s): every hook uses the defaults and warns in each record", full,
                          ng_error_msg(err));
        ng_doctor_fix(c,
                      "correct %s (JSON with comments, every key in nodeguard.json(5)); "
                      "`nodeguard check --policy %s BUNDLE` shows what a hook would read",
                      full, full);
        return;
    }
    for (size_t i = 0; i < parsed.warnings.n; i++) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "policy", NG_DOCTOR_WARN, "%s: %s (ignored; the rest applies)", full,
                          parsed.warnings.items[i]);
        ng_doctor_fix(c, "correct or remove that key in %s (nodeguard.json(5) lists them)", full);
    }
    ng_doctor_add(ctx->report, "policy", NG_DOCTOR_OK, "%s parses: mode %s, log %s", full,
                  ng_mode_name(parsed.mode), parsed.log_path);
    ng_policy_free(ret);
    *ret = parsed;
}

/* The nearest directory at or above dir that exists, or why none can be made. */
static int existing_ancestor(char *dir, char *why, size_t why_size)
{
    for (;;) {
        struct stat st;
        if (stat(dir, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                return 0;
            snprintf(why, why_size, "%s is not a directory", dir);
            return -ENOTDIR;
        }
        if (errno != ENOENT && errno != ENOTDIR) {
            snprintf(why, why_size, "%s: %s", dir, strerror(errno));
            return -errno;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            snprintf(why, why_size, "no directory above it exists");
            return -ENOENT;
        }
        *slash = '\0';
    }
}

void ng_doctor_check_log(const ng_doctor_ctx *ctx, const ng_policy *pol)
{
    cleanup_free char *log = ng_doctor_path(ctx, pol->log_path);
    cleanup_free char *dir_copy = strdup(log);
    if (!dir_copy)
        abort();
    char *dir = dirname(dir_copy);
    char existing[PATH_MAX], why[PATH_MAX + 64];
    snprintf(existing, sizeof(existing), "%s", dir);
    if (existing_ancestor(existing, why, sizeof(why)) < 0) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "log", NG_DOCTOR_FAIL,
                          "the log's directory %s cannot be made: %s; records go only to stderr and "
                          "syslog",
                          dir, why);
        ng_doctor_fix(c, "set \"log_path\" in %s%s to a file in a directory root can write, e.g. %s",
                      ctx->root, ng_doctor_policy_path(), NG_SYSTEM_LOG_PATH);
        return;
    }
    /* A new file next to the log (or in the directory the hooks will make it in), removed at once:
     * the log itself is never opened, so it is never truncated or locked. */
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof(probe), "%s/.nodeguard-doctor.XXXXXX", existing);
    int fd = mkostemp(probe, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        /* Root's hooks write the log: a user's "permission denied" says nothing about them. */
        bool only_this_user = geteuid() != 0 && (e == EACCES || e == EPERM);
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "log", only_this_user ? NG_DOCTOR_WARN : NG_DOCTOR_FAIL,
                          "cannot create a file in %s (%s)%s", existing, strerror(e),
                          only_this_user ? "" : ": no record reaches the audit log");
        if (only_this_user)
            ng_doctor_fix(c, "run nodeguard doctor as root to check what the hooks can do");
        else if (e == EROFS)
            ng_doctor_fix(
                c,
                "%s is on a read-only file system: set \"log_path\" in %s%s to a writable place such as "
                "%s",
                existing, ctx->root, ng_doctor_policy_path(), NG_SYSTEM_LOG_PATH);
        else
            ng_doctor_fix(c,
                          "`lsattr -d %s` shows an immutable flag (`chattr -i %s`); else a security module "
                          "denies it (its audit log says which), or set \"log_path\" in %s%s elsewhere",
                          existing, existing, ctx->root, ng_doctor_policy_path());
        return;
    }
    close(fd);
    unlink(probe);
    struct stat st;
    if (lstat(log, &st) == 0 && !S_ISREG(st.st_mode)) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "log", NG_DOCTOR_FAIL,
                          "%s is not a regular file (a symlink or other): the hooks refuse it", log);
        ng_doctor_fix(c, "mv %s %s.old", log, log);
        return;
    }
    if (strcmp(existing, dir) != 0)
        ng_doctor_add(ctx->report, "log", NG_DOCTOR_OK,
                      "%s does not exist yet; the first record makes it (%s is "
                      "writable)",
                      dir, existing);
    else
        ng_doctor_add(ctx->report, "log", NG_DOCTOR_OK, "%s is writable: records go to %s", dir, log);
}

static int read_small(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = ng_read_retry(fd, buf, size - 1);
    if (n < 0)
        return (int)n;
    buf[n] = '\0';
    return 0;
}

static void check_kmsg(ng_doctor_report *r)
{
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        ng_doctor_add(r, "watcher", NG_DOCTOR_OK,
                      "/dev/kmsg is readable: OOM kills are named (victim, sizes)");
        return;
    }
    ng_doctor_check *c =
        ng_doctor_add(r, "watcher", NG_DOCTOR_FAIL,
                      "/dev/kmsg cannot be read (%s): OOM kills are counted but not named", strerror(errno));
    ng_doctor_fix(c,
                  "run the engine on the host as root (in a container, /dev/kmsg needs to be passed in with "
                  "CAP_SYSLOG)");
}

static void check_cgroup(ng_doctor_report *r)
{
    struct statfs sfs;
    char buf[SMALL_FILE_MAX];
    if (statfs("/sys/fs/cgroup", &sfs) < 0) {
        ng_doctor_check *c =
            ng_doctor_add(r, "watcher", NG_DOCTOR_FAIL, "/sys/fs/cgroup: %s", strerror(errno));
        ng_doctor_fix(c, "mount -t cgroup2 none /sys/fs/cgroup");
        return;
    }
    if ((unsigned long)sfs.f_type == CGROUP2_SUPER_MAGIC_) {
        bool memory = read_small("/sys/fs/cgroup/cgroup.controllers", buf, sizeof(buf)) == 0 &&
                      (strstr(buf, "memory ") || strstr(buf, "memory\n") || strcmp(buf, "memory") == 0);
        if (memory) {
            ng_doctor_add(r, "watcher", NG_DOCTOR_OK, "cgroup v2 with the memory controller");
        } else {
            ng_doctor_check *c =
                ng_doctor_add(r, "watcher", NG_DOCTOR_FAIL,
                              "cgroup v2 without the memory controller: no limits, no OOM counters");
            ng_doctor_fix(c, "boot with cgroup_enable=memory on the kernel command line");
        }
        return;
    }
    struct stat st;
    if (stat("/sys/fs/cgroup/memory/memory.oom_control", &st) == 0) {
        ng_doctor_add(r, "watcher", NG_DOCTOR_OK,
                      "cgroup v1 with the memory controller (/sys/fs/cgroup/memory)");
        return;
    }
    ng_doctor_check *c =
        ng_doctor_add(r, "watcher", NG_DOCTOR_FAIL,
                      "cgroup v1 without a memory controller at /sys/fs/cgroup/memory: no limits, "
                      "no OOM counters");
    ng_doctor_fix(c, "boot with cgroup_enable=memory on the kernel command line");
}

static void check_proc_connector(ng_doctor_report *r)
{
    cleanup_error ng_error *err = NULL;
    int fd = ng_procexit_open(getpid(), &err);
    if (fd >= 0) {
        close(fd);
        ng_doctor_add(r, "watcher", NG_DOCTOR_OK,
                      "the proc connector answers: container_exit has pid 1's status");
        return;
    }
    ng_doctor_check *c =
        ng_doctor_add(r, "watcher", geteuid() == 0 ? NG_DOCTOR_FAIL : NG_DOCTOR_WARN,
                      "the proc connector cannot be opened (%s): container_exit loses pid 1's exit "
                      "status",
                      ng_error_msg(err));
    ng_doctor_fix(c, "run as root in the initial user and pid namespaces (CAP_NET_ADMIN); the kernel needs "
                     "CONFIG_PROC_EVENTS=y");
}

static void check_dmesg_restrict(ng_doctor_report *r)
{
    char buf[64];
    if (read_small("/proc/sys/kernel/dmesg_restrict", buf, sizeof(buf)) < 0)
        return;
    if (buf[0] == '1')
        ng_doctor_add(
            r, "watcher", NG_DOCTOR_OK,
            "kernel.dmesg_restrict = 1: only root reads /dev/kmsg; rootless containers get no OOM records "
            "(nodeguard's rootless hooks do not watch anyway, docs/configuration.md)");
    else
        ng_doctor_add(
            r, "watcher", NG_DOCTOR_OK,
            "kernel.dmesg_restrict = 0: any user may read the kernel log, other containers' OOM kills "
            "included (nodeguard's rootless hooks do not watch)");
}

void ng_doctor_check_watcher(const ng_doctor_ctx *ctx)
{
    ng_doctor_report *r = ctx->report;
    check_kmsg(r);
    check_cgroup(r);
    check_proc_connector(r);
    check_dmesg_restrict(r);
}
