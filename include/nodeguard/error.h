/* One error convention for the whole library (see README, "Hacking"):
 * a function that can fail returns a negative errno and, when ret_err is not NULL, fills *ret_err
 * with a heap-allocated message. Callers add context on the way up with ng_error_wrap(); only
 * program code (hooks/, src/cli/) prints. */
#ifndef NODEGUARD_ERROR_H
#define NODEGUARD_ERROR_H

typedef struct ng_error {
    int code; /* positive errno */
    char *msg;
} ng_error;

/* Sets *ret_err (if ret_err) and returns -code. An existing error in *ret_err is replaced. */
int ng_error_set(ng_error **ret_err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefixes context to *err ("context: old message") and returns -(*err)->code.
 * With no error set it returns -EINVAL so a caller bug cannot look like success. */
int ng_error_wrap(ng_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void ng_error_free(ng_error *err);

/* The message or a fallback, never NULL. */
const char *ng_error_msg(const ng_error *err);

#endif
