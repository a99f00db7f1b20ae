/* The pool size in a DATABASE_URL (include/nodeguard/dburl.h). The drivers, as run by tests/dburl/run:
 * mysql2 (and drizzle's mysql2 driver, which hands it the URL) reads connectionLimit from the query,
 * exactly so spelled, and prints a warning on stderr for every parameter it does not know (a future
 * version will throw). node-postgres reads no pool size from a URL. postgres.js reads max, but keeps
 * it a string, which makes a pool of one connection, and sends every parameter it does not know to
 * the server as a startup option, which the server refuses. Prisma 6 and earlier (its Rust engine,
 * from its source) read connection_limit and ignore what they do not know. Prisma 7 hands the URL to
 * a driver adapter: over MariaDB/MySQL, @prisma/adapter-mariadb and the mariadb driver read
 * connectionLimit and silently ignore connection_limit (tests/dburl-prisma, run against MariaDB).
 * So a mysql URL gets connectionLimit; a postgres URL, which any of pg, postgres.js or Prisma may
 * read, gets nothing unless the operator says the app is Prisma. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/dburl.h"

typedef struct scheme_rule {
    const char *scheme;
    const char *auto_param; /* what every driver of the scheme reads or ignores; NULL: none */
    const char *no_param_why;
    /* What Prisma reads, comma-separated, all of them added: Prisma 6's connection_limit where its
     * engine takes the scheme, Prisma 7's mariadb adapter's connectionLimit where it does. NULL:
     * Prisma reads no URL of the scheme (the mariadb adapter refuses mysql2://). */
    const char *prisma_params;
} scheme_rule;

static const scheme_rule rules[] = {
    {"mysql", "connectionLimit", NULL, "connection_limit,connectionLimit"},
    {"mysql2", "connectionLimit", NULL, NULL},
    {"mariadb", "connectionLimit", NULL, "connectionLimit"},
    {"postgres", NULL,
     "node-postgres reads no pool size from the URL, and postgres.js would send an added parameter to "
     "the server, which refuses it",
     "connection_limit"},
};
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

/* Spellings of a pool size the drivers read are compared without case, '_', '-' or '.' (fold_key):
 * mysql2's connectionLimit and Prisma's connection_limit fold alike; postgres.js's max. */

int ng_dburl_mode_parse(const char *s, ng_dburl_mode *ret)
{
    static const char *const names[] = {"off", "auto", "prisma"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *ret = (ng_dburl_mode)i;
            return 0;
        }
    return -EINVAL;
}

static void left_alone(ng_dburl_rewrite *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void left_alone(ng_dburl_rewrite *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    r->outcome = NG_DBURL_LEFT_ALONE;
    int n = snprintf(r->warning, sizeof(r->warning), "DATABASE_URL left alone: ");
    vsnprintf(r->warning + n, sizeof(r->warning) - (size_t)n, fmt, ap);
    va_end(ap);
}

/* The scheme as the URL standard reads it (a letter, then letters, digits, '+', '-', '.'), followed
 * by "://". Its length, or 0 when there is none. */
static size_t scheme_length(const char *url)
{
    size_t n = 0;
    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
        return 0;
    while (n < 32 && (((url[n] | 0x20) >= 'a' && (url[n] | 0x20) <= 'z') ||
                      (url[n] >= '0' && url[n] <= '9') || url[n] == '+' || url[n] == '-' || url[n] == '.'))
        n++;
    return strncmp(url + n, "://", 3) == 0 ? n : 0;
}

static const scheme_rule *find_rule(const char *url, size_t len)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (strlen(rules[i].scheme) == len && strncasecmp(url, rules[i].scheme, len) == 0)
            return &rules[i];
    if (len == 10 && strncasecmp(url, "postgresql", len) == 0)
        return &rules[N_RULES - 1];
    return NULL;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A query key as the drivers see it (percent-decoded, '+' a space), then folded for comparison:
 * lower case, without '_', '-', '.'. False when it is too long to be a pool-size key. */
static bool fold_key(const char *key, size_t len, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = key[i];
        if (c == '%' && i + 2 < len && hex_value(key[i + 1]) >= 0 && hex_value(key[i + 2]) >= 0) {
            c = (char)(hex_value(key[i + 1]) * 16 + hex_value(key[i + 2]));
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == '\0')
            return false; /* "%00" would end the comparison early: no driver's key has one */
        if (c == '_' || c == '-' || c == '.')
            continue;
        if (n + 1 >= size)
            return false;
        out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
    }
    out[n] = '\0';
    return true;
}

/* A value of 1 to 9 decimal digits as a number; -1 for anything else. */
static int64_t plain_count(const char *s, size_t len)
{
    int64_t v = 0;
    if (len < 1 || len > 9)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* The query parameters that set a pool size in a spelling the scheme's drivers read (max only for
 * postgres:// and schemes nodeguard does not know: mysql2 ignores it): the one with the largest
 * value wins, its key as written into ret->found, its value into ret->found_value. The drivers
 * disagree on which of two duplicates they take (mysql2 the first, postgres.js and Prisma the last:
 * tests/dburl), so the largest is the one a warning must not miss. */
static bool find_pool_size(const char *query, size_t len, const scheme_rule *rule, ng_dburl_rewrite *ret)
{
    bool found = false, max_counts = !rule || strcmp(rule->scheme, "postgres") == 0;
    size_t at = 0;
    while (at < len) {
        size_t pair = strcspn(query + at, "&");
        if (at + pair > len)
            pair = len - at;
        size_t key = strcspn(query + at, "=&");
        if (key > pair)
            key = pair;
        char folded[32];
        if (fold_key(query + at, key, folded, sizeof(folded)) &&
            (strcmp(folded, "connectionlimit") == 0 || (max_counts && strcmp(folded, "max") == 0))) {
            int64_t value = plain_count(query + at + key + 1, key < pair ? pair - key - 1 : 0);
            if (!found || value > ret->found_value) {
                snprintf(ret->found, sizeof(ret->found), "%.*s", (int)key, query + at);
                ret->found_value = value;
            }
            found = true;
        }
        at += pair + 1;
    }
    return found;
}

void ng_dburl_set_pool_size(const char *url, int64_t limit, ng_dburl_mode mode, ng_dburl_rewrite *ret)
{
    memset(ret, 0, sizeof(*ret));
    size_t len = strnlen(url, NG_DBURL_MAX + 1);
    if (len > NG_DBURL_MAX) {
        left_alone(ret, "longer than %d bytes", NG_DBURL_MAX);
        return;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f) {
            left_alone(ret, "it holds a space or a control character");
            return;
        }
    if (limit < 1 || limit > 999999) {
        left_alone(ret, "pool size %lld out of range", (long long)limit);
        return;
    }
    size_t scheme_len = scheme_length(url);
    if (!scheme_len) {
        left_alone(ret, "no scheme:// at its start");
        return;
    }
    const scheme_rule *rule = find_rule(url, scheme_len);
    /* The query is from the first '?' to the fragment: neither can appear unencoded before it. */
    size_t base_len = strcspn(url, "#");
    const char *query = memchr(url, '?', base_len);
    size_t query_len = query ? base_len - (size_t)(query - url) - 1 : 0;
    if (query && find_pool_size(query + 1, query_len, rule, ret)) {
        ret->outcome = NG_DBURL_USER_VALUE;
        ret->param = ret->found;
        return;
    }
    const char *param = NULL;
    if (mode == NG_DBURL_PRISMA) {
        if (!rule || !rule->prisma_params) {
            left_alone(ret, "Prisma does not read %.*s:// URLs", (int)scheme_len, url);
            return;
        }
        param = rule->prisma_params;
    } else if (mode == NG_DBURL_AUTO) {
        if (!rule) {
            left_alone(ret, "no known Node.js driver for %.*s:// URLs", (int)scheme_len, url);
            return;
        }
        if (!rule->auto_param) {
            left_alone(ret, "for %.*s:// %s (a Prisma app: connection_limit.database_url \"prisma\")",
                       (int)scheme_len, url, rule->no_param_why);
            return;
        }
        param = rule->auto_param;
    } else {
        left_alone(ret, "off");
        return;
    }
    const char *sep = !query ? "?" : (query_len == 0 || url[base_len - 1] == '&') ? "" : "&";
    char added[NG_DBURL_GROWTH];
    size_t n = 0;
    for (const char *name = param; *name;) {
        size_t name_len = strcspn(name, ",");
        n += (size_t)snprintf(added + n, sizeof(added) - n, "%s%.*s=%lld", n ? "&" : "", (int)name_len, name,
                              (long long)limit);
        name += name_len + (name[name_len] == ',');
    }
    if (asprintf(&ret->url, "%.*s%s%s%s", (int)base_len, url, sep, added, url + base_len) < 0)
        abort();
    ret->outcome = NG_DBURL_SET;
    ret->param = param;
}

void ng_dburl_rewrite_free(ng_dburl_rewrite *r)
{
    free(r->url);
    r->url = NULL;
}
