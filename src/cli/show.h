/* How the CLI shows text it did not write itself (container names, images, pods, flag text, messages
 * quoting them, paths) to a person: through ng_term_escape, so nothing a container controls reaches
 * the terminal raw. --json output is not shown this way: it keeps the exact value. */
#ifndef NODEGUARD_CLI_SHOW_H
#define NODEGUARD_CLI_SHOW_H

#include <stddef.h>
#include <stdio.h>

/* s escaped, whole, newly allocated ("" for NULL). */
char *cli_shown(const char *s);

/* One column of a table: s escaped, cut to at most cut terminal columns (SIZE_MAX: never), then
 * padded with spaces to width columns. Widths count what the terminal shows, escapes included. */
void cli_cell(FILE *f, const char *s, size_t cut, size_t width);

/* The policy's warnings on stderr, one line each ("nodeguard: policy: ..."): they quote its keys. */
struct ng_policy;
void cli_show_policy_warnings(const struct ng_policy *pol);

#endif
