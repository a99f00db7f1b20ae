/* What nodeguard-hook does at each OCI stage. Each returns the process exit code; they never
 * exit themselves, and a failure inside nodeguard lets the container start (fail open) unless the
 * policy says on_error=deny. */
#ifndef NODEGUARD_STAGES_H
#define NODEGUARD_STAGES_H

#include "nodeguard/policy.h"

/* precreate (podman): the config on in_fd, the whole (possibly rewritten) config on out_fd. */
int ng_stage_precreate(const ng_policy *policy, int in_fd, int out_fd);

/* createRuntime / prestart: the state on in_fd; reads the bundle's config.json, validates and
 * records; refuses (exit 1, one line on stderr) only in mode enforce. */
int ng_stage_validate(const ng_policy *policy, const char *stage, int in_fd);

#endif
