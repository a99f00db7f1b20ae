#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "nodeguard/auditlog.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/diag.h"
#include "nodeguard/json.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/trust.h"
#include "nodeguard/util.h"

#ifndef NODEGUARD_VERSION
#define NODEGUARD_VERSION "unknown"
#endif

/* The log's directory: created 0750 (with any missing parents) on a machine's first record. */
static int mkdir_parents(const char *path, ng_error **err)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    return ng_mkdir_p(dir, 0750, err);
}

/* Refuses what the log's fd turned out to be (trust.h): anything but a regular file with one name,
 * and for a user's own log a file someone else owns or can write. The fd is closed then. */
static int check_log_fd(int fd, const char *path, ng_log_kind kind, ng_error **err)
{
    struct stat st;
    char why[96];
    const char *problem = fstat(fd, &st) < 0
                              ? "cannot be examined"
                              : ng_log_file_problem(&st, geteuid(), kind == NG_LOG_USER, why, sizeof(why));
    if (!problem)
        return fd;
    close(fd);
    return ng_error_set(err, EPERM, "audit log %s %s: not writing to it", path, problem);
}

/* NAME in DIR_FD (AT_FDCWD: a path). O_NONBLOCK: a FIFO planted at the path cannot hang a hook. A
 * shared log is never created: the first user to create it would own every user's records. */
static int open_log_file(int dir_fd, const char *name, const char *path, ng_log_kind kind, ng_error **err)
{
    const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
                      (kind == NG_LOG_SHARED ? 0 : O_CREAT);
    const mode_t mode = kind == NG_LOG_USER ? 0600 : 0640;
    int fd = openat(dir_fd, name, flags, mode);
    if (fd < 0 && errno == ENOENT && kind == NG_LOG_SYSTEM) {
        /* Only the first record on a machine needs the directory made. */
        int r = mkdir_parents(path, err);
        if (r < 0)
            return ng_error_wrap(err, "audit log %s", path);
        fd = openat(dir_fd, name, flags, mode);
    }
    if (fd < 0) {
        int e = errno;
        return ng_error_set(err, e, "cannot open audit log %s: %s%s", path,
                            e == ELOOP ? "it is a symlink, which nodeguard does not follow" : strerror(e),
                            e == ENOENT && kind == NG_LOG_SHARED
                                ? " (rootless_log_path is shared by users, so the operator creates it)"
                                : "");
    }
    return check_log_fd(fd, path, kind, err);
}

/* Opens NAME (relative to AT, or a path) as a directory, with NOFOLLOW not through a symlink at its
 * last component, and checks that it is the user's alone. */
static int open_user_dir(int at, const char *name, const char *shown, ng_error **err, bool nofollow)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
    if (fd < 0)
        return ng_error_set(err, errno, "%s: %s", shown,
                            errno == ELOOP || errno == ENOTDIR ? "a symlink or not a directory"
                                                               : strerror(errno));
    struct stat st;
    char why[96];
    const char *problem =
        fstat(fd, &st) < 0 ? "cannot be examined" : ng_user_dir_problem(&st, geteuid(), why, sizeof(why));
    if (!problem)
        return fd;
    close(fd);
    return ng_error_set(err, EPERM, "%s %s", shown, problem);
}

/* A rootless user's own log, BASE/nodeguard/events.jsonl with BASE their state or runtime directory
 * (policyfile.h): BASE and BASE/nodeguard must be theirs and writable by no one else, and each step
 * below BASE is opened relative to the directory checked before it, so no other user can put
 * anything in the way. Returns the checked fd of BASE/nodeguard. */
static int open_user_log_dir(const char *path, ng_error **err)
{
    char base[PATH_MAX], dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    snprintf(base, sizeof(base), "%s", dir);
    char *leaf = strrchr(base, '/');
    if (!slash || !leaf || leaf == base)
        return ng_error_set(err, EINVAL, "audit log %s is not DIR/nodeguard/FILE", path);
    *leaf++ = '\0';
    struct stat st;
    /* ~/.local/state on the user's first container: made as the user, 0700. */
    if (stat(base, &st) < 0 && errno == ENOENT && ng_mkdir_p(base, 0700, err) < 0)
        return ng_error_wrap(err, "no directory of the user's own for the audit log");
    /* The base itself may be a symlink the user made (~/.local/state elsewhere): what it leads to
     * must be theirs alone. */
    cleanup_close int base_fd = open_user_dir(AT_FDCWD, base, base, err, false);
    if (base_fd < 0)
        return ng_error_wrap(err, "not a directory of the user's own for the audit log");
    if (mkdirat(base_fd, leaf, 0700) < 0 && errno != EEXIST)
        return ng_error_set(err, errno, "cannot create %s: %s", dir, strerror(errno));
    int fd = open_user_dir(base_fd, leaf, dir, err, true);
    return fd < 0 ? ng_error_wrap(err, "not a directory of the user's own for the audit log") : fd;
}

int ng_log_open_as(const char *path, ng_log_kind kind, ng_log *ret, ng_error **err)
{
    *ret = (ng_log)NG_LOG_INIT;
    if (!path || path[0] != '/' || strlen(path) + 8 >= sizeof(ret->path))
        return ng_error_set(err, EINVAL, "log path must be absolute and shorter than %zu bytes",
                            sizeof(ret->path) - 8);
    cleanup_close int dir_fd = -1;
    if (kind == NG_LOG_USER && (dir_fd = open_user_log_dir(path, err)) < 0)
        return dir_fd;
    const int at = dir_fd >= 0 ? dir_fd : AT_FDCWD;
    const char *name = dir_fd >= 0 ? strrchr(path, '/') + 1 : path;
    int fd = open_log_file(at, name, path, kind, err);
    if (fd < 0)
        return fd;
    char lock[PATH_MAX], lock_shown[PATH_MAX];
    snprintf(lock, sizeof(lock), "%s.lock", name);
    snprintf(lock_shown, sizeof(lock_shown), "%s.lock", path);
    /* Anyone who can open the lock can hold it and stall every writer for lock_wait_ms. */
    int lock_fd = openat(at, lock,
                         O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
                             (kind == NG_LOG_SHARED ? 0 : O_CREAT),
                         kind == NG_LOG_USER ? 0600 : 0640);
    cleanup_error ng_error *lock_err = NULL;
    ret->lock_fd = lock_fd >= 0 ? check_log_fd(lock_fd, lock_shown, kind, &lock_err) : -1;
    if (lock_err)
        ng_diag("nodeguard: %s; appending without the lock", ng_error_msg(lock_err));
    if (ret->lock_fd < 0)
        ret->lock_fd = -1;
    ret->fd = fd;
    ret->kind = kind;
    snprintf(ret->path, sizeof(ret->path), "%s", path);
    return 0;
}

int ng_log_open(const char *path, ng_log *ret, ng_error **err)
{
    return ng_log_open_as(path, NG_LOG_SYSTEM, ret, err);
}

void ng_log_set_rotation(ng_log *log, int64_t max_bytes, int generations)
{
    log->max_bytes = max_bytes > 0 ? max_bytes : 0;
    log->generations = generations < 1 ? 1 : generations > 99 ? 99 : generations;
}

void ng_log_set_lock_wait(ng_log *log, int milliseconds)
{
    log->lock_wait_ms = milliseconds < 0 ? 0 : milliseconds;
}

/* flock with a deadline: polls LOCK_NB with a backoff from 1 to 32 ms, so an uncontended lock costs
 * one syscall and a stuck holder costs at most lock_wait_ms. */
static bool lock_with_deadline(ng_log *log)
{
    if (log->lock_fd < 0)
        return false;
    int64_t deadline = ng_monotonic_ms() + log->lock_wait_ms;
    for (long pause_ms = 1;; pause_ms = pause_ms < 32 ? pause_ms * 2 : 32) {
        if (flock(log->lock_fd, LOCK_EX | LOCK_NB) == 0)
            return true;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return false;
        if (ng_monotonic_ms() >= deadline) {
            ng_diag("nodeguard: %s.lock held by another writer for %d ms; appending without it", log->path,
                    log->lock_wait_ms);
            return false;
        }
        struct timespec pause = {.tv_sec = 0, .tv_nsec = pause_ms * 1000000L};
        nanosleep(&pause, NULL);
    }
}

void ng_log_close(ng_log *log)
{
    if (!log)
        return;
    if (log->fd >= 0)
        close(log->fd);
    if (log->lock_fd >= 0)
        close(log->lock_fd);
    log->fd = log->lock_fd = -1;
}

/* Under the lock: follow a rotation done by another writer, and rotate if this line would take the
 * file past max_bytes. A failure here leaves the current file in use. */
static void rotate_if_needed(ng_log *log, size_t line_len)
{
    struct stat by_fd, by_path;
    if (fstat(log->fd, &by_fd) < 0)
        return;
    if (stat(log->path, &by_path) < 0 || by_path.st_ino != by_fd.st_ino || by_path.st_dev != by_fd.st_dev) {
        int fd = open_log_file(AT_FDCWD, log->path, log->path, log->kind, NULL);
        if (fd >= 0) {
            close(log->fd);
            log->fd = fd;
            fstat(fd, &by_fd);
        }
    }
    /* A shared log is rotated by its operator: a user's rotation would create the next file as theirs. */
    if (!log->max_bytes || log->kind == NG_LOG_SHARED || by_fd.st_size == 0 ||
        by_fd.st_size + (off_t)line_len <= log->max_bytes)
        return;
    char from[PATH_MAX + 8], to[PATH_MAX + 8];
    for (int gen = log->generations; gen >= 1; gen--) {
        if (gen > 1)
            snprintf(from, sizeof(from), "%s.%d", log->path, gen - 1);
        else
            snprintf(from, sizeof(from), "%s", log->path);
        snprintf(to, sizeof(to), "%s.%d", log->path, gen);
        rename(from, to); /* a missing generation is fine */
    }
    int fd = open_log_file(AT_FDCWD, log->path, log->path, log->kind, NULL);
    if (fd >= 0) {
        close(log->fd);
        log->fd = fd;
    }
}

yajl_gen ng_record_begin(ng_event event, const char *stage, ng_error **err)
{
    const char *name = ng_event_name(event);
    if (!name) {
        ng_error_set(err, EINVAL, "cannot start a log record: event %d is not in the registry", (int)event);
        return NULL;
    }
    yajl_gen g = ng_gen_new();
    char ts[40], host[256] = "";
    ng_timestamp_now(ts, sizeof(ts));
    if (gethostname(host, sizeof(host) - 1) < 0)
        host[0] = '\0';
    if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
        ng_gen_string(g, "schema_version") != yajl_gen_status_ok ||
        ng_gen_int(g, NG_LOG_SCHEMA_VERSION) != yajl_gen_status_ok ||
        ng_gen_string(g, "time") != yajl_gen_status_ok || ng_gen_string(g, ts) != yajl_gen_status_ok ||
        ng_gen_string(g, "host") != yajl_gen_status_ok || ng_gen_string(g, host) != yajl_gen_status_ok ||
        ng_gen_string(g, "event") != yajl_gen_status_ok || ng_gen_string(g, name) != yajl_gen_status_ok ||
        ng_gen_string(g, "stage") != yajl_gen_status_ok || ng_gen_string(g, stage) != yajl_gen_status_ok ||
        ng_gen_string(g, "nodeguard_version") != yajl_gen_status_ok ||
        ng_gen_string(g, NODEGUARD_VERSION) != yajl_gen_status_ok) {
        yajl_gen_free(g);
        ng_error_set(err, EINVAL, "cannot start a log record");
        return NULL;
    }
    return g;
}

static void fallback(const char *why, const char *line, size_t len)
{
    /* Not lost: syslog (journald or rsyslog pick it up) and the hook's stderr. */
    syslog(LOG_DAEMON | LOG_WARNING, "nodeguard record (%s): %.*s", why, (int)len, line);
    char prefix[160];
    snprintf(prefix, sizeof(prefix), "nodeguard: record (%s): ", why);
    ng_diag_text(prefix, line, len);
}

int ng_record_write(ng_log *log, yajl_gen g, ng_error **err)
{
    NG_GEN(yajl_gen_map_close(g));
    const unsigned char *buf = NULL;
    size_t len = 0;
    NG_GEN(yajl_gen_get_buf(g, &buf, &len));
    cleanup_free char *line = malloc(len + 1);
    if (!line)
        abort();
    memcpy(line, buf, len);
    line[len] = '\n';
    if (!log || log->fd < 0) {
        fallback("no audit log", line, len);
        return 0;
    }
    /* The lock orders writers and rotation; without a lock file O_APPEND still keeps lines whole. */
    bool locked = lock_with_deadline(log);
    if (locked)
        rotate_if_needed(log, len + 1);
    ssize_t n;
    do
        n = write(log->fd, line, len + 1);
    while (n < 0 && errno == EINTR);
    int e = n < 0 ? errno : EIO;
    if (locked)
        flock(log->lock_fd, LOCK_UN);
    if (n == (ssize_t)(len + 1))
        return 0;
    /* A short write leaves a torn line; log readers skip lines that do not parse. */
    fallback(n < 0 ? strerror(e) : "short write", line, len);
    return ng_error_set(err, e, "writing the audit log: %s", n < 0 ? strerror(e) : "short write");
}
