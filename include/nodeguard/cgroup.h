/* A container's memory cgroup: where it is (v1 memory controller or v2 unified), its counters,
 * and the processes in it. */
#ifndef NODEGUARD_CGROUP_H
#define NODEGUARD_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "nodeguard/error.h"

typedef struct ng_cgroup {
    int version;        /* 1 or 2 */
    char dir[PATH_MAX]; /* the directory to read, e.g. /sys/fs/cgroup/memory/libpod_parent/libpod-<id> */
    char kernel_path[PATH_MAX]; /* the path as the kernel names it (in /proc/PID/cgroup and kmsg's oom_memcg=)
                                 */
} ng_cgroup;

/* Resolves the memory cgroup of pid. proc_root and the mountinfo it reads can be redirected for
 * tests (a simulated tree); pass "/proc" normally. Prefers v1's memory controller when it has
 * one; else the v2 path, if that has memory.events. */
int ng_cgroup_for_pid(const char *proc_root, pid_t pid, ng_cgroup *ret, ng_error **err);

/* Parses the text of /proc/PID/cgroup and /proc/self/mountinfo (separated for unit tests). */
int ng_cgroup_resolve(const char *proc_pid_cgroup, const char *mountinfo, ng_cgroup *ret, ng_error **err);

typedef struct ng_memory_counters {
    int64_t usage_bytes; /* -1 unknown */
    int64_t peak_bytes;  /* v1 max_usage_in_bytes, v2 memory.peak; -1 unknown */
    int64_t limit_bytes; /* -1 unknown or unlimited */
    int64_t oom_events;  /* v1 under_oom episodes are not counted; v2 memory.events oom */
    int64_t oom_kills;   /* v1 memory.oom_control oom_kill, v2 memory.events oom_kill; -1 unknown */
    int64_t high_events; /* v2 memory.events high; -1 on v1 */
    int64_t max_events;  /* v2 memory.events max; v1 memory.failcnt */
} ng_memory_counters;

/* Reads what can be read; a vanished cgroup gives -ENOENT. */
int ng_cgroup_read_counters(const ng_cgroup *cg, ng_memory_counters *ret);

/* "populated 0" in a v2 cgroup.events: the cgroup is empty. Returns 1 populated, 0 empty, < 0 error. */
int ng_cgroup_v2_populated(const ng_cgroup *cg);

typedef struct ng_proc_rss {
    pid_t pid;
    char name[32];
    int64_t rss_kb;
} ng_proc_rss;

/* Up to max processes of the cgroup, largest RSS first (reads at most 1024 pids). */
int ng_cgroup_snapshot(const ng_cgroup *cg, const char *proc_root, ng_proc_rss *ret, size_t max,
                       size_t *ret_n);

#endif
