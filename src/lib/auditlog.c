#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodeguard/auditlog.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/json.h"
#include "nodeguard/util.h"

#ifndef NODEGUARD_VERSION
#define NODEGUARD_VERSION "unknown"
#endif

static int mkdir_parents(const char *path, ng_error **err)
{
    cleanup_free char *dir = strdup(path);
    if (!dir)
        abort();
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            return ng_error_set(err, errno, "cannot create %s: %s", dir, strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0750) < 0 && errno != EEXIST)
        return ng_error_set(err, errno, "cannot create %s: %s", dir, strerror(errno));
    return 0;
}

int ng_log_open(const char *path, ng_log *ret, ng_error **err)
{
    ret->fd = -1;
    if (!path || path[0] != '/')
        return ng_error_set(err, EINVAL, "log path must be absolute");
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
    ret->fd = fd;
    return 0;
}

void ng_log_close(ng_log *log)
{
    if (log && log->fd >= 0) {
        close(log->fd);
        log->fd = -1;
    }
}

yajl_gen ng_record_begin(const char *event, const char *stage, ng_error **err)
{
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
        ng_gen_string(g, "event") != yajl_gen_status_ok || ng_gen_string(g, event) != yajl_gen_status_ok ||
        ng_gen_string(g, "stage") != yajl_gen_status_ok || ng_gen_string(g, stage) != yajl_gen_status_ok ||
        ng_gen_string(g, "nodeguard_version") != yajl_gen_status_ok ||
        ng_gen_string(g, NODEGUARD_VERSION) != yajl_gen_status_ok) {
        yajl_gen_free(g);
        ng_error_set(err, EINVAL, "cannot start a log record");
        return NULL;
    }
    return g;
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
    if (log && log->fd >= 0) {
        /* One write of the whole line: O_APPEND makes it atomic with respect to other appenders. */
        ssize_t n;
        do
            n = write(log->fd, line, len + 1);
        while (n < 0 && errno == EINTR);
        if (n == (ssize_t)(len + 1))
            return 0;
        int e = n < 0 ? errno : EIO;
        /* A short write leaves a torn line; log readers skip lines that do not parse. */
        ng_write_all(STDERR_FILENO, "nodeguard: record not logged, here it is: ", 42);
        ng_write_all(STDERR_FILENO, line, len + 1);
        return ng_error_set(err, e, "writing the audit log: %s", n < 0 ? strerror(e) : "short write");
    }
    ng_write_all(STDERR_FILENO, "nodeguard: record (no audit log): ", 34);
    ng_write_all(STDERR_FILENO, line, len + 1);
    return 0;
}
