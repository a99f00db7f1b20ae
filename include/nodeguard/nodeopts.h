/* NODE_OPTIONS as Node itself reads it (src/node_options.cc, ParseNodeOptionsEnvVar), and the heap
 * flags in it and on node's command line. */
#ifndef NODEGUARD_NODEOPTS_H
#define NODEGUARD_NODEOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "nodeguard/error.h"

#define NG_NODEOPTS_MAX_LEN    (64 * 1024)
#define NG_NODEOPTS_MAX_TOKENS 4096

typedef struct ng_token {
    size_t start, end; /* the bytes of the source this argument came from, quotes included */
    char *value;       /* the argument as node sees it */
} ng_token;

typedef struct ng_tokens {
    ng_token *items;
    size_t n;
} ng_tokens;

/* Splits exactly as node does: only ' ' separates, '"' toggles quoting anywhere and is dropped,
 * '\' escapes the next byte only inside quotes, "" yields no argument. An unterminated quote or a
 * trailing '\' inside quotes is an error (node exits 9), reported with -EINVAL. */
int ng_nodeopts_tokenize(const char *s, ng_tokens *ret, ng_error **err);
void ng_tokens_free(ng_tokens *t);

/* Writes args so that ng_nodeopts_tokenize() gives them back; quotes only what needs it (a space or
 * a '"'). An empty argument cannot be expressed in NODE_OPTIONS: -EINVAL. */
int ng_nodeopts_join(const char *const *args, size_t n, char **ret, ng_error **err);

typedef enum ng_flag_kind {
    NG_FLAG_NONE = 0,
    NG_FLAG_OLD_SPACE,         /* --max-old-space-size=MiB */
    NG_FLAG_OLD_SPACE_PERCENT, /* --max-old-space-size-percentage=P (Node >= 22.21 / 24.6) */
    NG_FLAG_SEMI_SPACE,        /* --max-semi-space-size=MiB */
} ng_flag_kind;

/* Classifies one argument. Returns the kind and its value; a heap flag whose value node would
 * reject (no '=', not a number) returns -EINVAL with a reason. '_' and '-' are interchangeable. */
int ng_heap_flag_parse(const char *arg, ng_flag_kind *ret_kind, double *ret_value, ng_error **err);

/* Heap settings found in one argument list, last one winning as in node. */
typedef struct ng_heap_flags {
    int64_t old_space_mib;       /* -1 when absent */
    double old_space_percent;    /* -1 when absent */
    int64_t semi_space_mib;      /* -1 when absent */
    ng_flag_kind last_heap_kind; /* which of old-space/percentage came last */
    size_t last_heap_index;      /* index (token or argv) of that flag */
    size_t n_heap_flags;         /* old-space and percentage flags seen */
} ng_heap_flags;

void ng_heap_flags_init(ng_heap_flags *f);

int ng_nodeopts_scan(const ng_tokens *t, ng_heap_flags *ret, ng_error **err);

/* Scans node's own options in argv[opts_start..], stopping at the script, "-" or "--" as node
 * does (options that take a separate value, like -r MODULE, are skipped with their value). */
int ng_node_argv_scan(const char *const *argv, size_t n, size_t opts_start, ng_heap_flags *ret,
                      ng_error **err);

/* Returns NODE_OPTIONS with the heap size set to mib: the last old-space/percentage flag is replaced
 * in place, earlier ones removed, and if there was none the flag is appended. Every other byte of
 * the original is kept, so the user's other flags and quoting survive unchanged. */
int ng_nodeopts_set_heap(const char *orig, int64_t mib, char **ret, ng_error **err);

#endif
