#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "logcommon.h"
#include "show.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/json.h"
#include "nodeguard/util.h"

static void stats_usage(FILE *f)
{
    fputs(
        "Usage: nodeguard stats [--by container|image|pod] [--json] [FILTERS]\n"
        "\n"
        "Starts, fixes, refusals, OOM kills, last OOM kill and peak memory, per container (or image, pod).\n"
        "Filters as for `nodeguard log`: -c, -e, --pod, --since, --until; --file, --policy.\n",
        f);
}

typedef enum { BY_CONTAINER, BY_IMAGE, BY_POD } group_by;

typedef struct stats_ctx {
    cli_groups groups;
    group_by by;
} stats_ctx;

static int add(const ng_log_entry *e, const char *line, size_t len, void *ud)
{
    (void)line;
    (void)len;
    stats_ctx *s = ud;
    /* The key whole: --json shows it exactly, and a copy cut short could end inside a character. */
    cleanup_free char *pod_key = NULL;
    const char *key = s->by == BY_IMAGE ? e->image : e->container_id;
    if (s->by == BY_POD) {
        if (asprintf(&pod_key, "%s%s%s", e->namespace_ ? e->namespace_ : "", e->namespace_ ? "/" : "",
                     e->pod ? e->pod : "") < 0)
            abort();
        key = pod_key;
    }
    cli_group_add(cli_groups_get(&s->groups, key ? key : ""), e);
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {
        {"by", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},
        {"container", required_argument, NULL, 'c'},
        {"event", required_argument, NULL, 'e'},
        {"pod", required_argument, NULL, 'p'},
        {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},
        {"file", required_argument, NULL, 'F'},
        {"policy", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    stats_ctx s = {.by = BY_CONTAINER};
    ng_log_filter filter = {0};
    bool json = false;
    const char *file = NULL, *policy = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:e:h", opts, NULL)) != -1) {
        if (c == 'b') {
            if (strcmp(optarg, "container") == 0)
                s.by = BY_CONTAINER;
            else if (strcmp(optarg, "image") == 0)
                s.by = BY_IMAGE;
            else if (strcmp(optarg, "pod") == 0)
                s.by = BY_POD;
            else {
                fprintf(stderr, "nodeguard stats: --by takes container, image or pod\n");
                return CLI_BAD_INPUT;
            }
        } else if (c == 'j') {
            json = true;
        } else if (c == 'F') {
            file = optarg;
        } else if (c == 'P') {
            policy = optarg;
        } else if (c == 'h') {
            stats_usage(stdout);
            return CLI_OK;
        } else if (cli_parse_filter(c, optarg, &filter, "stats") < 0) {
            stats_usage(stderr);
            return CLI_BAD_INPUT;
        }
    }
    if (optind != argc) {
        stats_usage(stderr);
        return CLI_BAD_INPUT;
    }
    cleanup_free char *path = cli_log_path(file, policy);
    cli_groups_init(&s.groups, 200000);
    ng_log_counts counts;
    cleanup_error ng_error *err = NULL;
    static const volatile int never = 0;
    if (ng_log_scan(path, true, false, &never, &filter, add, &s, &counts, &err) < 0) {
        cleanup_free char *msg = cli_shown(ng_error_msg(err));
        fprintf(stderr, "nodeguard stats: %s\n", msg);
        cli_groups_free(&s.groups);
        return CLI_BAD_INPUT;
    }
    size_t n;
    cleanup_free cli_group **rows = cli_groups_sorted(&s.groups, &n);
    static const char *const by_name[] = {"CONTAINER", "IMAGE", "POD"};
    if (!json)
        printf("%-24s %-16s %7s %6s %8s %9s %-19s %s\n", by_name[s.by], "NAME", "STARTS", "FIXES", "REFUSALS",
               "OOM KILLS", "LAST OOM KILL (UTC)", "PEAK");
    for (size_t i = 0; i < n; i++) {
        cli_group *g = rows[i];
        char peak[32];
        ng_format_bytes(g->peak_bytes, peak, sizeof(peak));
        if (json) {
            cleanup_yajl_gen yajl_gen gen = ng_gen_new();
            yajl_gen_map_open(gen);
            ng_gen_string(gen, by_name[s.by]);
            ng_gen_string(gen, g->key);
            ng_gen_string(gen, "container_name");
            ng_gen_string(gen, g->container_name);
            ng_gen_string(gen, "pod");
            ng_gen_string(gen, g->pod);
            ng_gen_string(gen, "image");
            ng_gen_string(gen, g->image);
            const char *names[] = {"starts", "fixes", "refusals", "oom_kills", "exits"};
            uint64_t vals[] = {g->starts, g->fixes, g->refusals, g->oom_kills, g->exits};
            for (size_t k = 0; k < 5; k++) {
                ng_gen_string(gen, names[k]);
                ng_gen_int(gen, (int64_t)vals[k]);
            }
            ng_gen_string(gen, "last_oom_kill");
            ng_gen_string(gen, g->last_oom[0] ? g->last_oom : NULL);
            ng_gen_string(gen, "peak_bytes");
            g->peak_bytes >= 0 ? ng_gen_int(gen, g->peak_bytes) : yajl_gen_null(gen);
            yajl_gen_map_close(gen);
            const unsigned char *buf;
            size_t len;
            yajl_gen_get_buf(gen, &buf, &len);
            printf("%.*s\n", (int)len, buf);
        } else {
            cli_cell(stdout, g->key, 24, 25);
            cli_cell(stdout, g->container_name ? g->container_name : "-", 16, 17);
            printf("%7llu %6llu %8llu %9llu %-19s %s\n", (unsigned long long)g->starts,
                   (unsigned long long)g->fixes, (unsigned long long)g->refusals,
                   (unsigned long long)g->oom_kills, g->last_oom[0] ? g->last_oom : "-", peak);
        }
    }
    if (counts.corrupt)
        fprintf(stderr, "nodeguard stats: %llu line(s) skipped as corrupt\n",
                (unsigned long long)counts.corrupt);
    if (s.groups.overflowed)
        fprintf(stderr, "nodeguard stats: more than %zu groups; the rest are counted as (other)\n",
                s.groups.max_groups);
    cli_groups_free(&s.groups);
    return CLI_OK;
}
