/* The exit status of one process that is not our child (a container's pid 1), from the kernel's
 * proc connector. A classic BPF filter on the socket lets through only that pid's exit, so the
 * watcher is not woken by the rest of the host's process exits. Needs CAP_NET_ADMIN in the
 * initial user and pid namespaces (root on the host); where that is missing, callers go without. */
#ifndef NODEGUARD_PROCEXIT_H
#define NODEGUARD_PROCEXIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "nodeguard/engines.h"
#include "nodeguard/error.h"

int ng_procexit_open(pid_t pid, ng_error **err);

/* Reads what is queued. Returns 1 and the wait status when pid exited, 0 when nothing relevant
 * was queued, < 0 on error. */
int ng_procexit_read(int fd, pid_t pid, int *ret_status);

/* Where no proc connector reports it (rootless): pid 1's exit code as the engine's monitor
 * (podman's conmon) wrote it in the user's runtime directory, for the container id created at
 * created_ms (realtime). Returns 1 and the code, or 0 with why (may be NULL) saying what was
 * missing. A file older than the container is a previous run's (the same id started again) and is
 * not taken. */
int ng_engine_exit_read(ng_engine_id engine, const char *id, int64_t created_ms, int *ret_code, char *why,
                        size_t why_size);

#endif
