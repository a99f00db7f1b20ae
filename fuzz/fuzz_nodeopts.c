/* NODE_OPTIONS: tokenizer, heap scan and rewriter, with the round trip as an assertion: the rewrite
 * keeps every other argument and leaves exactly one heap flag; join then tokenize is the identity. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/nodeopts.h"

static bool is_heap(const char *arg)
{
    ng_heap_flag h;
    return ng_heap_flag_parse(arg, &h, NULL) == 1 &&
           (h.kind == NG_FLAG_OLD_SPACE || h.kind == NG_FLAG_OLD_SPACE_PERCENT);
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
        ng_heap_flags fb, fa;
        if (ng_nodeopts_scan(&before, &fb, NULL) == 0 &&
            ng_nodeopts_set_heap(s, 77, false, &out, NULL) == 0) {
            /* only what node reads (up to its stop) changes */
            ng_tokens after = {0};
            if (ng_nodeopts_tokenize(out, &after, NULL) != 0 || ng_nodeopts_scan(&after, &fa, NULL) != 0 ||
                fa.old_space_mib != 77)
                abort();
            size_t j = 0, heap = 0;
            for (size_t i = 0; i < after.n; i++) {
                if (i < fa.stop && is_heap(after.items[i].value)) {
                    heap++;
                    continue;
                }
                while (j < fb.stop && is_heap(before.items[j].value))
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
