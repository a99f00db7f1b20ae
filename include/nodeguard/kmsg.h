/* The kernel's OOM lines in /dev/kmsg, as nodeguard's watcher reads them:
 *   oom-kill:constraint=CONSTRAINT_MEMCG,...,oom_memcg=/p,task_memcg=/p,task=dd,pid=9251,uid=0
 *   Memory cgroup out of memory: Killed process 9251 (dd) total-vm:207068kB, anon-rss:64896kB,
 *     file-rss:796kB, shmem-rss:0kB, UID:0 pgtables:164kB oom_score_adj:0
 * and, earlier in the same report, the OOM memcg's usage at the kill:
 *   memory: usage 65536kB, limit 65536kB, failcnt 123
 * Only the kernel's own records count (facility 0): a process writing to /dev/kmsg always gets
 * facility 1 or above (kernel/printk/printk.c devkmsg_write), so it cannot forge these lines. */
#ifndef NODEGUARD_KMSG_H
#define NODEGUARD_KMSG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ng_kmsg_kind {
    NG_KMSG_OTHER = 0,
    NG_KMSG_OOM_KILL,       /* "oom-kill:..." names the memcg and the victim */
    NG_KMSG_KILLED_PROCESS, /* "...Killed process PID (NAME) total-vm:..." has the sizes */
    NG_KMSG_OOM_REPORT,     /* "NAME invoked oom-killer: gfp_mask=...": a report begins */
    NG_KMSG_MEMCG_USAGE,    /* "memory: usage NkB, limit NkB, failcnt N": the OOM memcg at the kill */
    NG_KMSG_OOM_GROUP,      /* "Tasks in /p are going to be killed due to memory.oom.group set" */
} ng_kmsg_kind;

typedef struct ng_kmsg_oom {
    ng_kmsg_kind kind;
    uint64_t seq;
    uint64_t ts_us; /* microseconds since boot */
    bool kernel;    /* facility 0: the kernel's own record, not a /dev/kmsg writer's */
    char oom_memcg[PATH_MAX];
    char task_memcg[PATH_MAX];
    char task[64];
    int64_t pid, uid;
    int64_t total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, pgtables_kb, oom_score_adj;
    /* The OOM memcg's usage and limit as the kernel's report printed them before this kill
     * (NG_KMSG_MEMCG_USAGE, and NG_KMSG_OOM_KILL through ng_kmsg_next_oom); -1 unknown. */
    int64_t usage_kb, limit_kb;
} ng_kmsg_oom;

/* What ng_kmsg_next_oom carries from one record to the next: the report's usage line, until the
 * "oom-kill:" line of the same report takes it. Zeroed: nothing pending. */
typedef struct ng_kmsg_track {
    bool pending;
    int64_t usage_kb, limit_kb;
    /* memory.oom.group: after "Tasks in /p are going to be killed", the report's further "Killed
     * process" lines (until the next OOM's lines, within a second) are that group's members, which
     * no "oom-kill:" line names: ng_kmsg_next_oom gives them /p as oom_memcg. */
    bool in_group;
    uint64_t group_ts_us; /* the "Tasks in" line's time: members follow it within a second */
    char group_memcg[PATH_MAX];
} ng_kmsg_track;

/* Parses one /dev/kmsg record ("PRIO,SEQ,TS_US,FLAGS;MESSAGE\n[ KEY=VALUE\n]..."). Returns the
 * kind (NG_KMSG_OTHER for any other message), or -EINVAL for a record that is not in that format. */
int ng_kmsg_parse(const char *record, size_t len, ng_kmsg_oom *ret);

/* Opens /dev/kmsg (or path) positioned after the newest record, non-blocking. */
int ng_kmsg_open(const char *path);

/* Reads the next OOM kill's record (NG_KMSG_OOM_KILL or NG_KMSG_KILLED_PROCESS). Returns its kind,
 * 0 when nothing more is queued now (other messages are skipped; records overwritten before they
 * were read are skipped too), < 0 on error. A report's usage line is kept in track (which may span
 * calls: the kernel may still be printing the report) and given to that report's "oom-kill:" line;
 * a new report, or an "oom-kill:" line, drops it, so a usage line is never given to another
 * report's kill. */
int ng_kmsg_next_oom(int fd, ng_kmsg_track *track, ng_kmsg_oom *ret);

#endif
