#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "logcommon.h"
#include "show.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/events.h"

static void log_usage(FILE *f)
{
    char events[256];
    ng_event_names_joined(", ", events, sizeof(events));
    fprintf(f,
            "Usage: nodeguard log [OPTIONS]\n"
            "\n"
            "Shows nodeguard's audit log (rotated generations first), oldest first.\n"
            "  -c, --container ID|NAME   an id prefix, or a container name\n"
            "  -e, --event LIST          %s (comma-separated)\n",
            events);
    fputs("      --pod [NS/]POD        a Kubernetes pod\n"
          "      --since WHEN          RFC 3339 time, or a duration ago: 30s, 15m, 2h, 7d\n"
          "      --until WHEN\n"
          "      --json                the matching records as JSON lines, unchanged\n"
          "  -f, --follow              keep printing new records (across rotation) until interrupted\n"
          "      --file PATH           the log to read (default: the policy's log_path)\n"
          "      --policy FILE         the policy to take log_path from\n",
          f);
}

static volatile int stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int print_json(const ng_log_entry *e, const char *line, size_t len, void *ud)
{
    (void)e;
    (void)ud;
    fwrite(line, 1, len, stdout);
    putchar('\n');
    return ferror(stdout) ? -1 : 0;
}

static int print_row(const ng_log_entry *e, const char *line, size_t len, void *ud)
{
    (void)line;
    (void)len;
    (void)ud;
    /* Room for every string the entry holds: the DETAIL is shown whole, never cut inside a character. */
    char label[16], text[sizeof(e->strings) + 1024];
    ng_event_render(e, text, sizeof(text));
    /* Every column but the time (checked as RFC 3339 by the reader) is the container's to choose. */
    printf("%.10s %.8s  ", e->time, e->time + 11);
    cli_cell(stdout, e->event, SIZE_MAX, 15);
    putchar(' ');
    cli_cell(stdout, cli_container_label(e, label, sizeof(label)), 20, 20);
    putchar(' ');
    cli_cell(stdout, text, SIZE_MAX, 0);
    putchar('\n');
    if (stop)
        return -1;
    return ferror(stdout) ? -1 : 0;
}

int cmd_log(int argc, char **argv)
{
    static const struct option opts[] = {
        {"container", required_argument, NULL, 'c'},
        {"event", required_argument, NULL, 'e'},
        {"pod", required_argument, NULL, 'p'},
        {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},
        {"json", no_argument, NULL, 'j'},
        {"follow", no_argument, NULL, 'f'},
        {"file", required_argument, NULL, 'F'},
        {"policy", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ng_log_filter filter = {0};
    bool json = false, follow = false;
    const char *file = NULL, *policy = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:e:fh", opts, NULL)) != -1) {
        if (c == 'j')
            json = true;
        else if (c == 'f')
            follow = true;
        else if (c == 'F')
            file = optarg;
        else if (c == 'P')
            policy = optarg;
        else if (c == 'h') {
            log_usage(stdout);
            return CLI_OK;
        } else if (cli_parse_filter(c, optarg, &filter, "log") < 0) {
            log_usage(stderr);
            return CLI_BAD_INPUT;
        }
    }
    if (optind != argc) {
        log_usage(stderr);
        return CLI_BAD_INPUT;
    }
    cleanup_free char *path = cli_log_path(file, policy);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (follow)
        setvbuf(stdout, NULL, _IOLBF, 0);
    if (!json)
        printf("%-19s  %-15s %-20s %s\n", "TIME (UTC)", "EVENT", "CONTAINER", "DETAIL");
    ng_log_counts counts;
    cleanup_error ng_error *err = NULL;
    int r =
        ng_log_scan(path, true, follow, &stop, &filter, json ? print_json : print_row, NULL, &counts, &err);
    if (r < 0) {
        cleanup_free char *msg = cli_shown(ng_error_msg(err));
        fprintf(stderr, "nodeguard log: %s\n", msg);
        return CLI_BAD_INPUT;
    }
    if (counts.corrupt)
        fprintf(stderr, "nodeguard log: %llu line(s) skipped as corrupt (%llu too long)\n",
                (unsigned long long)counts.corrupt, (unsigned long long)counts.too_long);
    return CLI_OK;
}

/* Shared filter options: -c, -e, --pod, --since, --until. */
int cli_parse_filter(int c, const char *arg, ng_log_filter *f, const char *cmd)
{
    int64_t now = (int64_t)time(NULL) * 1000;
    switch (c) {
    case 'c':
        f->container = arg;
        return 0;
    case 'e':
        f->events = arg;
        return 0;
    case 'p':
        f->pod = arg;
        return 0;
    case 's':
    case 'u':
        if (ng_parse_when(arg, now, c == 's' ? &f->since_ms : &f->until_ms) < 0) {
            cleanup_free char *shown = cli_shown(arg);
            fprintf(stderr, "nodeguard %s: \"%s\" is neither an RFC 3339 time nor a duration like 2h\n", cmd,
                    shown);
            return -1;
        }
        return 0;
    }
    return -1;
}
