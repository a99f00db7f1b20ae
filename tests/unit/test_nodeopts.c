#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/nodeopts.h"

/* Tokenizes s and compares with the NULL-terminated expected list. */
static void expect_tokens(const char *s, const char *const *expected)
{
    ng_tokens t = {0};
    ng_error *err = NULL;
    assert_int_equal(ng_nodeopts_tokenize(s, &t, &err), 0);
    size_t n = 0;
    while (expected[n])
        n++;
    assert_int_equal(t.n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(t.items[i].value, expected[i]);
    ng_tokens_free(&t);
}

static void expect_tokenize_error(const char *s)
{
    ng_tokens t = {0};
    ng_error *err = NULL;
    assert_int_equal(ng_nodeopts_tokenize(s, &t, &err), -EINVAL);
    assert_non_null(err);
    ng_error_free(err);
}

static void test_space_separates(void **state)
{
    (void)state;
    expect_tokens("--a --b", (const char *[]){"--a", "--b", NULL});
    expect_tokens("  --a   --b  ", (const char *[]){"--a", "--b", NULL});
    expect_tokens("", (const char *[]){NULL});
}

static void test_tab_and_newline_are_ordinary(void **state)
{
    (void)state;
    expect_tokens("--a\t--b", (const char *[]){"--a\t--b", NULL});
    expect_tokens("--a\n--b c", (const char *[]){"--a\n--b", "c", NULL});
}

static void test_quotes_toggle_mid_token(void **state)
{
    (void)state;
    expect_tokens("--ti\"tle\"=q", (const char *[]){"--title=q", NULL});
    expect_tokens("--title=\"dev server\" --x", (const char *[]){"--title=dev server", "--x", NULL});
    expect_tokens("a\"\"b", (const char *[]){"ab", NULL});
}

static void test_empty_quotes_yield_nothing(void **state)
{
    (void)state;
    expect_tokens("\"\"", (const char *[]){NULL});
    expect_tokens("a \"\" b", (const char *[]){"a", "b", NULL});
}

static void test_backslash_only_escapes_inside_quotes(void **state)
{
    (void)state;
    expect_tokens("a\\b", (const char *[]){"a\\b", NULL});
    expect_tokens("\"a\\\"b\"", (const char *[]){"a\"b", NULL});
    expect_tokens("\"a\\\\b\"", (const char *[]){"a\\b", NULL});
    expect_tokens("\"a\\ b\"", (const char *[]){"a b", NULL});
}

static void test_single_quotes_are_ordinary(void **state)
{
    (void)state;
    expect_tokens("--title='a b'", (const char *[]){"--title='a", "b'", NULL});
}

static void test_errors_node_rejects(void **state)
{
    (void)state;
    expect_tokenize_error("--title=\"unterminated");
    expect_tokenize_error("\"ends in backslash\\");
}

static void test_spans_cover_quotes(void **state)
{
    (void)state;
    ng_tokens t = {0};
    const char *s = "--a \"--b c\" d";
    assert_int_equal(ng_nodeopts_tokenize(s, &t, NULL), 0);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.items[1].start, 4);
    assert_int_equal(t.items[1].end, 11);
    assert_int_equal(t.items[2].start, 12);
    ng_tokens_free(&t);
}

static void test_heap_flag_parse(void **state)
{
    (void)state;
    ng_flag_kind k;
    double v;
    ng_error *err = NULL;
    assert_int_equal(ng_heap_flag_parse("--max-old-space-size=300", &k, &v, &err), 1);
    assert_int_equal(k, NG_FLAG_OLD_SPACE);
    assert_true(v == 300);
    assert_int_equal(ng_heap_flag_parse("--max_old_space_size=10", &k, &v, &err), 1);
    assert_int_equal(k, NG_FLAG_OLD_SPACE);
    assert_int_equal(ng_heap_flag_parse("--max-old-space-size-percentage=75.5", &k, &v, &err), 1);
    assert_int_equal(k, NG_FLAG_OLD_SPACE_PERCENT);
    assert_true(v == 75.5);
    assert_int_equal(ng_heap_flag_parse("--max-semi-space-size=16", &k, &v, &err), 1);
    assert_int_equal(k, NG_FLAG_SEMI_SPACE);
    assert_int_equal(ng_heap_flag_parse("--title=x", &k, &v, &err), 0);
    assert_int_equal(ng_heap_flag_parse("--max-old-space-size", &k, &v, &err), -EINVAL);
    assert_int_equal(ng_heap_flag_parse("--max-old-space-size=abc", &k, &v, &err), -EINVAL);
    assert_int_equal(ng_heap_flag_parse("--max-old-space-size=0x10", &k, &v, &err), -EINVAL);
    assert_int_equal(ng_heap_flag_parse("--max-old-space-size=1.5", &k, &v, &err), -EINVAL);
    assert_int_equal(ng_heap_flag_parse("--max-old-space-size-percentage=101", &k, &v, &err), -EINVAL);
    ng_error_free(err);
}

static void test_scan_last_wins(void **state)
{
    (void)state;
    ng_tokens t = {0};
    ng_heap_flags f;
    assert_int_equal(ng_nodeopts_tokenize("--max-old-space-size=100 --x --max_old_space_size=300", &t, NULL),
                     0);
    assert_int_equal(ng_nodeopts_scan(&t, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, 300);
    assert_int_equal(f.n_heap_flags, 2);
    assert_int_equal(f.last_heap_index, 2);
    ng_tokens_free(&t);
}

static void test_argv_scan_stops_at_script(void **state)
{
    (void)state;
    const char *argv[] = {"node",
                          "-r",
                          "--max-old-space-size=1",
                          "--max-old-space-size=200",
                          "app.js",
                          "--max-old-space-size=999"};
    ng_heap_flags f;
    assert_int_equal(ng_node_argv_scan(argv, 6, 1, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, 200); /* -r's value is a module name, not a flag */
    assert_int_equal(f.last_heap_index, 3);
    const char *argv2[] = {"node", "--", "--max-old-space-size=5"};
    assert_int_equal(ng_node_argv_scan(argv2, 3, 1, &f, NULL), 0);
    assert_int_equal(f.n_heap_flags, 0);
}

static void expect_set_heap(const char *orig, int64_t mib, const char *want)
{
    cleanup_free char *out = NULL;
    assert_int_equal(ng_nodeopts_set_heap(orig, mib, &out, NULL), 0);
    assert_string_equal(out, want);
}

static void test_set_heap(void **state)
{
    (void)state;
    expect_set_heap("", 348, "--max-old-space-size=348");
    expect_set_heap("--title=\"dev server\"", 348, "--title=\"dev server\" --max-old-space-size=348");
    expect_set_heap("--max-old-space-size=2048 --title=\"dev server\"", 348,
                    "--max-old-space-size=348 --title=\"dev server\"");
    expect_set_heap("--a --max-old-space-size=1 --b --max_old_space_size=\"2048\"", 300,
                    "--a --b --max-old-space-size=300");
    expect_set_heap("--max-old-space-size=1 --max-old-space-size-percentage=90", 64,
                    "--max-old-space-size=64");
    expect_set_heap("--x --max-old-space-size=1", 2, "--x --max-old-space-size=2");
    expect_set_heap("--x  ", 2, "--x  --max-old-space-size=2");
    cleanup_free char *out = NULL;
    ng_error *err = NULL;
    assert_int_equal(ng_nodeopts_set_heap("--title=\"x", 10, &out, &err), -EINVAL);
    ng_error_free(err);
}

/* Property: for any list of non-empty arguments, join then tokenize gives the same list. */
static void test_round_trip_property(void **state)
{
    (void)state;
    static const char alphabet[] = "ab-=\" \\\t'x";
    uint64_t seed = 42;
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = test_rand(&seed) % 6;
        char *args[6];
        for (size_t i = 0; i < n; i++) {
            size_t len = 1 + test_rand(&seed) % 8;
            args[i] = malloc(len + 1);
            for (size_t j = 0; j < len; j++)
                args[i][j] = alphabet[test_rand(&seed) % (sizeof(alphabet) - 1)];
            args[i][len] = '\0';
        }
        cleanup_free char *joined = NULL;
        assert_int_equal(ng_nodeopts_join((const char *const *)args, n, &joined, NULL), 0);
        ng_tokens t = {0};
        assert_int_equal(ng_nodeopts_tokenize(joined, &t, NULL), 0);
        assert_int_equal(t.n, n);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(t.items[i].value, args[i]);
            free(args[i]);
        }
        ng_tokens_free(&t);
    }
}

/* Property: rewriting the heap keeps every other argument exactly, and leaves one heap flag. */
static void test_set_heap_preserves_other_args(void **state)
{
    (void)state;
    static const char *const pieces[] = {"--a",
                                         "\"--t=x y\"",
                                         "--max-old-space-size=9",
                                         "\"\"",
                                         "--max_old_space_size=1",
                                         "b\\c",
                                         "--m=\"q\\\"r\"",
                                         "--max-old-space-size-percentage=5",
                                         " "};
    uint64_t seed = 7;
    for (int iter = 0; iter < 5000; iter++) {
        char s[512] = "";
        size_t n = test_rand(&seed) % 7;
        for (size_t i = 0; i < n; i++) {
            strcat(s, pieces[test_rand(&seed) % 9]);
            strcat(s, test_rand(&seed) % 3 ? " " : "  ");
        }
        ng_tokens before = {0}, after = {0};
        assert_int_equal(ng_nodeopts_tokenize(s, &before, NULL), 0);
        cleanup_free char *out = NULL;
        assert_int_equal(ng_nodeopts_set_heap(s, 77, &out, NULL), 0);
        assert_int_equal(ng_nodeopts_tokenize(out, &after, NULL), 0);
        size_t j = 0, heap_flags = 0;
        for (size_t i = 0; i < after.n; i++) {
            ng_flag_kind k;
            double v;
            if (ng_heap_flag_parse(after.items[i].value, &k, &v, NULL) == 1 && k != NG_FLAG_SEMI_SPACE) {
                heap_flags++;
                assert_true(v == 77);
                continue;
            }
            while (j < before.n && ng_heap_flag_parse(before.items[j].value, &k, &v, NULL) == 1 &&
                   k != NG_FLAG_SEMI_SPACE)
                j++;
            assert_true(j < before.n);
            assert_string_equal(after.items[i].value, before.items[j].value);
            j++;
        }
        assert_int_equal(heap_flags, 1);
        ng_tokens_free(&before);
        ng_tokens_free(&after);
    }
}

static void test_limits(void **state)
{
    (void)state;
    char *big = malloc(NG_NODEOPTS_MAX_LEN + 2);
    memset(big, 'a', NG_NODEOPTS_MAX_LEN + 1);
    big[NG_NODEOPTS_MAX_LEN + 1] = '\0';
    ng_tokens t = {0};
    ng_error *err = NULL;
    assert_int_equal(ng_nodeopts_tokenize(big, &t, &err), -E2BIG);
    ng_error_free(err);
    err = NULL;
    /* 5000 one-letter arguments: more than the token limit */
    for (int i = 0; i < 10000; i++)
        big[i] = i % 2 ? ' ' : 'a';
    big[10000] = '\0';
    assert_int_equal(ng_nodeopts_tokenize(big, &t, &err), -E2BIG);
    ng_error_free(err);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_space_separates),
        cmocka_unit_test(test_tab_and_newline_are_ordinary),
        cmocka_unit_test(test_quotes_toggle_mid_token),
        cmocka_unit_test(test_empty_quotes_yield_nothing),
        cmocka_unit_test(test_backslash_only_escapes_inside_quotes),
        cmocka_unit_test(test_single_quotes_are_ordinary),
        cmocka_unit_test(test_errors_node_rejects),
        cmocka_unit_test(test_spans_cover_quotes),
        cmocka_unit_test(test_heap_flag_parse),
        cmocka_unit_test(test_scan_last_wins),
        cmocka_unit_test(test_argv_scan_stops_at_script),
        cmocka_unit_test(test_set_heap),
        cmocka_unit_test(test_round_trip_property),
        cmocka_unit_test(test_set_heap_preserves_other_args),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests_name("nodeopts", tests, NULL, NULL);
}
