#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/diag.h"

static ng_diag_sink current_sink;

void ng_diag_set_sink(ng_diag_sink sink)
{
    current_sink = sink;
}

void ng_diag(const char *fmt, ...)
{
    if (!current_sink)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    current_sink(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

void ng_diag_text(const char *prefix, const char *text, size_t len)
{
    if (!current_sink)
        return;
    size_t plen = strlen(prefix);
    char *line = malloc(plen + len + 1);
    if (!line)
        return;
    memcpy(line, prefix, plen);
    memcpy(line + plen, text, len);
    line[plen + len] = '\0';
    current_sink(line, plen + len);
    free(line);
}
