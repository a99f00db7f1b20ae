/* NODE_OPTIONS: tokenizer, heap scan and rewriter, with the round trip as an assertion: the rewrite
 * keeps every other argument and leaves exactly one heap flag; join then tokenize is the identity. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/nodeopts.h"

static bool is_heap(const char *arg)
{
    ng_flag_kind k;
    double v;
    return ng_heap_flag_parse(arg, &k, &v, NULL) == 1 && k != NG_FLAG_SEMI_SPACE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    if (strlen(s) != size) { /* an env value cannot hold NUL */
        free(s);
        return 0;
    }
    ng_tokens before = {0};
    if (ng_nodeopts_tokenize(s, &before, NULL) == 0) {
        char *out = NULL;
        if (ng_nodeopts_set_heap(s, 77, &out, NULL) == 0) {
            ng_tokens after = {0};
            if (ng_nodeopts_tokenize(out, &after, NULL) != 0)
                abort();
            size_t j = 0, heap = 0;
            for (size_t i = 0; i < after.n; i++) {
                if (is_heap(after.items[i].value)) {
                    heap++;
                    continue;
                }
                while (j < before.n && is_heap(before.items[j].value))
                    j++;
                if (j >= before.n || strcmp(after.items[i].value, before.items[j].value) != 0)
                    abort();
                j++;
            }
            if (heap != 1)
                abort();
            ng_tokens_free(&after);
            free(out);
        }
        /* join(tokens) tokenizes back to the same list */
        const char **args = calloc(before.n + 1, sizeof(*args));
        for (size_t i = 0; i < before.n; i++)
            args[i] = before.items[i].value;
        char *joined = NULL;
        if (ng_nodeopts_join(args, before.n, &joined, NULL) == 0) {
            ng_tokens again = {0};
            if (ng_nodeopts_tokenize(joined, &again, NULL) != 0 || again.n != before.n)
                abort();
            for (size_t i = 0; i < before.n; i++)
                if (strcmp(again.items[i].value, before.items[i].value) != 0)
                    abort();
            ng_tokens_free(&again);
            free(joined);
        }
        free(args);
        ng_tokens_free(&before);
    }
    free(s);
    return 0;
}
