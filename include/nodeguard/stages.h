/* What nodeguard-hook does at each OCI stage, one file each in src/stages/. Every stage has the
 * same shape: the policy, the stage's name as the runtime gave it, the input on in_fd (config or
 * state), the output fd (only precreate writes one: the whole config). Each returns the process exit
 * code and never exits itself. */
#ifndef NODEGUARD_STAGES_H
#define NODEGUARD_STAGES_H

#include <yajl/yajl_gen.h>
#include "nodeguard/error.h"
#include "nodeguard/policy.h"
#include "nodeguard/runstate.h"

typedef int (*ng_stage_fn)(const ng_policy *policy, const char *stage, int in_fd, int out_fd);

/* precreate (podman): the config on in_fd, the whole (possibly rewritten) config on out_fd. */
int ng_stage_precreate(const ng_policy *policy, const char *stage, int in_fd, int out_fd);

/* createRuntime / prestart: the state on in_fd; reads the bundle's config.json, validates and
 * records; refuses (exit 1, the reason said) only in mode enforce; arms the OOM watcher. */
int ng_stage_validate(const ng_policy *policy, const char *stage, int in_fd, int out_fd);

/* poststop: the container_exit record from the watcher's last word; cleans up its state. */
int ng_stage_poststop(const ng_policy *policy, const char *stage, int in_fd, int out_fd);

/* The container_exit record after ng_record_begin's fields (src/core/events.c lists them), from the
 * container's state and the watcher's last word: apart from writing so that
 * tests/unit/test_events.c can check them against the registry. */
int ng_container_exit_gen_fields(yajl_gen g, const ng_container_state *cs, const ng_watcher_state *ws,
                                 ng_error **err);

#endif
