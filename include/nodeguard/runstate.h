/* Runtime state shared by the hook's stages and the watcher, one directory per container:
 *   STATE_DIR/<id>/container.json  written at createRuntime: what the watcher watches
 *   STATE_DIR/<id>/watcher.json    written by the watcher after every event: its last word
 *   STATE_DIR/<id>/watcher.lock    held by the one watcher of the container */
#ifndef NODEGUARD_RUNSTATE_H
#define NODEGUARD_RUNSTATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "nodeguard/cgroup.h"
#include <yajl/yajl_gen.h>
#include "nodeguard/error.h"

typedef struct ng_container_state {
    char id[96];
    pid_t pid; /* the container's pid 1, host pid namespace */
    ng_cgroup cgroup;
    int64_t memory_limit_bytes; /* 0 unlimited */
    int64_t heap_mib;           /* nodeguard's heap for it, -1 none */
    char node_options[1024];
    char heap_flag[96]; /* the heap flag in effect and where it came from, "" for none */
    char pod[128], namespace_[128], container_name[128], image[256];
    int64_t created_ms; /* realtime, ms since the epoch */
    char log_path[PATH_MAX];
    int log_kind; /* ng_log_kind (policy.h): a rootless user's own log is opened with its checks */
    int64_t log_max_bytes, log_generations;
    int64_t pressure_percent;    /* 0: off */
    int64_t pressure_interval_s; /* at most one pressure record per interval */
    bool sandbox;                /* the watcher enters the sandbox once armed */
    int engine; /* ng_engine_id from the config: where a rootless engine keeps pid 1's exit */
    /* createRuntime only, not saved: the runtime's levels below the container's own cgroup, from
     * the config (ng_engine_cgroup_levels), for finding the cgroup with the limit */
    ng_cgroup_levels levels;
} ng_container_state;

typedef struct ng_watcher_state {
    pid_t watcher_pid;
    bool armed, final;
    int64_t oom_kills;   /* records written */
    int64_t peak_bytes;  /* -1 unknown */
    int64_t usage_bytes; /* -1 unknown */
    int64_t last_oom_ms; /* 0 none */
    pid_t last_victim_pid;
    bool pid1_oom_killed;
    bool exit_known;
    int exit_status;    /* wait status of pid 1 */
    int64_t exit_ms;    /* when pid 1's end was seen (proc connector, or a pidfd rootless); 0 not seen */
    bool kmsg_readable; /* /dev/kmsg was open: a kill without a victim is one kmsg did not name */
    /* rootless: pid 1's exit code from the engine's exit file (conmon's), read by the watcher once
     * the pidfd says pid 1 ended (podman removes the file before poststop runs). 128+N is also how
     * a signal N reads: no wait status, so exit_known stays false */
    bool exit_code_from_engine;
    int engine_exit_code;
    int64_t pressure_records;
    int64_t group_kills; /* memory.oom.group kills since arming (v2); -1 unknown (v1); not saved */
    char note[256];      /* what the watcher could not do (no kmsg, no proc connector) */
} ng_watcher_state;

/* STATE_DIR: $NODEGUARD_STATE_DIR, else /run/nodeguard (root) or the user's runtime directory's
 * nodeguard (identity.h), else /run/user/UID/nodeguard, which the user cannot create: never /tmp. */
char *ng_state_root(void);

/* The container's directory, or -EINVAL for an id that is not a plain name. */
int ng_state_dir_for(const char *root, const char *id, char *ret, size_t size);

int ng_container_state_write(const char *dir, const ng_container_state *cs, ng_error **err);
int ng_container_state_read(const char *dir, ng_container_state *ret, ng_error **err);
int ng_watcher_state_write(const char *dir, const ng_watcher_state *ws, ng_error **err);
int ng_watcher_state_read(const char *dir, ng_watcher_state *ret, ng_error **err);

/* Sends sig to the container's watcher, pid as watcher.json has it, only while a watcher still holds
 * watcher.lock. Returns 1 when sent, 0 when no watcher holds the lock (it is gone, and its pid may
 * be another process's by now), < 0 on error. */
int ng_watcher_signal(const char *dir, pid_t pid, int sig);

/* The container's names as record members: container_id, pod, namespace, container_name, image
 * (null where the runtime gave none). */
int ng_container_state_gen_names(yajl_gen g, const ng_container_state *cs, ng_error **err);

/* Removes the directory and the three files in it. */
int ng_state_remove(const char *dir);

/* How old a finished container's watcher.json must be before its directory counts as left over:
 * poststop reads the watcher's last word from it to write container_exit, and a runtime may run
 * poststop well after the watcher's final write (a slow engine, a container deleted minutes after
 * it exited), so a directory younger than this is still the evidence poststop is coming for. */
#define NG_STATE_SWEEP_GRACE_MS (10 * 60 * 1000)
/* What one createRuntime spends on leftovers at most: bounded so the hook stays sub-millisecond
 * however many directories have piled up; each start takes its share of them. */
#define NG_STATE_SWEEP_EXAMINE_MAX 64
#define NG_STATE_SWEEP_REMOVE_MAX  8
/* Of those examined (a stat and a lock try each), how many are read in full at most: a container
 * stopped and never deleted passes the cheap checks, and is read, at every start. */
#define NG_STATE_SWEEP_READ_MAX 8

/* Removes directories that poststop never removed (a runtime without poststop, a crashed engine, a
 * container never deleted), only where all of these hold: watcher.json says final; no watcher holds
 * watcher.lock; container.json's cgroup no longer exists; watcher.json and container.json are
 * older than NG_STATE_SWEEP_GRACE_MS at now_ms (realtime). keep_id (may be NULL) is never
 * touched, nor anything but a plain directory directly in root: symbolic links are not followed.
 * At most max_examined directories are looked at, NG_STATE_SWEEP_READ_MAX of them read and
 * max_removed removed; the starting point
 * moves with now_ms so that live containers listed first cannot hide leftovers from every start.
 * Returns how many were removed, or -errno when root cannot be opened. */
int ng_state_sweep(const char *root, const char *keep_id, int64_t now_ms, int max_examined, int max_removed);

/* How often a sweep runs at most: one start a minute pays for it (up to ~0.5 ms with 50 containers
 * on a busy 2-core host), every other start a single stat of root's .last-sweep. */
#define NG_STATE_SWEEP_INTERVAL_MS (60 * 1000)

/* Is a sweep due at now_ms (realtime)? True when root's .last-sweep is missing or older than
 * NG_STATE_SWEEP_INTERVAL_MS, and then stamps it (created, or its times set to now) so that the
 * starts that follow skip it. False when it cannot be stamped: no sweep without the bound. */
bool ng_state_sweep_due(const char *root, int64_t now_ms);

#endif
