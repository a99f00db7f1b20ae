/* The sandbox nodeguard's processes enter once their inputs are read and their files opened
 * (SECURITY.md): every capability dropped (effective, permitted, inheritable, bounding, ambient),
 * NO_NEW_PRIVS, and a seccomp allow-list of the system calls the rest of their work makes. A call
 * outside the list fails with EPERM instead of killing the process, so nodeguard's own error
 * handling applies: the process fails closed, the container open, and the failure is recorded. */
#ifndef NODEGUARD_SANDBOX_H
#define NODEGUARD_SANDBOX_H

#include <sys/types.h>
#include "nodeguard/error.h"

typedef enum ng_sandbox_profile {
    NG_SANDBOX_HOOK,    /* parse, decide, write files and the log; no exec, no fork, no network */
    NG_SANDBOX_WATCHER, /* the same, plus waiting on its armed epoll set */
} ng_sandbox_profile;

int ng_sandbox_enter(ng_sandbox_profile profile, ng_error **err);

/* fork() for a child that does sandboxed work for its parent and must die with it: if the runtime
 * kills a hook at its timeout, the child does not go on by itself (PR_SET_PDEATHSIG; a child whose
 * parent is already gone exits at once). Returns as fork() does. */
pid_t ng_sandbox_fork(void);

#endif
