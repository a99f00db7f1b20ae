/* nodeguard-hook STAGE: the OCI hook. Thin by design: the stages live in src/lib/stages.c. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "nodeguard/policy.h"
#include "nodeguard/stages.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "Usage: nodeguard-hook STAGE\n"
        "\n"
        "OCI hook that sizes Node.js heaps to the container's memory limit.\n"
        "Stages:\n"
        "  precreate       podman: config.json on stdin, the (rewritten) config on stdout\n"
        "  createRuntime   runc/CRI-O/podman: state on stdin; validate and record, refuse in mode enforce\n"
        "  prestart        the same, for runtimes that only run prestart\n"
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
    if (strcmp(stage, "precreate") != 0 && strcmp(stage, "createRuntime") != 0 &&
        strcmp(stage, "prestart") != 0) {
        fprintf(stderr,
                "nodeguard-hook: unknown stage \"%s\" (expected precreate, createRuntime or prestart)\n",
                stage);
        return 2;
    }
    ng_policy policy;
    ng_policy_load(&policy, NULL);
    for (size_t i = 0; i < policy.warnings.n; i++)
        fprintf(stderr, "nodeguard: policy: %s\n", policy.warnings.items[i]);
    int rc = strcmp(stage, "precreate") == 0 ? ng_stage_precreate(&policy, STDIN_FILENO, STDOUT_FILENO)
                                             : ng_stage_validate(&policy, stage, STDIN_FILENO);
    ng_policy_free(&policy);
    return rc;
}
