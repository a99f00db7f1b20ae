/* nodeguard-runtime: an OCI runtime wrapper. Thin by design: src/stages/wrapper.c does the work.
 * Whatever happens inside nodeguard, the real runtime is exec'd with the caller's arguments, so
 * exit status, stdio, signals, the console socket and preserved fds all belong to it. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/diag.h"
#include "nodeguard/engines.h"
#include "nodeguard/hostmem.h"
#include "nodeguard/policy.h"
#include "nodeguard/policyfile.h"
#include "nodeguard/wrapper.h"
#include "nodeguard/wrapper_exec.h"
#include "nodeguard/sandbox.h"
#include "nodeguard/termsafe.h"

static void say_on_stderr(const char *line, size_t len)
{
    /* Messages quote the container's env, args and annotations, and the runtime shows them to its
     * user: escaped, one line whatever they hold. */
    cleanup_free char *shown = ng_term_escape(line, len, SIZE_MAX, NULL);
    struct iovec iov[2] = {{.iov_base = shown, .iov_len = strlen(shown)}, {.iov_base = "\n", .iov_len = 1}};
    (void)!writev(STDERR_FILENO, iov, 2);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--nodeguard-version") == 0) {
        printf("nodeguard-runtime %s\n", NODEGUARD_VERSION);
        return 0;
    }
    /* For `nodeguard doctor`: the hook this wrapper adds to configs, as its policy and the
     * LIBEXECDIR it was built with say, so an install that put the hook elsewhere shows. */
    if (argc == 2 && strcmp(argv[1], "--nodeguard-hook-path") == 0) {
        ng_policy policy;
        ng_policy_load(&policy, NULL);
        printf("%s\n", policy.hook_path);
        ng_policy_free(&policy);
        return 0;
    }
    /* Guard against a runtime_path or PATH that leads back here through another name. */
    if (getenv("NODEGUARD_RUNTIME_ACTIVE")) {
        fprintf(stderr,
                "nodeguard-runtime: refusing to run itself: the real runtime leads back to nodeguard-runtime "
                "(check runtime_path in the policy and PATH)\n");
        return 125;
    }
    ng_diag_set_sink(say_on_stderr);
    ng_policy policy;
    ng_policy_load(&policy, NULL);
    char real[4096];
    cleanup_error ng_error *err = NULL;
    if (ng_runtime_find_real(policy.runtime_path, real, sizeof(real), &err) < 0) {
        ng_diag("nodeguard-runtime: %s", ng_error_msg(err));
        ng_policy_free(&policy);
        return 125;
    }
    ng_runtime_args args;
    ng_runtime_parse_args(argc, argv, &args);
    if (ng_runtime_command_creates(args.command)) {
        for (size_t i = 0; i < policy.warnings.n; i++)
            ng_diag("nodeguard: policy: %s", policy.warnings.items[i]);
        /* Opened here, while this process has the capabilities the sandbox drops. */
        ng_runtime_bundle bundle;
        ng_runtime_open_bundle(args.bundle, &bundle);
        int64_t host_memory_mib = ng_host_memory_mib(); /* read here too: the sandbox forbids sysinfo */
        /* The spec is edited by a sandboxed child: this process must still exec the runtime. */
        pid_t child = policy.sandbox ? ng_sandbox_fork() : -1;
        if (child == 0) {
            cleanup_error ng_error *e = NULL;
            if (ng_sandbox_enter(NG_SANDBOX_HOOK, &e) < 0)
                ng_diag("nodeguard-runtime: not sandboxed: %s", ng_error_msg(e));
            ng_runtime_prepare_bundle(&policy, &bundle, args.id, policy.hook_path, host_memory_mib);
            _exit(0);
        }
        if (child < 0)
            ng_runtime_prepare_bundle(&policy, &bundle, args.id, policy.hook_path, host_memory_mib);
        else
            while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                ;
        ng_runtime_bundle_close(&bundle);
    }
    char **run_argv = argv;
    if (args.command && strcmp(args.command, "exec") == 0) {
        int refused = ng_runtime_prepare_exec(&policy, real, argc, argv, args.command_index, &run_argv);
        if (refused) {
            ng_policy_free(&policy);
            return refused;
        }
    }
    ng_policy_free(&policy);
    setenv("NODEGUARD_RUNTIME_ACTIVE", "1", 1);
    run_argv[0] = real;
    execv(real, run_argv);
    ng_diag("nodeguard-runtime: cannot run %s: %s", real, strerror(errno));
    return 127;
}
