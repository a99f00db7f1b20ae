/* File-system helpers that take a path: bounded reads that never follow a final symlink, and
 * directory creation. Kept out of the pure core (util), which only uses fds it is handed. */
#ifndef NODEGUARD_FSUTIL_H
#define NODEGUARD_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include "nodeguard/error.h"

/* Reads a regular file, refusing anything larger than max and never following a final symlink. The
 * open does not block: a FIFO at path is refused instead of waiting for a writer that never comes. */
int ng_read_file_bounded(const char *path, size_t max, char **ret_buf, size_t *ret_len, ng_error **err);

/* The same for name in the directory dirfd, for input another party may have planted: name is
 * looked at (lstat) before it is opened, and only a regular file is opened at all. Opening a FIFO
 * would complete a writer's open and swallow what it sends; opening a device can have effects of
 * its own (a watchdog starts, a tape rewinds). ret_st (may be NULL): the opened file's fstat, so
 * the caller can check later that name still names that file. */
int ng_read_file_at(int dirfd, const char *name, size_t max, char **ret_buf, size_t *ret_len,
                    struct stat *ret_st, ng_error **err);

/* The checks and the read of both, for a file the caller opened itself (openat2): fd must be a
 * regular file of at most max bytes; name is for the messages. */
int ng_read_opened_file(int fd, const char *name, size_t max, char **ret_buf, size_t *ret_len,
                        ng_error **err);

/* A file's modification time in ms since the epoch, the unit of ng_now_ms(). */
static inline int64_t ng_mtime_ms(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

/* Creates dir and any missing parents (parents 0755, dir itself leaf_mode); existing ones are fine. */
int ng_mkdir_p(const char *dir, unsigned int leaf_mode, ng_error **err);

#endif
