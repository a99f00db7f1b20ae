/* The policy as a program gets it (src/host/policyfile.c): the file named by $NODEGUARD_CONFIG or
 * the system default, on top of defaults for the user it runs as. Parsing itself is pure (policy.h). */
#ifndef NODEGUARD_POLICYFILE_H
#define NODEGUARD_POLICYFILE_H

#include "nodeguard/policy.h"

/* The default log path: /var/log/nodeguard/events.jsonl for root, else the user's own:
 * STATE/nodeguard/events.jsonl with STATE the user's state directory, else their runtime directory
 * (identity.h); never a shared path such as /tmp. Newly allocated. */
char *ng_default_log_path(void);

/* path NULL: $NODEGUARD_CONFIG, else SYSCONFDIR/nodeguard/nodeguard.json. Never fails: a missing
 * default file means defaults; an unreadable or broken file means defaults plus a warning; unknown
 * keys and bad values are warned about and ignored. Then the log is chosen for who runs
 * (ng_policy_choose_log): a rootless user's is rootless_log_path or their own, never log_path. */
void ng_policy_load(ng_policy *p, const char *path);

#endif
