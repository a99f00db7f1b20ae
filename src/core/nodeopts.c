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

int ng_heap_flag_parse(const char *arg, ng_flag_kind *ret_kind, double *ret_value, ng_error **err)
{
    static const struct {
        const char *name;
        ng_flag_kind kind;
    } flags[] = {
        {"max-old-space-size-percentage", NG_FLAG_OLD_SPACE_PERCENT},
        {"max-old-space-size", NG_FLAG_OLD_SPACE},
        {"max-semi-space-size", NG_FLAG_SEMI_SPACE},
    };
    *ret_kind = NG_FLAG_NONE;
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
    char norm[40];
    if (name_len >= sizeof(norm))
        return 0;
    for (size_t i = 0; i < name_len; i++)
        norm[i] = name[i] == '_' ? '-' : name[i];
    norm[name_len] = '\0';
    for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
        if (strcmp(norm, flags[f].name) != 0)
            continue;
        if (!eq)
            return ng_error_set(err, EINVAL, "\"%s\" has no value: V8 flags need \"=\" (node rejects it)",
                                arg);
        const char *v = eq + 1;
        bool integral = flags[f].kind != NG_FLAG_OLD_SPACE_PERCENT;
        size_t digits = strspn(v, "0123456789");
        bool well_formed = digits > 0 && (v[digits] == '\0' ||
                                          (!integral && v[digits] == '.' &&
                                           strspn(v + digits + 1, "0123456789") == strlen(v + digits + 1)));
        double d = well_formed ? strtod(v, NULL) : -1;
        if (!well_formed || d > 1e9 || (!integral && (d <= 0 || d > 100)))
            return ng_error_set(err, EINVAL, "\"%s\" has an invalid value", arg);
        *ret_kind = flags[f].kind;
        *ret_value = d;
        return 1;
    }
    return 0;
}

void ng_heap_flags_init(ng_heap_flags *f)
{
    *f = (ng_heap_flags){.old_space_mib = -1, .old_space_percent = -1, .semi_space_mib = -1};
}

static int scan_one(const char *arg, size_t index, ng_heap_flags *f, ng_error **err)
{
    ng_flag_kind kind;
    double v;
    int r = ng_heap_flag_parse(arg, &kind, &v, err);
    if (r <= 0)
        return r;
    switch (kind) {
    case NG_FLAG_OLD_SPACE:
        f->old_space_mib = (int64_t)v;
        break;
    case NG_FLAG_OLD_SPACE_PERCENT:
        f->old_space_percent = v;
        break;
    case NG_FLAG_SEMI_SPACE:
        f->semi_space_mib = (int64_t)v;
        return 0;
    case NG_FLAG_NONE:
        return 0;
    }
    f->last_heap_kind = kind;
    f->last_heap_index = index;
    f->n_heap_flags++;
    return 0;
}

int ng_nodeopts_scan(const ng_tokens *t, ng_heap_flags *ret, ng_error **err)
{
    ng_heap_flags f;
    ng_heap_flags_init(&f);
    for (size_t i = 0; i < t->n; i++) {
        int r = scan_one(t->items[i].value, i, &f, err);
        if (r < 0)
            return ng_error_wrap(err, "NODE_OPTIONS");
    }
    *ret = f;
    return 0;
}

/* node's options that take their value as the next argument. */
static bool takes_separate_value(const char *a)
{
    static const char *const opts[] = {
        "-r",
        "--require",
        "--import",
        "--loader",
        "--experimental-loader",
        "-e",
        "--eval",
        "-p",
        "--print",
        "--input-type",
        "-C",
        "--conditions",
        "--title",
        "--env-file",
        "--inspect-port",
        "--debug-port",
        "--openssl-config",
        "--icu-data-dir",
        "--redirect-warnings",
        "--diagnostic-dir",
        "--report-dir",
        "--report-directory",
        "--report-filename",
        "--report-signal",
        "--secure-heap",
        "--stack-trace-limit",
        "--unhandled-rejections",
        "--watch-path",
        "--disable-warning",
        "--cpu-prof-dir",
        "--heap-prof-dir",
        "--experimental-policy",
        "--dns-result-order",
        "--tls-cipher-list",
        "--use-largepages",
    };
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        if (strcmp(a, opts[i]) == 0)
            return true;
    return false;
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
        int r = scan_one(a, i, &f, err);
        if (r < 0)
            return ng_error_wrap(err, "node command line");
        if (takes_separate_value(a))
            i++;
    }
    *ret = f;
    return 0;
}

int ng_nodeopts_set_heap(const char *orig, int64_t mib, char **ret, ng_error **err)
{
    ng_tokens t = {0};
    int r = ng_nodeopts_tokenize(orig, &t, err);
    if (r < 0)
        return r;
    ng_heap_flags f;
    ng_heap_flags_init(&f);
    r = ng_nodeopts_scan(&t, &f, err);
    if (r < 0) {
        ng_tokens_free(&t);
        return r;
    }
    char flag[64];
    snprintf(flag, sizeof(flag), "--max-old-space-size=%lld", (long long)mib);
    struct strbuf b = {0};
    sb_append(&b, "", 0);
    size_t len = strlen(orig), pos = 0;
    for (size_t i = 0; i < t.n; i++) {
        ng_flag_kind kind;
        double v;
        if (ng_heap_flag_parse(t.items[i].value, &kind, &v, NULL) <= 0 ||
            (kind != NG_FLAG_OLD_SPACE && kind != NG_FLAG_OLD_SPACE_PERCENT))
            continue;
        size_t start = t.items[i].start, end = t.items[i].end;
        sb_append(&b, orig + pos, start - pos);
        if (i == f.last_heap_index) {
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
    sb_append(&b, orig + pos, len - pos);
    if (f.n_heap_flags == 0) {
        if (b.len > 0 && b.s[b.len - 1] != ' ')
            sb_putc(&b, ' ');
        sb_append(&b, flag, strlen(flag));
    }
    ng_tokens_free(&t);
    *ret = b.s;
    return 0;
}
