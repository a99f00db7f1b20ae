/* nodeguard-hook STAGE: the OCI hook. Thin by design: the stages live in src/lib/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nodeguard/lifecycle.h"
#include "nodeguard/policy.h"
#include "nodeguard/stages.h"
#include "nodeguard/watcher.h"

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
    const char *stage = argv[1];
    if (strcmp(stage, "watch") == 0) {
        int ready_fd = -1;
        if (argc < 3 || argc > 4 || (argc == 4 && sscanf(argv[3], "--ready-fd=%d", &ready_fd) != 1)) {
            fprintf(stderr, "usage: nodeguard-hook watch STATE_DIR [--ready-fd=N]\n");
            return 2;
        }
        return ng_watch(argv[2], ready_fd);
    }
    static const char *const stages[] = {"precreate", "createRuntime", "prestart", "poststop"};
    size_t known = 0;
    while (known < 4 && strcmp(stage, stages[known]) != 0)
        known++;
    if (known == 4) {
        fprintf(stderr,
                "nodeguard-hook: unknown stage \"%s\" (expected precreate, createRuntime, prestart or "
                "poststop)\n",
                stage);
        return 2;
    }
    ng_policy policy;
    ng_policy_load(&policy, NULL);
    for (size_t i = 0; i < policy.warnings.n; i++)
        fprintf(stderr, "nodeguard: policy: %s\n", policy.warnings.items[i]);
    int rc = known == 0   ? ng_stage_precreate(&policy, STDIN_FILENO, STDOUT_FILENO)
             : known == 3 ? ng_stage_poststop(&policy, STDIN_FILENO)
                          : ng_stage_validate(&policy, stage, STDIN_FILENO);
    ng_policy_free(&policy);
    return rc;
}
