/* The sizing model (docs/sizing-model.md): how much old-space heap each node process can be given
 * so that heap, young generation and off-heap memory together stay under the container's limit. */
#ifndef NODEGUARD_SIZING_H
#define NODEGUARD_SIZING_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ng_sizing_params {
    int64_t reserve_percent;   /* share of the limit kept free: page cache, kernel, stray processes */
    int64_t base_overhead_mib; /* per node process: binary, code space, libuv, threads (idle RSS) */
    int64_t
        heap_overhead_percent; /* off-heap memory that grows with the heap: buffers, malloc, fragmentation */
    int64_t min_heap_mib;      /* below this node cannot do useful work: the limit does not fit */
    int64_t max_heap_mib;      /* 0: no cap beyond the model */
} ng_sizing_params;

typedef struct ng_conn_params {
    int64_t mib_per_connection; /* 100: 5 connections at 512 MiB */
    int64_t min, max;
} ng_conn_params;

void ng_sizing_params_default(ng_sizing_params *p);
void ng_conn_params_default(ng_conn_params *p);

typedef enum ng_verdict {
    NG_VERDICT_FITS,
    NG_VERDICT_DOES_NOT_FIT,
    NG_VERDICT_UNLIMITED,
} ng_verdict;

const char *ng_verdict_name(ng_verdict v);

typedef struct ng_plan {
    int64_t limit_mib; /* 0: unlimited */
    int processes, launchers;
    int64_t reserve_mib, launcher_mib, per_process_mib, base_mib, young_mib, heap_overhead_mib;
    int64_t heap_mib;              /* per process; 0 when unlimited or nothing fits */
    int64_t node_default_heap_mib; /* what node 20 would choose by itself in this container */
    int64_t conn_limit;            /* -1: no recommendation */
    ng_verdict verdict;
    char explanation[384]; /* the arithmetic, one line */
} ng_plan;

/* limit_bytes 0 = unlimited; semi_space_mib <= 0 = node's default for the limit (V8 reads 0 as unset);
 * cpus <= 0 = no quota. */
void ng_plan_compute(const ng_sizing_params *params, const ng_conn_params *conn, uint64_t limit_bytes,
                     int processes, int launchers, int64_t semi_space_mib, double cpus, ng_plan *ret);

/* The smallest limit (MiB) whose plan gives every process at least heap_mib. */
int64_t ng_plan_min_limit_mib(const ng_sizing_params *params, int64_t heap_mib, int processes, int launchers,
                              int64_t semi_space_mib);

/* V8 11 (node 20) defaults for a process that sees limit_mib of memory (0: the host's, host_mib). */
int64_t ng_node_default_old_space_mib(int64_t limit_mib);
int64_t ng_node_default_young_mib(int64_t limit_mib);
/* The young generation with --max-semi-space-size=semi_space_mib (<= 0: the default for the limit),
 * rounded up to a power of two as V8 does. */
int64_t ng_node_young_mib(int64_t limit_mib, int64_t semi_space_mib);

#endif
