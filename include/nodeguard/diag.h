/* Diagnostics: the one way library code says something to a person. The library never writes to
 * stderr itself; it hands each message, one line, to the sink its program installed (the mains
 * write it to stderr; tests may collect it). With no sink installed, messages are dropped. */
#ifndef NODEGUARD_DIAG_H
#define NODEGUARD_DIAG_H

#include <stddef.h>

/* Receives one message line without its newline; called as often as there are messages. */
typedef void (*ng_diag_sink)(const char *line, size_t len);

void ng_diag_set_sink(ng_diag_sink sink);

/* One line, formatted and cut at 1 KiB. */
void ng_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* prefix followed by len bytes of text, whole however long (a log record that had nowhere else to go). */
void ng_diag_text(const char *prefix, const char *text, size_t len);

#endif
