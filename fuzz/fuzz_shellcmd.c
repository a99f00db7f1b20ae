/* sh -c scripts: the parser on any input, with its promises as assertions: every word's span lies in
 * the script and follows the one before, and a word quoted by ng_shell_quote and put back in its
 * place parses to the same words with that one's value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/shellcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    ng_shell_script sc = {0};
    if (strlen(s) != size || ng_shell_parse(s, &sc, NULL) < 0) {
        free(s);
        return 0;
    }
    size_t last = 0, n = 0;
    const ng_shell_word *first = NULL;
    for (size_t i = 0; i < sc.n_commands; i++)
        for (size_t w = 0; w < sc.commands[i].n_words; w++) {
            const ng_shell_word *word = &sc.commands[i].words[w];
            if (word->start < last || word->end <= word->start || word->end > size)
                abort();
            last = word->end;
            n++;
            if (!first && w >= sc.commands[i].n_assignments)
                first = word;
        }
    if (first) { /* replace the first command word by a quoted value with every special byte */
        char *q = ng_shell_quote("a b'\"$`\\*?[~;&|()<>#\n");
        size_t len = first->start + strlen(q) + size - first->end;
        char *t = malloc(len + 1);
        memcpy(t, s, first->start);
        strcpy(t + first->start, q);
        strcat(t, s + first->end);
        ng_shell_script again = {0};
        if (ng_shell_parse(t, &again, NULL) < 0)
            abort();
        size_t m = 0;
        for (size_t i = 0; i < again.n_commands; i++)
            m += again.commands[i].n_words;
        if (m != n)
            abort();
        ng_shell_script_free(&again);
        free(t);
        free(q);
    }
    ng_shell_script_free(&sc);
    free(s);
    return 0;
}
