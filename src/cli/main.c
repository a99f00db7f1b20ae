/* nodeguard: the operator's CLI. main() only dispatches; each subcommand is its own file. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "cli.h"
#include "show.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/diag.h"
#include "nodeguard/termsafe.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"check", cmd_check},   {"plan", cmd_plan},       {"log", cmd_log},       {"stats", cmd_stats},
    {"status", cmd_status}, {"metrics", cmd_metrics}, {"doctor", cmd_doctor},
};

/* Library messages quote what they were handed (a config's env, a log's fields): escaped. */
static void say_on_stderr(const char *line, size_t len)
{
    cleanup_free char *shown = ng_term_escape(line, len, SIZE_MAX, NULL);
    struct iovec iov[2] = {{.iov_base = shown, .iov_len = strlen(shown)}, {.iov_base = "\n", .iov_len = 1}};
    (void)!writev(STDERR_FILENO, iov, 2);
}

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
          "  doctor [--json] [--root DIR]\n"
          "                     is nodeguard registered with each engine here, and can it work?\n"
          "                     (exit 0 nothing failed, 1 a check failed)\n"
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
    ng_diag_set_sink(say_on_stderr);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cleanup_free char *shown = cli_shown(cmd);
    fprintf(stderr, "nodeguard: unknown command \"%s\"\n\n", shown);
    usage(stderr);
    return CLI_BAD_INPUT;
}
