#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/shellcmd.h"

/* The words of every command, '|' between commands, '=' marking the end of the assignments. */
static char *flatten(const char *script)
{
    ng_shell_script sc = {0};
    assert_int_equal(ng_shell_parse(script, &sc, NULL), 0);
    char *out = calloc(1, strlen(script) * 2 + 64);
    for (size_t i = 0; i < sc.n_commands; i++) {
        const ng_shell_command *c = &sc.commands[i];
        if (i)
            strcat(out, " |");
        for (size_t w = 0; w < c->n_words; w++) {
            strcat(out, " <");
            strcat(out, c->words[w].value);
            strcat(out, w + 1 == c->n_assignments ? ">=" : ">");
            /* the span is the word as written, inside the script */
            assert_true(c->words[w].end > c->words[w].start);
            assert_true(c->words[w].end <= strlen(script));
        }
    }
    ng_shell_script_free(&sc);
    return out;
}

static void expect_words(const char *script, const char *want)
{
    char *got = flatten(script);
    assert_string_equal(got, want);
    free(got);
}

/* Words as sh splits them (checked with dash and bash): quotes, backslashes, assignments,
 * separators and redirections. */
static void test_words(void **state)
{
    (void)state;
    expect_words("exec node --max-old-space-size=4096 server.js",
                 " <exec> <node> <--max-old-space-size=4096> <server.js>");
    expect_words("cd /app && PORT=80 NODE_OPTIONS='-r fs' exec node a.js",
                 " <cd> </app> | <PORT=80> <NODE_OPTIONS=-r fs>= <exec> <node> <a.js>");
    expect_words("node --title \"a \\\"b\\\" \\\\c\" x\\ y 'it'\\''s' \"\"",
                 " <node> <--title> <a \"b\" \\c> <x y> <it's> <>");
    expect_words("node a.js 2>&1 >/dev/null </dev/null 3> log", " <node> <a.js>");
    expect_words("node a.js; node b.js & node c.js | cat\nnode d.js || true",
                 " <node> <a.js> | <node> <b.js> | <node> <c.js> | <cat> | <node> <d.js> | <true>");
    expect_words("# comment\n  node a#b.js # the rest\\\n", " <node> <a#b.js>");
    expect_words("no\\\nde a.js", " <node> <a.js>"); /* a line continuation joins the word */
    expect_words("\"A\"=1 node", " <A=1> <node>");   /* a quoted name is not an assignment */
    expect_words("A=1 B=2", " <A=1> <B=2>=");
    expect_words("", "");
    expect_words("node a\\", " <node> <a\\>"); /* a trailing backslash is itself (found by fuzz_shellcmd) */
}

/* What depends on the shell's state, or is not a simple command, is refused. */
static void test_refusals(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "node $APP",
        "node \"$APP\"",
        "node `cat f`",
        "node $(cat f)",
        "node *.js",
        "node a?.js",
        "node [ab].js",
        "node ~/a.js",
        "(node a.js)",
        "if true; then node a.js; fi",
        "{ node a.js; }",
        "! node a.js",
        "node 'a.js",
        "node \"a.js",
        "cat <<EOF\nx\nEOF",
        "case x in x) ;; esac",
        "&& node a.js",
        "node a.js >",
        "for i in 1; do node; done",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        ng_shell_script sc = {0};
        cleanup_error ng_error *e = NULL;
        assert_int_equal(ng_shell_parse(refused[i], &sc, &e), -EINVAL);
        assert_non_null(e);
        assert_int_equal(sc.n_commands, 0);
    }
    /* Reserved words only count in command position, unquoted. */
    expect_words("node if.js do", " <node> <if.js> <do>");
    expect_words("'if' a", " <if> <a>");
}

static void test_bounds(void **state)
{
    (void)state;
    size_t n = NG_SHELL_MAX_LEN + 1;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    big[n] = '\0';
    ng_shell_script sc = {0};
    assert_int_equal(ng_shell_parse(big, &sc, NULL), -E2BIG);
    for (size_t i = 0; i < n; i += 2)
        big[i] = ' ';
    big[NG_SHELL_MAX_LEN - 1] = '\0'; /* 32767 one-letter words: more than NG_SHELL_MAX_WORDS */
    assert_int_equal(ng_shell_parse(big, &sc, NULL), -E2BIG);
    free(big);
}

static void test_quote_round_trips(void **state)
{
    (void)state;
    static const char *const values[] = {
        "", "plain", "a b", "it's", "''", "\"$x\" `y` \\z", "--title=\"a b\""};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        cleanup_free char *q = ng_shell_quote(values[i]);
        ng_shell_script sc = {0};
        assert_int_equal(ng_shell_parse(q, &sc, NULL), 0);
        assert_int_equal(sc.n_commands, 1);
        assert_int_equal(sc.commands[0].n_words, 1);
        assert_string_equal(sc.commands[0].words[0].value, values[i]);
        ng_shell_script_free(&sc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_quote_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
