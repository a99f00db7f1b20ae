#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "nodeguard/auditlog.h"
#include "nodeguard/cgroup.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/engines.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/identity.h"
#include "nodeguard/json.h"
#include "nodeguard/kmsg.h"
#include "nodeguard/procexit.h"
#include "nodeguard/runstate.h"
#include "nodeguard/sandbox.h"
#include "nodeguard/util.h"
#include "nodeguard/watcher.h"

#define MAX_QUEUED_VICTIMS  16
#define MAX_COUNTED         32 /* victims remembered, so that one killed twice counts once */
#define SAME_KILL_US        2000000
#define MAX_SNAPSHOT        16
#define MAX_RECENT          64   /* pids seen in the cgroup at earlier wakes */
#define RECENT_MS           5000 /* ... and for how long they may still name a victim */
#define SETTLE_MS           200  /* how long counters and kmsg may lag the OOM notification */
#define ARMED_LATE_WAIT_MS  2000 /* for createRuntime's record that it stopped waiting */
#define ENGINE_EXIT_WAIT_MS 1000 /* for conmon to write pid 1's exit code once it has reaped it */
#define PROC_EXIT_WAIT_MS   500  /* for the proc connector's report of an exit the cgroup already shows */

enum { EV_OOM = 1, EV_PRESSURE, EV_INOTIFY, EV_EXIT, EV_SIGNAL };

typedef struct watch {
    const char *dir;
    ng_container_state cs;
    ng_watcher_state ws;
    int epfd, kmsg_fd, oom_efd, pressure_efd, inotify_fd, exit_fd, signal_fd;
    int64_t baseline_kills;       /* the kernel's oom_kill counter when armed: earlier kills are not ours */
    int64_t counter_kills;        /* the highest oom_kill counter read since */
    int64_t baseline_group_kills; /* v2 oom_group_kill when armed; -1 on v1 */
    int64_t kmsg_victims;         /* kills of this memcg seen in kmsg since */
    int64_t kmsg_repeats;         /* ... and a group kill's second "Killed process" for its victim */
    ng_kmsg_oom queue[MAX_QUEUED_VICTIMS];
    size_t queued;
    struct {
        int64_t pid;
        uint64_t ts_us;
        bool killed_line;   /* its "Killed process" line was read */
    } counted[MAX_COUNTED]; /* a ring of the victims counted, newest at counted_next - 1 */
    size_t counted_next;
    struct {
        int64_t pid;
        int64_t seen_ms;
    } recent[MAX_RECENT]; /* a ring of the pids of the snapshots taken at every wake */
    size_t recent_next;
    /* a kernel OOM report's usage line, until that report's kill line takes it */
    ng_kmsg_track kmsg_track;
    int64_t last_pressure_ms;
    int64_t v2_pressure_events;
    bool exit_is_pidfd; /* rootless: exit_fd is pid 1's pidfd, which says when, not how, it ended */
    bool pid1_gone;
} watch;

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void note(watch *w, const char *what)
{
    size_t len = strlen(w->ws.note);
    snprintf(w->ws.note + len, sizeof(w->ws.note) - len, "%s%s", len ? "; " : "", what);
}

static void save_state(watch *w)
{
    cleanup_error ng_error *err = NULL;
    ng_watcher_state_write(w->dir, &w->ws, &err);
}

/* Is a kmsg memcg path this container's (or a cgroup below it)? */
static bool our_memcg(const watch *w, const char *path)
{
    size_t n = strlen(w->cs.cgroup.kernel_path);
    return n && strncmp(path, w->cs.cgroup.kernel_path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool in_snapshot(const ng_proc_rss *procs, size_t n, int64_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (procs[i].pid == pid)
            return true;
    return false;
}

/* Takes the cgroup's processes, and remembers their pids: a victim killed and reaped before the
 * watcher's next wake (its parent waits for it; the machine is busy) is gone from that wake's
 * snapshot, but was in an earlier one (the pressure wake as usage crossed its threshold). */
static void snapshot(watch *w, ng_proc_rss *procs, size_t max, size_t *n)
{
    *n = 0;
    ng_cgroup_snapshot(&w->cs.cgroup, "/proc", procs, max, n);
    int64_t now = ng_monotonic_ms();
    for (size_t i = 0; i < *n; i++) {
        w->recent[w->recent_next % MAX_RECENT].pid = procs[i].pid;
        w->recent[w->recent_next % MAX_RECENT].seen_ms = now;
        w->recent_next++;
    }
}

static bool seen_recently(const watch *w, int64_t pid)
{
    int64_t now = ng_monotonic_ms();
    for (size_t i = 0; i < MAX_RECENT; i++)
        if (pid > 0 && w->recent[i].pid == pid && now - w->recent[i].seen_ms <= RECENT_MS)
            return true;
    return false;
}

/* Does the kernel's oom_kill counter have a kill that kmsg has not accounted for yet? The kernel
 * counts a kill before it prints "Killed process", and counts a group kill's victim twice when the
 * group's pass finds it still exiting (kmsg_repeats). When the counter cannot be read now (the
 * cgroup is gone), the highest value read before answers, or yes_when_unreadable does. */
static bool counter_has_unnamed_kill(watch *w, bool yes_when_unreadable)
{
    ng_memory_counters now;
    ng_cgroup_read_counters(&w->cs.cgroup, &now); /* -1 for each value it could not read */
    bool read = now.oom_kills >= 0;
    if (read && now.oom_kills > w->counter_kills)
        w->counter_kills = now.oom_kills;
    if (!read && yes_when_unreadable)
        return true;
    return w->counter_kills - w->baseline_kills > w->kmsg_victims + w->kmsg_repeats;
}

static ng_kmsg_oom *queued_victim(watch *w, int64_t pid)
{
    for (size_t i = 0; i < w->queued; i++)
        if (w->queue[i].pid == pid)
            return &w->queue[i];
    return NULL;
}

/* memory.oom.group: the kernel kills the chosen victim, then every member of the group, the victim
 * again among them while it is still exiting (mm/oom_kill.c oom_kill_memcg_member() does not skip
 * it): a second "Killed process" line for a pid counted within the same OOM is the same kill. */
static int counted_index(const watch *w, const ng_kmsg_oom *m)
{
    for (int i = 0; i < MAX_COUNTED; i++)
        if (w->counted[i].pid == m->pid && m->pid > 0 &&
            llabs((long long)m->ts_us - (long long)w->counted[i].ts_us) < SAME_KILL_US)
            return i;
    return -1;
}

static void count_victim(watch *w, const ng_kmsg_oom *m)
{
    w->counted[w->counted_next % MAX_COUNTED].pid = m->pid;
    w->counted[w->counted_next % MAX_COUNTED].ts_us = m->ts_us;
    w->counted[w->counted_next % MAX_COUNTED].killed_line = m->kind == NG_KMSG_KILLED_PROCESS;
    w->counted_next++;
    w->kmsg_victims++;
    if (w->queued < MAX_QUEUED_VICTIMS)
        w->queue[w->queued++] = *m;
}

/* Reads the OOM lines queued in kmsg. An "oom-kill:" line naming our memcg counts a victim and the
 * "Killed process" line after it fills in the sizes. The kernel rate-limits the report that holds
 * the "oom-kill:" line (10 per 5 s) but always prints "Killed process", so that line alone also
 * counts when its pid was in this cgroup (the snapshot taken at the wake, or pid 1), or when it
 * is a member of our memcg's group kill (memory.oom.group: no "oom-kill:" line names those) that
 * the cgroup's counter confirms. */
static void drain_kmsg(watch *w, const ng_proc_rss *procs, size_t n_procs)
{
    ng_kmsg_oom m;
    while (w->kmsg_fd >= 0 && ng_kmsg_next_oom(w->kmsg_fd, &w->kmsg_track, &m) > 0) {
        /* The report's usage is of the memcg whose limit was hit: the container's only when that
         * is the watched cgroup or below it (not a slice above it, not a global OOM). */
        if (m.kind == NG_KMSG_OOM_KILL && !our_memcg(w, m.oom_memcg))
            m.usage_kb = m.limit_kb = -1;
        if (m.kind == NG_KMSG_OOM_KILL && (our_memcg(w, m.oom_memcg) || our_memcg(w, m.task_memcg))) {
            if (!queued_victim(w, m.pid))
                count_victim(w, &m);
        } else if (m.kind == NG_KMSG_KILLED_PROCESS) {
            ng_kmsg_oom *v = queued_victim(w, m.pid);
            int c = counted_index(w, &m);
            if (c >= 0 && w->counted[c].killed_line) {
                w->kmsg_repeats++; /* the group's pass killed its victim again: one kill, counted twice */
            } else if (c >= 0) {
                w->counted[c].killed_line = true;
            }
            if (v && v->total_vm_kb < 0) {
                /* The victim's name as this line has it: here it cannot be misread, whatever the
                 * victim named itself (in the "oom-kill:" line a name with ",task=" can). */
                snprintf(v->task, sizeof(v->task), "%s", m.task);
                v->total_vm_kb = m.total_vm_kb;
                v->anon_rss_kb = m.anon_rss_kb;
                v->file_rss_kb = m.file_rss_kb;
                v->shmem_rss_kb = m.shmem_rss_kb;
                v->oom_score_adj = m.oom_score_adj;
            } else if (!v && c < 0 &&
                       (in_snapshot(procs, n_procs, m.pid) || m.pid == w->cs.pid ||
                        /* a rate-limited kill elsewhere right after the group's pass reads as a
                         * member: the counter says whether one is left (gone: the group says) */
                        (m.oom_memcg[0] && our_memcg(w, m.oom_memcg) && counter_has_unnamed_kill(w, true)) ||
                        (seen_recently(w, m.pid) && counter_has_unnamed_kill(w, false)))) {
                count_victim(w, &m);
            }
        }
    }
}

/* usage: bytes, or -1 unknown (null). */
static int gen_memory(yajl_gen g, const ng_container_state *cs, const ng_watcher_state *ws,
                      const ng_memory_counters *c, int64_t usage, ng_error **err)
{
    int64_t limit = cs->memory_limit_bytes > 0 ? cs->memory_limit_bytes : c->limit_bytes;
    NG_GEN(ng_gen_kv_int_if(g, "memory_limit_bytes", limit, limit >= 0));
    int64_t peak = c->peak_bytes >= 0 ? c->peak_bytes : ws->peak_bytes;
    NG_GEN(ng_gen_kv_int_if(g, "usage_bytes", usage, usage >= 0));
    NG_GEN(ng_gen_kv_int_if(g, "peak_bytes", peak, peak >= 0));
    NG_GEN(ng_gen_kv_int_if(g, "heap_mib", cs->heap_mib, cs->heap_mib >= 0));
    NG_GEN(ng_gen_string(g, "node_options"));
    NG_GEN(ng_gen_string(g, cs->node_options[0] ? cs->node_options : NULL));
    NG_GEN(ng_gen_string(g, "heap_flag"));
    NG_GEN(ng_gen_string(g, cs->heap_flag[0] ? cs->heap_flag : NULL));
    return 0;
}

int ng_watcher_gen_oom_kill(yajl_gen g, const ng_container_state *cs, const ng_watcher_state *ws,
                            const ng_kmsg_oom *victim, const ng_memory_counters *c, const ng_proc_rss *procs,
                            size_t n_procs, ng_error **err)
{
    /* The usage when the kernel chose the victim, from its report: a counter read now would be
     * after the kill, when the victim's memory is already gone. */
    int64_t usage = victim && victim->usage_kb >= 0 && victim->usage_kb <= INT64_MAX / 1024
                        ? victim->usage_kb * 1024
                        : -1;
    if (ng_container_state_gen_names(g, cs, err) < 0 || gen_memory(g, cs, ws, c, usage, err) < 0)
        return -EINVAL;
    NG_GEN(ng_gen_string(g, "oom_kill_count"));
    NG_GEN(ng_gen_int(g, ws->oom_kills + 1));
    /* memory.oom.group: the kernel killed every process of the cgroup, one record each. */
    NG_GEN(ng_gen_string(g, "group_kill"));
    NG_GEN(ws->group_kills < 0 ? yajl_gen_null(g) : yajl_gen_bool(g, ws->group_kills > 0));
    NG_GEN(ng_gen_string(g, "victim"));
    if (victim) {
        NG_GEN(yajl_gen_map_open(g));
        NG_GEN(ng_gen_kv_int_if(g, "pid", victim->pid, victim->pid >= 0));
        NG_GEN(ng_gen_string(g, "name"));
        NG_GEN(ng_gen_string(g, victim->task));
        NG_GEN(ng_gen_string(g, "is_pid1"));
        NG_GEN(yajl_gen_bool(g, victim->pid == cs->pid));
        NG_GEN(ng_gen_kv_int_if(g, "total_vm_kb", victim->total_vm_kb, victim->total_vm_kb >= 0));
        NG_GEN(ng_gen_kv_int_if(g, "anon_rss_kb", victim->anon_rss_kb, victim->anon_rss_kb >= 0));
        NG_GEN(ng_gen_kv_int_if(g, "file_rss_kb", victim->file_rss_kb, victim->file_rss_kb >= 0));
        NG_GEN(ng_gen_kv_int_if(g, "shmem_rss_kb", victim->shmem_rss_kb, victim->shmem_rss_kb >= 0));
        NG_GEN(ng_gen_string(g, "oom_score_adj"));
        NG_GEN(ng_gen_int(g, victim->oom_score_adj));
        NG_GEN(ng_gen_string(g, "kernel_time_us"));
        NG_GEN(ng_gen_int(g, (int64_t)victim->ts_us));
        NG_GEN(yajl_gen_map_close(g));
    } else {
        NG_GEN(yajl_gen_null(g));
    }
    /* Why no victim: the reader must not take a null for "no process was killed". */
    NG_GEN(ng_gen_kv_str(g, "victim_unknown_reason",
                         victim ? NULL
                         : ws->kmsg_readable
                             ? "kmsg named no process for this kill (its lines were lost or rate-limited): "
                               "the kill was counted from the cgroup's oom_kill counter"
                             : "kmsg not readable (rootless: /dev/kmsg needs CAP_SYSLOG under "
                               "dmesg_restrict): the kill was counted from the cgroup's memory.events "
                               "oom_kill, which does not say which process it was"));
    NG_GEN(ng_gen_string(g, "processes"));
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; i < n_procs; i++) {
        NG_GEN(yajl_gen_map_open(g));
        NG_GEN(ng_gen_string(g, "pid"));
        NG_GEN(ng_gen_int(g, procs[i].pid));
        NG_GEN(ng_gen_string(g, "name"));
        NG_GEN(ng_gen_string(g, procs[i].name));
        NG_GEN(ng_gen_string(g, "rss_kb"));
        NG_GEN(ng_gen_int(g, procs[i].rss_kb));
        NG_GEN(ng_gen_kv_str(g, "command", procs[i].command[0] ? procs[i].command : NULL));
        NG_GEN(yajl_gen_map_close(g));
    }
    NG_GEN(yajl_gen_array_close(g));
    return 0;
}

int ng_watcher_gen_memory_pressure(yajl_gen g, const ng_container_state *cs, const ng_watcher_state *ws,
                                   const ng_memory_counters *c, const char *trigger, ng_error **err)
{
    if (ng_container_state_gen_names(g, cs, err) < 0 || gen_memory(g, cs, ws, c, c->usage_bytes, err) < 0)
        return -EINVAL;
    NG_GEN(ng_gen_string(g, "threshold_percent"));
    NG_GEN(ng_gen_int(g, cs->pressure_percent));
    NG_GEN(ng_gen_string(g, "trigger"));
    NG_GEN(ng_gen_string(g, trigger));
    return 0;
}

static void write_record(watch *w, yajl_gen g)
{
    cleanup_error ng_error *err = NULL;
    ng_log log = NG_LOG_INIT;
    /* A rootless user's own log is opened with the checks the hook's stages apply to it. */
    ng_log_kind kind = w->cs.log_kind == NG_LOG_USER || w->cs.log_kind == NG_LOG_SHARED
                           ? (ng_log_kind)w->cs.log_kind
                           : NG_LOG_SYSTEM;
    if (ng_log_open_as(w->cs.log_path, kind, &log, &err) < 0)
        note(w, "audit log not writable");
    ng_log_set_rotation(&log, w->cs.log_max_bytes, (int)w->cs.log_generations);
    ng_record_write(log.fd >= 0 ? &log : NULL, g, &err);
    ng_log_close(&log);
}

static int record_oom_kill(watch *w, const ng_kmsg_oom *victim, const ng_memory_counters *c,
                           const ng_proc_rss *procs, size_t n_procs, ng_error **err)
{
    cleanup_yajl_gen yajl_gen g = ng_record_begin(NG_EVENT_OOM_KILL, "watcher", err);
    if (!g)
        return -EINVAL;
    if (ng_watcher_gen_oom_kill(g, &w->cs, &w->ws, victim, c, procs, n_procs, err) < 0)
        return -EINVAL;
    write_record(w, g);
    return 0;
}

int ng_watcher_gen_armed_late(yajl_gen g, const ng_container_state *cs, int64_t armed_after_ms,
                              ng_error **err)
{
    char msg[256];
    snprintf(msg, sizeof(msg),
             "the OOM watcher armed %lld ms after createRuntime read the container, after createRuntime "
             "had stopped waiting for it: OOM kills in the container from now on are recorded",
             (long long)armed_after_ms);
    NG_GEN(ng_gen_string(g, "container_id"));
    NG_GEN(ng_gen_string(g, cs->id));
    NG_GEN(ng_gen_kv_str(g, "message", msg));
    NG_GEN(ng_gen_kv_str(g, "action", "armed_late"));
    NG_GEN(ng_gen_string(g, "policy_warnings"));
    NG_GEN(yajl_gen_array_open(g));
    NG_GEN(yajl_gen_array_close(g));
    return 0;
}

/* Armed after createRuntime stopped waiting (it shut its end of the ready socket: EPIPE), which
 * recorded the container as not watched: say it is watched after all. createRuntime closes its end
 * once its own record is written, so this one is waited for (a bounded wait, this once) to follow
 * it in the log. */
static void record_armed_late(watch *w, int ready_fd)
{
    struct pollfd p = {.fd = ready_fd, .events = POLLIN | POLLRDHUP};
    while (poll(&p, 1, ARMED_LATE_WAIT_MS) < 0 && errno == EINTR)
        ;
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = ng_record_begin(NG_EVENT_ERROR, "watcher", &err);
    if (g && ng_watcher_gen_armed_late(g, &w->cs, ng_now_ms() - w->cs.created_ms, &err) == 0)
        write_record(w, g);
}

/* Kills since arming, by the better of the two witnesses (the counter can lag, kmsg can be lost). */
static int64_t kills_seen(const watch *w)
{
    int64_t by_counter = w->counter_kills - w->baseline_kills;
    /* A group kill can count its victim twice (counted_already): at most once per group kill, so
     * the counter less that still bounds the kills from below where kmsg lost lines. */
    if (w->ws.group_kills > 0)
        by_counter -= w->ws.group_kills;
    return by_counter > w->kmsg_victims ? by_counter : w->kmsg_victims;
}

static void update_memory(watch *w, const ng_memory_counters *c)
{
    if (c->peak_bytes > w->ws.peak_bytes)
        w->ws.peak_bytes = c->peak_bytes;
    if (c->usage_bytes > w->ws.peak_bytes && c->peak_bytes < 0)
        w->ws.peak_bytes = c->usage_bytes; /* v2 before memory.peak: the best we saw */
    if (c->usage_bytes >= 0)
        w->ws.usage_bytes = c->usage_bytes;
}

/* An OOM event (or the cgroup going away, which v1 signals the same way), or the last look when the
 * loop ends (finish). The processes are snapshot first, while the survivors are still there; then
 * the counter and kmsg are given up to SETTLE_MS to show the kill (after an OOM event: expect_kill)
 * and to agree on it, and one record is written per kill not yet recorded. */
static void handle_oom(watch *w, bool expect_kill)
{
    ng_proc_rss procs[MAX_SNAPSHOT];
    size_t n_procs = 0;
    snapshot(w, procs, MAX_SNAPSHOT, &n_procs);
    ng_memory_counters c = {-1, -1, -1, -1, -1, -1, -1, -1};
    int64_t deadline = ng_monotonic_ms() + SETTLE_MS;
    for (;;) {
        ng_memory_counters now;
        if (ng_cgroup_read_counters(&w->cs.cgroup, &now) == 0 || now.oom_kills >= 0)
            c = now;
        if (c.oom_kills > w->counter_kills)
            w->counter_kills = c.oom_kills;
        if (c.group_kills >= 0 && w->baseline_group_kills >= 0)
            w->ws.group_kills = c.group_kills - w->baseline_group_kills;
        drain_kmsg(w, procs, n_procs);
        bool details =
            w->kmsg_fd < 0 || w->kmsg_victims + w->kmsg_repeats >= w->counter_kills - w->baseline_kills;
        bool new_kill = kills_seen(w) > w->ws.oom_kills;
        if ((new_kill ? details : !expect_kill) || ng_monotonic_ms() >= deadline)
            break;
        sleep_ms(10);
    }
    update_memory(w, &c);
    int64_t target = kills_seen(w);
    while (w->ws.oom_kills < target) {
        ng_kmsg_oom victim;
        bool have = w->queued > 0;
        if (have) {
            victim = w->queue[0];
            memmove(w->queue, w->queue + 1, --w->queued * sizeof(w->queue[0]));
        }
        cleanup_error ng_error *err = NULL;
        record_oom_kill(w, have ? &victim : NULL, &c, procs, n_procs, &err);
        w->ws.oom_kills++;
        w->ws.last_oom_ms = ng_now_ms();
        if (have) {
            w->ws.last_victim_pid = (pid_t)victim.pid;
            if (victim.pid == w->cs.pid)
                w->ws.pid1_oom_killed = true;
        }
    }
    save_state(w);
}

static void record_pressure(watch *w, const ng_memory_counters *c, const char *trigger)
{
    int64_t now = ng_now_ms();
    if (w->last_pressure_ms && now - w->last_pressure_ms < w->cs.pressure_interval_s * 1000)
        return;
    w->last_pressure_ms = now;
    cleanup_error ng_error *e = NULL;
    ng_error **err = &e;
    cleanup_yajl_gen yajl_gen g = ng_record_begin(NG_EVENT_MEMORY_PRESSURE, "watcher", err);
    if (!g || ng_watcher_gen_memory_pressure(g, &w->cs, &w->ws, c, trigger, err) < 0)
        return;
    write_record(w, g);
    w->ws.pressure_records++;
    save_state(w);
}

static void handle_pressure_v1(watch *w)
{
    ng_memory_counters c;
    ng_cgroup_read_counters(&w->cs.cgroup, &c);
    update_memory(w, &c);
    int64_t limit = w->cs.memory_limit_bytes > 0 ? w->cs.memory_limit_bytes : c.limit_bytes;
    /* The threshold event fires on crossing in either direction: only upward crossings count. */
    if (limit > 0 && c.usage_bytes >= limit / 100 * w->cs.pressure_percent) {
        ng_proc_rss procs[MAX_SNAPSHOT];
        size_t n_procs;
        snapshot(w, procs, MAX_SNAPSHOT, &n_procs);
        record_pressure(w, &c, "usage_threshold");
    }
}

static int arm_v1_event(const ng_cgroup *cg, const char *file, const char *extra, ng_error **err)
{
    char path[PATH_MAX], line[128];
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0)
        return ng_error_set(err, errno, "eventfd: %s", strerror(errno));
    snprintf(path, sizeof(path), "%s/%s", cg->dir, file);
    cleanup_close int target = open(path, O_RDONLY | O_CLOEXEC);
    snprintf(path, sizeof(path), "%s/cgroup.event_control", cg->dir);
    cleanup_close int ctl = open(path, O_WRONLY | O_CLOEXEC);
    int n = snprintf(line, sizeof(line), "%d %d%s%s", efd, target, extra ? " " : "", extra ? extra : "");
    if (target < 0 || ctl < 0 || write(ctl, line, (size_t)n) != n) {
        int e = errno;
        close(efd);
        return ng_error_set(err, e, "cgroup.event_control for %s in %s: %s", file, cg->dir, strerror(e));
    }
    return efd;
}

static void epoll_add(watch *w, int fd, int tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)tag};
    if (fd >= 0)
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Rootless, the state directory and this watcher are the user's, and so is everything the
 * container's root can touch: the cgroup to watch is checked again on open descriptors (a cgroup2
 * directory of the user's, memory.events its own), as createRuntime checked it. */
static int rootless_check(watch *w, ng_error **err)
{
    if (w->cs.cgroup.version != 2)
        return ng_error_set(err, ENOTSUP, "rootless on cgroup v1: nothing to watch");
    cleanup_close int dfd = ng_cgroup_open_owned(w->cs.cgroup.dir, geteuid(), err);
    if (dfd < 0)
        return dfd;
    if (w->cs.cgroup.leaf_dir[0]) {
        size_t n = strlen(w->cs.cgroup.dir);
        if (strncmp(w->cs.cgroup.leaf_dir, w->cs.cgroup.dir, n) != 0 || w->cs.cgroup.leaf_dir[n] != '/')
            return ng_error_set(err, EPERM, "%s is not below %s", w->cs.cgroup.leaf_dir, w->cs.cgroup.dir);
        cleanup_close int lfd = ng_cgroup_open_owned(w->cs.cgroup.leaf_dir, geteuid(), err);
        if (lfd < 0)
            return lfd;
    }
    return 0;
}

/* pid 1's pidfd, taken only while that pid is in the watched cgroup: a pid read from the state could
 * be another process's by now; once the pidfd is open, it names that process and no other. */
static int open_pid1_pidfd(const watch *w)
{
    char path[64], want[PATH_MAX + 4];
    cleanup_free char *text = NULL;
    size_t len;
    cleanup_close int fd = (int)syscall(SYS_pidfd_open, w->cs.pid, 0);
    if (fd < 0)
        return -errno;
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)w->cs.pid);
    int n = snprintf(want, sizeof(want), "0::%s", w->cs.cgroup.kernel_path);
    if (ng_read_file_bounded(path, 64 * 1024, &text, &len, NULL) < 0 || n < 0 || (size_t)n >= sizeof(want))
        return -ESRCH;
    const char *line = strstr(text, want);
    if (!line || (line != text && line[-1] != '\n') || (line[n] != '\n' && line[n] != '/' && line[n] != '\0'))
        return -ESRCH;
    return NG_TAKE_FD(fd);
}

static int arm(watch *w, ng_error **err)
{
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0)
        return ng_error_set(err, errno, "epoll: %s", strerror(errno));
    w->kmsg_fd = ng_kmsg_open(NULL);
    w->ws.kmsg_readable = w->kmsg_fd >= 0;
    if (w->kmsg_fd < 0)
        note(w, "no /dev/kmsg: victims are not named");
    if (ng_rootless() && rootless_check(w, err) < 0)
        return -EPERM;
    if (w->cs.cgroup.version == 1) {
        w->oom_efd = arm_v1_event(&w->cs.cgroup, "memory.oom_control", NULL, err);
        if (w->oom_efd < 0)
            return w->oom_efd;
    } else {
        char path[PATH_MAX];
        w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        snprintf(path, sizeof(path), "%s/memory.events", w->cs.cgroup.dir);
        if (w->inotify_fd < 0 || inotify_add_watch(w->inotify_fd, path, IN_MODIFY) < 0)
            return ng_error_set(err, errno, "inotify on %s: %s", path, strerror(errno));
        snprintf(path, sizeof(path), "%s/cgroup.events", w->cs.cgroup.dir);
        inotify_add_watch(w->inotify_fd, path, IN_MODIFY);
        ng_cgroup_v2_watch_more(&w->cs.cgroup, w->inotify_fd);
    }
    ng_memory_counters c;
    ng_cgroup_read_counters(&w->cs.cgroup, &c);
    w->baseline_kills = w->counter_kills = c.oom_kills > 0 ? c.oom_kills : 0;
    w->baseline_group_kills = c.group_kills;
    w->v2_pressure_events = (c.high_events > 0 ? c.high_events : 0) + (c.max_events > 0 ? c.max_events : 0);
    if (w->cs.pid > 0 && ng_rootless()) {
        /* The proc connector ignores a subscriber outside the initial user namespace (its socket
         * binds, and never reports): a pidfd says when pid 1 ended; poststop reads how from the
         * engine's exit file. */
        w->exit_fd = open_pid1_pidfd(w);
        w->exit_is_pidfd = w->exit_fd >= 0;
        note(w, w->exit_fd >= 0 ? "no proc connector (rootless): pid 1's end seen through a pidfd"
                                : "no proc connector (rootless) and no pidfd: pid 1's end is not seen");
    } else if (w->cs.pid > 0) {
        cleanup_error ng_error *e = NULL;
        w->exit_fd = ng_procexit_open(w->cs.pid, &e);
        if (w->exit_fd < 0)
            note(w, "no proc connector: pid 1's exit status is unknown");
    }
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    w->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    epoll_add(w, w->oom_efd, EV_OOM);
    epoll_add(w, w->inotify_fd, EV_INOTIFY);
    epoll_add(w, w->exit_fd, EV_EXIT);
    epoll_add(w, w->signal_fd, EV_SIGNAL);
    return 0;
}

/* v1's usage threshold: registering it costs the kernel a synchronize_rcu() (measured 14 ms), so
 * it is armed after the watcher has told the hook it is ready; only the OOM eventfd must exist
 * before the container starts. */
static void arm_pressure_v1(watch *w)
{
    if (w->cs.cgroup.version != 1 || w->cs.pressure_percent <= 0 || w->cs.memory_limit_bytes <= 0)
        return;
    char threshold[32];
    snprintf(threshold, sizeof(threshold), "%lld",
             (long long)(w->cs.memory_limit_bytes / 100 * w->cs.pressure_percent));
    cleanup_error ng_error *e = NULL;
    w->pressure_efd = arm_v1_event(&w->cs.cgroup, "memory.usage_in_bytes", threshold, &e);
    epoll_add(w, w->pressure_efd, EV_PRESSURE);
}

static void drain_fd(int fd)
{
    char buf[4096];
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
}

/* v2: memory.events or cgroup.events changed. Returns true when the cgroup is empty (the end). */
static bool handle_inotify(watch *w)
{
    drain_fd(w->inotify_fd);
    ng_memory_counters c;
    int gone = ng_cgroup_read_counters(&w->cs.cgroup, &c);
    update_memory(w, &c);
    if (c.oom_kills - w->baseline_kills > w->ws.oom_kills)
        handle_oom(w, true);
    int64_t events = (c.high_events > 0 ? c.high_events : 0) + (c.max_events > 0 ? c.max_events : 0);
    if (events > w->v2_pressure_events) {
        w->v2_pressure_events = events;
        ng_proc_rss procs[MAX_SNAPSHOT];
        size_t n_procs;
        snapshot(w, procs, MAX_SNAPSHOT, &n_procs);
        if (w->cs.pressure_percent > 0)
            record_pressure(w, &c, c.max_events > 0 ? "memory.events max" : "memory.events high");
    }
    return gone < 0 || ng_cgroup_v2_populated(&w->cs.cgroup) == 0;
}

static bool cgroup_gone(const watch *w)
{
    return access(w->cs.cgroup.dir, F_OK) < 0;
}

/* pid 1 is out of the cgroup: v2's cgroup.events says it is empty, or the cgroup is gone. */
static bool pid1_left_cgroup(const watch *w)
{
    if (w->cs.cgroup.version == 2)
        return ng_cgroup_v2_populated(&w->cs.cgroup) <= 0;
    return cgroup_gone(w);
}

static void read_exit(watch *w)
{
    int status;
    if (w->exit_is_pidfd) {
        struct pollfd p = {.fd = w->exit_fd, .events = POLLIN};
        if (!w->pid1_gone && poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP))) {
            w->pid1_gone = true;
            w->ws.exit_ms = ng_now_ms();
        }
        return;
    }
    if (w->exit_fd >= 0 && !w->ws.exit_known && ng_procexit_read(w->exit_fd, w->cs.pid, &status) > 0) {
        w->ws.exit_known = true;
        w->ws.exit_status = status;
        w->ws.exit_ms = ng_now_ms();
    }
}

/* Rootless: how pid 1 ended, from the code the engine's monitor (conmon) writes once it has reaped
 * it, moments after the pidfd said it ended. podman reads and removes the file in its cleanup,
 * before the poststop hook runs (seen in the test VM), so the watcher takes it now: a bounded wait. */
static void read_engine_exit(watch *w)
{
    ng_engine_id engine = w->cs.engine > NG_ENGINE_UNKNOWN && w->cs.engine <= NG_ENGINE_CRUN
                              ? (ng_engine_id)w->cs.engine
                              : NG_ENGINE_UNKNOWN;
    char why[320];
    int64_t deadline = ng_monotonic_ms() + ENGINE_EXIT_WAIT_MS;
    for (;;) {
        int code;
        if (ng_engine_exit_read(engine, w->cs.id, w->cs.created_ms, &code, why, sizeof(why)) > 0) {
            w->ws.exit_code_from_engine = true;
            w->ws.engine_exit_code = code;
            return;
        }
        if (ng_monotonic_ms() >= deadline)
            break;
        sleep_ms(10);
    }
    char msg[360];
    snprintf(msg, sizeof(msg), "no exit code from the engine: %s", why);
    note(w, msg);
}

/* Whatever ended the loop (pid 1's exit, the cgroup gone or empty, a signal, an error) takes a last
 * look before the final word: kills the kernel counted or named in kmsg and not yet recorded are
 * recorded now. The loop can end with them unread: the end and the kill arrive together (pid 1 OOM
 * killed, the cgroup removed at once, SIGTERM in the same epoll batch) and the end is handled first,
 * or on v2 the cgroup is gone before memory.events was read. Once the cgroup is gone kmsg still names
 * the kill by its memcg (or pid 1). handle_oom counts against what is already recorded, so a kill
 * seen earlier is not recorded twice. An OOM notification still unread on v1 means a kill may be on
 * its way: the last look then waits for it as after any notification. */
static void finish(watch *w)
{
    /* The cgroup can vanish while an OOM settles: pid 1's exit is then still queued, unread. */
    read_exit(w);
    if (w->exit_is_pidfd && !w->pid1_gone) {
        /* The cgroup empties a moment before pid 1 is a zombie, which is when its pidfd is readable. */
        struct pollfd p = {.fd = w->exit_fd, .events = POLLIN};
        while (poll(&p, 1, 500) < 0 && errno == EINTR)
            ;
        read_exit(w);
    }
    if (!w->exit_is_pidfd && w->exit_fd >= 0 && !w->ws.exit_known && pid1_left_cgroup(w)) {
        /* The kernel takes an exiting task out of its cgroup (cgroup_exit) before it reports the exit
         * to the proc connector (proc_exit_connector, last in do_exit): "populated 0" or the removed
         * cgroup can end the loop with pid 1's status still on its way. Seen on a loaded VM: an OOM-
         * killed pid 1's container_exit said "exit status not seen". */
        int64_t deadline = ng_monotonic_ms() + PROC_EXIT_WAIT_MS;
        struct pollfd p = {.fd = w->exit_fd, .events = POLLIN};
        for (int64_t left = PROC_EXIT_WAIT_MS; !w->ws.exit_known && left > 0;
             left = deadline - ng_monotonic_ms()) {
            if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
                break;
            read_exit(w);
        }
    }
    uint64_t pending = 0;
    bool notified = w->oom_efd >= 0 && read(w->oom_efd, &pending, sizeof(pending)) == sizeof(pending);
    handle_oom(w, notified && pending > 0);
    /* After the last counters, which are gone with the cgroup: this may wait for conmon. */
    if (w->pid1_gone)
        read_engine_exit(w);
    w->ws.final = true;
    save_state(w);
}

static void close_all(watch *w)
{
    int fds[] = {w->epfd, w->kmsg_fd, w->oom_efd, w->pressure_efd, w->inotify_fd, w->exit_fd, w->signal_fd};
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* A watcher lives as long as its container but, once armed, runs only its event loop. Start-up
 * faulted in nearly all of the executable's text (the kernel maps 64 KiB around each fault), which
 * would stay in every watcher's RSS for the container's lifetime. Those are clean file pages:
 * dropping them from this process's page tables loses nothing (a page needed again is a minor fault
 * from the page cache), and leaves RSS at the working set. Writable segments are not touched. */
extern const char __executable_start[], etext[];
static void release_startup_pages(void)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = (uintptr_t)__executable_start & ~(page - 1), to = (uintptr_t)etext & ~(page - 1);
    if (to > from)
        madvise((void *)from, to - from, MADV_DONTNEED);
}

int ng_watch(const char *dir, int ready_fd)
{
    watch w = {.dir = dir,
               .epfd = -1,
               .kmsg_fd = -1,
               .oom_efd = -1,
               .pressure_efd = -1,
               .inotify_fd = -1,
               .exit_fd = -1,
               .signal_fd = -1};
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/watcher.lock", dir);
    cleanup_close int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
        /* Another watcher has this container (started twice): that one is the watcher. */
        if (ready_fd >= 0 && ng_write_all(ready_fd, "1", 1) == 0)
            close(ready_fd);
        return lock < 0 ? 1 : 0;
    }
    /* createRuntime may have stopped waiting for "armed" and shut its end of the ready socket: the
     * write must fail with EPIPE, not kill the watcher. */
    signal(SIGPIPE, SIG_IGN);
    cleanup_error ng_error *err = NULL;
    if (ng_container_state_read(dir, &w.cs, &err) < 0)
        return 1;
    w.ws =
        (ng_watcher_state){.watcher_pid = getpid(), .peak_bytes = -1, .usage_bytes = -1, .group_kills = -1};
    if (arm(&w, &err) < 0) {
        note(&w, ng_error_msg(err));
        w.ws.final = true;
        save_state(&w);
        close_all(&w);
        if (ready_fd >= 0)
            close(ready_fd);
        return 1;
    }
    w.ws.armed = true;
    save_state(&w);
    if (ready_fd >= 0) {
        if (ng_write_all(ready_fd, "1", 1) == -EPIPE)
            record_armed_late(&w, ready_fd);
        close(ready_fd);
    }
    arm_pressure_v1(&w);
    /* Armed: /dev/kmsg (CAP_SYSLOG) and the proc connector (CAP_NET_ADMIN) are open, so every
     * capability can go; what is left is reading events and writing files. */
    if (w.cs.sandbox) {
        cleanup_error ng_error *e = NULL;
        if (ng_sandbox_enter(NG_SANDBOX_WATCHER, &e) < 0)
            note(&w, "not sandboxed");
    }
    release_startup_pages();
    for (bool done = false; !done;) {
        struct epoll_event evs[8];
        int n = epoll_wait(w.epfd, evs, 8, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        for (int i = 0; i < n && !done; i++) {
            switch (evs[i].data.u32) {
            case EV_OOM:
                drain_fd(w.oom_efd);
                handle_oom(&w, true);
                done = cgroup_gone(&w);
                break;
            case EV_PRESSURE:
                drain_fd(w.pressure_efd);
                handle_pressure_v1(&w);
                break;
            case EV_INOTIFY:
                done = handle_inotify(&w);
                break;
            case EV_EXIT:
                read_exit(&w);
                /* pid 1 is gone: finish reads the last counters, while the cgroup still exists. */
                done = w.ws.exit_known || w.pid1_gone;
                break;
            case EV_SIGNAL:
                drain_fd(w.signal_fd);
                done = true;
                break;
            }
        }
    }
    finish(&w);
    close_all(&w);
    return 0;
}

int ng_watcher_spawn(const char *exe, const char *dir, int64_t deadline_ms, int *ret_late_fd, pid_t *ret_pid,
                     ng_error **err)
{
    /* A socket, not a pipe: shutting it for reading is the one moment that decides "late" for both
     * sides. A byte written before it is still read here; a write after it fails with EPIPE in the
     * watcher, which then records armed_late. */
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return ng_error_set(err, errno, "socketpair: %s", strerror(errno));
    /* Out of time before it even starts: late by definition, whatever the scheduler does next. */
    bool late = deadline_ms <= ng_monotonic_ms();
    if (late)
        shutdown(sv[0], SHUT_RD);
    pid_t child = fork();
    if (child < 0) {
        int e = errno;
        close(sv[0]);
        close(sv[1]);
        return ng_error_set(err, e, "fork: %s", strerror(e));
    }
    if (child == 0) {
        /* A new session, then a second fork, so the watcher is nobody's child and has no
         * terminal; runc must not wait for it, so it keeps none of the hook's pipes. */
        setsid();
        pid_t grandchild = fork();
        if (grandchild != 0)
            _exit(grandchild < 0 ? 1 : 0);
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0 ||
            dup2(sv[1], 3) < 0)
            _exit(127);
        close_range(4, ~0U, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execl(exe, "nodeguard-hook", "watch", dir, "--ready-fd=3", (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    cleanup_close int fd = sv[0];
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = 0;
    while (!late) {
        int64_t left = deadline_ms - ng_monotonic_ms();
        r = poll(&p, 1, left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left);
        if (r >= 0 || errno != EINTR)
            break;
    }
    char byte = 0;
    if (r == 0) {
        /* Out of time: shut the socket for reading, then take a byte written just before. */
        if (!late)
            shutdown(fd, SHUT_RD);
        if (recv(fd, &byte, 1, MSG_DONTWAIT) != 1) {
            if (ret_late_fd)
                *ret_late_fd = NG_TAKE_FD(fd);
            return ng_error_set(err, ETIMEDOUT, "the OOM watcher was not armed in time");
        }
    } else if (r < 0 || ng_read_retry(fd, &byte, 1) != 1) {
        /* EOF: the watcher ended before it was armed (watcher.json has why, when it got that far). */
        ng_watcher_state ws;
        if (ng_watcher_state_read(dir, &ws, NULL) == 0 && ws.note[0])
            return ng_error_set(err, ECHILD, "the OOM watcher ended before it was armed: %s", ws.note);
        return ng_error_set(err, ECHILD, "the OOM watcher ended before it was armed");
    }
    ng_watcher_state ws;
    if (ret_pid && ng_watcher_state_read(dir, &ws, NULL) == 0)
        *ret_pid = ws.watcher_pid;
    return 0;
}
