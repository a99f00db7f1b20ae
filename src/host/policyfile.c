/* The policy as a program gets it: the file named by $NODEGUARD_CONFIG or the system default, on
 * top of defaults that depend on who runs it (a rootless user's log lives in their home). The
 * parsing itself is pure (src/core/policy.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/identity.h"
#include "nodeguard/policy.h"
#include "nodeguard/policyfile.h"

#ifndef NODEGUARD_SYSCONFDIR
#define NODEGUARD_SYSCONFDIR "/etc"
#endif

char *ng_default_log_path(void)
{
    if (!ng_rootless())
        return ng_xstrdup(NG_SYSTEM_LOG_PATH);
    cleanup_free char *state = ng_user_state_dir();
    char *p = NULL;
    int r = state ? asprintf(&p, "%s/nodeguard/events.jsonl", state)
                  : asprintf(&p, "/tmp/nodeguard-%u/events.jsonl", (unsigned)ng_host_uid());
    if (r < 0)
        abort();
    return p;
}

void ng_policy_load(ng_policy *p, const char *path)
{
    ng_policy_defaults(p);
    /* Identifies the user now, before any sandbox: rootless, the log belongs in their home. */
    free(p->log_path);
    p->log_path = ng_default_log_path();
    bool explicit_path = path != NULL;
    if (!path) {
        path = getenv("NODEGUARD_CONFIG");
        explicit_path = path && *path;
    }
    if (!path || !*path)
        path = NODEGUARD_SYSCONFDIR "/nodeguard/nodeguard.json";
    cleanup_free char *buf = NULL;
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    int r = ng_read_file_bounded(path, NG_POLICY_MAX_BYTES, &buf, &len, &err);
    if (r == -ENOENT && !explicit_path)
        return;
    if (r < 0) {
        ng_warn(&p->warnings, "policy not read, using defaults: %s", ng_error_msg(err));
        return;
    }
    /* A broken file must not leave half of it applied: parse into a scratch copy first. */
    ng_policy scratch;
    ng_policy_defaults(&scratch);
    free(scratch.log_path);
    scratch.log_path = ng_xstrdup(p->log_path);
    r = ng_policy_parse(&scratch, buf, len, &err);
    if (r < 0) {
        ng_policy_free(&scratch);
        ng_warn(&p->warnings, "policy %s is broken, using defaults: %s", path, ng_error_msg(err));
        return;
    }
    ng_policy_free(p);
    *p = scratch;
    free(p->source);
    p->source = ng_xstrdup(path);
}
