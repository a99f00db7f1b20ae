#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "logcommon.h"
#include "show.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/events.h"

static void metrics_usage(FILE *f)
{
    fputs("Usage: nodeguard metrics [--file PATH] [--policy FILE] [-o FILE]\n"
          "\n"
          "Prometheus text exposition of the audit log: records by event, decisions by action, OOM kills\n"
          "and exits by container. For node_exporter's textfile collector: -o FILE writes FILE.tmp and\n"
          "renames it into place, so the collector never reads half a file.\n",
          f);
}

typedef struct metrics_ctx {
    cli_groups containers;
    cli_groups events, actions, exits;
} metrics_ctx;

static int add(const ng_log_entry *e, const char *line, size_t len, void *ud)
{
    (void)line;
    (void)len;
    metrics_ctx *m = ud;
    cli_groups_get(&m->events, e->event)->starts++;
    if (e->type == NG_EVENT_DECISION && e->action)
        cli_groups_get(&m->actions, e->action)->starts++;
    if (e->type == NG_EVENT_CONTAINER_EXIT && e->exit_classification)
        cli_groups_get(&m->exits, e->exit_classification)->starts++;
    if (e->container_id)
        cli_group_add(cli_groups_get(&m->containers, e->container_id), e);
    return 0;
}

/* A label value in the text format: backslash, double quote and newline escaped. First through
 * cli_shown, though the format allows any UTF-8: the file is read by people too (cat, curl), and one
 * label of invalid UTF-8 makes Prometheus's parser reject the whole file, every other metric with it.
 * The value is then what a table shows, an ESC as the four characters \x1b. */
static void label(FILE *out, const char *name, const char *value, bool first)
{
    cleanup_free char *shown = cli_shown(value);
    fprintf(out, "%s%s=\"", first ? "" : ",", name);
    for (const char *p = shown; *p; p++) {
        if (*p == '\\' || *p == '"')
            fputc('\\', out);
        if (*p == '\n')
            fputs("\\n", out);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void simple_family(FILE *out, cli_groups *g, const char *metric, const char *help,
                          const char *label_name)
{
    size_t n;
    cleanup_free cli_group **rows = cli_groups_sorted(g, &n);
    fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", metric, help, metric);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s{", metric);
        label(out, label_name, rows[i]->key, true);
        fprintf(out, "} %llu\n", (unsigned long long)rows[i]->starts);
    }
}

static void container_labels(FILE *out, const cli_group *g)
{
    label(out, "container_id", g->key, true);
    label(out, "container_name", g->container_name, false);
    label(out, "pod", g->pod, false);
    label(out, "namespace", g->namespace_, false);
}

int cmd_metrics(int argc, char **argv)
{
    static const struct option opts[] = {
        {"file", required_argument, NULL, 'F'},
        {"policy", required_argument, NULL, 'P'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL, *policy = NULL, *output = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        if (c == 'F')
            file = optarg;
        else if (c == 'P')
            policy = optarg;
        else if (c == 'o')
            output = optarg;
        else if (c == 'h') {
            metrics_usage(stdout);
            return CLI_OK;
        } else {
            metrics_usage(stderr);
            return CLI_BAD_INPUT;
        }
    }
    if (optind != argc) {
        metrics_usage(stderr);
        return CLI_BAD_INPUT;
    }
    cleanup_free char *path = cli_log_path(file, policy);
    metrics_ctx m;
    cli_groups_init(&m.containers, 100000);
    cli_groups_init(&m.events, 64);
    cli_groups_init(&m.actions, 64);
    cli_groups_init(&m.exits, 64);
    ng_log_counts counts = {0};
    cleanup_error ng_error *err = NULL;
    static const volatile int never = 0;
    cleanup_free cli_group **rows = NULL;
    size_t n = 0;
    int rc = CLI_OK;
    if (ng_log_scan(path, true, false, &never, NULL, add, &m, &counts, &err) < 0) {
        cleanup_free char *msg = cli_shown(ng_error_msg(err));
        fprintf(stderr, "nodeguard metrics: %s\n", msg);
        rc = CLI_BAD_INPUT;
        goto out;
    }
    char tmp[4096];
    FILE *out = stdout;
    if (output) {
        snprintf(tmp, sizeof(tmp), "%s.tmp", output);
        out = fopen(tmp, "we");
        if (!out) {
            perror(tmp);
            rc = CLI_BAD_INPUT;
            goto out;
        }
    }
    simple_family(out, &m.events, "nodeguard_log_records_total",
                  "Records in nodeguard's audit log, by event.", "event");
    simple_family(out, &m.actions, "nodeguard_decisions_total", "Decisions on Node containers, by action.",
                  "action");
    simple_family(out, &m.exits, "nodeguard_container_exits_total", "How guarded containers ended.",
                  "classification");
    rows = cli_groups_sorted(&m.containers, &n);
    fprintf(out, "# HELP nodeguard_oom_kills_total Kernel OOM kills recorded, by container.\n"
                 "# TYPE nodeguard_oom_kills_total counter\n");
    for (size_t i = 0; i < n; i++) {
        if (!rows[i]->oom_kills)
            continue;
        fputs("nodeguard_oom_kills_total{", out);
        container_labels(out, rows[i]);
        fprintf(out, "} %llu\n", (unsigned long long)rows[i]->oom_kills);
    }
    fprintf(out, "# HELP nodeguard_container_peak_memory_bytes Highest memory usage recorded, by container.\n"
                 "# TYPE nodeguard_container_peak_memory_bytes gauge\n");
    for (size_t i = 0; i < n; i++) {
        if (rows[i]->peak_bytes < 0)
            continue;
        fputs("nodeguard_container_peak_memory_bytes{", out);
        container_labels(out, rows[i]);
        fprintf(out, "} %lld\n", (long long)rows[i]->peak_bytes);
    }
    fprintf(out,
            "# HELP nodeguard_log_corrupt_lines Lines of the audit log that are not records.\n"
            "# TYPE nodeguard_log_corrupt_lines gauge\nnodeguard_log_corrupt_lines %llu\n",
            (unsigned long long)counts.corrupt);
    if (output && (fclose(out) != 0 || rename(tmp, output) < 0)) {
        perror(output);
        rc = CLI_BAD_INPUT;
    }
out:
    cli_groups_free(&m.containers);
    cli_groups_free(&m.events);
    cli_groups_free(&m.actions);
    cli_groups_free(&m.exits);
    return rc;
}
