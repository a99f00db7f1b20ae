/* File questions for the doctor's checks, every path taken below the doctor's root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/doctor_files.h"
#include "nodeguard/util.h"

#ifndef NODEGUARD_LIBEXECDIR
#define NODEGUARD_LIBEXECDIR "/usr/libexec"
#endif

bool ng_doctor_executable(const char *path, char *why, size_t why_size)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        snprintf(why, why_size, "%s", errno == ENOENT ? "does not exist" : strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "is %s", S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
        return false;
    }
    /* root may execute a file when any execute bit is set (access(2) as root says the same). */
    if (!(st.st_mode & 0111)) {
        snprintf(why, why_size, "is not executable (mode %04o)", (unsigned)(st.st_mode & 07777));
        return false;
    }
    snprintf(why, why_size, "is executable");
    return true;
}

bool ng_doctor_find_program(const ng_doctor_ctx *ctx, const char *name, const char *skip, char *ret,
                            size_t size)
{
    char dirs[] = NG_DOCTOR_ENGINE_PATH;
    char *save = NULL;
    for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char host_path[4096], why[128];
        snprintf(host_path, sizeof(host_path), "%s/%s", dir, name);
        if (skip && strcmp(skip, host_path) == 0)
            continue;
        cleanup_free char *path = ng_doctor_path(ctx, host_path);
        if (ng_doctor_executable(path, why, sizeof(why))) {
            snprintf(ret, size, "%s", host_path);
            return true;
        }
    }
    return false;
}

bool ng_doctor_find_hook(const ng_doctor_ctx *ctx, char *ret, size_t size)
{
    static const char *const candidates[] = {
        NODEGUARD_LIBEXECDIR "/nodeguard/nodeguard-hook",
        "/usr/libexec/nodeguard/nodeguard-hook",
        "/usr/local/libexec/nodeguard/nodeguard-hook",
    };
    for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
        char why[128];
        cleanup_free char *path = ng_doctor_path(ctx, candidates[i]);
        if (ng_doctor_executable(path, why, sizeof(why))) {
            snprintf(ret, size, "%s", candidates[i]);
            return true;
        }
    }
    return false;
}

int ng_doctor_read(const ng_doctor_ctx *ctx, const char *path, size_t max, char **ret_buf, size_t *ret_len,
                   ng_error **err)
{
    /* Engines follow symlinks in their configuration (a hooks.d file is often one), so this does
     * too; it refuses what is not a regular file, and does not wait on a FIFO. */
    cleanup_free char *full = ng_doctor_path(ctx, path);
    cleanup_close int fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return ng_error_set(err, errno, "cannot open %s: %s", full, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0)
        return ng_error_set(err, errno, "cannot stat %s: %s", full, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ng_error_set(err, EINVAL, "%s is not a regular file", full);
    bool truncated = false;
    cleanup_free char *buf = NULL;
    size_t len = 0;
    int r = ng_read_fd_bounded(fd, max, &buf, &len, &truncated, err);
    if (r < 0)
        return ng_error_wrap(err, "reading %s", full);
    if (truncated)
        return ng_error_set(err, EFBIG, "%s is larger than %zu bytes", full, max);
    *ret_buf = NG_TAKE_PTR(buf);
    *ret_len = len;
    return 0;
}

bool ng_doctor_exists(const ng_doctor_ctx *ctx, const char *path)
{
    cleanup_free char *full = ng_doctor_path(ctx, path);
    struct stat st;
    return lstat(full, &st) == 0;
}
