/* The per-container OOM watcher (docs/oom-recording.md): armed at createRuntime, it records every
 * kernel OOM kill in the container exactly once, memory pressure, and pid 1's exit, and leaves its
 * last word in the state directory for poststop. No polling: it sleeps in epoll_wait until the
 * kernel has something to say about this container. */
#ifndef NODEGUARD_WATCHER_H
#define NODEGUARD_WATCHER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include "nodeguard/cgroup.h"
#include "nodeguard/error.h"
#include "nodeguard/kmsg.h"
#include "nodeguard/runstate.h"

/* Runs the watcher for the container whose state is in dir; writes one byte to ready_fd (if >= 0)
 * once armed. If that write fails with EPIPE (the starter stopped waiting), it records armed_late
 * once the starter has closed its end, and goes on. Returns the exit code. A second watcher for
 * the same dir exits 0 at once. */
int ng_watch(const char *dir, int ready_fd);

/* Starts a detached watcher (double fork, new session, stdio on /dev/null, every other fd closed,
 * exec of `exe watch DIR`) and waits until deadline_ms (ng_monotonic_ms's clock) for it to be
 * armed. -ETIMEDOUT when the deadline came first: the watcher goes on and records armed_late when
 * it arms, after *ret_late_fd (if given: the caller's end of the ready socket) is closed, so the
 * caller closes it once it has recorded the timeout. -ECHILD when the watcher ended before it was
 * armed (seen at once, not at the deadline). */
int ng_watcher_spawn(const char *exe, const char *dir, int64_t deadline_ms, int *ret_late_fd, pid_t *ret_pid,
                     ng_error **err);

/* The watcher's records after ng_record_begin's fields (src/core/events.c lists them): apart from
 * writing so that tests/unit/test_events.c can check them against the registry. An oom_kill is
 * kill number ws->oom_kills + 1, victim NULL when kmsg named none, procs the cgroup's processes at
 * the wake; c the counters then (peak from ws when c has none). The oom_kill's usage_bytes is the
 * victim's usage_kb (the kernel's report at the kill), null without; a pressure record's is c's. */
int ng_watcher_gen_oom_kill(yajl_gen g, const ng_container_state *cs, const ng_watcher_state *ws,
                            const ng_kmsg_oom *victim, const ng_memory_counters *c, const ng_proc_rss *procs,
                            size_t n_procs, ng_error **err);
/* The error record (action armed_late) of a watcher armed after createRuntime stopped waiting. */
int ng_watcher_gen_armed_late(yajl_gen g, const ng_container_state *cs, int64_t armed_after_ms,
                              ng_error **err);
int ng_watcher_gen_memory_pressure(yajl_gen g, const ng_container_state *cs, const ng_watcher_state *ws,
                                   const ng_memory_counters *c, const char *trigger, ng_error **err);

#endif
