/* The doctor's report: a bounded list of checks, and its JSON form. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/doctor.h"
#include "nodeguard/json.h"

static const char *const status_names[] = {"ok", "warn", "FAIL"};

const char *ng_doctor_status_name(ng_doctor_status s)
{
    return (unsigned)s < 3 ? status_names[s] : "unknown";
}

static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    return s;
}

ng_doctor_check *ng_doctor_add(ng_doctor_report *r, const char *area, ng_doctor_status status,
                               const char *fmt, ...)
{
    if (r->n == NG_DOCTOR_MAX_CHECKS) {
        /* A failure past the limit must still make the run fail: counted, not shown. */
        r->dropped++;
        r->dropped_failures += status == NG_DOCTOR_FAIL;
        return NULL;
    }
    ng_doctor_check *c = &r->checks[r->n++];
    va_list ap;
    va_start(ap, fmt);
    *c = (ng_doctor_check){.area = strdup(area), .status = status, .what = vformat(fmt, ap)};
    va_end(ap);
    if (!c->area)
        abort();
    return c;
}

void ng_doctor_fix(ng_doctor_check *c, const char *fmt, ...)
{
    if (!c)
        return;
    va_list ap;
    va_start(ap, fmt);
    free(c->fix);
    c->fix = vformat(fmt, ap);
    va_end(ap);
}

size_t ng_doctor_count(const ng_doctor_report *r, ng_doctor_status status)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->checks[i].status == status;
    return n + (status == NG_DOCTOR_FAIL ? r->dropped_failures : 0);
}

void ng_doctor_report_free(ng_doctor_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->checks[i].area);
        free(r->checks[i].what);
        free(r->checks[i].fix);
    }
    r->n = 0;
    r->dropped = 0;
    r->dropped_failures = 0;
}

int ng_doctor_gen_json(const ng_doctor_report *r, yajl_gen g, ng_error **err)
{
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_string(g, "checks"));
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; i < r->n; i++) {
        const ng_doctor_check *c = &r->checks[i];
        NG_GEN(yajl_gen_map_open(g));
        NG_GEN(ng_gen_kv_str(g, "area", c->area));
        NG_GEN(ng_gen_kv_str(g, "status", c->status == NG_DOCTOR_FAIL ? "fail" : status_names[c->status]));
        NG_GEN(ng_gen_kv_str(g, "what", c->what));
        NG_GEN(ng_gen_kv_str(g, "fix", c->fix));
        NG_GEN(yajl_gen_map_close(g));
    }
    NG_GEN(yajl_gen_array_close(g));
    NG_GEN(ng_gen_kv_int(g, "ok", (int64_t)ng_doctor_count(r, NG_DOCTOR_OK)));
    NG_GEN(ng_gen_kv_int(g, "warn", (int64_t)ng_doctor_count(r, NG_DOCTOR_WARN)));
    NG_GEN(ng_gen_kv_int(g, "fail", (int64_t)ng_doctor_count(r, NG_DOCTOR_FAIL)));
    NG_GEN(ng_gen_kv_int(g, "not_shown", (int64_t)r->dropped));
    NG_GEN(yajl_gen_map_close(g));
    return 0;
}

char *ng_doctor_path(const ng_doctor_ctx *ctx, const char *path)
{
    char *p = NULL;
    if (asprintf(&p, "%s%s", ctx->root ? ctx->root : "", path) < 0)
        abort();
    return p;
}
