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

static int open_log_file(const char *path, ng_error **err)
{
    const int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
    int fd = open(path, flags, 0640);
    if (fd < 0 && errno == ENOENT) {
        /* Only the first record on a machine needs the directory made. */
        int r = mkdir_parents(path, err);
        if (r < 0)
            return ng_error_wrap(err, "audit log %s", path);
        fd = open(path, flags, 0640);
    }
    if (fd < 0) {
        int e = errno;
        return ng_error_set(err, e, "cannot open audit log %s: %s", path,
                            e == ELOOP ? "it is a symlink, which nodeguard does not follow" : strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ng_error_set(err, EINVAL, "audit log %s is not a regular file", path);
    }
    return fd;
}

int ng_log_open(const char *path, ng_log *ret, ng_error **err)
{
    *ret = (ng_log)NG_LOG_INIT;
    if (!path || path[0] != '/' || strlen(path) + 8 >= sizeof(ret->path))
        return ng_error_set(err, EINVAL, "log path must be absolute and shorter than %zu bytes",
                            sizeof(ret->path) - 8);
    int fd = open_log_file(path, err);
    if (fd < 0)
        return fd;
    char lock[PATH_MAX];
    snprintf(lock, sizeof(lock), "%s.lock", path);
    ret->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
    ret->fd = fd;
    snprintf(ret->path, sizeof(ret->path), "%s", path);
    return 0;
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
        int fd = open_log_file(log->path, NULL);
        if (fd >= 0) {
            close(log->fd);
            log->fd = fd;
            fstat(fd, &by_fd);
        }
    }
    if (!log->max_bytes || by_fd.st_size == 0 || by_fd.st_size + (off_t)line_len <= log->max_bytes)
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
    int fd = open_log_file(log->path, NULL);
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
