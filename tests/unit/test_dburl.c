/* The pool size added to a DATABASE_URL (src/core/dburl.c): the parameter each scheme gets, what is
 * never touched, and hostile URLs left alone. tests/dburl/run checks the same rewrites against the
 * real drivers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/dburl.h"

/* The URL after the rewrite, or the outcome's name when it was not rewritten. */
static const char *rewrite(const char *url, ng_dburl_mode mode)
{
    static char out[NG_DBURL_MAX + NG_DBURL_GROWTH + 1];
    ng_dburl_rewrite r;
    ng_dburl_set_pool_size(url, 5, mode, &r);
    if (r.outcome == NG_DBURL_SET) {
        assert_true(strlen(r.url) <= strlen(url) + NG_DBURL_GROWTH);
        snprintf(out, sizeof(out), "%s", r.url);
    } else {
        snprintf(out, sizeof(out), "%s", r.outcome == NG_DBURL_USER_VALUE ? "user value" : "left alone");
    }
    ng_dburl_rewrite_free(&r);
    return out;
}

static void test_mysql_gets_connection_limit_of_mysql2(void **state)
{
    (void)state;
    assert_string_equal(rewrite("mysql://u:p@db/app", NG_DBURL_AUTO), "mysql://u:p@db/app?connectionLimit=5");
    assert_string_equal(rewrite("mysql://u:p@db:3307/app?ssl=%7B%7D#frag", NG_DBURL_AUTO),
                        "mysql://u:p@db:3307/app?ssl=%7B%7D&connectionLimit=5#frag");
    assert_string_equal(rewrite("MySQL://db/app?", NG_DBURL_AUTO), "MySQL://db/app?connectionLimit=5");
    assert_string_equal(rewrite("mariadb://db/app?a=1&", NG_DBURL_AUTO),
                        "mariadb://db/app?a=1&connectionLimit=5");
    assert_string_equal(rewrite("mysql2://[::1]:3306", NG_DBURL_AUTO),
                        "mysql2://[::1]:3306?connectionLimit=5");
    /* a password with the URL's delimiters, percent-encoded as the drivers need: untouched */
    assert_string_equal(rewrite("mysql://u:p%3F%23%26%3D@db/app", NG_DBURL_AUTO),
                        "mysql://u:p%3F%23%26%3D@db/app?connectionLimit=5");
    /* a '?' after the '#' is the fragment's */
    assert_string_equal(rewrite("mysql://db/app#a?b", NG_DBURL_AUTO), "mysql://db/app?connectionLimit=5#a?b");
}

static void test_prisma_mode(void **state)
{
    (void)state;
    assert_string_equal(rewrite("postgresql://u:p@db/app?schema=s", NG_DBURL_PRISMA),
                        "postgresql://u:p@db/app?schema=s&connection_limit=5");
    /* Prisma 6's engine reads connection_limit, Prisma 7's mariadb adapter connectionLimit (and
     * ignores connection_limit: tests/dburl-prisma): a mysql:// URL gets both */
    assert_string_equal(rewrite("mysql://db/app#x", NG_DBURL_PRISMA),
                        "mysql://db/app?connection_limit=5&connectionLimit=5#x");
    /* only Prisma 7's mariadb adapter takes mariadb://; it refuses mysql2:// */
    assert_string_equal(rewrite("mariadb://db/app", NG_DBURL_PRISMA), "mariadb://db/app?connectionLimit=5");
    assert_string_equal(rewrite("mysql2://db/app", NG_DBURL_PRISMA), "left alone");
    assert_string_equal(rewrite("sqlserver://db:1433;database=app", NG_DBURL_PRISMA), "left alone");
    /* the record names every parameter added; the longest addition stays within NG_DBURL_GROWTH */
    ng_dburl_rewrite r;
    ng_dburl_set_pool_size("mysql://db/app?a=1", 999999, NG_DBURL_PRISMA, &r);
    assert_int_equal(r.outcome, NG_DBURL_SET);
    assert_string_equal(r.param, "connection_limit,connectionLimit");
    assert_string_equal(r.url, "mysql://db/app?a=1&connection_limit=999999&connectionLimit=999999");
    assert_true(strlen(r.url) <= strlen("mysql://db/app?a=1") + NG_DBURL_GROWTH);
    ng_dburl_rewrite_free(&r);
}

static void test_postgres_left_alone_in_auto(void **state)
{
    (void)state;
    ng_dburl_rewrite r;
    ng_dburl_set_pool_size("postgres://u:secret@db/app", 5, NG_DBURL_AUTO, &r);
    assert_int_equal(r.outcome, NG_DBURL_LEFT_ALONE);
    assert_null(r.url);
    assert_non_null(strstr(r.warning, "postgres://"));
    assert_null(strstr(r.warning, "secret"));
    assert_string_equal(rewrite("postgresql://db/app", NG_DBURL_AUTO), "left alone");
    assert_string_equal(rewrite("redis://db/0", NG_DBURL_AUTO), "left alone");
}

static void test_a_pool_size_already_set_is_kept(void **state)
{
    (void)state;
    const char *urls[] = {
        "mysql://db/app?connectionLimit=3",       "mysql://db/app?a=1&connection_limit=3#f",
        "mysql://db/app?CONNECTIONLIMIT=3",       "mysql://db/app?connection%5Flimit=3",
        "mysql://db/app?connection-limit",        "postgres://db/app?max=2",
        "postgresql://db/app?Connection_Limit=9", "mysql://db/app?%63onnectionLimit=1",
    };
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        ng_dburl_rewrite r;
        ng_dburl_set_pool_size(urls[i], 5, NG_DBURL_PRISMA, &r);
        assert_int_equal(r.outcome, NG_DBURL_USER_VALUE);
        assert_string_equal(rewrite(urls[i], NG_DBURL_AUTO), "user value");
    }
    ng_dburl_rewrite r;
    ng_dburl_set_pool_size("mysql://db/app?x=1&connection_limit=3", 5, NG_DBURL_AUTO, &r);
    assert_string_equal(r.param, "connection_limit");
    assert_int_equal(r.found_value, 3);
    ng_dburl_set_pool_size("postgres://db/app?Max=%33#connectionLimit=4", 5, NG_DBURL_AUTO, &r);
    assert_string_equal(r.param, "Max");
    assert_int_equal(r.found_value, -1); /* not plain digits: no comparison */
    ng_dburl_set_pool_size("mysql://db/app?connectionLimit", 5, NG_DBURL_AUTO, &r);
    assert_int_equal(r.found_value, -1);
    /* duplicates: the drivers differ on which they take (mysql2 the first, postgres.js and Prisma the
     * last), so the largest is the one compared with the recommendation */
    ng_dburl_set_pool_size("mysql://db/app?connectionLimit=1&connectionLimit=500", 5, NG_DBURL_AUTO, &r);
    assert_int_equal(r.outcome, NG_DBURL_USER_VALUE);
    assert_int_equal(r.found_value, 500);
    /* mysql2 reads no max, and no driver a key with a NUL in it: neither is the URL's pool size */
    assert_string_equal(rewrite("mysql://db/app?max=1", NG_DBURL_AUTO),
                        "mysql://db/app?max=1&connectionLimit=5");
    assert_string_equal(rewrite("mysql://db/app?connection%00x=1", NG_DBURL_AUTO),
                        "mysql://db/app?connection%00x=1&connectionLimit=5");
    /* not a pool size: a longer key, the name in a value, in the fragment */
    assert_string_equal(rewrite("mysql://db/app?maxIdle=2&x=connectionLimit#max=1", NG_DBURL_AUTO),
                        "mysql://db/app?maxIdle=2&x=connectionLimit&connectionLimit=5#max=1");
}

static void test_hostile_urls_left_alone(void **state)
{
    (void)state;
    const char *bad[] = {
        "db/app",          "://db",           "1sql://db",          "mysql:db", "mysql://db/app\n",
        "mysql://d b/app", "mysql://db/\x7f", "mysql://db/\x1b[2J", "",         "mysql:/db"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_string_equal(rewrite(bad[i], NG_DBURL_AUTO), "left alone");
    char *huge = malloc(NG_DBURL_MAX + 2);
    assert_non_null(huge);
    memset(huge, 'a', NG_DBURL_MAX + 1);
    memcpy(huge, "mysql://db/", 11);
    huge[NG_DBURL_MAX + 1] = '\0';
    assert_string_equal(rewrite(huge, NG_DBURL_AUTO), "left alone");
    huge[NG_DBURL_MAX] = '\0'; /* at the bound: rewritten, within NG_DBURL_GROWTH */
    assert_int_equal(strlen(rewrite(huge, NG_DBURL_AUTO)), NG_DBURL_MAX + strlen("?connectionLimit=5"));
    free(huge);
    /* a long key is no pool size, and is not copied anywhere */
    assert_string_equal(rewrite("mysql://db/?connectionlimitconnectionlimitconnectionlimit=1", NG_DBURL_AUTO),
                        "mysql://db/?connectionlimitconnectionlimitconnectionlimit=1&connectionLimit=5");
    /* percent signs without two hex digits after them */
    assert_string_equal(rewrite("mysql://db/?%&%4", NG_DBURL_AUTO), "mysql://db/?%&%4&connectionLimit=5");
    ng_dburl_rewrite r;
    ng_dburl_set_pool_size("mysql://db/app", 0, NG_DBURL_AUTO, &r);
    assert_int_equal(r.outcome, NG_DBURL_LEFT_ALONE);
}

static void test_mode_names(void **state)
{
    (void)state;
    ng_dburl_mode m = NG_DBURL_OFF;
    assert_int_equal(ng_dburl_mode_parse("prisma", &m), 0);
    assert_int_equal(m, NG_DBURL_PRISMA);
    assert_true(ng_dburl_mode_parse("Prisma", &m) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mysql_gets_connection_limit_of_mysql2),
        cmocka_unit_test(test_prisma_mode),
        cmocka_unit_test(test_postgres_left_alone_in_auto),
        cmocka_unit_test(test_a_pool_size_already_set_is_kept),
        cmocka_unit_test(test_hostile_urls_left_alone),
        cmocka_unit_test(test_mode_names),
    };
    return cmocka_run_group_tests_name("dburl", tests, NULL, NULL);
}
