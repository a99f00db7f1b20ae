/* The audit log: JSON lines, one record per decision or event. Each record is one write(2) to a
 * file opened O_APPEND, under an flock on LOG.lock shared by every writer (hooks, watchers), which
 * also serialises size-based rotation: LOG -> LOG.1 -> ... -> LOG.N. A writer that finds the file
 * rotated under it reopens it. Schema: docs/log-schema.md. */
#ifndef NODEGUARD_AUDITLOG_H
#define NODEGUARD_AUDITLOG_H

#include <limits.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include "nodeguard/error.h"
#include "nodeguard/events.h"
#include "nodeguard/policy.h"

#define NG_LOG_SCHEMA_VERSION 1

typedef struct ng_log {
    int fd;
    int lock_fd;
    char path[PATH_MAX];
    int64_t max_bytes; /* rotate before a write would pass this; 0: never */
    int generations;   /* LOG.1 .. LOG.N kept */
    int lock_wait_ms;  /* how long a writer waits for LOG.lock before writing without it */
    ng_log_kind kind;  /* whose log it is: what was checked, and whether it may be created or rotated */
} ng_log;

#define NG_LOG_LOCK_WAIT_MS_DEFAULT NG_POLICY_LOCK_WAIT_MS_DEFAULT

#define NG_LOG_INIT                                                                                          \
    {                                                                                                        \
        .fd = -1, .lock_fd = -1, .lock_wait_ms = NG_LOG_LOCK_WAIT_MS_DEFAULT                                 \
    }

/* Opens the log for appending, refusing a symlink at the path (O_NOFOLLOW), anything that is not a
 * regular file and a file with more than one name (a hard link), and by kind:
 * - NG_LOG_SYSTEM: creates the parent directory (0750) and the file (0640) if missing;
 * - NG_LOG_SHARED: a log users share, created by the operator: never created, never rotated;
 * - NG_LOG_USER: PATH is BASE/nodeguard/FILE; BASE (made 0700 if missing), BASE/nodeguard (0700)
 *   and the file (0600) and its lock must be owned by the user and writable by no one else, each
 *   opened relative to the directory checked before it (trust.h; SECURITY.md).
 * A lock file that cannot be opened or fails the same checks is not used (appends without it). */
int ng_log_open_as(const char *path, ng_log_kind kind, ng_log *ret, ng_error **err);
/* ng_log_open_as(path, NG_LOG_SYSTEM, ...). */
int ng_log_open(const char *path, ng_log *ret, ng_error **err);
void ng_log_close(ng_log *log);

/* Size-based rotation for this writer (every writer of a log should use the same settings). */
void ng_log_set_rotation(ng_log *log, int64_t max_bytes, int generations);

/* A writer that finds LOG.lock held for longer than this (a stopped or hung writer) appends without
 * it, skipping rotation, and says so on stderr: a hook must finish well inside its runtime timeout. */
void ng_log_set_lock_wait(ng_log *log, int milliseconds);

/* Starts a record of event (its name and fields: the registry, events.h): a generator with an open
 * map holding schema_version, time, host, event, stage and nodeguard_version. The caller adds its
 * fields and calls ng_record_write(). NULL, with the error set, for an event not in the registry. */
yajl_gen ng_record_begin(ng_event event, const char *stage, ng_error **err);

/* Closes the map and appends the line. With log NULL or closed, or when the write fails, the line
 * goes to syslog (LOG_DAEMON) and stderr instead so the record is not lost (and the error says why). */
int ng_record_write(ng_log *log, yajl_gen g, ng_error **err);

#endif
