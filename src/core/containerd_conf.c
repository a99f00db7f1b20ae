/* A bounded reader for the few keys of containerd's config.toml that say whether the CRI plugin runs
 * runc through nodeguard-runtime. Anything it does not understand where those keys live makes it
 * say "too complex" instead of guessing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "nodeguard/containerd_conf.h"

#define MAX_SEGMENTS 12
#define SEGMENT_MAX  128
#define LINE_MAX_LEN 4096

typedef struct keypath {
    char seg[MAX_SEGMENTS][SEGMENT_MAX];
    int n;
} keypath;

/* The CRI plugin's table name in config version 1, 2 (containerd 1.x) and 3 (containerd 2.x). */
static const char *const cri_plugins[] = {"cri", "io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime"};

typedef struct scanner {
    ng_ctrd_conf *conf;
    int line;
    keypath table;
    int array_depth; /* inside a multi-line array value: skip until it closes */
} scanner;

static void complex_at(scanner *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void complex_at(scanner *s, const char *fmt, ...)
{
    if (s->conf->too_complex[0])
        return;
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(s->conf->too_complex, sizeof(s->conf->too_complex), "line %d: %s", s->line, why);
}

static const char *skip_blank(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static bool is_bare(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A quoted string at p (p at the opening quote) into out; returns the byte after the closing quote,
 * or NULL when it is not one this reader takes (unterminated, a \u escape, too long). */
static const char *read_string(const char *p, const char *end, char *out, size_t size)
{
    char quote = *p++;
    size_t n = 0;
    while (p < end && *p != quote) {
        char c = *p++;
        if (quote == '"' && c == '\\') {
            if (p == end)
                return NULL;
            c = *p++;
            if (c == 'u' || c == 'U')
                return NULL;
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        }
        if (n + 1 >= size)
            return NULL;
        out[n++] = c;
    }
    if (p == end)
        return NULL;
    out[n] = '\0';
    return p + 1;
}

/* A dotted key (bare, "basic" or 'literal' segments) at p; returns the byte after it or NULL. */
static const char *read_key(const char *p, const char *end, keypath *k)
{
    k->n = 0;
    for (;;) {
        p = skip_blank(p, end);
        if (k->n == MAX_SEGMENTS || p == end)
            return NULL;
        char *seg = k->seg[k->n];
        if (*p == '"' || *p == '\'') {
            p = read_string(p, end, seg, SEGMENT_MAX);
            if (!p)
                return NULL;
        } else {
            size_t n = 0;
            while (p < end && is_bare(*p) && n + 1 < SEGMENT_MAX)
                seg[n++] = *p++;
            if (n == 0 || (p < end && is_bare(*p)))
                return NULL;
            seg[n] = '\0';
        }
        k->n++;
        p = skip_blank(p, end);
        if (p == end || *p != '.')
            return p;
        p++;
    }
}

static int cri_index(const keypath *k)
{
    if (k->n < 2 || strcmp(k->seg[0], "plugins") != 0)
        return -1;
    for (size_t i = 0; i < sizeof(cri_plugins) / sizeof(cri_plugins[0]); i++)
        if (strcmp(k->seg[1], cri_plugins[i]) == 0)
            return (int)i;
    return -1;
}

/* Could a table or inline table at k hold one of the keys read here? */
static bool may_hold_keys(const keypath *k)
{
    if (k->n == 1)
        return strcmp(k->seg[0], "plugins") == 0;
    if (cri_index(k) < 0)
        return false;
    return k->n <= 6 && (k->n < 3 || strcmp(k->seg[2], "containerd") == 0) &&
           (k->n < 4 || strcmp(k->seg[3], "runtimes") == 0) &&
           (k->n < 6 || strcmp(k->seg[5], "options") == 0);
}

static ng_ctrd_handler *handler(scanner *s, const char *name)
{
    ng_ctrd_conf *c = s->conf;
    for (size_t i = 0; i < c->n_handlers; i++)
        if (strcmp(c->handlers[i].name, name) == 0)
            return &c->handlers[i];
    if (c->n_handlers == NG_CTRD_MAX_HANDLERS) {
        complex_at(s, "more than %d runtime handlers", NG_CTRD_MAX_HANDLERS);
        return NULL;
    }
    ng_ctrd_handler *h = &c->handlers[c->n_handlers++];
    snprintf(h->name, sizeof(h->name), "%s", name);
    h->line = s->line;
    return h;
}

static void note_cri_table(scanner *s, const keypath *k)
{
    if (!s->conf->cri_table[0])
        snprintf(s->conf->cri_table, sizeof(s->conf->cri_table),
                 strchr(k->seg[1], '.') ? "plugins.\"%s\"" : "plugins.%s", k->seg[1]);
}

/* Sets one string key; a key set twice is a TOML error containerd refuses, so not judged. */
static void set_once(scanner *s, bool *has, char *dst, const char *value, const char *what)
{
    if (*has) {
        complex_at(s, "%s set twice", what);
        return;
    }
    *has = true;
    snprintf(dst, NG_CTRD_VALUE_MAX, "%s", value);
}

/* A key = "string" whose whole path (table + key) is k. */
static void take_string(scanner *s, const keypath *k, const char *value)
{
    if (cri_index(k) < 0 || k->n < 4 || strcmp(k->seg[2], "containerd") != 0)
        return;
    note_cri_table(s, k);
    if (k->n == 4 && strcmp(k->seg[3], "default_runtime_name") == 0) {
        snprintf(s->conf->default_runtime, sizeof(s->conf->default_runtime), "%s", value);
        return;
    }
    if (strcmp(k->seg[3], "runtimes") != 0 || k->n < 6)
        return;
    bool is_type = k->n == 6 && strcmp(k->seg[5], "runtime_type") == 0;
    bool is_binary = k->n == 7 && strcmp(k->seg[5], "options") == 0 && strcmp(k->seg[6], "BinaryName") == 0;
    if (!is_type && !is_binary)
        return;
    ng_ctrd_handler *h = handler(s, k->seg[4]);
    if (!h)
        return;
    if (is_type)
        set_once(s, &h->has_runtime_type, h->runtime_type, value, "runtime_type");
    else
        set_once(s, &h->has_binary_name, h->binary_name, value, "BinaryName");
}

/* Counts brackets outside strings; returns the depth after the text, or -1 for a string this
 * reader cannot follow. */
static int bracket_depth(const char *p, const char *end, int depth)
{
    char scratch[LINE_MAX_LEN];
    while (p < end) {
        if (*p == '#')
            break;
        if (*p == '"' || *p == '\'') {
            if (end - p >= 3 && p[1] == p[0] && p[2] == p[0])
                return -1;
            p = read_string(p, end, scratch, sizeof(scratch));
            if (!p)
                return -1;
            continue;
        }
        depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
        p++;
        if (depth == 0)
            break;
    }
    return depth;
}

static void table_header(scanner *s, const char *p, const char *end)
{
    bool array = p + 1 < end && p[1] == '[';
    keypath k;
    const char *q = read_key(p + (array ? 2 : 1), end, &k);
    if (!q || q == end || *q != ']' || (array && (q + 1 == end || q[1] != ']'))) {
        complex_at(s, "a table header this reader does not take");
        return;
    }
    if (array && may_hold_keys(&k))
        complex_at(s, "an array of tables where the runtime handlers are");
    if (cri_index(&k) >= 0)
        note_cri_table(s, &k);
    s->table = k;
}

static void key_value(scanner *s, const char *p, const char *end)
{
    keypath key;
    const char *q = read_key(p, end, &key);
    if (!q || q == end || *q != '=') {
        complex_at(s, "a line this reader does not take");
        return;
    }
    keypath full = s->table;
    if (full.n + key.n > MAX_SEGMENTS) {
        complex_at(s, "a key nested too deep");
        return;
    }
    for (int i = 0; i < key.n; i++)
        memcpy(full.seg[full.n++], key.seg[i], SEGMENT_MAX);
    q = skip_blank(q + 1, end);
    if (q == end) {
        complex_at(s, "a key without a value");
        return;
    }
    if (full.n == 1 && strcmp(full.seg[0], "imports") == 0)
        s->conf->has_imports = true;
    if (full.n == 1 && strcmp(full.seg[0], "version") == 0) {
        int v = 0;
        while (q < end && *q >= '0' && *q <= '9' && v < 1000)
            v = v * 10 + (*q++ - '0');
        s->conf->version = v;
        return;
    }
    if ((*q == '"' || *q == '\'') && end - q >= 3 && q[1] == q[0] && q[2] == q[0]) {
        complex_at(s, "a multi-line string");
        return;
    }
    if (*q == '"' || *q == '\'') {
        char value[NG_CTRD_VALUE_MAX];
        if (read_string(q, end, value, sizeof(value)))
            take_string(s, &full, value);
        else
            complex_at(s, "a string this reader does not take");
    } else if (*q == '{') {
        if (may_hold_keys(&full))
            complex_at(s, "an inline table where the runtime handlers are");
    } else if (*q == '[') {
        int depth = bracket_depth(q, end, 0);
        if (depth < 0)
            complex_at(s, "an array this reader does not take");
        else
            s->array_depth = depth;
    }
}

void ng_ctrd_conf_scan(const char *buf, size_t len, ng_ctrd_conf *ret)
{
    memset(ret, 0, sizeof(*ret));
    scanner s = {.conf = ret};
    const char *p = buf, *end = buf + len;
    while (p < end && !ret->too_complex[0]) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        s.line++;
        if (s.line > NG_CTRD_MAX_LINES) {
            complex_at(&s, "more than %d lines", NG_CTRD_MAX_LINES);
            break;
        }
        if (line_end - p > LINE_MAX_LEN) {
            complex_at(&s, "a line longer than %d bytes", LINE_MAX_LEN);
            break;
        }
        const char *q = line_end;
        if (q > p && q[-1] == '\r')
            q--;
        const char *start = skip_blank(p, q);
        if (s.array_depth > 0) {
            s.array_depth = bracket_depth(start, q, s.array_depth);
            if (s.array_depth < 0)
                complex_at(&s, "an array this reader does not take");
        } else if (start < q && *start != '#') {
            if (*start == '[')
                table_header(&s, start, q);
            else
                key_value(&s, start, q);
        }
        p = eol ? eol + 1 : end;
    }
    if (!ret->too_complex[0] && s.array_depth > 0)
        complex_at(&s, "an array that is never closed");
}
