/* The log reader: one line into an entry, through the filters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/logreader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ng_log_entry e;
    if (ng_log_entry_parse((const char *)data, size, &e) == 0) {
        ng_log_filter f = {.container = "abc", .events = "oom_kill,decision", .pod = "ns/p", .since_ms = 1};
        ng_log_filter_match(&f, &e);
        if (e.used > sizeof(e.strings))
            abort();
    }
    int64_t ms;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    ng_parse_when(s, 0, &ms);
    free(s);
    return 0;
}
