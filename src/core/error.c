#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "nodeguard/error.h"

/* Allocation failure of an error message is not recoverable in any useful way: abort, like crun. */
static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        abort();
    return s;
}

int ng_error_set(ng_error **ret_err, int code, const char *fmt, ...)
{
    if (code <= 0)
        code = EINVAL;
    if (!ret_err)
        return -code;
    ng_error_free(*ret_err);
    ng_error *e = calloc(1, sizeof(*e));
    if (!e)
        abort();
    va_list ap;
    va_start(ap, fmt);
    e->msg = vformat(fmt, ap);
    va_end(ap);
    e->code = code;
    *ret_err = e;
    return -code;
}

int ng_error_wrap(ng_error **err, const char *fmt, ...)
{
    if (!err || !*err)
        return -EINVAL;
    va_list ap;
    va_start(ap, fmt);
    char *ctx = vformat(fmt, ap);
    va_end(ap);
    char *joined = NULL;
    if (asprintf(&joined, "%s: %s", ctx, (*err)->msg) < 0)
        abort();
    free(ctx);
    free((*err)->msg);
    (*err)->msg = joined;
    return -(*err)->code;
}

void ng_error_free(ng_error *err)
{
    if (!err)
        return;
    free(err->msg);
    free(err);
}

const char *ng_error_msg(const ng_error *err)
{
    return err && err->msg ? err->msg : "unknown error";
}
