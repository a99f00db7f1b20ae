/* The runtime state a hook reads on stdin. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    ng_state st;
    if (ng_state_parse(buf, size, &st, NULL) == 0)
        ng_state_free(&st);
    free(buf);
    return 0;
}
