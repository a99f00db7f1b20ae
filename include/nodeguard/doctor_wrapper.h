/* The doctor's checks of nodeguard-runtime as an engine runs it: the hook it adds to every
 * container (asked of the wrapper itself, which has its LIBEXECDIR built in: an install that put
 * the hook elsewhere makes runc fail every start) and the real runtime behind it. */
#ifndef NODEGUARD_DOCTOR_WRAPPER_H
#define NODEGUARD_DOCTOR_WRAPPER_H

#include <limits.h>
#include "nodeguard/doctor.h"
#include "nodeguard/policy.h"

#define NG_DOCTOR_MAX_WRAPPERS 8

/* The wrappers the engines' configurations name, as the host names them, each once. */
typedef struct ng_doctor_wrappers {
    char paths[NG_DOCTOR_MAX_WRAPPERS][PATH_MAX];
    size_t n;
} ng_doctor_wrappers;

void ng_doctor_wrappers_add(ng_doctor_wrappers *w, const char *host_path);

/* policy_path: the policy file as the host names it; pol: what it holds (runtime_path). */
void ng_doctor_check_wrapper(const ng_doctor_ctx *ctx, const char *host_path, const char *policy_path,
                             const ng_policy *pol);

#endif
