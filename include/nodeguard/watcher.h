/* The per-container OOM watcher (docs/oom-recording.md): armed at createRuntime, it records every
 * kernel OOM kill in the container exactly once, memory pressure, and pid 1's exit, and leaves its
 * last word in the state directory for poststop. No polling: it sleeps in epoll_wait until the
 * kernel has something to say about this container. */
#ifndef NODEGUARD_WATCHER_H
#define NODEGUARD_WATCHER_H

#include <sys/types.h>
#include "nodeguard/error.h"

/* Runs the watcher for the container whose state is in dir; writes one byte to ready_fd (if >= 0)
 * once armed. Returns the exit code. A second watcher for the same dir exits 0 at once. */
int ng_watch(const char *dir, int ready_fd);

/* Starts a detached watcher (double fork, new session, stdio on /dev/null, every other fd closed,
 * exec of `exe watch DIR`) and waits up to timeout_ms for it to be armed. */
int ng_watcher_spawn(const char *exe, const char *dir, int timeout_ms, pid_t *ret_pid, ng_error **err);

#endif
