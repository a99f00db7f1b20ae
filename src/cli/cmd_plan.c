#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "show.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/json.h"
#include "nodeguard/policy.h"
#include "nodeguard/policyfile.h"
#include "nodeguard/sizing.h"
#include "nodeguard/util.h"

static void plan_usage(FILE *f)
{
    fputs("Usage: nodeguard plan --memory SIZE [--processes N] [--heap MIB] [--cpus N] [--policy FILE] "
          "[--json]\n"
          "\n"
          "  -m, --memory SIZE     the container's memory limit (512M, 1G, 1.5GiB, bytes)\n"
          "  -p, --processes N     node processes sharing it (default 1)\n"
          "      --heap MIB        also say the smallest limit that gives each process this heap\n"
          "      --cpus N          the CPU quota, for the connection limit\n"
          "      --policy FILE     read sizing defaults from FILE instead of the installed policy\n"
          "      --json            machine-readable output\n",
          f);
}

static int print_json(const ng_plan *p, int64_t heap, int64_t min_limit)
{
    cleanup_error ng_error *e = NULL;
    ng_error **err = &e;
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    yajl_gen_config(g, yajl_gen_beautify, 1);
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_kv_int(g, "memory_limit_mib", p->limit_mib));
    NG_GEN(ng_gen_kv_int(g, "processes", p->processes));
    NG_GEN(ng_gen_string(g, "verdict"));
    NG_GEN(ng_gen_string(g, ng_verdict_name(p->verdict)));
    NG_GEN(ng_gen_kv_int(g, "heap_mib", p->heap_mib));
    NG_GEN(ng_gen_kv_int(g, "reserve_mib", p->reserve_mib));
    NG_GEN(ng_gen_kv_int(g, "base_overhead_mib", p->base_mib));
    NG_GEN(ng_gen_kv_int(g, "young_generation_mib", p->young_mib));
    NG_GEN(ng_gen_kv_int(g, "off_heap_mib", p->heap_overhead_mib));
    NG_GEN(ng_gen_kv_int(g, "node_default_heap_mib", p->node_default_heap_mib));
    NG_GEN(ng_gen_kv_int(g, "connection_limit", p->conn_limit));
    NG_GEN(ng_gen_string(g, "node_options"));
    char flag[64];
    snprintf(flag, sizeof(flag), "--max-old-space-size=%lld", (long long)p->heap_mib);
    NG_GEN(ng_gen_string(g, p->verdict == NG_VERDICT_FITS ? flag : NULL));
    if (heap > 0) {
        NG_GEN(ng_gen_kv_int(g, "requested_heap_mib", heap));
        NG_GEN(ng_gen_kv_int(g, "min_memory_limit_mib", min_limit));
    }
    NG_GEN(ng_gen_string(g, "explanation"));
    NG_GEN(ng_gen_string(g, p->explanation));
    NG_GEN(yajl_gen_map_close(g));
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    return 0;
}

int cmd_plan(int argc, char **argv)
{
    static const struct option opts[] = {
        {"memory", required_argument, NULL, 'm'}, {"processes", required_argument, NULL, 'p'},
        {"heap", required_argument, NULL, 'H'},   {"cpus", required_argument, NULL, 'c'},
        {"policy", required_argument, NULL, 'P'}, {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    uint64_t memory = 0;
    int64_t processes = 1, heap = 0;
    double cpus = 0;
    bool json = false, have_memory = false;
    const char *policy_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if (ng_parse_size(optarg, &memory) < 0 || memory < (uint64_t)NG_MIB) {
                cleanup_free char *shown = cli_shown(optarg);
                fprintf(stderr,
                        "nodeguard plan: --memory \"%s\" is not a size of at least 1M (e.g. 512M, 1G)\n",
                        shown);
                return CLI_BAD_INPUT;
            }
            have_memory = true;
            break;
        case 'p':
            if (ng_parse_int64(optarg, &processes) < 0 || processes < 1 || processes > 64) {
                fprintf(stderr, "nodeguard plan: --processes must be 1 to 64\n");
                return CLI_BAD_INPUT;
            }
            break;
        case 'H':
            if (ng_parse_int64(optarg, &heap) < 0 || heap < 1 || heap > (1 << 20)) {
                fprintf(stderr, "nodeguard plan: --heap must be a number of MiB\n");
                return CLI_BAD_INPUT;
            }
            break;
        case 'c': {
            char *end = NULL;
            cpus = strtod(optarg, &end);
            if (!end || *end || cpus <= 0 || cpus > 4096) {
                fprintf(stderr, "nodeguard plan: --cpus must be a positive number\n");
                return CLI_BAD_INPUT;
            }
            break;
        }
        case 'P':
            policy_path = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            plan_usage(stdout);
            return CLI_OK;
        default:
            plan_usage(stderr);
            return CLI_BAD_INPUT;
        }
    }
    if (!have_memory || optind != argc) {
        plan_usage(stderr);
        return CLI_BAD_INPUT;
    }
    ng_policy pol;
    ng_policy_load(&pol, policy_path);
    cli_show_policy_warnings(&pol);
    ng_plan p;
    ng_plan_compute(&pol.sizing, &pol.conn, memory, (int)processes, 0, -1, cpus, &p);
    int64_t min_limit = heap > 0 ? ng_plan_min_limit_mib(&pol.sizing, heap, (int)processes, 0, -1) : 0;
    ng_policy_free(&pol);
    if (json) {
        print_json(&p, heap, min_limit);
        putchar('\n');
    } else {
        printf("memory limit      %lld MiB, %d node process%s\n", (long long)p.limit_mib, p.processes,
               p.processes > 1 ? "es" : "");
        printf("reserve           %lld MiB\n", (long long)p.reserve_mib);
        printf("per process       %lld MiB = %lld base + %lld young generation + %lld off-heap + %lld heap\n",
               (long long)p.per_process_mib, (long long)p.base_mib, (long long)p.young_mib,
               (long long)p.heap_overhead_mib, (long long)p.heap_mib);
        if (p.verdict == NG_VERDICT_FITS)
            printf("heap              --max-old-space-size=%lld   (node's own default here: %lld MiB)\n",
                   (long long)p.heap_mib, (long long)p.node_default_heap_mib);
        else
            printf("heap              none fits: the limit is too small for %d node process%s\n", p.processes,
                   p.processes > 1 ? "es" : "");
        if (p.conn_limit > 0)
            printf("connection limit  %lld\n", (long long)p.conn_limit);
        printf("arithmetic        %s\n", p.explanation);
        if (heap > 0)
            printf("a %lld MiB heap needs a memory limit of at least %lld MiB\n", (long long)heap,
                   (long long)min_limit);
    }
    return p.verdict == NG_VERDICT_FITS ? CLI_OK : CLI_DOES_NOT_FIT;
}
