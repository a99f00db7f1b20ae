/* The policy as a program gets it: the file named by $NODEGUARD_CONFIG or the system default, on
 * top of the defaults, and the log chosen for who runs it (a rootless user's is their own). The
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
    /* Never a path in /tmp: another user can create it first (SECURITY.md). Without a home, the
     * runtime directory; without that, a path under /run/user the user cannot create, so opening
     * it fails with a message and the records go to stderr and syslog. */
    cleanup_free char *state = ng_user_state_dir();
    cleanup_free char *runtime = state ? NULL : ng_user_runtime_dir();
    char *p = NULL;
    int r = state     ? asprintf(&p, "%s/nodeguard/events.jsonl", state)
            : runtime ? asprintf(&p, "%s/nodeguard/events.jsonl", runtime)
                      : asprintf(&p, "/run/user/%u/nodeguard/events.jsonl", (unsigned)ng_host_uid());
    if (r < 0)
        abort();
    return p;
}

/* The file's settings on top of the defaults, or the defaults and a warning. */
static void load_file(ng_policy *p, const char *path)
{
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

void ng_policy_load(ng_policy *p, const char *path)
{
    ng_policy_defaults(p);
    load_file(p, path);
    /* Identifies the user now, before any sandbox: rootless, the log is theirs, not log_path. */
    bool rootless = ng_rootless();
    cleanup_free char *user_log = rootless ? ng_default_log_path() : NULL;
    ng_policy_choose_log(p, rootless, user_log);
}
