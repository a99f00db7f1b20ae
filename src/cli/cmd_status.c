#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "logcommon.h"
#include "show.h"
#include "nodeguard/cgroup.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/runstate.h"
#include "nodeguard/util.h"

static void status_usage(FILE *f)
{
    fputs("Usage: nodeguard status\n"
          "\n"
          "Running containers that nodeguard watches: memory usage against the limit and the heap\n"
          "nodeguard set (the bar: # usage, | where the heap cap ends), OOM kills, peak.\n"
          "State from $NODEGUARD_STATE_DIR, else /run/nodeguard.\n",
          f);
}

/* [#########|.........] usage as '#', the heap's end as '|', over the limit's width */
static void bar(int64_t usage, int64_t heap_bytes, int64_t limit, char *out, size_t width)
{
    size_t used = limit > 0 && usage > 0 ? (size_t)(usage * (int64_t)width / limit) : 0;
    size_t heap_at = limit > 0 && heap_bytes > 0 ? (size_t)(heap_bytes * (int64_t)width / limit) : width + 1;
    out[0] = '[';
    for (size_t i = 0; i < width; i++)
        out[1 + i] = i == heap_at ? '|' : i < used ? '#' : '.';
    out[width + 1] = ']';
    out[width + 2] = '\0';
}

int cmd_status(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        status_usage(stdout);
        return CLI_OK;
    }
    if (argc > 1) {
        status_usage(stderr);
        return CLI_BAD_INPUT;
    }
    cleanup_free char *root = ng_state_root();
    DIR *d = opendir(root);
    printf("%-14s %-10s %-10s %-24s %-9s %-5s %-10s %s\n", "CONTAINER", "USAGE", "LIMIT", "MEMORY", "HEAP",
           "OOMS", "PEAK", "WATCHER");
    if (!d)
        return CLI_OK; /* nothing watched yet */
    struct dirent *de;
    size_t shown = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char dir[PATH_MAX];
        ng_container_state cs;
        ng_watcher_state ws = {.peak_bytes = -1};
        if (ng_state_dir_for(root, de->d_name, dir, sizeof(dir)) < 0 ||
            ng_container_state_read(dir, &cs, NULL) < 0)
            continue;
        bool have_ws = ng_watcher_state_read(dir, &ws, NULL) == 0;
        ng_memory_counters c;
        bool live = ng_cgroup_read_counters(&cs.cgroup, &c) == 0;
        int64_t limit = cs.memory_limit_bytes > 0 ? cs.memory_limit_bytes : c.limit_bytes;
        int64_t peak = live && c.peak_bytes > ws.peak_bytes ? c.peak_bytes : ws.peak_bytes;
        char usage_s[32], limit_s[32], peak_s[32], heap_s[32], b[40], watcher[48];
        ng_format_bytes(live ? c.usage_bytes : -1, usage_s, sizeof(usage_s));
        ng_format_bytes(limit, limit_s, sizeof(limit_s));
        ng_format_bytes(peak, peak_s, sizeof(peak_s));
        if (cs.heap_mib >= 0)
            snprintf(heap_s, sizeof(heap_s), "%lld MiB", (long long)cs.heap_mib);
        else
            snprintf(heap_s, sizeof(heap_s), "-");
        bar(live ? c.usage_bytes : 0, cs.heap_mib > 0 ? cs.heap_mib << 20 : -1, limit, b, 20);
        if (!have_ws)
            snprintf(watcher, sizeof(watcher), "not running");
        else if (ws.final)
            snprintf(watcher, sizeof(watcher), "finished");
        else
            snprintf(watcher, sizeof(watcher), "pid %d%s", (int)ws.watcher_pid,
                     ws.watcher_pid > 0 && kill(ws.watcher_pid, 0) < 0 ? " (gone)" : "");
        cli_cell(stdout, cs.container_name[0] ? cs.container_name : cs.id, 12, 15);
        printf("%-10s %-10s %-24s %-9s %-5lld %-10s %s\n", usage_s, limit_s, b, heap_s,
               (long long)ws.oom_kills, peak_s, watcher);
        shown++;
    }
    closedir(d);
    return CLI_OK;
}
