/* Setting up a container's OOM watcher at createRuntime (see docs/oom-recording.md): whether to
 * watch, what the watcher must know of the container, and starting it. Never changes whether a
 * container starts. */
#ifndef NODEGUARD_WATCH_SETUP_H
#define NODEGUARD_WATCH_SETUP_H

#include <stdbool.h>
#include "nodeguard/decide.h"
#include "nodeguard/policy.h"
#include "nodeguard/runstate.h"
#include "nodeguard/spec.h"
#include "nodeguard/stagekit.h"

/* Does the policy want this container's OOM kills recorded? */
bool ng_should_watch(const ng_policy *policy, const ng_decision *d);

/* What the watcher needs to know of a container, from its state, config and decision (no
 * privileges needed: runs in the sandboxed part of createRuntime). */
void ng_container_state_describe(const ng_policy *policy, const ng_state *st, const ng_spec *spec,
                                 const ng_decision *d, ng_container_state *ret);

/* createRuntime's privileged part: resolves the cgroup, writes the container's state and starts
 * its watcher, waiting until it is armed. Failures are recorded; the container starts either way. */
void ng_arm_watcher(stage_ctx *c, ng_container_state *cs);

#endif
