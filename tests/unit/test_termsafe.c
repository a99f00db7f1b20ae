/* ng_term_escape: every character a terminal acts on or hides is shown as an escape, everything else
 * is left alone, and a cut never splits a character or an escape. */
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/termsafe.h"

/* The escaped form of len bytes, whole; *ret_cols when not NULL. */
static char *esc_cols(const char *s, size_t len, size_t *ret_cols)
{
    return ng_term_escape(s, len, SIZE_MAX, ret_cols);
}

#define ASSERT_ESC(in, want)                                                                                 \
    do {                                                                                                     \
        char *got_ = esc_cols(in, sizeof(in) - 1, NULL);                                                     \
        assert_string_equal(got_, want);                                                                     \
        free(got_);                                                                                          \
    } while (0)

/* Nothing a person cannot read may be left: no C0, DEL, C1, bidi or invalid UTF-8 in the output. */
static void assert_clean(const char *out)
{
    const unsigned char *u = (const unsigned char *)out;
    size_t len = strlen(out);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = ng_utf8_decode(u + i, len - i, &cp);
        assert_true(n > 0);
        assert_true(cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F));
        assert_true(!(cp >= 0x202A && cp <= 0x202E) && !(cp >= 0x2066 && cp <= 0x2069));
        i += n;
    }
}

static void test_c0_and_del(void **state)
{
    (void)state;
    ASSERT_ESC("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
    ASSERT_ESC("a\nb\rc\td", "a\\nb\\rc\\td");
    ASSERT_ESC("bell\x07", "bell\\x07");
    ASSERT_ESC("\x01\x08\x0b\x0c\x1f", "\\x01\\x08\\x0b\\x0c\\x1f");
    ASSERT_ESC("del\x7f", "del\\x7f");
    ASSERT_ESC("nul\0after", "nul\\x00after"); /* with a length, a NUL is one more byte to show */
    /* The boundaries: 0x20 and 0x7e are printable. */
    ASSERT_ESC(" ~", " ~");
    for (int c = 0; c < 0x20; c++) {
        char in[1] = {(char)c};
        char *out = esc_cols(in, 1, NULL);
        assert_int_equal(out[0], '\\');
        assert_clean(out);
        free(out);
    }
}

static void test_c1(void **state)
{
    (void)state;
    ASSERT_ESC("\xc2\x80", "\\u0080");
    ASSERT_ESC("csi\xc2\x9b"
               "2J",
               "csi\\u009b2J");
    ASSERT_ESC("\xc2\x9f", "\\u009f");
    ASSERT_ESC("\xc2\xa0\xc2\xa9", "\xc2\xa0\xc2\xa9"); /* U+00A0 and U+00A9 are past C1: kept */
    ASSERT_ESC("\xc2\x85", "\\u0085");                  /* NEL, a line break to some terminals */
}

static void test_bidi_and_invisible(void **state)
{
    (void)state;
    ASSERT_ESC("evil\xe2\x80\xae"
               "gpj.exe",
               "evil\\u202egpj.exe");
    ASSERT_ESC("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\\u202a\\u202b\\u202c\\u202d");
    ASSERT_ESC("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "\\u2066\\u2067\\u2068\\u2069");
    ASSERT_ESC("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c");
    ASSERT_ESC("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029");
    ASSERT_ESC("a\xe2\x80\x8b"
               "b\xe2\x81\xa0"
               "c\xef\xbb\xbf",
               "a\\u200bb\\u2060c\\ufeff");
    ASSERT_ESC("\xf3\xa0\x81\x81", "\\U000e0041"); /* a tag character, invisible */
    /* Neighbours that are ordinary text: U+2065 is unassigned, U+202F a narrow no-break space,
     * U+200C/U+200D (ZWNJ, ZWJ) are needed by Persian and Indic scripts and emoji. */
    ASSERT_ESC("\xe2\x80\xaf\xe2\x80\x8c\xe2\x80\x8d", "\xe2\x80\xaf\xe2\x80\x8c\xe2\x80\x8d");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    ASSERT_ESC("\xff\xfe", "\\xff\\xfe");
    ASSERT_ESC("\xc0\xaf", "\\xc0\\xaf");                   /* overlong '/' */
    ASSERT_ESC("\xe0\x80\xaf", "\\xe0\\x80\\xaf");          /* overlong, three bytes */
    ASSERT_ESC("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"); /* overlong, four bytes */
    ASSERT_ESC("\xc1\xbf", "\\xc1\\xbf");                   /* overlong DEL */
    ASSERT_ESC("\xed\xa0\x80", "\\xed\\xa0\\x80");          /* a UTF-16 surrogate */
    ASSERT_ESC("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
    ASSERT_ESC("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
    ASSERT_ESC("\x80x", "\\x80x");                             /* a stray continuation byte */
    ASSERT_ESC("ab\xe2\x80", "ab\\xe2\\x80");                  /* cut short at the end */
    ASSERT_ESC("\xe2\x80z\xe2\x80\xae", "\\xe2\\x80z\\u202e"); /* cut short, then resynchronised */
    ASSERT_ESC("\xc2", "\\xc2");
    /* The largest valid code points of each length are kept. */
    ASSERT_ESC("\x7e\xdf\xbf\xef\xbf\xbd\xf4\x8f\xbf\xbf", "\x7e\xdf\xbf\xef\xbf\xbd\xf4\x8f\xbf\xbf");
}

static void test_text_unchanged(void **state)
{
    (void)state;
    const char *kept[] = {
        "",
        "web-1",
        "docker.io/library/node:20-alpine",
        "--max-old-space-size=2048 --title=\"dev server\"",
        "caf\xc3\xa9",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",     /* 日本語 */
        "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",         /* Hebrew: right to left by itself, no control */
        "\xf0\x9f\x9a\x80 rocket",                  /* emoji, four bytes */
        "back\\slash \\x1b is text, not an escape", /* a backslash is copied */
    };
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        char *out = esc_cols(kept[i], strlen(kept[i]), NULL);
        assert_string_equal(out, kept[i]);
        free(out);
    }
    char *out = ng_term_escape(NULL, 0, SIZE_MAX, NULL);
    assert_string_equal(out, "");
    free(out);
}

static void test_columns_and_cut(void **state)
{
    (void)state;
    size_t cols;
    char *out = esc_cols("caf\xc3\xa9", 5, &cols);
    assert_int_equal(cols, 4);
    free(out);
    out = esc_cols("\xe6\x97\xa5\xe6\x9c\xac", 6, &cols);
    assert_int_equal(cols, 4); /* two wide characters */
    free(out);
    out = esc_cols("a\x1b", 2, &cols);
    assert_int_equal(cols, 5); /* the escape is as wide as it is written */
    free(out);

    /* A cut keeps whole characters and whole escapes. */
    out = ng_term_escape("caf\xc3\xa9-au-lait", 13, 4, &cols);
    assert_string_equal(out, "caf\xc3\xa9");
    assert_int_equal(cols, 4);
    free(out);
    out = ng_term_escape("ab\x1b[2J", 6, 4, &cols);
    assert_string_equal(out, "ab"); /* \x1b would take it to 6 */
    assert_int_equal(cols, 2);
    free(out);
    out = ng_term_escape("ab\x1b[2J", 6, 6, &cols);
    assert_string_equal(out, "ab\\x1b");
    free(out);
    out = ng_term_escape("\xe6\x97\xa5\xe6\x9c\xac", 6, 3, &cols);
    assert_string_equal(out, "\xe6\x97\xa5"); /* the second wide character would need columns 4-5 */
    assert_int_equal(cols, 2);
    free(out);
    out = ng_term_escape("abc", 3, 0, &cols);
    assert_string_equal(out, "");
    assert_int_equal(cols, 0);
    free(out);
}

/* Long and random input: never more than four bytes out per byte in, nothing raw left, the same
 * result however the input is cut into columns. */
static void test_long_and_random(void **state)
{
    (void)state;
    size_t len = 1 << 20;
    char *in = malloc(len);
    assert_non_null(in);
    uint64_t seed = 12;
    for (size_t i = 0; i < len; i++)
        in[i] = (char)test_rand(&seed);
    size_t cols;
    char *out = esc_cols(in, len, &cols);
    assert_true(strlen(out) <= len * 4);
    assert_clean(out);
    size_t cut_cols;
    char *cut = ng_term_escape(in, len, 1000, &cut_cols);
    assert_true(cut_cols <= 1000 && cut_cols >= 1000 - 3); /* short only by what the next escape needs */
    assert_memory_equal(cut, out, strlen(cut));
    free(cut);
    free(out);
    memset(in, 0xff, len); /* the worst case: every byte an escape */
    out = esc_cols(in, len, &cols);
    assert_int_equal(strlen(out), len * 4);
    assert_int_equal(cols, len * 4);
    free(out);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c0_and_del),         cmocka_unit_test(test_c1),
        cmocka_unit_test(test_bidi_and_invisible), cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_text_unchanged),     cmocka_unit_test(test_columns_and_cut),
        cmocka_unit_test(test_long_and_random),
    };
    return cmocka_run_group_tests_name("termsafe", tests, NULL, NULL);
}
