/* A container's memory cgroup: where it is (v1 memory controller or v2 unified), its counters,
 * and the processes in it. */
#ifndef NODEGUARD_CGROUP_H
#define NODEGUARD_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "nodeguard/engines.h"
#include "nodeguard/error.h"

typedef struct ng_cgroup {
    int version;        /* 1 or 2 */
    char dir[PATH_MAX]; /* the directory to read, e.g. /sys/fs/cgroup/memory/libpod_parent/libpod-<id> */
    char kernel_path[PATH_MAX]; /* the path as the kernel names it (in /proc/PID/cgroup and kmsg's oom_memcg=)
                                 */
    /* v2: pid 1's own cgroup when dir is a level above it (ng_cgroup_climb); "" when dir is it */
    char leaf_dir[PATH_MAX];
    /* v2: the cgroup2 mount has memory_localevents, so memory.events counts only the cgroup's own
     * events: an OOM kill of a process in a cgroup below dir is not in dir's memory.events. */
    bool local_events;
} ng_cgroup;

/* Resolves the memory cgroup of pid. proc_root and the mountinfo it reads can be redirected for
 * tests (a simulated tree); pass "/proc" normally. Prefers v1's memory controller when it has
 * one; else the v2 path, if that has memory.events, climbed to the level with the limit
 * (ng_cgroup_climb) when levels (may be NULL) say which levels are the runtime's own. */
int ng_cgroup_for_pid(const char *proc_root, pid_t pid, const ng_cgroup_levels *levels, ng_cgroup *ret,
                      ng_error **err);

/* v2: when cg (pid 1's cgroup) is one of the levels a runtime made below the container's own
 * cgroup (levels: nodeguard/engines.h) and has no memory limit of its own (memory.max "max"), moves
 * cg up to the first level above that has one, or to the container's own cgroup at the most: there
 * the limit is, and memory.events, memory.peak and memory.current are the whole container's.
 * Never above the container's own cgroup: cg must end in "/own/inner" exactly, and at most the
 * inner levels are climbed. Returns the number of levels climbed (0: cg unchanged). */
int ng_cgroup_climb(ng_cgroup *cg, const ng_cgroup_levels *levels);

/* Adds inotify watches (IN_MODIFY) for what a v2 cgroup's OOM kills change beyond dir's
 * memory.events and cgroup.events: with memory_localevents, pid 1's own cgroup's memory.events when
 * cg was climbed. Returns 0, or -errno. */
int ng_cgroup_v2_watch_more(const ng_cgroup *cg, int inotify_fd);

/* Is /sys/fs/cgroup the unified (cgroup v2) hierarchy? Where a rootless user can watch their
 * containers: systemd delegates them a subtree of it. Cached after the first call. */
bool ng_cgroup_unified_host(void);

/* Is cg (resolved and climbed for the container) the container's own cgroup or one of the runtime's
 * levels below it (levels: nodeguard/engines.h)? Its kernel path must end in "/own" followed by at
 * most the first elements of "inner", whole elements; pid 1's own cgroup (cg->leaf_dir when climbed)
 * must then be below it. False without levels (own empty): whose the cgroup is is not known. */
bool ng_cgroup_is_containers(const ng_cgroup *cg, const ng_cgroup_levels *levels);

/* Opens dir (O_DIRECTORY, O_NOFOLLOW) and checks on the open descriptor, not by its path again, that it
 * is a cgroup2 directory owned by uid, and that its memory.events (opened relative to it) is a regular
 * file on the same filesystem. Returns the descriptor, or -errno with err set. A rootless watcher
 * watches only what this accepts: the user's own delegated cgroups, never another user's or root's. */
int ng_cgroup_open_owned(const char *dir, uid_t uid, ng_error **err);

/* Parses the text of /proc/PID/cgroup and /proc/self/mountinfo (separated for unit tests). */
int ng_cgroup_resolve(const char *proc_pid_cgroup, const char *mountinfo, ng_cgroup *ret, ng_error **err);

typedef struct ng_memory_counters {
    int64_t usage_bytes; /* -1 unknown */
    int64_t peak_bytes;  /* v1 max_usage_in_bytes, v2 memory.peak; -1 unknown */
    int64_t limit_bytes; /* -1 unknown or unlimited */
    int64_t oom_events;  /* v1 under_oom episodes are not counted; v2 memory.events oom */
    int64_t oom_kills; /* v1 memory.oom_control oom_kill, v2 memory.events oom_kill (with memory_localevents,
                          memory.events.local oom_kill summed over the subtree); -1 unknown */
    int64_t high_events; /* v2 memory.events high; -1 on v1 */
    int64_t max_events;  /* v2 memory.events max; v1 memory.failcnt */
    int64_t group_kills; /* v2 memory.events oom_group_kill (memory.oom.group: the kernel killed the
                            whole cgroup, each process counted in oom_kill too); -1 on v1 */
} ng_memory_counters;

/* Reads what can be read; a vanished cgroup gives -ENOENT. */
int ng_cgroup_read_counters(const ng_cgroup *cg, ng_memory_counters *ret);

/* "populated 0" in a v2 cgroup.events: the cgroup is empty. Returns 1 populated, 0 empty, < 0 error. */
int ng_cgroup_v2_populated(const ng_cgroup *cg);

typedef struct ng_proc_rss {
    pid_t pid;
    char name[32];
    int64_t rss_kb;
    /* Its command line, arguments joined by spaces and cut at 127 bytes; "" when it has none (gone,
     * a zombie). The name alone is 15 bytes: "npm exec drizzl" among three "node" does not say
     * which node is the app and which a stray tool. Container-controlled text: yajl escapes it. */
    char command[128];
} ng_proc_rss;

/* Up to max processes of the cgroup (v2: and of the cgroups below it), largest RSS first (reads at
 * most 1024 pids), each with its command line. */
int ng_cgroup_snapshot(const ng_cgroup *cg, const char *proc_root, ng_proc_rss *ret, size_t max,
                       size_t *ret_n);

#endif
