/* Any text as /etc/containerd/config.toml through doctor's line reader: every string it keeps is
 * terminated within its field, and "too complex" or a result, never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/containerd_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    ng_ctrd_conf *c = malloc(sizeof(*c));
    ng_ctrd_conf_scan(buf, size, c);
    if (c->n_handlers > NG_CTRD_MAX_HANDLERS ||
        strnlen(c->too_complex, sizeof(c->too_complex)) == sizeof(c->too_complex))
        abort();
    for (size_t i = 0; i < c->n_handlers; i++)
        if (strnlen(c->handlers[i].binary_name, NG_CTRD_VALUE_MAX) == NG_CTRD_VALUE_MAX)
            abort();
    free(c);
    free(buf);
    return 0;
}
