/* Text a container controls, made safe to show to a person. Container names, images, annotations,
 * NODE_OPTIONS and messages quoting them reach the operator's terminal through the CLI's tables and
 * the hooks' stderr (which runc and podman show); a raw ESC, CR or newline there could recolour,
 * overwrite or forge lines, and bidi controls could make a name read backwards. Every such character
 * is shown as an escape instead; other text, non-ASCII included, is left as it is. Pure: no I/O. */
#ifndef NODEGUARD_TERMSAFE_H
#define NODEGUARD_TERMSAFE_H

#include <stddef.h>
#include <stdint.h>

/* The code point of the valid UTF-8 sequence at s and its length (1-4); 0 when the bytes there are
 * not valid UTF-8 (a stray continuation byte, an overlong form, a surrogate, above U+10FFFF, or a
 * sequence cut short by avail). */
size_t ng_utf8_decode(const unsigned char *s, size_t avail, uint32_t *ret_cp);

/* The len bytes at s as a new NUL-terminated string in which
 *   C0 controls and DEL        are \n, \r, \t or \xNN (\x1b, \x07, \x7f, \x00),
 *   C1 controls U+0080-U+009F  are \u0080 ... \u009f,
 *   bidi, line-separating and invisible formatting characters (U+061C, U+200B, U+200E, U+200F,
 *   U+2028-U+202E, U+2060, U+2066-U+2069, U+FEFF, the tags U+E0000-U+E007F) are \u202e, \U000e0041,
 *   each byte of invalid UTF-8 is \xNN (\xff, \xc0\xaf),
 * and everything else is copied, a backslash included (the JSON outputs have the exact bytes).
 * With max_cols other than SIZE_MAX, the result is cut before the first character or escape that
 * would take it past max_cols terminal columns (an escape is never cut in two). *ret_cols, when not
 * NULL, receives the columns the result takes: one per character, two for East Asian wide ones.
 * s may be NULL when len is 0. Aborts when out of memory, as the JSON generator does. */
char *ng_term_escape(const char *s, size_t len, size_t max_cols, size_t *ret_cols);

#endif
