/* nodeguard-runtime exec: the decision create and run get, applied to a process started in a
 * running container (`docker exec`, `ctr task exec`, `kubectl exec`, which reach the runtime as
 * `exec --process FILE ID`; runc's users as `exec -e K=V ID node ...`). The limit and the policy
 * are the container's (its bundle's config.json, found through the runtime's own `state`); the
 * process is the exec'd one (its args, env and cwd: from the process file the engine wrote, or from
 * the command line over the config's process, as the runtime builds it). A process that needs
 * nodeguard's heap gets a rewritten copy of the process file (a sealed memfd the runtime reads
 * through /proc/self/fd), or --env entries and rewritten arguments on the command line; mode
 * enforce refuses an exec whose own heap flag cannot fit. Anything nodeguard cannot do leaves the
 * exec as it was, with a message on stderr. */
#ifndef NODEGUARD_WRAPPER_EXEC_H
#define NODEGUARD_WRAPPER_EXEC_H

#include <stdbool.h>
#include "nodeguard/policy.h"

/* The largest process file nodeguard reads: an engine's is a few KiB (args, env, capabilities). */
#define NG_EXEC_PROCESS_MAX (1024u * 1024)

/* What exec's command line says, as far as nodeguard needs it. */
typedef struct ng_exec_args {
    const char *root;      /* the global --root, NULL when not given (the runtime's default) */
    const char *id;        /* the container, NULL when absent */
    int process_index;     /* argv index holding --process's value (itself when attached), 0: none */
    bool process_attached; /* "--process=FILE" / "-p=FILE": the value is part of argv[process_index] */
    const char *process;   /* the process file's path, NULL: the process is on the command line */
    int preserve_fds;      /* --preserve-fds: fds 3 .. 3 + N - 1 go to the process */
    int operands_index;    /* argv index of the container (or of the "--" before it), 0: none */
    const char *cwd;       /* --cwd, NULL when not given */
    const char **env;      /* the --env / -e values, in order (n_env of them); the array is owned */
    size_t n_env;
    const char *env_flag; /* "-e" or "--env", as the caller wrote it (runc takes one form per exec) */
} ng_exec_args;

/* Reads exec's flags (command_index: argv index of "exec"), with runc's and crun's value flags
 * from the engine table. */
void ng_exec_parse_args(int argc, char *const *argv, int command_index, ng_exec_args *ret);
void ng_exec_args_free(ng_exec_args *a);

/* Applies the decision to the exec in argv (runtime: the real runtime, asked for the container's
 * bundle). Returns 0 to run the exec with *ret_argv: argv itself, or a new argument list naming
 * nodeguard's process file (an inherited fd) or, for a command given on the command line, with
 * --env entries added and the command's heap flags rewritten. Returns the exit code to end with
 * when the exec is refused (mode enforce). */
int ng_runtime_prepare_exec(const ng_policy *policy, const char *runtime, int argc, char **argv,
                            int command_index, char ***ret_argv);

#endif
