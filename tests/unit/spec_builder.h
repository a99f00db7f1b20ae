/* Builds an ng_spec from a compact description, for the suites that need specs. */
#ifndef NODEGUARD_TEST_SPEC_BUILDER_H
#define NODEGUARD_TEST_SPEC_BUILDER_H

#include <stdio.h>
#include <string.h>
#include "nodeguard/decide.h"
#include "nodeguard/spec.h"

/* args_json, env_json: JSON arrays; ann_json: object or NULL; limit in MiB (0: none). */
static inline ng_spec build_spec(const char *args_json, const char *env_json, const char *ann_json,
                                 long long limit_mib)
{
    static char buf[16384];
    char mem[128] = "";
    if (limit_mib)
        snprintf(mem, sizeof(mem), ",\"linux\":{\"resources\":{\"memory\":{\"limit\":%lld}}}",
                 limit_mib * 1048576LL);
    snprintf(buf, sizeof(buf),
             "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":%s,\"env\":%s}%s%s%s,\"hostname\":\"h1\"}",
             args_json, env_json, ann_json ? ",\"annotations\":" : "", ann_json ? ann_json : "", mem);
    ng_spec s = {0};
    ng_error *err = NULL;
    if (ng_spec_parse(buf, strlen(buf), &s, &err) < 0) {
        fprintf(stderr, "build_spec: %s\n%s\n", ng_error_msg(err), buf);
        ng_error_free(err);
    }
    return s;
}

/* The value the decision gives NAME in the new env, or NULL. */
static inline const char *decision_env(const ng_decision *d, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < d->n_new_env; i++)
        if (strncmp(d->new_env[i], name, n) == 0 && d->new_env[i][n] == '=')
            return d->new_env[i] + n + 1;
    return NULL;
}

#endif
