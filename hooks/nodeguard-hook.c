/* nodeguard-hook STAGE: the OCI hook. Thin by design: the stages live in src/stages/, one file each;
 * this file finds the stage, loads the policy and prints what the library has to say. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/diag.h"
#include "nodeguard/policy.h"
#include "nodeguard/policyfile.h"
#include "nodeguard/stages.h"
#include "nodeguard/termsafe.h"
#include "nodeguard/watcher.h"

/* The stages by the names runtimes give them in the hook's args. */
static const struct {
    const char *name;
    ng_stage_fn run;
} stages[] = {
    {"precreate", ng_stage_precreate},
    {"createRuntime", ng_stage_validate},
    {"prestart", ng_stage_validate},
    {"poststop", ng_stage_poststop},
};

/* One write per message: a runtime that collects a hook's stderr sees whole lines. */
static void say_on_stderr(const char *line, size_t len)
{
    /* Messages quote the container's env, args and annotations, and the runtime shows them to its
     * user: escaped, one line whatever they hold. */
    cleanup_free char *shown = ng_term_escape(line, len, SIZE_MAX, NULL);
    struct iovec iov[2] = {{.iov_base = shown, .iov_len = strlen(shown)}, {.iov_base = "\n", .iov_len = 1}};
    (void)!writev(STDERR_FILENO, iov, 2);
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: nodeguard-hook STAGE\n"
            "\n"
            "OCI hook that sizes Node.js heaps to the container's memory limit and records OOM kills.\n"
            "Stages:\n"
            "  precreate       podman: config.json on stdin, the (rewritten) config on stdout\n"
            "  createRuntime   runc/CRI-O/podman: state on stdin; validate and record, refuse in mode\n"
            "                  enforce; start the container's OOM watcher\n"
            "  prestart        the same, for runtimes that only run prestart\n"
            "  poststop        state on stdin: record how the container ended (container_exit)\n"
            "  watch DIR       (internal) the OOM watcher that createRuntime starts\n"
            "\n"
            "Policy: $NODEGUARD_CONFIG or %s/nodeguard/nodeguard.json (see nodeguard.json(5)).\n",
            NODEGUARD_SYSCONFDIR);
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("nodeguard-hook %s\n", NODEGUARD_VERSION);
        return 0;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    ng_diag_set_sink(say_on_stderr);
    const char *stage = argv[1];
    if (strcmp(stage, "watch") == 0) {
        int ready_fd = -1;
        if (argc < 3 || argc > 4 || (argc == 4 && sscanf(argv[3], "--ready-fd=%d", &ready_fd) != 1)) {
            fprintf(stderr, "usage: nodeguard-hook watch STATE_DIR [--ready-fd=N]\n");
            return 2;
        }
        return ng_watch(argv[2], ready_fd);
    }
    size_t known = 0;
    while (known < sizeof(stages) / sizeof(stages[0]) && strcmp(stage, stages[known].name) != 0)
        known++;
    if (known == sizeof(stages) / sizeof(stages[0])) {
        ng_diag(
            "nodeguard-hook: unknown stage \"%s\" (expected precreate, createRuntime, prestart or poststop)",
            stage);
        return 2;
    }
    ng_policy policy;
    ng_policy_load(&policy, NULL);
    for (size_t i = 0; i < policy.warnings.n; i++)
        ng_diag("nodeguard: policy: %s", policy.warnings.items[i]);
    int rc = stages[known].run(&policy, stage, STDIN_FILENO, STDOUT_FILENO);
    ng_policy_free(&policy);
    return rc;
}
