/* nodeguard: the operator's CLI. main() only dispatches; each subcommand is its own file. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static void usage(FILE *f)
{
    fputs("Usage: nodeguard COMMAND [OPTIONS]\n"
          "\n"
          "Size Node.js heaps to container memory limits, check OCI specs offline, and read what\n"
          "nodeguard recorded: decisions, OOM kills, memory pressure, how containers ended.\n"
          "\n"
          "Commands:\n"
          "  check CONFIG|BUNDLE [--json] [--policy FILE]\n"
          "                     validate a config.json as nodeguard would at container start\n"
          "                     (exit 0 fits, 1 does not fit, 2 bad input)\n"
          "  plan --memory SIZE [--processes N] [--heap MIB] [--cpus N] [--json]\n"
          "                     the heap and connection limit for a memory limit; with --heap,\n"
          "                     the smallest limit that heap needs\n"
          "  log [FILTERS] [--json] [--follow]\n"
          "                     the audit log: decisions, OOM kills, memory pressure, exits\n"
          "  stats [--by container|image|pod] [FILTERS]\n"
          "                     starts, fixes, refusals, OOM kills and peak memory per container\n"
          "  status             running watched containers: usage, limit, heap, OOM kills\n"
          "  metrics [-o FILE]  Prometheus text for node_exporter's textfile collector\n"
          "  version            print the version\n"
          "\n"
          "Run 'nodeguard COMMAND --help' for a command's options. Sizes: 512M, 1G, 1.5GiB, bytes.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_BAD_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("nodeguard %s\n", NODEGUARD_VERSION);
        return CLI_OK;
    }
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "plan") == 0)
        return cmd_plan(argc - 1, argv + 1);
    if (strcmp(cmd, "log") == 0)
        return cmd_log(argc - 1, argv + 1);
    if (strcmp(cmd, "stats") == 0)
        return cmd_stats(argc - 1, argv + 1);
    if (strcmp(cmd, "status") == 0)
        return cmd_status(argc - 1, argv + 1);
    if (strcmp(cmd, "metrics") == 0)
        return cmd_metrics(argc - 1, argv + 1);
    fprintf(stderr, "nodeguard: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return CLI_BAD_INPUT;
}
