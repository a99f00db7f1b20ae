/* Whether a directory or file found on disk may hold a user's audit records, judged from its stat
 * alone (the host opens it without following symlinks and hands the stat over): another local user
 * must not be able to read, forge, erase, redirect or block them. Pure, so the rules are unit-tested
 * (tests/unit/test_trust.c); SECURITY.md says where they apply. */
#ifndef NODEGUARD_TRUST_H
#define NODEGUARD_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* A directory nodeguard uses on behalf of UID (the user's state or runtime directory, its nodeguard
 * directory): NULL when it is a directory owned by UID that no one else can write, else why not, as
 * a phrase completing "DIR ..." (written into buf). */
const char *ng_user_dir_problem(const struct stat *st, uid_t uid, char *buf, size_t size);

/* The log file (or its lock) once opened: NULL when it is a regular file with one name (a hard link
 * planted at the log's path would make nodeguard append to the file it names) and, when OWN (the
 * user's own log), owned by UID and writable by no one else. Else why not, completing "FILE ...". */
const char *ng_log_file_problem(const struct stat *st, uid_t uid, bool own, char *buf, size_t size);

#endif
