/* The pool size in a DATABASE_URL: which query parameter each Node.js driver reads it from, and the
 * rewrite that adds it (policy connection_limit.database_url, docs/configuration.md). What each
 * driver does with a URL was found by running it: tests/dburl/run checks every rewrite against the
 * real drivers, tests/dburl-prisma/run Prisma 7's pool against MariaDB. */
#ifndef NODEGUARD_DBURL_H
#define NODEGUARD_DBURL_H

#include <stddef.h>
#include <stdint.h>

/* Which drivers the rewrite may assume (the policy's connection_limit.database_url). */
typedef enum ng_dburl_mode {
    NG_DBURL_OFF,
    NG_DBURL_AUTO,   /* true or "auto": only what no driver of the URL's scheme refuses */
    NG_DBURL_PRISMA, /* "prisma": the operator says the app is Prisma: what Prisma 6 and 7 read */
} ng_dburl_mode;

/* "off", "auto", "prisma"; mode true is "auto", false "off". */
int ng_dburl_mode_parse(const char *s, ng_dburl_mode *ret);

typedef enum ng_dburl_outcome {
    NG_DBURL_SET,        /* the parameter was added: url holds the new URL */
    NG_DBURL_USER_VALUE, /* the URL already sets a pool size (param: its key as written) */
    NG_DBURL_LEFT_ALONE, /* not rewritten: why is the warning */
} ng_dburl_outcome;

/* A URL longer than this is left alone; the rewritten URL is at most this plus NG_DBURL_GROWTH. */
#define NG_DBURL_MAX    4096
#define NG_DBURL_GROWTH 64

typedef struct ng_dburl_rewrite {
    ng_dburl_outcome outcome;
    const char *param;   /* SET: the parameters added, comma-separated; USER_VALUE: the URL's own key */
    char *url;           /* SET: the new URL (owned); NULL otherwise */
    char found[40];      /* USER_VALUE: the key as the URL writes it (param points here) */
    int64_t found_value; /* USER_VALUE: its value when plain decimal digits, else -1 */
    char warning[256];   /* LEFT_ALONE: why, without any part of the URL but its scheme */
} ng_dburl_rewrite;

/* Adds the pool-size parameter for limit to url, as mode allows for url's scheme; never changes a
 * byte of url but the appended "?name=N" or "&name=N" (before any #fragment). */
void ng_dburl_set_pool_size(const char *url, int64_t limit, ng_dburl_mode mode, ng_dburl_rewrite *ret);
void ng_dburl_rewrite_free(ng_dburl_rewrite *r);

#endif
