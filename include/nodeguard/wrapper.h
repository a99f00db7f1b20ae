/* nodeguard-runtime: an OCI runtime in front of the real one (runc, crun), for runtimes that run no
 * hooks directory (Docker, containerd) or no precreate stage (CRI-O). On create and run it applies
 * the precreate transformation to the bundle's config.json and adds nodeguard's createRuntime and
 * poststop hooks, then execs the real runtime with the same arguments. */
#ifndef NODEGUARD_WRAPPER_H
#define NODEGUARD_WRAPPER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "nodeguard/error.h"
#include "nodeguard/policy.h"

typedef struct ng_runtime_args {
    int command_index; /* argv index of the subcommand, 0 if none */
    const char *command;
    const char *bundle; /* -b/--bundle, NULL: the current directory */
    const char *id;     /* the container id (the last operand; exec's first), or NULL */
} ng_runtime_args;

/* Finds the subcommand after the runtime's global flags, and create's/run's bundle and id. Which
 * flags take a value is runc's and crun's, from the engine table (nodeguard/engines.h). */
void ng_runtime_parse_args(int argc, char *const *argv, ng_runtime_args *ret);

/* The real runtime: configured (absolute), else the first of runc, crun on PATH that is not this
 * program (same device and inode as /proc/self/exe), so the wrapper never runs itself. */
int ng_runtime_find_real(const char *configured, char *ret, size_t size, ng_error **err);

/* A bundle directory, opened by ng_runtime_open_bundle before the sandbox drops the capabilities:
 * containerd's bundles are under /run/containerd, which is mode 0600 once dockerd's shims made it,
 * and root can search it only with CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH. The sandboxed work is
 * then done on the descriptor, and nothing of the path is opened again. */
typedef struct ng_runtime_bundle {
    const char *path;     /* as given, "." for the current directory: for messages */
    int dirfd;            /* O_CLOEXEC, or -1: open_error says why */
    ng_error *open_error; /* NULL when opened */
} ng_runtime_bundle;

/* Opens PATH (NULL: the current directory), refusing a symbolic link (engines hand the runtime a
 * directory). Never fails the caller: an error is kept in ret->open_error, for
 * ng_runtime_prepare_bundle to record. ng_runtime_bundle_close releases both. */
void ng_runtime_open_bundle(const char *path, ng_runtime_bundle *ret);
void ng_runtime_bundle_close(ng_runtime_bundle *bundle);

/* Rewrites the bundle's config.json for nodeguard: the decision's env/args, and nodeguard's hooks added
 * once. Written atomically next to the original, with its mode and owner. A config that needs
 * nothing is not touched at all. Records the decision in the log. Never fails the caller: errors
 * are recorded and the config is left as it was. A bundle another user could change under it
 * (symlinks, not a regular file, another user's or writable by others) is such an error
 * (docs/hardening.md has the cases). host_memory_mib: ng_host_memory_mib, read before the sandbox
 * (spec.h's host_memory_mib). */
void ng_runtime_prepare_bundle(const ng_policy *policy, const ng_runtime_bundle *bundle, const char *id,
                               const char *hook_path, int64_t host_memory_mib);

#endif
