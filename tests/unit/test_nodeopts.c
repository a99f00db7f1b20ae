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

static void expect_flag(const char *arg, ng_flag_kind kind, ng_flag_effect effect, int64_t mib)
{
    ng_heap_flag h;
    assert_int_equal(ng_heap_flag_parse(arg, &h, NULL), 1);
    assert_int_equal(h.kind, kind);
    assert_int_equal(h.effect, effect);
    if (effect == NG_FLAG_SETS && kind != NG_FLAG_OLD_SPACE_PERCENT)
        assert_int_equal(h.mib, mib);
}

static void expect_refused(const char *arg)
{
    ng_heap_flag h;
    ng_error *err = NULL;
    assert_int_equal(ng_heap_flag_parse(arg, &h, &err), -EINVAL);
    assert_non_null(strstr(ng_error_msg(err), "node will refuse it"));
    ng_error_free(err);
}

static void test_heap_flag_parse(void **state)
{
    (void)state;
    ng_heap_flag h;
    expect_flag("--max-old-space-size=300", NG_FLAG_OLD_SPACE, NG_FLAG_SETS, 300);
    expect_flag("--max_old_space_size=10", NG_FLAG_OLD_SPACE, NG_FLAG_SETS, 10);
    assert_int_equal(ng_heap_flag_parse("--max-old-space-size-percentage=75.5", &h, NULL), 1);
    assert_int_equal(h.kind, NG_FLAG_OLD_SPACE_PERCENT);
    assert_true(h.percent == 75.5);
    expect_flag("--max-semi-space-size=16", NG_FLAG_SEMI_SPACE, NG_FLAG_SETS, 16);
    expect_flag("--max_heap_size=3000", NG_FLAG_MAX_HEAP, NG_FLAG_SETS, 3000);
    expect_flag("--initial-heap-size=64", NG_FLAG_INITIAL_HEAP, NG_FLAG_SETS, 64);
    assert_int_equal(ng_heap_flag_parse("--title=x", &h, NULL), 0);
    assert_int_equal(ng_heap_flag_parse("-", &h, NULL), 0);
    expect_refused("--max-old-space-size");
    expect_refused("--max-old-space-size=abc");
    expect_refused("--max-old-space-size=0x10");
    expect_refused("--max-old-space-size=1.5");
    expect_refused("--max-old-space-size-percentage=101");
}

/* V8's TryParseUnsigned (strtoll, base 10), each checked against node 20.20.2. */
static void test_heap_flag_values_as_v8_reads_them(void **state)
{
    (void)state;
    expect_flag("--max-old-space-size=+3000", NG_FLAG_OLD_SPACE, NG_FLAG_SETS, 3000);
    expect_flag("--max-semi-space-size=+8", NG_FLAG_SEMI_SPACE, NG_FLAG_SETS, 8);
    expect_flag("--max-old-space-size= 3000", NG_FLAG_OLD_SPACE, NG_FLAG_SETS, 3000);
    expect_flag("--max-old-space-size=\t +3000", NG_FLAG_OLD_SPACE, NG_FLAG_SETS, 3000);
    expect_flag("--max-old-space-size=03000", NG_FLAG_OLD_SPACE, NG_FLAG_SETS, 3000);
    expect_flag("--max-old-space-size=1000000001", NG_FLAG_OLD_SPACE, NG_FLAG_SETS, 1000000001);
    expect_flag("--max-old-space-size=9223372036854775807", NG_FLAG_OLD_SPACE, NG_FLAG_SETS,
                NG_HEAP_FLAG_MAX_MIB);
    /* 0 and empty: V8's "unset", node's default heap */
    expect_flag("--max-old-space-size=", NG_FLAG_OLD_SPACE, NG_FLAG_DEFAULT, 0);
    expect_flag("--max-old-space-size=0", NG_FLAG_OLD_SPACE, NG_FLAG_DEFAULT, 0);
    expect_flag("--max-old-space-size=00", NG_FLAG_OLD_SPACE, NG_FLAG_DEFAULT, 0);
    expect_flag("--max-old-space-size=-0", NG_FLAG_OLD_SPACE, NG_FLAG_DEFAULT, 0);
    expect_flag("--max-semi-space-size=0", NG_FLAG_SEMI_SPACE, NG_FLAG_DEFAULT, 0);
    /* out of bounds: node warns and keeps what it had */
    expect_flag("--max-old-space-size=-1", NG_FLAG_OLD_SPACE, NG_FLAG_IGNORED, 0);
    expect_flag("--max-old-space-size=-300", NG_FLAG_OLD_SPACE, NG_FLAG_IGNORED, 0);
    expect_flag("--max-old-space-size=9223372036854775808", NG_FLAG_OLD_SPACE, NG_FLAG_IGNORED, 0);
    expect_flag("--max-old-space-size=18446744073709551616", NG_FLAG_OLD_SPACE, NG_FLAG_IGNORED, 0);
    /* illegal: node exits 9 */
    expect_refused("--max-old-space-size=3000 ");
    expect_refused("--max-old-space-size= ");
    expect_refused("--max-old-space-size=+");
    expect_refused("--max-old-space-size=-1abc");
    expect_refused("--no-max-old-space-size=100");
    expect_refused("--nomax-old-space-size=100");
    expect_refused("-max-old-space-size");
    expect_refused("--max-old-space-size =3000");
    expect_refused("--max_old_space_size\t=3000");
    /* one dash: V8 takes it */
    ng_heap_flag h;
    assert_int_equal(ng_heap_flag_parse("-max-old-space-size=4096", &h, NULL), 1);
    assert_true(h.single_dash);
    assert_int_equal(h.mib, 4096);
}

static void test_scan_values_as_node_applies_them(void **state)
{
    (void)state;
    ng_tokens t = {0};
    ng_heap_flags f;
    /* an out-of-bounds value keeps the one before */
    assert_int_equal(ng_nodeopts_tokenize("--max-old-space-size=100 --max-old-space-size=-1", &t, NULL), 0);
    assert_int_equal(ng_nodeopts_scan(&t, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, 100);
    assert_int_equal(f.last_heap_index, 1);
    ng_tokens_free(&t);
    /* a 0 resets to node's default, and decides it */
    assert_int_equal(ng_nodeopts_tokenize("--max-old-space-size=100 --max-old-space-size=0", &t, NULL), 0);
    assert_int_equal(ng_nodeopts_scan(&t, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, -1);
    assert_int_equal(f.last_heap_kind, NG_FLAG_OLD_SPACE);
    ng_tokens_free(&t);
    /* only out-of-bounds values: nothing in effect */
    assert_int_equal(ng_nodeopts_tokenize("--max-old-space-size=-1", &t, NULL), 0);
    assert_int_equal(ng_nodeopts_scan(&t, &f, NULL), 0);
    assert_int_equal(f.last_heap_kind, NG_FLAG_NONE);
    assert_int_equal(f.n_heap_flags, 1);
    ng_tokens_free(&t);
}

static void test_scan_refused_in_node_options(void **state)
{
    (void)state;
    static const char *const refused[] = {"-max-old-space-size=100", "--max-heap-size=300",
                                          "--max_heap_size=300", "--initial-heap-size=64", "--x --"};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        ng_tokens t = {0};
        ng_heap_flags f;
        ng_error *err = NULL;
        assert_int_equal(ng_nodeopts_tokenize(refused[i], &t, NULL), 0);
        assert_int_equal(ng_nodeopts_scan(&t, &f, &err), -EINVAL);
        assert_non_null(strstr(ng_error_msg(err), "node will refuse it"));
        ng_error_free(err);
        ng_tokens_free(&t);
    }
}

/* node stops reading NODE_OPTIONS at the first argument that is not an option, or "-". */
static void test_scan_stops_at_nonoption(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t stop;
        int64_t old;
    } cases[] = {
        {"--max-old-space-size=100 foo --max-old-space-size=200", 1, 100},
        {"foo --max-old-space-size=100", 0, -1},
        {"--max-old-space-size=100 - --max-old-space-size=200", 1, 100},
        {"--max-old-space-size= 3000", 1, -1},
        {"-r fs --max-http-header-size 16384 --max-old-space-size=5 1", 5, 5},
        {"--title \"a b\" --max-old-space-size=5", 3, 5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ng_tokens t = {0};
        ng_heap_flags f;
        assert_int_equal(ng_nodeopts_tokenize(cases[i].s, &t, NULL), 0);
        assert_int_equal(ng_nodeopts_scan(&t, &f, NULL), 0);
        assert_int_equal(f.stop, cases[i].stop);
        assert_int_equal(f.old_space_mib, cases[i].old);
        ng_tokens_free(&t);
    }
}

static void test_option_takes_value(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "-r", "--require", "--title", "--max-http-header-size", "--max_http_header_size",
        "--heapsnapshot-near-heap-limit", "--experimental-default-type", "--inspect-port", "-C", "-p",
        "--use-largepages", "--env-file",
        /* node 22's and 24's (node 20 refuses them) */
        "--localstorage-file", "--run", "--test-skip-pattern", "--test-rerun-failures", "--watch-kill-signal",
        "--experimental-config-file"};
    static const char *const no[] = {"--stack-trace-limit",
                                     "--max-old-space-size",
                                     "--require=x",
                                     "--inspect",
                                     "--no-warnings",
                                     "-",
                                     "app.js",
                                     "--title=x",
                                     "-max_http_header_size",
                                     "--experimental-default-config-file"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(ng_node_option_takes_value(yes[i]));
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(ng_node_option_takes_value(no[i]));
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
                          "\\--max-old-space-size=1", /* node's escape for a value with a dash */
                          "--max-old-space-size=200",
                          "app.js",
                          "--max-old-space-size=999"};
    ng_heap_flags f;
    assert_int_equal(ng_node_argv_scan(argv, 6, 1, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, 200); /* -r's value is a module name, not a flag */
    assert_int_equal(f.last_heap_index, 3);
    /* ... but one that starts with '-' is none: node exits ("-r requires an argument") */
    const char *argv_r[] = {"node", "-r", "--max-old-space-size=1", "app.js"};
    ng_error *err = NULL;
    assert_int_equal(ng_node_argv_scan(argv_r, 4, 1, &f, &err), -EINVAL);
    assert_non_null(strstr(ng_error_msg(err), "node will refuse it"));
    ng_error_free(err);
    /* "-p" before an option is --print of nothing */
    const char *argv_p[] = {"node", "-p", "--max-old-space-size=200", "app.js"};
    assert_int_equal(ng_node_argv_scan(argv_p, 4, 1, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, 200);
    const char *argv2[] = {"node", "--", "--max-old-space-size=5"};
    assert_int_equal(ng_node_argv_scan(argv2, 3, 1, &f, NULL), 0);
    assert_int_equal(f.n_heap_flags, 0);
    /* V8 takes one dash on the command line; an unlisted option's value is not the script */
    const char *argv3[] = {
        "node",  "--max-http-header-size", "16384", "-max-old-space-size=4096", "--max-heap-size=3000",
        "app.js"};
    assert_int_equal(ng_node_argv_scan(argv3, 6, 1, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, 4096);
    assert_int_equal(f.max_heap_mib, 3000);
    assert_int_equal(f.n_max_heap_flags, 1);
    /* node 22 and 24 read /data/ls as --localstorage-file's value, and the heap flag after it */
    const char *argv4[] = {"node", "--localstorage-file", "/data/ls", "--max-old-space-size=4096", "app.js"};
    assert_int_equal(ng_node_argv_scan(argv4, 5, 1, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, 4096);
    ng_tokens t = {0};
    assert_int_equal(ng_nodeopts_tokenize("--localstorage-file /data/ls --max-old-space-size=4096", &t, NULL),
                     0);
    assert_int_equal(ng_nodeopts_scan(&t, &f, NULL), 0);
    assert_int_equal(f.old_space_mib, 4096);
    assert_int_equal(f.stop, 3);
    ng_tokens_free(&t);
}

static void expect_set_heap(const char *orig, int64_t mib, const char *want)
{
    cleanup_free char *out = NULL;
    assert_int_equal(ng_nodeopts_set_heap(orig, mib, false, &out, NULL), 0);
    assert_string_equal(out, want);
}

static void expect_set_heap_drop_semi(const char *orig, int64_t mib, const char *want)
{
    cleanup_free char *out = NULL;
    assert_int_equal(ng_nodeopts_set_heap(orig, mib, true, &out, NULL), 0);
    assert_string_equal(out, want);
}

static void expect_add_semi(const char *orig, int64_t mib, const char *want)
{
    cleanup_free char *out = NULL;
    assert_int_equal(ng_nodeopts_add_semi_space(orig, mib, &out, NULL), 0);
    assert_string_equal(out, want);
}

/* Beside the heap flag node reads, else at the end, else before where node stops reading. */
static void test_add_semi_space(void **state)
{
    (void)state;
    expect_add_semi("", 1, "--max-semi-space-size=1");
    expect_add_semi("--max-old-space-size=390", 1, "--max-old-space-size=390 --max-semi-space-size=1");
    expect_add_semi("--max-old-space-size=\"390\" --title=\"a b\"", 4,
                    "--max-old-space-size=\"390\" --max-semi-space-size=4 --title=\"a b\"");
    expect_add_semi("--title=x", 8, "--title=x --max-semi-space-size=8");
    expect_add_semi("--x app.js", 2, "--x --max-semi-space-size=2 app.js");
    cleanup_free char *out = NULL;
    assert_true(ng_nodeopts_add_semi_space("--title=\"open", 1, &out, NULL) < 0);
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
    expect_set_heap("--max-old-space-size=0", 5, "--max-old-space-size=5");
    expect_set_heap("--max-old-space-size=-1 --x", 5, "--max-old-space-size=5 --x");
    /* where node stops reading: before that token, and nothing after it changes */
    expect_set_heap("foo", 5, "--max-old-space-size=5 foo");
    expect_set_heap(" --x app.js --max-old-space-size=9000", 5,
                    " --x --max-old-space-size=5 app.js --max-old-space-size=9000");
    expect_set_heap("--a=1 --max-old-space-size=900 1 --max-old-space-size=9000", 5,
                    "--a=1 --max-old-space-size=5 1 --max-old-space-size=9000");
    expect_set_heap("-r fs \"x y\"", 5, "-r fs --max-old-space-size=5 \"x y\"");
    expect_set_heap_drop_semi("--max-semi-space-size=512 --x", 5, "--x --max-old-space-size=5");
    expect_set_heap_drop_semi("--max-semi-space-size=512 --max-old-space-size=900", 5,
                              "--max-old-space-size=5");
    expect_set_heap_drop_semi("--x --max_semi_space_size=512", 5, "--x --max-old-space-size=5");
    cleanup_free char *out = NULL;
    ng_error *err = NULL;
    assert_int_equal(ng_nodeopts_set_heap("--title=\"x", 10, false, &out, &err), -EINVAL);
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
        ng_heap_flags fb, fa;
        assert_int_equal(ng_nodeopts_tokenize(s, &before, NULL), 0);
        assert_int_equal(ng_nodeopts_scan(&before, &fb, NULL), 0);
        cleanup_free char *out = NULL;
        assert_int_equal(ng_nodeopts_set_heap(s, 77, false, &out, NULL), 0);
        assert_int_equal(ng_nodeopts_tokenize(out, &after, NULL), 0);
        assert_int_equal(ng_nodeopts_scan(&after, &fa, NULL), 0);
        assert_int_equal(fa.old_space_mib, 77);
        size_t j = 0, heap_flags = 0;
        for (size_t i = 0; i < after.n; i++) {
            ng_heap_flag h;
            if (i < fa.stop && ng_heap_flag_parse(after.items[i].value, &h, NULL) == 1 &&
                h.kind != NG_FLAG_SEMI_SPACE) {
                heap_flags++;
                assert_int_equal(h.mib, 77);
                continue;
            }
            while (j < fb.stop && ng_heap_flag_parse(before.items[j].value, &h, NULL) == 1 &&
                   h.kind != NG_FLAG_SEMI_SPACE)
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
        cmocka_unit_test(test_heap_flag_values_as_v8_reads_them),
        cmocka_unit_test(test_scan_values_as_node_applies_them),
        cmocka_unit_test(test_scan_refused_in_node_options),
        cmocka_unit_test(test_scan_stops_at_nonoption),
        cmocka_unit_test(test_option_takes_value),
        cmocka_unit_test(test_scan_last_wins),
        cmocka_unit_test(test_argv_scan_stops_at_script),
        cmocka_unit_test(test_set_heap),
        cmocka_unit_test(test_add_semi_space),
        cmocka_unit_test(test_round_trip_property),
        cmocka_unit_test(test_set_heap_preserves_other_args),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests_name("nodeopts", tests, NULL, NULL);
}
