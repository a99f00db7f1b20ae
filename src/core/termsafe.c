/* Text for the terminal (include/nodeguard/termsafe.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/termsafe.h"

size_t ng_utf8_decode(const unsigned char *s, size_t avail, uint32_t *ret_cp)
{
    if (avail == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *ret_cp = c;
        return 1;
    }
    size_t n;
    uint32_t cp;
    /* C0 and C1 would only start overlong forms of ASCII; F5-FF cannot start anything. */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *ret_cp = cp;
    return n;
}

/* Characters a terminal acts on or a reader cannot see, though valid UTF-8: C1 controls (0x9B is
 * CSI to some terminals), the bidi controls that reorder what follows (a name that reads backwards),
 * the separators some terminals and viewers break lines at, and invisible ones that make two
 * different names look alike. */
static bool hidden(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200B || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x2028 && cp <= 0x202E) || cp == 0x2060 || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
           (cp >= 0xE0000 && cp <= 0xE007F);
}

/* Two columns for the East Asian wide and fullwidth blocks (CJK, Hangul, fullwidth forms, emoji), one
 * for the rest: close enough to wcwidth() to align a table, without depending on the locale. */
static size_t columns(uint32_t cp)
{
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F}, {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},
        {0xA000, 0xA4CF}, {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},
        {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

char *ng_term_escape(const char *s, size_t len, size_t max_cols, size_t *ret_cols)
{
    /* The longest escape, \xNN, is four bytes for one byte of input. */
    if (len > (SIZE_MAX - 1) / 4)
        abort();
    char *out = malloc(len * 4 + 1);
    if (!out)
        abort();
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, cols = 0;
    for (size_t i = 0; i < len;) {
        char esc[16];
        size_t n, w;
        uint32_t cp;
        size_t seq = ng_utf8_decode(u + i, len - i, &cp);
        if (seq == 0) {
            n = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", u[i]);
            seq = 1;
            w = n;
        } else if (cp < 0x20 || cp == 0x7F) {
            const char *named = cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : cp == '\t' ? "\\t" : NULL;
            n = named ? (size_t)snprintf(esc, sizeof(esc), "%s", named)
                      : (size_t)snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)cp);
            w = n;
        } else if (hidden(cp)) {
            n = (size_t)snprintf(esc, sizeof(esc), cp > 0xFFFF ? "\\U%08x" : "\\u%04x", (unsigned)cp);
            w = n;
        } else {
            n = 0; /* copied as it is */
            w = columns(cp);
        }
        if (max_cols != SIZE_MAX && cols + w > max_cols)
            break;
        if (n)
            memcpy(out + o, esc, n);
        else
            memcpy(out + o, u + i, seq);
        o += n ? n : seq;
        cols += w;
        i += seq;
    }
    out[o] = '\0';
    if (ret_cols)
        *ret_cols = cols;
    return out;
}
