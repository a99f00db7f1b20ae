/* The OOM side of the hook's stages (see docs/oom-recording.md). */
#ifndef NODEGUARD_LIFECYCLE_H
#define NODEGUARD_LIFECYCLE_H

#include <stdbool.h>
#include "nodeguard/decide.h"
#include "nodeguard/policy.h"

/* Does the policy want this container's OOM kills recorded? */
bool ng_should_watch(const ng_policy *policy, const ng_decision *d);

/* poststop: the container_exit record from the watcher's last word; cleans up its state. */
int ng_stage_poststop(const ng_policy *policy, int in_fd);

#endif
