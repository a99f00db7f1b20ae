/* Reading the audit log back: streaming, constant memory, corrupt lines skipped and counted. Used
 * by `nodeguard log`, `stats` and `metrics`. A record is read into an ng_log_entry (events.h): the
 * fields the event registry marks kept. */
#ifndef NODEGUARD_LOGREADER_H
#define NODEGUARD_LOGREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "nodeguard/error.h"
#include "nodeguard/events.h"

#define NG_LOG_LINE_MAX (1024 * 1024)

typedef struct ng_log_filter {
    const char *container;      /* id prefix, or container or pod name */
    const char *events;         /* comma-separated event names */
    const char *pod;            /* pod name, or namespace/pod */
    int64_t since_ms, until_ms; /* 0: open */
} ng_log_filter;

typedef struct ng_log_counts {
    uint64_t lines, corrupt, matched, too_long;
} ng_log_counts;

/* Called for each matching record with its raw line (no newline). Return < 0 to stop. */
typedef int (*ng_log_visit_fn)(const ng_log_entry *e, const char *line, size_t len, void *userdata);

/* Parses one line into e. Returns 0, or -EINVAL for a line that is not a JSON object with an event. */
int ng_log_entry_parse(const char *line, size_t len, ng_log_entry *e);

bool ng_log_filter_match(const ng_log_filter *f, const ng_log_entry *e);

/* Scans path's rotated generations (path.N .. path.1, oldest first, when with_rotated) and then
 * path; with follow, keeps following path across rotation until *stop is set or a signal arrives. */
int ng_log_scan(const char *path, bool with_rotated, bool follow, const volatile int *stop,
                const ng_log_filter *f, ng_log_visit_fn fn, void *userdata, ng_log_counts *counts,
                ng_error **err);

/* "2026-11-26T23:17:10.208Z" (or without fraction, or with an offset) to ms since the epoch. */
int ng_parse_rfc3339(const char *s, int64_t *ret_ms);

/* A point in time for --since/--until: RFC 3339, or "2h", "30m", "45s", "7d" before now_ms. */
int ng_parse_when(const char *s, int64_t now_ms, int64_t *ret_ms);

#endif
