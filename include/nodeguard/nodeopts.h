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
    NG_FLAG_OLD_SPACE_PERCENT, /* --max-old-space-size-percentage=P (node >= 22.21 / 24.6 only) */
    NG_FLAG_SEMI_SPACE,        /* --max-semi-space-size=MiB */
    NG_FLAG_MAX_HEAP,          /* --max-heap-size=MiB: old space and young generation together */
    NG_FLAG_INITIAL_HEAP,      /* --initial-heap-size=MiB: no effect on the heap's limit */
} ng_flag_kind;

/* What a well-formed size does, as V8 (deps/v8/src/flags/flags.cc, node 20) reads it: strtoll in
 * base 10, so blanks before it and a sign are taken; nothing may follow the digits. */
typedef enum ng_flag_effect {
    NG_FLAG_SETS,    /* a value above 0 */
    NG_FLAG_DEFAULT, /* 0 or empty: V8 reads it as unset, node's default applies */
    NG_FLAG_IGNORED, /* negative or 2^63 and over: node warns "out of bounds", keeps the previous value */
} ng_flag_effect;

#define NG_HEAP_FLAG_MAX_MIB (INT64_C(1) << 40) /* a larger size is read as this much */

typedef struct ng_heap_flag {
    ng_flag_kind kind;
    ng_flag_effect effect;
    int64_t mib;      /* NG_FLAG_SETS, sizes */
    double percent;   /* NG_FLAG_SETS, NG_FLAG_OLD_SPACE_PERCENT */
    bool single_dash; /* -max-old-space-size: V8 takes one dash; node refuses it in NODE_OPTIONS */
} ng_heap_flag;

/* Classifies one argument: 1 and *ret for a heap flag, 0 for anything else, -EINVAL with a reason
 * when node exits on it (no "=", trailing bytes, "--no-" on a size). '_' and '-' are the same. */
int ng_heap_flag_parse(const char *arg, ng_heap_flag *ret, ng_error **err);

/* Heap settings found in one argument list, as node applies them: the last one wins, a 0 resets to
 * node's default, an out-of-range value leaves the previous one. */
typedef struct ng_heap_flags {
    int64_t old_space_mib;       /* -1 when absent or reset to node's default */
    double old_space_percent;    /* -1 when absent */
    int64_t semi_space_mib;      /* -1 when absent or reset */
    bool semi_space_in_effect;   /* a semi-space flag set it or reset it to node's default */
    int64_t max_heap_mib;        /* -1 when absent or reset (command line: NODE_OPTIONS refuses it) */
    ng_flag_kind last_heap_kind; /* old-space or percentage: which one is in effect, NONE when neither */
    size_t last_heap_index;      /* index (token or argv) of the last old-space/percentage flag */
    size_t n_heap_flags;         /* old-space and percentage flags seen, whatever their effect */
    size_t n_percent_flags;      /* percentage flags seen */
    size_t n_semi_flags;         /* semi-space flags seen */
    size_t n_max_heap_flags;     /* max-heap-size flags seen */
    size_t stop;                 /* NODE_OPTIONS: the first token node does not read (n: it reads all) */
} ng_heap_flags;

void ng_heap_flags_init(ng_heap_flags *f);

/* Scans NODE_OPTIONS as node reads it: options (with the next token as the value of an option that
 * takes one) up to the first token that is not an option, where node stops reading, silently. A heap
 * flag node refuses there (--max-heap-size, --initial-heap-size, one dash) is -EINVAL. */
int ng_nodeopts_scan(const ng_tokens *t, ng_heap_flags *ret, ng_error **err);

/* Scans node's own options in argv[opts_start..], stopping at the script, "-" or "--" as node
 * does (options that take a separate value, like -r MODULE, are skipped with their value). */
int ng_node_argv_scan(const char *const *argv, size_t n, size_t opts_start, ng_heap_flags *ret,
                      ng_error **err);

/* node 20's options that take the next argument as their value ("--title svc", "-r fs"). */
bool ng_node_option_takes_value(const char *arg);

/* Returns NODE_OPTIONS with the heap size set to mib: the last old-space/percentage flag node reads
 * is replaced in place, earlier ones removed, and if there was none the flag goes where node still
 * reads it (the end, or before the token where node stops). drop_semi also removes every
 * --max-semi-space-size node reads. Every other byte of the original is kept, so the user's other
 * flags and quoting survive unchanged. */
int ng_nodeopts_set_heap(const char *orig, int64_t mib, bool drop_semi, char **ret, ng_error **err);

/* Returns NODE_OPTIONS with --max-semi-space-size=mib right after the last heap flag node reads (at
 * the end when there is none), every other byte kept. For an orig without a semi-space flag: the
 * caller gives node the young generation it would pick for a limit it cannot see. */
int ng_nodeopts_add_semi_space(const char *orig, int64_t mib, char **ret, ng_error **err);

#endif
