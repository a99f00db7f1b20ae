/* Is this a Node container, and how many node processes will share its memory? */
#ifndef NODEGUARD_DETECT_H
#define NODEGUARD_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include "nodeguard/spec.h"

typedef struct ng_detection {
    bool is_node;
    char reason[192];       /* why it matched (or why not), for the log */
    bool has_node_argv;     /* args[] is node's own command line ... */
    size_t node_opts_start; /* ... with its options starting at this index */
    int processes;          /* node processes that each may grow to the heap cap */
    int launchers;          /* idle node parents (npm, yarn, pnpm, npx): base overhead only */
    char processes_reason[96];
} ng_detection;

/* enable_override: -1 none, 0 or 1 from the io.nodeguard.enable annotation. */
void ng_detect(const ng_spec *spec, int enable_override, ng_detection *ret);

#endif
