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

/* The wrapper's path to suggest in a fix: where it is installed, else where packages put it. */
void ng_doctor_suggested_wrapper(const ng_doctor_ctx *ctx, char *ret, size_t size)
{
    if (!ng_doctor_find_program(ctx, NG_WRAPPER_NAME, NULL, ret, size))
        snprintf(ret, size, "%s", NG_WRAPPER_INSTALLED_AT);
}

/* A runtime path an engine will exec: absolute, or a name it looks up on its PATH. Returns true
 * and the host path when it is executable; else adds the failure with its fix. */
bool ng_doctor_runtime_path_ok(const ng_doctor_ctx *ctx, const char *area, const char *where,
                               const char *path, char *ret, size_t size)
{
    char why[128];
    if (path[0] != '/') {
        if (ng_doctor_find_program(ctx, path, NULL, ret, size))
            return true;
        snprintf(why, sizeof(why), "is not on %s", NG_DOCTOR_ENGINE_PATH);
    } else {
        cleanup_free char *full = ng_doctor_path(ctx, path);
        if (ng_doctor_executable(full, why, sizeof(why))) {
            snprintf(ret, size, "%s", path);
            return true;
        }
    }
    ng_doctor_check *c =
        ng_doctor_add(ctx->report, area, NG_DOCTOR_FAIL, "%s names %s, which %s", where, path, why);
    char suggested[4096];
    ng_doctor_suggested_wrapper(ctx, suggested, sizeof(suggested));
    if (strncmp(why, "is not executable", 17) == 0)
        ng_doctor_fix(c, "chmod 0755 %s%s", ctx->root, path);
    else
        ng_doctor_fix(c, "point %s at %s (install it with `make install PREFIX=/usr` if it is missing)",
                      where, suggested);
    return false;
}
