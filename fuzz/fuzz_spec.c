/* The config reader and the whole precreate transformation: parse, decide, write the new config,
 * and the rewritten config must parse again and decide the same way (idempotence). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/decide.h"
#include "nodeguard/json.h"
#include "nodeguard/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    ng_spec spec;
    if (ng_spec_parse(buf, size, &spec, NULL) == 0) {
        ng_policy pol;
        ng_policy_defaults(&pol);
        ng_decision d, again;
        ng_decide(&pol, &spec, true, &d);
        ng_decide(&pol, &spec, false, &again);
        ng_decision_free(&again);
        if (d.env_changed || d.args_changed) {
            yajl_gen g = ng_gen_new();
            if (ng_decision_gen_config(&d, &spec, g, NULL) == 0) {
                const unsigned char *out;
                size_t len;
                yajl_gen_get_buf(g, &out, &len);
                ng_spec spec2;
                if (ng_spec_parse((const char *)out, len, &spec2, NULL) != 0)
                    abort(); /* nodeguard wrote a config it cannot read back */
                ng_decision d2;
                ng_decide(&pol, &spec2, true, &d2);
                if (d2.action == NG_ACTION_INJECTED || d2.action == NG_ACTION_LOWERED)
                    abort(); /* a rewritten config must already fit */
                if (d2.env_changed || d2.args_changed)
                    abort(); /* and need no further rewrite */
                ng_decision_free(&d2);
                ng_spec_free(&spec2);
            }
            yajl_gen_free(g);
        }
        yajl_gen g = ng_gen_new();
        yajl_gen_map_open(g);
        ng_decision_gen_fields(&d, &spec, g, NULL);
        yajl_gen_free(g);
        ng_decision_free(&d);
        ng_policy_free(&pol);
        ng_spec_free(&spec);
    }
    free(buf);
    return 0;
}
