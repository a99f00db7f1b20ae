/* The doctor's checks of what every registration shares: the policy file parses, the audit log's
 * directory takes a new file, and the kernel gives the OOM watcher what it needs (/dev/kmsg, the
 * memory controller, the proc connector). */
#ifndef NODEGUARD_DOCTOR_HOST_H
#define NODEGUARD_DOCTOR_HOST_H

#include "nodeguard/doctor.h"
#include "nodeguard/policy.h"

/* The policy file every hook and the wrapper read, as the host names it. */
const char *ng_doctor_policy_path(void);

/* A warning first when not run as root: engines run hooks as root, so what this user may open
 * and create is not what they may. */
void ng_doctor_check_user(const ng_doctor_ctx *ctx);

/* Parses the policy below the root into ret (the defaults when it is missing or broken), and
 * reports on it. ret is always filled; free it with ng_policy_free. */
void ng_doctor_check_policy(const ng_doctor_ctx *ctx, ng_policy *ret);

/* log_path's directory takes a new file (a temporary one, created next to the log and removed; the
 * log itself is never opened). */
void ng_doctor_check_log(const ng_doctor_ctx *ctx, const ng_policy *pol);

/* The running kernel's, whatever the root. */
void ng_doctor_check_watcher(const ng_doctor_ctx *ctx);

#endif
