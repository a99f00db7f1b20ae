/* Shared by the log-reading subcommands. */
#ifndef NODEGUARD_CLI_LOGCOMMON_H
#define NODEGUARD_CLI_LOGCOMMON_H

#include <stdbool.h>
#include <stdint.h>
#include "nodeguard/logreader.h"

/* The filter options shared by log, stats and metrics: -c, -e, --pod (p), --since (s), --until (u).
 * Returns 0, or -1 after saying what is wrong. */
int cli_parse_filter(int c, const char *arg, ng_log_filter *f, const char *cmd);

/* The log path: --file, else the policy's log_path. Newly allocated. */
char *cli_log_path(const char *file_opt, const char *policy_path);

/* The short name of a record's container: its name, else its id, shortened to 12 characters (in buf,
 * of at least 13 bytes) when it is a runtime's 64-character hex id; raw, to be shown through show.h. */
const char *cli_container_label(const ng_log_entry *e, char *buf, size_t size);

/* Groups keyed by a string, with the counters `stats` and `metrics` report. Bounded: past
 * max_groups, further keys land in one "(other)" group. */
typedef struct cli_group {
    char *key;
    char *container_name, *pod, *namespace_, *image;
    uint64_t starts, fixes, refusals, oom_kills, exits;
    int64_t peak_bytes, last_oom_ms;
    char last_oom[32];
} cli_group;

typedef struct cli_groups {
    cli_group *slots;
    size_t cap, n, max_groups;
    cli_group other;
    bool overflowed;
} cli_groups;

void cli_groups_init(cli_groups *g, size_t max_groups);
void cli_groups_free(cli_groups *g);
cli_group *cli_groups_get(cli_groups *g, const char *key);
/* Adds one record's contribution. */
void cli_group_add(cli_group *grp, const ng_log_entry *e);
/* The groups in a new array (caller frees the array, not the groups), sorted by OOM kills, starts. */
cli_group **cli_groups_sorted(cli_groups *g, size_t *ret_n);

#endif
