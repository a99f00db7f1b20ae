/* Setting up a container's OOM watcher at createRuntime (include/nodeguard/watch_setup.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nodeguard/cgroup.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/engines.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/identity.h"
#include "nodeguard/names.h"
#include "nodeguard/runstate.h"
#include "nodeguard/util.h"
#include "nodeguard/watch_setup.h"
#include "nodeguard/watcher.h"

/* How long createRuntime may have run, from its start, when it stops waiting for the watcher to say
 * it is armed. Idle, arming takes about 2 ms; with 50 podman starts at once on 2 cores, some took
 * over a second (measured: 6 of 50 missed a 1 s wait). Counted from the stage's start (reading the
 * state, the sandboxed check), not from the spawn: the whole hook must stay inside the 5 s timeout
 * nodeguard's hook entries carry, or the runtime refuses the start (seen on a slow host with 10
 * starts at once). NG_WATCHER_ARM_BUDGET_MS in the hook's environment overrides it (slow hosts,
 * tests). A watcher not armed in time goes on and records armed_late. */
#define NG_WATCHER_ARM_BUDGET_MS     3000
#define NG_WATCHER_ARM_BUDGET_MAX_MS 600000

static int64_t arm_budget_ms(void)
{
    const char *v = getenv("NG_WATCHER_ARM_BUDGET_MS");
    int64_t ms;
    if (v && ng_parse_int64(v, &ms) == 0 && ms >= 0 && ms <= NG_WATCHER_ARM_BUDGET_MAX_MS)
        return ms;
    return NG_WATCHER_ARM_BUDGET_MS;
}

bool ng_should_watch(const ng_policy *policy, const ng_decision *d)
{
    /* Rootless on cgroup v1: no memory cgroup of the container's own (and no limit), so a watcher
     * would watch the wrong thing: it steps aside (the decision record says so). On cgroup v2 the
     * user's systemd delegates the container's cgroup to them, and its memory.events counts the
     * kills (docs/oom-recording.md, "Rootless"). */
    if ((ng_rootless() && !ng_cgroup_unified_host()) || policy->record_oom == NG_RECORD_OOM_OFF ||
        d->action == NG_ACTION_REFUSED || d->outcome == NG_OUTCOME_DISABLED)
        return false;
    return policy->record_oom == NG_RECORD_OOM_ALL || d->outcome == NG_OUTCOME_GUARDED;
}

void ng_container_state_describe(const ng_policy *policy, const ng_state *st, const ng_spec *spec,
                                 const ng_decision *d, ng_container_state *ret)
{
    ng_container_state cs = {.pid = (pid_t)st->pid,
                             .memory_limit_bytes = spec->memory_limit,
                             .heap_mib = d->outcome == NG_OUTCOME_GUARDED ? d->heap_after_mib : -1,
                             .created_ms = ng_now_ms(),
                             .pressure_percent = policy->pressure_percent,
                             .pressure_interval_s = policy->pressure_interval_s,
                             .log_kind = (int)policy->log_kind,
                             .log_max_bytes = policy->log_max_bytes,
                             .log_generations = policy->log_generations,
                             .sandbox = policy->sandbox};
    const char *node_options = ng_spec_getenv(spec, "NODE_OPTIONS");
    snprintf(cs.id, sizeof(cs.id), "%s", st->id);
    snprintf(cs.node_options, sizeof(cs.node_options), "%s", node_options ? node_options : "");
    snprintf(cs.log_path, sizeof(cs.log_path), "%s", policy->log_path);
    if (d->outcome == NG_OUTCOME_GUARDED && d->heap_after_mib >= 0)
        /* At createRuntime the config may already carry precreate's flag: where it came from is
         * in that stage's decision record, so only the place is named here. */
        snprintf(cs.heap_flag, sizeof(cs.heap_flag), "--max-old-space-size=%lld (%s)",
                 (long long)d->heap_after_mib, d->heap_source);
    ng_names_set(cs.pod, sizeof(cs.pod), spec->names.pod);
    ng_names_set(cs.namespace_, sizeof(cs.namespace_), spec->names.namespace_);
    ng_names_set(cs.container_name, sizeof(cs.container_name), spec->names.container_name);
    ng_names_set(cs.image, sizeof(cs.image), spec->names.image);
    ng_engine_cgroup_levels(spec->annotations, spec->cgroups_path, st->id, &cs.levels);
    cs.engine = (int)ng_engine_detect(spec->annotations, spec->cgroups_path);
    *ret = cs;
}

/* A rootless hook watches only a cgroup that is the container's own (named by its id, as the engine
 * table says the runtime makes it) and the user's (delegated to them), checked on open descriptors:
 * pid 1's cgroup is read from /proc, which a container could otherwise point at a cgroup of another
 * container or user. */
static int rootless_cgroup_check(const ng_cgroup *cg, const ng_cgroup_levels *levels, ng_error **err)
{
    if (cg->version != 2)
        return ng_error_set(err, ENOTSUP,
                            "rootless on cgroup v1: the container has no memory cgroup of its own");
    if (!ng_cgroup_is_containers(cg, levels))
        return ng_error_set(err, EPERM, "cgroup %s is not this container's own (cgroupsPath names %s)",
                            cg->kernel_path, levels->own[0] ? levels->own : "none");
    cleanup_close int dfd = ng_cgroup_open_owned(cg->dir, geteuid(), err);
    if (dfd < 0)
        return dfd;
    if (cg->leaf_dir[0]) {
        cleanup_close int lfd = ng_cgroup_open_owned(cg->leaf_dir, geteuid(), err);
        if (lfd < 0)
            return lfd;
    }
    return 0;
}

static void arm_watcher(stage_ctx *c, ng_container_state *cs, const char *root)
{
    /* Closed on return, after the timeout is recorded: the late watcher's armed_late follows it. */
    cleanup_close int late_fd = -1;
    cleanup_error ng_error *err = NULL;
    char dir[PATH_MAX];
    const char *what = "finding the container's memory cgroup";
    if (cs->pid <= 0) {
        ng_error_set(&err, EINVAL, "the state has no pid");
        goto fail;
    }
    if (ng_cgroup_for_pid("/proc", cs->pid, &cs->levels, &cs->cgroup, &err) < 0)
        goto fail;
    if (ng_rootless() && rootless_cgroup_check(&cs->cgroup, &cs->levels, &err) < 0)
        goto fail;
    what = "writing the watcher's state";
    int r = ng_state_dir_for(root, cs->id, dir, sizeof(dir));
    if (r < 0) {
        ng_error_set(&err, -r, "state directory for %s: %s", cs->id, strerror(-r));
        goto fail;
    }
    if (ng_mkdir_p(root, 0700, &err) < 0)
        goto fail;
    if (ng_container_state_write(dir, cs, &err) < 0)
        goto fail;
    what = "starting the OOM watcher";
    /* Armed before runc starts the container's process: an OOM in its first milliseconds counts. */
    int64_t budget = arm_budget_ms();
    r = ng_watcher_spawn("/proc/self/exe", dir, c->started_ms + budget, &late_fd, NULL, &err);
    if (r == -ETIMEDOUT) {
        ng_error_wrap(&err, "createRuntime's budget of %lld ms (NG_WATCHER_ARM_BUDGET_MS) ran out",
                      (long long)budget);
        ng_stage_record_error_as(c, cs->id, what, err,
                                 "the container starts; OOM kills in it are not recorded until the watcher "
                                 "arms, which an armed_late record will say",
                                 "not_watched");
        return;
    }
    if (r < 0)
        goto fail;
    return;
fail:
    /* Recorded, never fatal whatever on_error says: an unwatched container still starts. */
    ng_stage_record_error_as(c, cs->id, what, err,
                             "OOM kills in it will not be recorded (the container is not affected)",
                             "not_watched");
}

void ng_arm_watcher(stage_ctx *c, ng_container_state *cs)
{
    cleanup_free char *root = ng_state_root();
    arm_watcher(c, cs, root);
    /* The stage that makes state directories bounds them: poststop removes its container's, but
     * a runtime that never runs it leaves them until reboot. After the container's own work, so
     * it cannot delay arming; bounded, and silent (no record, errors ignored) to keep the hook
     * sub-millisecond. Here, in the hook's unsandboxed process: the sandboxed child's seccomp
     * profile has no business with unlinkat or flock. */
    int64_t now_ms = ng_now_ms();
    if (ng_state_sweep_due(root, now_ms))
        (void)ng_state_sweep(root, cs->id, now_ms, NG_STATE_SWEEP_EXAMINE_MAX, NG_STATE_SWEEP_REMOVE_MAX);
}
