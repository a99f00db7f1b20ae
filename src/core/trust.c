/* The rules for trusting a directory or log file with a user's records (include/nodeguard/trust.h). */
#include <stdint.h>
#include <stdio.h>
#include "nodeguard/trust.h"

const char *ng_user_dir_problem(const struct stat *st, uid_t uid, char *buf, size_t size)
{
    if (!S_ISDIR(st->st_mode))
        snprintf(buf, size, "is not a directory");
    else if (st->st_uid != uid)
        snprintf(buf, size, "belongs to uid %u, not to uid %u", (unsigned)st->st_uid, (unsigned)uid);
    /* No sticky exception: in a sticky directory anyone may still create the names nodeguard uses. */
    else if (st->st_mode & (S_IWGRP | S_IWOTH))
        snprintf(buf, size, "can be written by other users (mode %04o)", (unsigned)(st->st_mode & 07777));
    else
        return NULL;
    return buf;
}

const char *ng_log_file_problem(const struct stat *st, uid_t uid, bool own, char *buf, size_t size)
{
    if (!S_ISREG(st->st_mode))
        snprintf(buf, size, "is not a regular file");
    else if (st->st_nlink != 1)
        snprintf(buf, size, "has %ju names (a hard link), so it may be another file",
                 (uintmax_t)st->st_nlink);
    else if (own && st->st_uid != uid)
        snprintf(buf, size, "belongs to uid %u, not to uid %u", (unsigned)st->st_uid, (unsigned)uid);
    else if (own && (st->st_mode & (S_IWGRP | S_IWOTH)))
        snprintf(buf, size, "can be written by other users (mode %04o)", (unsigned)(st->st_mode & 07777));
    else
        return NULL;
    return buf;
}
