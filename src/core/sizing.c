#include <stdio.h>
#include "nodeguard/sizing.h"
#include "nodeguard/util.h"

/* Defaults from docs/sizing-model.md and docs/oom-matrix.md: an idle node holds ~6 MiB of anonymous
 * memory (its ~40 MiB RSS is mostly the binary's clean, reclaimable file pages), so 15 MiB covers
 * its baseline; 20% beside the heap keeps Buffer-heavy services (off-heap up to 40% of the heap,
 * measured) in V8's heap OOM instead of the kernel's; 5% is left for page cache and strays. */
void ng_sizing_params_default(ng_sizing_params *p)
{
    *p = (ng_sizing_params){
        .reserve_percent = 5,
        .base_overhead_mib = 15,
        .heap_overhead_percent = 20,
        .min_heap_mib = 32,
        .max_heap_mib = 0,
    };
}

void ng_conn_params_default(ng_conn_params *p)
{
    *p = (ng_conn_params){.mib_per_connection = 100, .min = 2, .max = 50};
}

const char *ng_verdict_name(ng_verdict v)
{
    switch (v) {
    case NG_VERDICT_FITS:
        return "fits";
    case NG_VERDICT_DOES_NOT_FIT:
        return "does_not_fit";
    case NG_VERDICT_UNLIMITED:
        return "unlimited";
    }
    return "unknown";
}

/* V8 11's defaults (deps/v8/src/heap/heap.cc: HeapSizeFromPhysicalMemory, MaxOldGenerationSize,
 * YoungGenerationSizeFromOldGenerationSize, ConfigureHeap), computed in bytes as V8 does: an odd
 * limit gives a half-MiB old space, and the semi-space's rounding turns on a single byte. */
#define V8_PAGE ((uint64_t)256 * 1024)

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) / to * to;
}

static uint64_t pow2_ceil(uint64_t v)
{
    uint64_t p = 1;
    while (p < v && p < ((uint64_t)1 << 62))
        p <<= 1;
    return p;
}

/* Old space is half the memory node sees (node passes the cgroup limit), at least 256 MiB, at most
 * 2 GiB; 4 GiB when (memory + 512 MiB) / 1 GiB >= 16, i.e. from 15.5 GiB, not 15 (measured: 15871
 * MiB gives 2096, 15872 gives 4144). */
static uint64_t default_old_bytes(int64_t limit_mib)
{
    uint64_t memory = (uint64_t)limit_mib * NG_MIB;
    uint64_t old = memory / 4 * 2;
    uint64_t cap = (memory + 512 * (uint64_t)NG_MIB) / (1024 * (uint64_t)NG_MIB) >= 16 ? 4096 : 2048;
    cap *= NG_MIB;
    if (old > cap)
        old = cap;
    if (old < 256 * (uint64_t)NG_MIB)
        old = 256 * (uint64_t)NG_MIB;
    return round_up(old, V8_PAGE);
}

/* Rounded up to whole MiB: a half MiB more than node is the safe side of a belief about its default. */
int64_t ng_node_default_old_space_mib(int64_t limit_mib)
{
    return (int64_t)round_up(default_old_bytes(limit_mib), NG_MIB) / NG_MIB;
}

/* Young generation = 3 semi-spaces. The default semi-space is old/256 up to 256 MiB of old space,
 * old/128 above, within [1, 16] MiB; ConfigureHeap then rounds it, like --max-semi-space-size=N, up
 * to a power of two (1.5 GiB: old 768 / 128 = 6 -> 8 MiB). It follows the memory node sees, not
 * --max-old-space-size (measured: =384 in 512 MiB gave heap_size_limit 387). */
int64_t ng_node_young_mib(int64_t limit_mib, int64_t semi_space_mib)
{
    if (semi_space_mib > 0) /* 0 is V8's "not set" */
        return 3 * (int64_t)pow2_ceil((uint64_t)semi_space_mib);
    uint64_t old = default_old_bytes(limit_mib);
    uint64_t semi = old / (old <= 256 * (uint64_t)NG_MIB ? 256 : 128);
    if (semi > 16 * (uint64_t)NG_MIB)
        semi = 16 * (uint64_t)NG_MIB;
    if (semi < NG_MIB)
        semi = NG_MIB;
    semi = pow2_ceil(round_up(semi, V8_PAGE));
    return 3 * (int64_t)(semi / NG_MIB);
}

int64_t ng_node_default_young_mib(int64_t limit_mib)
{
    return ng_node_young_mib(limit_mib, 0);
}

static int64_t connections(const ng_conn_params *c, int64_t limit_mib, double cpus)
{
    int64_t n = -1;
    if (limit_mib > 0 && c->mib_per_connection > 0)
        n = (limit_mib + c->mib_per_connection / 2) / c->mib_per_connection;
    if (cpus > 0) {
        /* Prisma's rule of thumb, 2 x CPUs + 1: more connections than that only queue in the pool. */
        int64_t whole = (int64_t)cpus;
        int64_t by_cpu = 2 * (whole + ((double)whole < cpus)) + 1; /* 2 x ceil(cpus) + 1 */
        n = n < 0 || by_cpu < n ? by_cpu : n;
    }
    if (n < 0)
        return -1;
    if (n < c->min)
        n = c->min;
    return n > c->max ? c->max : n;
}

/* The heap per process for a limit, before any formatting: the hot part of both directions. */
static int64_t heap_for(const ng_sizing_params *params, int64_t limit_mib, int processes, int launchers,
                        int64_t semi_space_mib)
{
    int64_t per =
        (limit_mib - limit_mib * params->reserve_percent / 100 - launchers * params->base_overhead_mib) /
        processes;
    int64_t young = ng_node_young_mib(limit_mib, semi_space_mib);
    int64_t room = per - params->base_overhead_mib - young;
    int64_t heap = room > 0 ? room * 100 / (100 + params->heap_overhead_percent) : 0;
    return params->max_heap_mib > 0 && heap > params->max_heap_mib ? params->max_heap_mib : heap;
}

void ng_plan_compute(const ng_sizing_params *params, const ng_conn_params *conn, uint64_t limit_bytes,
                     int processes, int launchers, int64_t semi_space_mib, double cpus, ng_plan *ret)
{
    ng_plan p = {0};
    if (processes < 1)
        processes = 1;
    if (launchers < 0)
        launchers = 0;
    p.processes = processes;
    p.launchers = launchers;
    p.limit_mib = (int64_t)(limit_bytes / (uint64_t)NG_MIB);
    p.conn_limit = connections(conn, p.limit_mib, cpus);
    if (limit_bytes == 0) {
        p.verdict = NG_VERDICT_UNLIMITED;
        p.node_default_heap_mib = -1;
        snprintf(p.explanation, sizeof(p.explanation),
                 "no memory limit: node's own default applies, no heap set");
        *ret = p;
        return;
    }
    p.node_default_heap_mib =
        ng_node_default_old_space_mib(p.limit_mib) + ng_node_default_young_mib(p.limit_mib);
    p.reserve_mib = p.limit_mib * params->reserve_percent / 100;
    p.launcher_mib = launchers * params->base_overhead_mib;
    p.per_process_mib = (p.limit_mib - p.reserve_mib - p.launcher_mib) / processes;
    p.base_mib = params->base_overhead_mib;
    p.young_mib = ng_node_young_mib(p.limit_mib, semi_space_mib);
    int64_t room = p.per_process_mib - p.base_mib - p.young_mib; /* shown in the explanation */
    int64_t heap = heap_for(params, p.limit_mib, processes, launchers, semi_space_mib);
    p.heap_overhead_mib = room > 0 ? room - heap : 0;
    bool fits = heap >= params->min_heap_mib;
    p.heap_mib = fits ? heap : 0;
    p.verdict = fits ? NG_VERDICT_FITS : NG_VERDICT_DOES_NOT_FIT;
    int n = snprintf(p.explanation, sizeof(p.explanation), "(%lld MiB limit - %lld reserve",
                     (long long)p.limit_mib, (long long)p.reserve_mib);
    if (launchers)
        n += snprintf(p.explanation + n, sizeof(p.explanation) - n, " - %lld launcher",
                      (long long)p.launcher_mib);
    n += snprintf(p.explanation + n, sizeof(p.explanation) - n, ")");
    if (processes > 1)
        n += snprintf(p.explanation + n, sizeof(p.explanation) - n, " / %d processes = %lld", processes,
                      (long long)p.per_process_mib);
    snprintf(p.explanation + n, sizeof(p.explanation) - n,
             " - %lld base - %lld young = %lld; / %.2f off-heap = %lld MiB heap%s", (long long)p.base_mib,
             (long long)p.young_mib, (long long)(room > 0 ? room : 0),
             1 + params->heap_overhead_percent / 100.0, (long long)heap,
             fits ? "" : " (below the minimum useful heap)");
    *ret = p;
}

int64_t ng_plan_min_limit_mib(const ng_sizing_params *params, int64_t heap_mib, int processes, int launchers,
                              int64_t semi_space_mib)
{
    if (processes < 1)
        processes = 1;
    if (launchers < 0)
        launchers = 0;
    int64_t want = heap_mib > params->min_heap_mib ? heap_mib : params->min_heap_mib;
    if (params->max_heap_mib > 0 && want > params->max_heap_mib)
        return -1;
    /* The closed form without the young generation is a lower bound; walk up 1 MiB at a time from
     * it (without --max-semi-space-size the young generation is at most 48 MiB per process, so this is a
     * few hundred steps). */
    int64_t per = want * (100 + params->heap_overhead_percent) / 100 + params->base_overhead_mib;
    int64_t limit =
        (per * processes + launchers * params->base_overhead_mib) * 100 / (100 - params->reserve_percent);
    if (limit < 1)
        limit = 1;
    for (int i = 0; i < 1000000; i++, limit++)
        if (heap_for(params, limit, processes, launchers, semi_space_mib) >= want)
            return limit;
    return -1;
}
