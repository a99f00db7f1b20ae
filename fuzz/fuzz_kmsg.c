/* One /dev/kmsg record through the OOM line parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    ng_kmsg_oom o;
    int kind = ng_kmsg_parse(buf, size, &o);
    if (kind > 0 && (strlen(o.task) >= sizeof(o.task) || strlen(o.oom_memcg) >= sizeof(o.oom_memcg)))
        abort();
    free(buf);
    return 0;
}
