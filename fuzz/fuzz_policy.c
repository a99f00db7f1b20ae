/* The policy file, and the per-container annotations through a spec. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/policy.h"
#include "nodeguard/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    ng_policy p;
    ng_policy_defaults(&p);
    ng_policy_parse(&p, buf, size, NULL);
    ng_policy_free(&p);
    /* the same bytes as annotations: {"process":{"args":["node"]},"annotations": <input>} */
    const char *pre = "{\"process\":{\"args\":[\"node\"]},\"annotations\":";
    size_t n = strlen(pre);
    char *spec_text = malloc(n + size + 2);
    memcpy(spec_text, pre, n);
    memcpy(spec_text + n, buf, size);
    spec_text[n + size] = '}';
    spec_text[n + size + 1] = '\0';
    ng_spec spec;
    if (ng_spec_parse(spec_text, n + size + 1, &spec, NULL) == 0) {
        ng_overrides o;
        ng_warnings w = {0};
        ng_overrides_from_spec(&spec, &o, &w);
        ng_warnings_free(&w);
        ng_spec_free(&spec);
    }
    free(spec_text);
    free(buf);
    return 0;
}
