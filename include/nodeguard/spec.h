/* The parts of an OCI config.json and of the runtime state that nodeguard reads. */
#ifndef NODEGUARD_SPEC_H
#define NODEGUARD_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "nodeguard/error.h"
#include "nodeguard/names.h"

/* podman's configs are ~10 KB: 8 MiB leaves room for anything sane. */
#define NG_INPUT_MAX     (8u * 1024 * 1024)
#define NG_SPEC_MAX_ARGS 4096
#define NG_SPEC_MAX_ENV  32768

/* Whether node in the container can read its memory limit. libuv's uv_get_constrained_memory()
 * (node 20: libuv 1.46) reads /proc/self/cgroup, then the limit under /sys/fs/cgroup; where that is
 * not mounted it finds nothing and node sizes its heap, and its young generation, from the host's
 * RAM (ctr's default spec has no /sys/fs/cgroup mount). */
typedef enum ng_cgroup_view {
    NG_CGROUP_VIEW_UNKNOWN, /* no mounts list, or one nodeguard cannot read: taken as an engine's usual */
    NG_CGROUP_VIEW_MOUNTED, /* a cgroup (or a bind of the host's) at /sys/fs/cgroup, nothing over it */
    NG_CGROUP_VIEW_NONE,    /* mounts listed, none that shows the cgroup at /sys/fs/cgroup */
} ng_cgroup_view;

typedef struct ng_spec {
    yajl_val root; /* owned; everything below points into it */
    const char **args;
    size_t n_args;
    const char **env;
    size_t n_env;
    yajl_val annotations;     /* an object, or NULL */
    int64_t memory_limit;     /* bytes; 0 when unlimited (absent, 0 or -1) */
    int64_t cpu_quota;        /* microseconds per period; 0 when unset */
    uint64_t cpu_period;      /* 0 when unset */
    const char *hostname;     /* may be NULL */
    const char *cgroups_path; /* linux.cgroupsPath; may be NULL */
    char container_id[96];    /* derived from cgroupsPath (nodeguard/engines.h), else hostname, else "" */
    ng_names names;           /* "" until a stage fills them (enginestate.h): records carry them */
    ng_cgroup_view cgroup_view;
    /* The app's package.json, read by a stage from the container's filesystem (pkgjson_read.h);
     * borrowed, NULL when not read. npm/yarn/pnpm commands are judged by the script they run. */
    const struct ng_package_json *package_json;
    /* The host's RAM in MiB, which node sizes itself from without a memory limit or a view of its
     * cgroup: set by the caller from ng_host_memory_mib (hostmem.h), read before the sandbox, which
     * forbids sysinfo. 0, unknown: those beliefs fall back as ng_decide_inputs.host_memory_mib says. */
    int64_t host_memory_mib;
} ng_spec;

/* Reads a config.json already in memory. Wrong types are errors naming the field; absent optional
 * fields are fine. process.args must be present (a runtime refuses a spec without it). */
int ng_spec_parse(const char *buf, size_t len, ng_spec *ret, ng_error **err);
void ng_spec_free(ng_spec *spec);

/* The value of the first NAME=... entry, as execve's getenv would see it; NULL if absent. */
const char *ng_spec_getenv(const ng_spec *spec, const char *name);
const char *ng_spec_annotation(const ng_spec *spec, const char *key);

/* The mount that shows path in the container: the last one (mounts are made in order) whose
 * destination is path or above it; *ret_dest_len is the destination's length without trailing
 * slashes (0 for "/"). NULL when none: the rootfs shows it. */
yajl_val ng_spec_mount_over(const ng_spec *spec, const char *path, size_t *ret_dest_len);
/* type bind, or options bind or rbind. */
bool ng_spec_mount_is_bind(yajl_val mount);

typedef struct ng_state {
    yajl_val root;
    const char *id, *status, *bundle;
    int64_t pid; /* 0 when absent */
    yajl_val annotations;
} ng_state;

int ng_state_parse(const char *buf, size_t len, ng_state *ret, ng_error **err);
void ng_state_free(ng_state *st);

#endif
