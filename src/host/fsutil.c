/* File-system helpers that take a path (the pure core only reads and writes fds it is handed). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/util.h"

/* The checks and the read shared by both: fd is open on what name names. */
static int read_opened(int fd, const char *name, size_t max, char **ret_buf, size_t *ret_len,
                       struct stat *ret_st, ng_error **err)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return ng_error_set(err, errno, "cannot stat %s: %s", name, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ng_error_set(err, EINVAL, "%s is not a regular file", name);
    if ((uint64_t)st.st_size > max)
        return ng_error_set(err, EFBIG, "%s is %lld bytes, more than the %zu-byte limit", name,
                            (long long)st.st_size, max);
    bool truncated = false;
    int r = ng_read_fd_bounded(fd, max, ret_buf, ret_len, &truncated, err);
    if (r < 0)
        return ng_error_wrap(err, "%s", name);
    if (truncated) {
        free(*ret_buf);
        *ret_buf = NULL;
        return ng_error_set(err, EFBIG, "%s grew past the %zu-byte limit while being read", name, max);
    }
    if (ret_st)
        *ret_st = st;
    return 0;
}

int ng_read_opened_file(int fd, const char *name, size_t max, char **ret_buf, size_t *ret_len, ng_error **err)
{
    return read_opened(fd, name, max, ret_buf, ret_len, NULL, err);
}

int ng_read_file_bounded(const char *path, size_t max, char **ret_buf, size_t *ret_len, ng_error **err)
{
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return ng_error_set(err, errno, "cannot open %s: %s", path, strerror(errno));
    return read_opened(fd, path, max, ret_buf, ret_len, NULL, err);
}

int ng_read_file_at(int dirfd, const char *name, size_t max, char **ret_buf, size_t *ret_len,
                    struct stat *ret_st, ng_error **err)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return ng_error_set(err, errno, "cannot stat %s: %s", name, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return ng_error_set(err, ELOOP, "%s is a symbolic link, which nodeguard does not follow", name);
    if (!S_ISREG(st.st_mode))
        return ng_error_set(err, EINVAL, "%s is not a regular file", name);
    cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return ng_error_set(err, errno, "cannot open %s: %s", name, strerror(errno));
    return read_opened(fd, name, max, ret_buf, ret_len, ret_st, err);
}

int ng_mkdir_p(const char *dir, unsigned int leaf_mode, ng_error **err)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
        return ng_error_set(err, ENAMETOOLONG, "path too long: %s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return ng_error_set(err, errno, "cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, leaf_mode) < 0 && errno != EEXIST)
        return ng_error_set(err, errno, "cannot create %s: %s", buf, strerror(errno));
    return 0;
}

/* Civil date from days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm). */
