#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/nodeopts.h"
#include "nodeguard/util.h"

struct strbuf {
    char *s;
    size_t len, cap;
};

static void sb_append(struct strbuf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s)
            abort();
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_putc(struct strbuf *b, char c)
{
    sb_append(b, &c, 1);
}

void ng_tokens_free(ng_tokens *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->items[i].value);
    free(t->items);
    t->items = NULL;
    t->n = 0;
}

static int push_token(ng_tokens *t, size_t start, size_t *cap, ng_error **err)
{
    if (t->n == NG_NODEOPTS_MAX_TOKENS)
        return ng_error_set(err, E2BIG, "NODE_OPTIONS has more than %d arguments", NG_NODEOPTS_MAX_TOKENS);
    if (t->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        ng_token *items = realloc(t->items, ncap * sizeof(*items));
        if (!items)
            abort();
        t->items = items;
        *cap = ncap;
    }
    t->items[t->n++] = (ng_token){.start = start, .end = start, .value = NULL};
    return 0;
}

int ng_nodeopts_tokenize(const char *s, ng_tokens *ret, ng_error **err)
{
    size_t len = strlen(s);
    if (len > NG_NODEOPTS_MAX_LEN)
        return ng_error_set(err, E2BIG, "NODE_OPTIONS is %zu bytes, more than %d", len, NG_NODEOPTS_MAX_LEN);
    ng_tokens t = {0};
    size_t cap = 0, word_start = 0;
    bool in_string = false, in_word = false, start_new = true;
    struct strbuf cur = {0};
    int r = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!in_word && !(c == ' ' && !in_string)) {
            in_word = true;
            word_start = i;
        }
        if (c == '\\' && in_string) {
            if (i + 1 == len) {
                r = ng_error_set(err, EINVAL,
                                 "NODE_OPTIONS ends with a '\\' inside quotes (node rejects it)");
                goto fail;
            }
            c = s[++i];
        } else if (c == ' ' && !in_string) {
            start_new = true;
            in_word = false;
            continue;
        } else if (c == '"') {
            in_string = !in_string;
            if (t.n && !start_new)
                t.items[t.n - 1].end = i + 1;
            continue;
        }
        if (start_new) {
            if (t.n) {
                t.items[t.n - 1].value = cur.s ? cur.s : strdup("");
                cur = (struct strbuf){0};
            }
            r = push_token(&t, word_start, &cap, err);
            if (r < 0)
                goto fail;
            start_new = false;
        }
        sb_putc(&cur, c);
        t.items[t.n - 1].end = i + 1;
    }
    if (in_string) {
        r = ng_error_set(err, EINVAL, "NODE_OPTIONS has an unterminated '\"' (node rejects it)");
        goto fail;
    }
    if (t.n)
        t.items[t.n - 1].value = cur.s;
    *ret = t;
    return 0;
fail:
    free(cur.s);
    if (t.n && !t.items[t.n - 1].value)
        t.n--; /* the unfinished token's value was cur, already freed */
    ng_tokens_free(&t);
    return r;
}

int ng_nodeopts_join(const char *const *args, size_t n, char **ret, ng_error **err)
{
    struct strbuf b = {0};
    sb_append(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        const char *a = args[i];
        if (!*a) {
            free(b.s);
            return ng_error_set(err, EINVAL, "argument %zu is empty, which NODE_OPTIONS cannot express", i);
        }
        if (i)
            sb_putc(&b, ' ');
        if (!strpbrk(a, " \"")) {
            sb_append(&b, a, strlen(a));
            continue;
        }
        sb_putc(&b, '"');
        for (const char *p = a; *p; p++) {
            if (*p == '"' || *p == '\\')
                sb_putc(&b, '\\');
            sb_putc(&b, *p);
        }
        sb_putc(&b, '"');
    }
    *ret = b.s;
    return 0;
}

/* A size as V8's TryParseUnsigned reads it: strtoll, base 10 (blanks and a sign first), nothing after
 * the digits ("illegal value": node exits), then out of bounds below 0 or at 2^63 and above (node
 * warns and goes on). */
static int parse_size(const char *arg, const char *v, ng_heap_flag *f, ng_error **err)
{
    const char *p = v;
    while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        p++;
    bool negative = *p == '-';
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = strspn(p, "0123456789");
    if (digits == 0) {
        if (*v != '\0') /* strtoll consumed nothing: the value's first byte is left over */
            return ng_error_set(err, EINVAL, "\"%s\" has an illegal value (node will refuse it)", arg);
        f->effect = NG_FLAG_DEFAULT; /* empty: strtoll gives 0 */
        return 0;
    }
    if (p[digits] != '\0')
        return ng_error_set(err, EINVAL, "\"%s\" has an illegal value (node will refuse it)", arg);
    uint64_t n = 0;
    bool overflow = false;
    for (size_t i = 0; i < digits; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (n > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            n = n * 10 + d;
    }
    if (overflow || n > INT64_MAX || (negative && n > 0))
        f->effect = NG_FLAG_IGNORED;
    else if (n == 0)
        f->effect = NG_FLAG_DEFAULT;
    else {
        /* Taken as given up to 2^40 MiB, more than any machine has; above it the sizing arithmetic
         * could overflow (and V8's own MiB-to-bytes product wraps from 2^44). */
        f->effect = NG_FLAG_SETS;
        f->mib = n > NG_HEAP_FLAG_MAX_MIB ? NG_HEAP_FLAG_MAX_MIB : (int64_t)n;
    }
    return 0;
}

int ng_heap_flag_parse(const char *arg, ng_heap_flag *ret, ng_error **err)
{
    static const struct {
        const char *name;
        ng_flag_kind kind;
    } flags[] = {
        {"max-old-space-size-percentage", NG_FLAG_OLD_SPACE_PERCENT},
        {"max-old-space-size", NG_FLAG_OLD_SPACE},
        {"max-semi-space-size", NG_FLAG_SEMI_SPACE},
        {"max-heap-size", NG_FLAG_MAX_HEAP},
        {"initial-heap-size", NG_FLAG_INITIAL_HEAP},
    };
    ng_heap_flag f = {.kind = NG_FLAG_NONE};
    *ret = f;
    if (arg[0] != '-' || arg[1] == '\0')
        return 0;
    /* V8 (SplitArgument) takes one dash as well as two, and "no" before a name negates it. */
    f.single_dash = arg[1] != '-';
    const char *name = arg + (f.single_dash ? 1 : 2), *eq = strchr(name, '=');
    bool negated = false;
    size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
    char norm[40];
    for (int pass = 0; pass < 2; pass++) {
        if (name_len >= sizeof(norm))
            return 0;
        for (size_t i = 0; i < name_len; i++)
            norm[i] = name[i] == '_' ? '-' : name[i];
        norm[name_len] = '\0';
        for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
            if (strcmp(norm, flags[k].name) == 0)
                f.kind = flags[k].kind;
        if (f.kind != NG_FLAG_NONE || pass == 1 || strncmp(norm, "no", 2) != 0)
            break;
        size_t skip = norm[2] == '-' ? 3 : 2;
        name += skip;
        name_len -= skip;
        negated = true;
    }
    if (f.kind == NG_FLAG_NONE) {
        /* "--max-old-space-size =3000" as one argument: a name V8 does not know, so node exits. */
        size_t n = strspn(norm + strcspn(norm, " \t\n\v\f\r"), " \t\n\v\f\r");
        size_t base = strcspn(norm, " \t\n\v\f\r");
        if (eq && base > 0 && base + n == strlen(norm)) {
            norm[base] = '\0';
            for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
                if (strcmp(norm, flags[k].name) == 0)
                    return ng_error_set(err, EINVAL,
                                        "\"%s\" is not an option node knows (node will refuse it)", arg);
        }
        return 0;
    }
    if (negated)
        return ng_error_set(err, EINVAL, "\"%s\" negates a size (node will refuse it)", arg);
    if (!eq)
        return ng_error_set(err, EINVAL, "\"%s\" has no value: V8 flags need \"=\" (node will refuse it)",
                            arg);
    const char *v = eq + 1;
    if (f.kind != NG_FLAG_OLD_SPACE_PERCENT) {
        int r = parse_size(arg, v, &f, err);
        if (r < 0)
            return r;
        *ret = f;
        return 1;
    }
    /* node's own option (22.21, 24.6): a number in (0, 100]. */
    size_t digits = strspn(v, "0123456789");
    bool well_formed =
        digits > 0 && (v[digits] == '\0' ||
                       (v[digits] == '.' && strspn(v + digits + 1, "0123456789") == strlen(v + digits + 1)));
    double d = well_formed ? strtod(v, NULL) : -1;
    if (!well_formed || d <= 0 || d > 100)
        return ng_error_set(err, EINVAL, "\"%s\" has an invalid value (node will refuse it)", arg);
    f.effect = NG_FLAG_SETS;
    f.percent = d;
    *ret = f;
    return 1;
}

void ng_heap_flags_init(ng_heap_flags *f)
{
    *f = (ng_heap_flags){
        .old_space_mib = -1, .old_space_percent = -1, .semi_space_mib = -1, .max_heap_mib = -1};
}

/* One size flag's effect on a value: set, reset to node's default, or left (out of bounds). */
static void apply_size(const ng_heap_flag *h, int64_t *value)
{
    if (h->effect == NG_FLAG_SETS)
        *value = h->mib;
    else if (h->effect == NG_FLAG_DEFAULT)
        *value = -1;
}

static int scan_one(const char *arg, size_t index, bool in_node_options, ng_heap_flags *f, ng_error **err)
{
    ng_heap_flag h;
    int r = ng_heap_flag_parse(arg, &h, err);
    if (r <= 0)
        return r;
    /* node hands V8 only the V8 options it declares itself (max-old-space-size, max-semi-space-size)
     * from NODE_OPTIONS; anything else, one dash included, makes it exit. */
    if (in_node_options && (h.single_dash || h.kind == NG_FLAG_MAX_HEAP || h.kind == NG_FLAG_INITIAL_HEAP))
        return ng_error_set(err, EINVAL, "\"%s\" is not allowed in NODE_OPTIONS (node will refuse it)", arg);
    switch (h.kind) {
    case NG_FLAG_OLD_SPACE:
        apply_size(&h, &f->old_space_mib);
        break;
    case NG_FLAG_OLD_SPACE_PERCENT:
        f->old_space_percent = h.percent;
        f->n_percent_flags++;
        break;
    case NG_FLAG_SEMI_SPACE:
        apply_size(&h, &f->semi_space_mib);
        f->semi_space_in_effect = f->semi_space_in_effect || h.effect != NG_FLAG_IGNORED;
        f->n_semi_flags++;
        return 0;
    case NG_FLAG_MAX_HEAP:
        apply_size(&h, &f->max_heap_mib);
        f->n_max_heap_flags++;
        return 0;
    case NG_FLAG_INITIAL_HEAP:
    case NG_FLAG_NONE:
        return 0;
    }
    if (h.effect != NG_FLAG_IGNORED)
        f->last_heap_kind = h.kind; /* with a 0, node's default is what it decides */
    f->last_heap_index = index;
    f->n_heap_flags++;
    return 0;
}

/* node 20's options that take the next argument as their value: every option of node 20.20.2's
 * own table (internalBinding('options').getCLIOptionsInfo()) of type integer, unsigned, string,
 * host:port or string list, and the aliases that expand to one. V8's options (--stack-trace-limit,
 * --max-old-space-size) never do. Kept sorted (bsearch); tests/differential checks it against node. */
static const char *const value_options[] = {
    "--allow-fs-read",
    "--allow-fs-write",
    "--build-snapshot-config",
    "--conditions",
    "--cpu-prof-dir",
    "--cpu-prof-interval",
    "--cpu-prof-name",
    "--debug-port",
    "--diagnostic-dir",
    "--disable-proto",
    "--disable-warning",
    "--dns-result-order",
    "--env-file",
    "--env-file-if-exists",
    "--eval",
    "--experimental-default-type",
    "--experimental-loader",
    "--experimental-policy",
    "--experimental-sea-config",
    "--heap-prof-dir",
    "--heap-prof-interval",
    "--heap-prof-name",
    "--heapsnapshot-near-heap-limit",
    "--heapsnapshot-signal",
    "--icu-data-dir",
    "--import",
    "--input-type",
    "--inspect-port",
    "--inspect-publish-uid",
    "--loader",
    "--max-http-header-size",
    "--network-family-autoselection-attempt-timeout",
    "--openssl-config",
    "--policy-integrity",
    "--print",
    "--redirect-warnings",
    "--report-dir",
    "--report-directory",
    "--report-filename",
    "--report-signal",
    "--require",
    "--secure-heap",
    "--secure-heap-min",
    "--security-revert",
    "--security-reverts",
    "--snapshot-blob",
    "--test-concurrency",
    "--test-name-pattern",
    "--test-reporter",
    "--test-reporter-destination",
    "--test-shard",
    "--test-timeout",
    "--title",
    "--tls-cipher-list",
    "--tls-keylog",
    "--trace-event-categories",
    "--trace-event-file-pattern",
    "--trace-require-module",
    "--unhandled-rejections",
    "--use-largepages",
    "--v8-pool-size",
    "--watch-path",
    "-C",
    "-e",
    "-p",
    "-pe",
    "-r",
};

/* What node 22.23.5 and 24.22.3 take a value for besides (docs/node-versions.md, bench/node-versions):
 * node 20 refuses each of them ("bad option"), so reading the next argument as their value changes
 * nothing there, while missing one on node 22 or 24 took its value for the script and left the heap
 * flags after it unseen. Not --stack-trace-limit (node 22 and 24 list it, but V8 parses it, "=" only),
 * nor node 24's --experimental-default-config-file (an alias that takes none). Kept sorted. */
static const char *const value_options_later[] = {
    "--experimental-config-file",
    "--experimental-package-map",
    "--experimental-test-isolation",
    "--experimental-test-tag-filter",
    "--localstorage-file",
    "--max-old-space-size-percentage",
    "--run",
    "--test-coverage-branches",
    "--test-coverage-exclude",
    "--test-coverage-functions",
    "--test-coverage-include",
    "--test-coverage-lines",
    "--test-global-setup",
    "--test-isolation",
    "--test-random-seed",
    "--test-rerun-failures",
    "--test-skip-pattern",
    "--watch-kill-signal",
};

static int cmp_option(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool ng_node_option_takes_value(const char *arg)
{
    /* node reads "--a_b" as "--a-b"; "--opt=value" carries its own value. */
    char norm[64];
    size_t len = strlen(arg);
    if (len >= sizeof(norm) || strchr(arg, '='))
        return false;
    for (size_t i = 0; i <= len; i++)
        norm[i] = i >= 2 && arg[i] == '_' && arg[1] == '-' ? '-' : arg[i];
    return bsearch(norm, value_options, sizeof(value_options) / sizeof(value_options[0]),
                   sizeof(value_options[0]), cmp_option) != NULL ||
           bsearch(norm, value_options_later, sizeof(value_options_later) / sizeof(value_options_later[0]),
                   sizeof(value_options_later[0]), cmp_option) != NULL;
}

int ng_nodeopts_scan(const ng_tokens *t, ng_heap_flags *ret, ng_error **err)
{
    ng_heap_flags f;
    ng_heap_flags_init(&f);
    f.stop = t->n;
    for (size_t i = 0; i < t->n; i++) {
        const char *a = t->items[i].value;
        /* node reads NODE_OPTIONS up to the first argument that is not an option (or "-"), and
         * ignores the rest without a word; "--" it refuses. */
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            f.stop = i;
            break;
        }
        if (strcmp(a, "--") == 0)
            return ng_error_set(err, EINVAL,
                                "NODE_OPTIONS: \"--\" is not allowed in NODE_OPTIONS "
                                "(node will refuse it)");
        int r = scan_one(a, i, true, &f, err);
        if (r < 0)
            return ng_error_wrap(err, "NODE_OPTIONS");
        if (ng_node_option_takes_value(a)) {
            if (i + 1 == t->n || t->items[i + 1].value[0] == '-')
                return ng_error_set(err, EINVAL,
                                    "NODE_OPTIONS: %s requires an argument (node will refuse it)", a);
            i++;
        }
    }
    *ret = f;
    return 0;
}

int ng_node_argv_scan(const char *const *argv, size_t n, size_t opts_start, ng_heap_flags *ret,
                      ng_error **err)
{
    ng_heap_flags f;
    ng_heap_flags_init(&f);
    for (size_t i = opts_start; i < n; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0 || a[0] != '-' || strcmp(a, "-") == 0)
            break;
        int r = scan_one(a, i, false, &f, err);
        if (r < 0)
            return ng_error_wrap(err, "node command line");
        if (ng_node_option_takes_value(a)) {
            bool next_is_option = i + 1 < n && argv[i + 1][0] == '-';
            /* "-p" / "--print" before an option prints nothing and takes no value; the others need one */
            if (next_is_option && (strcmp(a, "-p") == 0 || strcmp(a, "--print") == 0))
                continue;
            if (next_is_option)
                return ng_error_set(err, EINVAL,
                                    "node command line: %s requires an argument (node will refuse it)", a);
            i++;
        }
    }
    f.stop = n;
    *ret = f;
    return 0;
}

/* ORIG's tokens and the heap flags node would read from them; on failure nothing is left to free. */
static int tokenize_and_scan(const char *orig, ng_tokens *t, ng_heap_flags *f, ng_error **err)
{
    int r = ng_nodeopts_tokenize(orig, t, err);
    if (r < 0)
        return r;
    ng_heap_flags_init(f);
    r = ng_nodeopts_scan(t, f, err);
    if (r < 0)
        ng_tokens_free(t);
    return r;
}

int ng_nodeopts_set_heap(const char *orig, int64_t mib, bool drop_semi, char **ret, ng_error **err)
{
    ng_tokens t = {0};
    ng_heap_flags f;
    int r = tokenize_and_scan(orig, &t, &f, err);
    if (r < 0)
        return r;
    char flag[64];
    snprintf(flag, sizeof(flag), "--max-old-space-size=%lld", (long long)mib);
    struct strbuf b = {0};
    sb_append(&b, "", 0);
    size_t len = strlen(orig), pos = 0;
    for (size_t i = 0; i < f.stop && i < t.n; i++) { /* f.stop <= t.n: said for the analyzer */
        ng_heap_flag h;
        if (ng_heap_flag_parse(t.items[i].value, &h, NULL) <= 0)
            continue;
        bool heap = h.kind == NG_FLAG_OLD_SPACE || h.kind == NG_FLAG_OLD_SPACE_PERCENT;
        if (!heap && !(drop_semi && h.kind == NG_FLAG_SEMI_SPACE))
            continue;
        size_t start = t.items[i].start, end = t.items[i].end;
        sb_append(&b, orig + pos, start - pos);
        if (heap && i == f.last_heap_index) {
            sb_append(&b, flag, strlen(flag));
        } else {
            /* Drop an earlier flag and the spaces after it; at the very end, the spaces before it. */
            while (end < len && orig[end] == ' ')
                end++;
            if (end == len)
                while (b.len > 0 && b.s[b.len - 1] == ' ')
                    b.s[--b.len] = '\0';
        }
        pos = end;
    }
    if (f.n_heap_flags == 0 && f.stop < t.n) {
        /* Where node stops reading: the flag goes before that token, which keeps its place. */
        size_t start = t.items[f.stop].start;
        if (start < pos)
            start = pos;
        sb_append(&b, orig + pos, start - pos);
        sb_append(&b, flag, strlen(flag));
        sb_putc(&b, ' ');
        pos = start;
    }
    sb_append(&b, orig + pos, len - pos);
    if (f.n_heap_flags == 0 && f.stop == t.n) {
        if (b.len > 0 && b.s[b.len - 1] != ' ')
            sb_putc(&b, ' ');
        sb_append(&b, flag, strlen(flag));
    }
    ng_tokens_free(&t);
    *ret = b.s;
    return 0;
}

int ng_nodeopts_add_semi_space(const char *orig, int64_t mib, char **ret, ng_error **err)
{
    ng_tokens t = {0};
    ng_heap_flags f;
    int r = tokenize_and_scan(orig, &t, &f, err);
    if (r < 0)
        return r;
    char flag[64];
    snprintf(flag, sizeof(flag), "--max-semi-space-size=%lld", (long long)mib);
    size_t len = strlen(orig);
    /* After the heap flag, else before the token where node stops reading, else at the end. */
    size_t at = f.n_heap_flags && f.last_heap_index < t.n ? t.items[f.last_heap_index].end
                : f.stop < t.n                            ? t.items[f.stop].start
                                                          : len;
    bool before_stop = !(f.n_heap_flags && f.last_heap_index < t.n) && f.stop < t.n;
    struct strbuf b = {0};
    sb_append(&b, orig, at);
    if (!before_stop && b.len > 0 && b.s[b.len - 1] != ' ')
        sb_putc(&b, ' ');
    sb_append(&b, flag, strlen(flag));
    if (before_stop)
        sb_putc(&b, ' ');
    sb_append(&b, orig + at, len - at);
    ng_tokens_free(&t);
    *ret = b.s;
    return 0;
}
