/* What nodeguard knows of each container engine and OCI runtime, in one table (src/core/engines.c)
 * that a new engine extends: the shapes of linux.cgroupsPath it writes under the cgroupfs and the
 * systemd cgroup manager, the annotations that carry a container's name, image, pod and namespace,
 * and, for a runtime, which of its flags take a value. Pure data and lookups over it. */
#ifndef NODEGUARD_ENGINES_H
#define NODEGUARD_ENGINES_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

typedef enum ng_engine_id {
    NG_ENGINE_UNKNOWN = 0,
    NG_ENGINE_PODMAN,
    NG_ENGINE_DOCKER,
    NG_ENGINE_CRIO,
    NG_ENGINE_CONTAINERD,
    NG_ENGINE_RUNC,
    NG_ENGINE_CRUN,
} ng_engine_id;

typedef enum ng_cgroup_manager {
    NG_CGROUP_CGROUPFS,
    NG_CGROUP_SYSTEMD,
} ng_cgroup_manager;

/* One way an engine places a container, or its monitor, in the cgroup tree. */
typedef struct ng_cgroup_shape {
    ng_cgroup_manager manager;
    /* linux.cgroupsPath as the engine writes it ("<id>" for the container id, other <...> for
     * what varies); a monitor's path in the cgroup tree; "" when the runtime chooses because the
     * config has none. */
    const char *cgroups_path;
    /* The cgroup's last path element is leaf_prefix + id, plus ".scope" under systemd: "libpod-";
     * "" for a bare id. */
    const char *leaf_prefix;
    /* systemd: the middle of "slice:prefix:id", which runc and crun make the unit
     * "prefix-id.scope" (leaf_prefix is this and "-"); NULL otherwise. */
    const char *scope_prefix;
    /* cgroupfs: the parent whose bare ids are this engine's ("/docker"); NULL when a bare id under
     * it says nothing of the engine. */
    const char *parent;
    bool monitor; /* the engine's monitor (conmon), not the container: never in a config */
} ng_cgroup_shape;

/* The names nodeguard records for a container, each from one annotation. */
typedef enum ng_name_field {
    NG_NAME_CONTAINER,
    NG_NAME_IMAGE,
    NG_NAME_POD,
    NG_NAME_NAMESPACE,
    NG_NAME_FIELDS
} ng_name_field;

/* An annotation that tells the engine: key, and the value it must have (NULL: any). */
typedef struct ng_engine_marker {
    const char *key, *value;
} ng_engine_marker;

/* A runtime's command line. Each list is flag names without their dashes, separated by spaces
 * ("bundle b"). Flags not listed take no value. */
typedef struct ng_runtime_flags {
    const char *binary;            /* looked up on PATH by the wrapper */
    const char *global_value;      /* global flags (before the command) that take a value */
    const char *create_value;      /* create's and run's flags that take a value */
    const char *exec_value;        /* exec's flags that take a value */
    const char *bundle;            /* the flag naming the bundle directory, and its alias */
    const char *creating_commands; /* the commands that create a container from a bundle */
} ng_runtime_flags;

typedef struct ng_engine {
    ng_engine_id id;
    const char *name;
    const ng_cgroup_shape *shapes; /* ends with a shape whose cgroups_path is NULL */
    /* annotation keys per name, the first with a non-empty value wins; NULL: none */
    const char *names[NG_NAME_FIELDS][2];
    ng_engine_marker markers[2];     /* annotations only this engine sets; key NULL: none */
    const ng_runtime_flags *runtime; /* NULL: not an OCI runtime */
} ng_engine;

/* The table, in precedence order: when several engines' name annotations are present, the earlier
 * engine's win. */
extern const ng_engine ng_engines[];
extern const size_t ng_engines_count;

/* The entry for id, or NULL (NG_ENGINE_UNKNOWN). */
const ng_engine *ng_engine_get(ng_engine_id id);
/* "podman", "docker", ...; "unknown" for NG_ENGINE_UNKNOWN. */
const char *ng_engine_name(ng_engine_id id);

/* The container id in a cgroups path, as the operator sees it in `podman ps` or `crictl ps`: the
 * last element, after the last ':' of the systemd form "slice:prefix:id", without the longest leaf
 * prefix any engine's shape has ("libpod-", "crio-conmon-", ...) and without ".scope". Works on a
 * config's cgroupsPath and on a path in the cgroup tree alike. Cut to size - 1 bytes. */
void ng_engine_container_id(const char *cgroups_path, char *out, size_t size);

/* Where a rootless engine's monitor leaves pid 1's exit code, under the user's runtime directory:
 * podman 5 (conmon --persist-dir): RUNTIME_DIR/libpod/tmp/persist/<id>/exit, and exits/<id> (--exit-dir),
 * which podman removes once it has read it. Fills up to max paths, returns how many (0: the engine
 * keeps none that nodeguard knows, or id is not a plain name). */
size_t ng_engine_exit_files(ng_engine_id engine, const char *runtime_dir, const char *id, char (*ret)[4096],
                            size_t max);

/* An exit file's text as conmon writes it: the decimal exit code, 128+N for a signal N (no newline,
 * or one). Returns 0 with *ret_code in 0..255, or -EINVAL for anything else. */
int ng_engine_parse_exit_code(const char *text, int *ret_code);

/* The engine whose shape a cgroups path has: the systemd form's prefix, else the last element's
 * prefix, else the parent of a bare id. NG_ENGINE_UNKNOWN when no shape tells (a bare id under a
 * parent no engine uses by default). */
ng_engine_id ng_engine_from_cgroups_path(const char *cgroups_path);

/* The engine whose marker annotation is in annotations (an object, or NULL). podman 4 also sets
 * some io.kubernetes.cri-o.* keys, so markers are io.container.manager and keys only one engine
 * sets. */
ng_engine_id ng_engine_from_annotations(yajl_val annotations);

/* Which engine a config most likely came from: its annotations, else its cgroups path (NULL: none). */
ng_engine_id ng_engine_detect(yajl_val annotations, const char *cgroups_path);

/* The value of the first annotation, in the table's precedence order then the OCI image-spec's
 * keys, that names field; NULL if none is present as a non-empty string. */
const char *ng_engine_annotation(yajl_val annotations, ng_name_field field);

/* On cgroup v2 an OCI runtime may put a container's processes in cgroups it makes below the
 * container's own cgroup, the one linux.cgroupsPath names and linux.resources (the memory limit)
 * is set on. own is the last element of that cgroup; inner the elements below it down to pid 1's
 * cgroup, as the runtime makes them ("container", "container/d"; "" none). own "" when it cannot
 * be told: then nothing above pid 1's cgroup may be taken for the container's. */
typedef struct ng_cgroup_levels {
    char own[256];
    char inner[1024];
} ng_cgroup_levels;

/* The levels crun makes for a config with these annotations (an object, or NULL), cgroups path
 * (NULL: none) and container id (the runtime's state id): under the systemd cgroup manager the
 * subgroup (run.oci.systemd.subgroup, default "container") below the scope, and under either
 * manager run.oci.delegate-cgroup below that. own is set only when the cgroups path names this
 * container (its id), and never when an annotation has a "." or ".." element or is not a string. */
void ng_engine_cgroup_levels(yajl_val annotations, const char *cgroups_path, const char *id,
                             ng_cgroup_levels *ret);

/* Could ng_engine_cgroup_levels have made l for container id? For levels that crossed a trust
 * boundary (the sandboxed child's reply): NUL-terminated, own one element naming id, no "." or
 * ".." element. When false, l must not be used. */
bool ng_engine_cgroup_levels_valid(const ng_cgroup_levels *l, const char *id);

/* Flag scopes of a runtime's command line. */
typedef enum ng_flag_scope {
    NG_FLAGS_GLOBAL,
    NG_FLAGS_CREATE, /* create and run */
    NG_FLAGS_EXEC,
} ng_flag_scope;

/* Whose flags a command's arguments are: exec's for exec, create's for the rest (only create's and
 * run's are read for their bundle and id). */
ng_flag_scope ng_runtime_command_scope(const char *command);

/* Does arg ("-x", "--name"; never "--name=value", whose value is attached) take the next argument
 * as its value, for any runtime in the table? The wrapper fronts runc or crun, so it reads their
 * union. One or two dashes, as both urfave/cli (runc) and the wrapper's callers write them. */
bool ng_runtime_flag_takes_value(ng_flag_scope scope, const char *arg);

/* Is arg ("-b", "--bundle", "--bundle=dir", "-b=dir") a runtime's bundle flag? Sets *value to the
 * attached value ("dir"), or NULL when the value is the next argument. */
bool ng_runtime_bundle_flag(const char *arg, const char **value);

/* Does command create a container from a bundle (create, run) for any runtime in the table? */
bool ng_runtime_command_creates(const char *command);

#endif
