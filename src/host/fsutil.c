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

int ng_read_file_bounded(const char *path, size_t max, char **ret_buf, size_t *ret_len, ng_error **err)
{
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0)
        return ng_error_set(err, errno, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0)
        return ng_error_set(err, errno, "cannot stat %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return ng_error_set(err, EINVAL, "%s is not a regular file", path);
    if ((uint64_t)st.st_size > max)
        return ng_error_set(err, EFBIG, "%s is %lld bytes, more than the %zu-byte limit", path,
                            (long long)st.st_size, max);
    bool truncated = false;
    int r = ng_read_fd_bounded(fd, max, ret_buf, ret_len, &truncated, err);
    if (r < 0)
        return ng_error_wrap(err, "%s", path);
    if (truncated) {
        free(*ret_buf);
        *ret_buf = NULL;
        return ng_error_set(err, EFBIG, "%s grew past the %zu-byte limit while being read", path, max);
    }
    return 0;
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
