#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "show.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/policy.h"
#include "nodeguard/termsafe.h"

char *cli_shown(const char *s)
{
    return ng_term_escape(s, s ? strlen(s) : 0, SIZE_MAX, NULL);
}

void cli_cell(FILE *f, const char *s, size_t cut, size_t width)
{
    size_t cols;
    cleanup_free char *shown = ng_term_escape(s, s ? strlen(s) : 0, cut, &cols);
    fputs(shown, f);
    for (; cols < width; cols++)
        fputc(' ', f);
}

void cli_show_policy_warnings(const struct ng_policy *pol)
{
    for (size_t i = 0; i < pol->warnings.n; i++) {
        cleanup_free char *shown = cli_shown(pol->warnings.items[i]);
        fprintf(stderr, "nodeguard: policy: %s\n", shown);
    }
}
