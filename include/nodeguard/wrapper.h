/* nodeguard-runtime: an OCI runtime in front of the real one (runc, crun), for runtimes that run no
 * hooks directory (Docker, containerd) or no precreate stage (CRI-O). On create and run it applies
 * the precreate transformation to the bundle's config.json and adds nodeguard's createRuntime and
 * poststop hooks, then execs the real runtime with the same arguments. */
#ifndef NODEGUARD_WRAPPER_H
#define NODEGUARD_WRAPPER_H

#include <limits.h>
#include <stdbool.h>
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

/* Rewrites BUNDLE/config.json for nodeguard: the decision's env/args, and nodeguard's hooks added
 * once. Written atomically next to the original, with its mode and owner. A config that needs
 * nothing is not touched at all. Records the decision in the log. Never fails the caller: errors
 * are recorded and the config is left as it was. A bundle another user could change under it
 * (symlinks, not a regular file, another user's or writable by others) is such an error
 * (docs/hardening.md has the cases). */
void ng_runtime_prepare_bundle(const ng_policy *policy, const char *bundle, const char *id,
                               const char *hook_path);

#endif
