/* The engine table and lookups over it (include/nodeguard/engines.h). Every fact names the file of
 * the engine's own repository it comes from; a new engine is a new entry. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "nodeguard/engines.h"
#include "nodeguard/json.h"

/* A shape under cgroupfs: the leaf's prefix before the id, and the default parent that alone tells
 * the engine of a bare id (NULL: none). */
#define CGROUPFS(path, leaf, parent_)                                                                        \
    {                                                                                                        \
        .manager = NG_CGROUP_CGROUPFS, .cgroups_path = path, .leaf_prefix = leaf, .parent = parent_          \
    }
/* Under systemd, "slice:prefix:id", which runc and crun make the unit "prefix-id.scope". */
#define SYSTEMD(path, prefix)                                                                                \
    {                                                                                                        \
        .manager = NG_CGROUP_SYSTEMD, .cgroups_path = path, .leaf_prefix = prefix "-",                       \
        .scope_prefix = prefix                                                                               \
    }
/* The engine's monitor (conmon), which the engine itself puts in the cgroup tree: never in a config. */
#define MONITOR(manager_, path, leaf)                                                                        \
    {                                                                                                        \
        .manager = manager_, .cgroups_path = path, .leaf_prefix = leaf, .monitor = true                      \
    }
#define END_OF_SHAPES                                                                                        \
    {                                                                                                        \
        .cgroups_path = NULL                                                                                 \
    }

/* containers/podman: libpod/container_internal_linux.go getOCICgroupPath() writes
 * "<parent>/libpod-<id>" (cgroupfs), "<parent>:libpod:<id>" (systemd), and
 * "<podman's own cgroup>/libpod-payload-<id>" with --cgroups=split; libpod/container.go and
 * libpod/runtime_ctr.go: the parents /libpod_parent and machine.slice (user.slice rootless);
 * libpod/oci_conmon_linux.go puts conmon in "libpod-conmon-<id>.scope" (systemd) or
 * "<parent>/conmon" (cgroupfs, no id). */
static const ng_cgroup_shape podman_shapes[] = {
    CGROUPFS("/libpod_parent/libpod-<id>", "libpod-", "/libpod_parent"),
    CGROUPFS("<podman's cgroup>/libpod-payload-<id>", "libpod-payload-", NULL),
    SYSTEMD("machine.slice:libpod:<id>", "libpod"),
    MONITOR(NG_CGROUP_SYSTEMD, "/machine.slice/libpod-conmon-<id>.scope", "libpod-conmon-"),
    END_OF_SHAPES,
};

/* moby/moby: daemon/oci_linux.go withCgroups() writes "/docker/<id>" (cgroupfs) or
 * "system.slice:docker:<id>" (systemd; user.slice rootless), under --cgroup-parent when given. */
static const ng_cgroup_shape docker_shapes[] = {
    CGROUPFS("/docker/<id>", "", "/docker"),
    SYSTEMD("system.slice:docker:<id>", "docker"),
    END_OF_SHAPES,
};

/* cri-o/cri-o: internal/config/cgmgr/cgmgr_linux.go containerCgroupPath() "crio-<id>" under the
 * pod's parent (cgroupfs_linux.go; default /crio), systemd_linux.go "<parent>:crio:<id>"; conmon in
 * "<parent>/crio-conmon-<id>" (cgroupfs_linux.go) or "crio-conmon-<id>.scope" in the pod's slice
 * (systemd_linux.go). The parents are the kubelet's pod cgroups. */
static const ng_cgroup_shape crio_shapes[] = {
    CGROUPFS("/kubepods/burstable/pod<uid>/crio-<id>", "crio-", NULL),
    SYSTEMD("kubepods-burstable-pod<uid>.slice:crio:<id>", "crio"),
    MONITOR(NG_CGROUP_CGROUPFS, "/kubepods/burstable/pod<uid>/crio-conmon-<id>", "crio-conmon-"),
    MONITOR(NG_CGROUP_SYSTEMD, "/kubepods.slice/kubepods-pod<uid>.slice/crio-conmon-<id>.scope",
            "crio-conmon-"),
    END_OF_SHAPES,
};

/* containerd/containerd: internal/cri/server/helpers.go getCgroupsPath() (the CRI plugin) writes
 * "<pod slice>:cri-containerd:<id>" when the parent is a systemd slice, else "<parent>/<id>";
 * pkg/oci/spec.go gives `ctr` and other clients "/<namespace>/<id>" (namespace "default",
 * pkg/namespaces/context.go). */
static const ng_cgroup_shape containerd_shapes[] = {
    CGROUPFS("/kubepods/burstable/pod<uid>/<id>", "", "/kubepods"),
    CGROUPFS("/default/<id>", "", "/default"),
    SYSTEMD("kubepods-burstable-pod<uid>.slice:cri-containerd:<id>", "cri-containerd"),
    END_OF_SHAPES,
};

/* A config without cgroupsPath, run by the runtime itself. opencontainers/runc:
 * libcontainer/specconv/spec_linux.go (the container's name as the path; scope prefix "runc"),
 * docs/systemd.md (as if ":runc:<id>": system.slice/runc-<id>.scope). containers/crun:
 * src/libcrun/cgroup-cgroupfs.c make_cgroup_path() "/<id>", src/libcrun/cgroup-systemd.c
 * get_systemd_scope_and_slice() "crun-<id>.scope". */
static const ng_cgroup_shape runc_shapes[] = {
    CGROUPFS("", "", NULL),
    SYSTEMD("", "runc"),
    END_OF_SHAPES,
};
static const ng_cgroup_shape crun_shapes[] = {
    CGROUPFS("", "", NULL),
    SYSTEMD("", "crun"),
    END_OF_SHAPES,
};

/* opencontainers/runc: main.go (global flags; --criu until v1.4.0, which removed it), create.go,
 * run.go, exec.go (pidfd-socket since v1.2.0). urfave/cli takes "--flag value" and "--flag=value",
 * one dash or two. */
static const ng_runtime_flags runc_flags = {
    .binary = "runc",
    .global_value = "log log-format root criu rootless",
    .create_value = "bundle b console-socket pidfd-socket pid-file preserve-fds",
    .exec_value = "console-socket pidfd-socket cwd env e user u additional-gids g process p pid-file "
                  "process-label apparmor cap c preserve-fds cgroup",
    .bundle = "bundle b",
    .creating_commands = "create run",
};
/* containers/crun: src/crun.c (global options; --rootless is accepted and ignored so that runc's
 * command lines work), src/create.c, src/run.c (-f/--config: another file than config.json),
 * src/exec.c (--tty's value is optional, so never the next argument). GNU argp: "--flag value",
 * "--flag=value", "-f value". */
static const ng_runtime_flags crun_flags = {
    .binary = "crun",
    .global_value = "log log-format log-level root rootless cgroup-manager",
    .create_value = "bundle b config f console-socket preserve-fds pid-file",
    .exec_value = "console-socket process p cwd cgroup user u env e cap c pid-file preserve-fds "
                  "process-label apparmor",
    .bundle = "bundle b",
    .creating_commands = "create run",
};

const ng_engine ng_engines[] = {
    /* podman sets no name annotations (libpod/container_internal_common.go: io.container.manager,
     * org.opencontainers.image.stopSignal, and in podman 4 io.kubernetes.cri-o.Created and TTY);
     * its container name and image are in containers/storage's containers.json, which
     * src/host/enginestate.c reads. pkg/annotations/annotations.go: io.container.manager=libpod. */
    {.id = NG_ENGINE_PODMAN,
     .name = "podman",
     .shapes = podman_shapes,
     .markers = {{"io.container.manager", "libpod"}}},
    /* Docker passes only the user's --annotation (API 1.43, Docker 24: daemon/oci_linux.go
     * WithAnnotations(c.HostConfig.Annotations)): no name or image of its own; they are in its
     * config.v2.json, which src/host/enginestate.c reads. */
    {.id = NG_ENGINE_DOCKER, .name = "docker", .shapes = docker_shapes},
    /* cri-o/cri-o: internal/factory/container/container.go SpecAddAnnotations() copies the
     * kubelet's labels (io.kubernetes.container.name, .pod.name, .pod.namespace:
     * vendor/k8s.io/kubelet/pkg/types/labels.go) into the annotations and adds
     * io.kubernetes.cri-o.ImageName (SomeNameOfTheImage: "" for an image referenced by id that
     * has no name), io.kubernetes.cri-o.Image (UserRequestedImage: the pod spec's image) and
     * io.container.manager=cri-o (internal/annotations/annotations.go,
     * internal/lib/constants/constants.go). */
    {.id = NG_ENGINE_CRIO,
     .name = "cri-o",
     .shapes = crio_shapes,
     .names = {[NG_NAME_CONTAINER] = {"io.kubernetes.container.name"},
               [NG_NAME_IMAGE] = {"io.kubernetes.cri-o.ImageName", "io.kubernetes.cri-o.Image"},
               [NG_NAME_POD] = {"io.kubernetes.pod.name"},
               [NG_NAME_NAMESPACE] = {"io.kubernetes.pod.namespace"}},
     .markers = {{"io.container.manager", "cri-o"}, {"io.kubernetes.cri-o.ContainerID", NULL}}},
    /* containerd/containerd: internal/cri/annotations/annotations.go DefaultCRIAnnotations(), on
     * every container the CRI plugin creates (a pod's sandbox has its image as
     * io.kubernetes.cri.podsandbox.image-name, and no container name). ctr sets none: its container id is the
     * name the user chose, and its image is only in containerd's metadata database. */
    {.id = NG_ENGINE_CONTAINERD,
     .name = "containerd",
     .shapes = containerd_shapes,
     .names = {[NG_NAME_CONTAINER] = {"io.kubernetes.cri.container-name"},
               [NG_NAME_IMAGE] = {"io.kubernetes.cri.image-name", "io.kubernetes.cri.podsandbox.image-name"},
               [NG_NAME_POD] = {"io.kubernetes.cri.sandbox-name"},
               [NG_NAME_NAMESPACE] = {"io.kubernetes.cri.sandbox-namespace"}},
     .markers = {{"io.kubernetes.cri.container-type", NULL}, {"io.kubernetes.cri.sandbox-id", NULL}}},
    {.id = NG_ENGINE_RUNC, .name = "runc", .shapes = runc_shapes, .runtime = &runc_flags},
    {.id = NG_ENGINE_CRUN, .name = "crun", .shapes = crun_shapes, .runtime = &crun_flags},
};
const size_t ng_engines_count = sizeof(ng_engines) / sizeof(ng_engines[0]);

/* After every engine's own: the OCI image-spec's annotation (opencontainers/image-spec
 * annotations.md), which no engine writes into a config but any passes on from the user. */
static const char *const oci_names[NG_NAME_FIELDS] = {[NG_NAME_IMAGE] = "org.opencontainers.image.ref.name"};

const ng_engine *ng_engine_get(ng_engine_id id)
{
    for (size_t i = 0; i < ng_engines_count; i++)
        if (ng_engines[i].id == id)
            return &ng_engines[i];
    return NULL;
}

const char *ng_engine_name(ng_engine_id id)
{
    const ng_engine *e = ng_engine_get(id);
    return e ? e->name : "unknown";
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The last element of a path, and of it what follows the systemd form's last ':'. */
static const char *leaf_of(const char *path)
{
    const char *leaf = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    return strrchr(leaf, ':') ? strrchr(leaf, ':') + 1 : leaf;
}

/* The shape with the longest non-empty leaf prefix that leaf starts with, or NULL; *engine its
 * engine. Longest, so that "libpod-conmon-" wins over "libpod-" whatever the table's order. */
static const ng_cgroup_shape *longest_leaf_prefix(const char *leaf, ng_engine_id *engine)
{
    const ng_cgroup_shape *best = NULL;
    for (size_t i = 0; i < ng_engines_count; i++)
        for (const ng_cgroup_shape *s = ng_engines[i].shapes; s && s->cgroups_path; s++)
            if (s->leaf_prefix[0] && has_prefix(leaf, s->leaf_prefix) &&
                (!best || strlen(s->leaf_prefix) > strlen(best->leaf_prefix))) {
                best = s;
                if (engine)
                    *engine = ng_engines[i].id;
            }
    return best;
}

void ng_engine_container_id(const char *cgroups_path, char *out, size_t size)
{
    if (!size)
        return;
    const char *id = leaf_of(cgroups_path);
    const ng_cgroup_shape *shape = longest_leaf_prefix(id, NULL);
    if (shape)
        id += strlen(shape->leaf_prefix);
    size_t n = strlen(id);
    if (n > 6 && strcmp(id + n - 6, ".scope") == 0)
        n -= 6;
    if (n >= size)
        n = size - 1;
    memcpy(out, id, n);
    out[n] = '\0';
}

ng_engine_id ng_engine_from_cgroups_path(const char *cgroups_path)
{
    if (!cgroups_path || !*cgroups_path)
        return NG_ENGINE_UNKNOWN;
    const char *leaf = strrchr(cgroups_path, '/') ? strrchr(cgroups_path, '/') + 1 : cgroups_path;
    const char *first_colon = strchr(leaf, ':'), *last_colon = strrchr(leaf, ':');
    if (first_colon && last_colon != first_colon) {
        /* The systemd form "slice:prefix:id": the prefix alone tells. */
        size_t len = (size_t)(last_colon - first_colon - 1);
        for (size_t i = 0; i < ng_engines_count; i++)
            for (const ng_cgroup_shape *s = ng_engines[i].shapes; s->cgroups_path; s++)
                if (s->scope_prefix && strlen(s->scope_prefix) == len &&
                    strncmp(first_colon + 1, s->scope_prefix, len) == 0)
                    return ng_engines[i].id;
        return NG_ENGINE_UNKNOWN;
    }
    ng_engine_id engine = NG_ENGINE_UNKNOWN;
    if (longest_leaf_prefix(leaf, &engine))
        return engine;
    /* A bare id: only a parent an engine uses by default tells. */
    size_t dir_len = (size_t)(leaf - cgroups_path);
    while (dir_len > 1 && cgroups_path[dir_len - 1] == '/')
        dir_len--;
    for (size_t i = 0; i < ng_engines_count; i++)
        for (const ng_cgroup_shape *s = ng_engines[i].shapes; s->cgroups_path; s++) {
            size_t n = s->parent ? strlen(s->parent) : 0;
            if (n && dir_len >= n && strncmp(cgroups_path, s->parent, n) == 0 &&
                (dir_len == n || cgroups_path[n] == '/'))
                return ng_engines[i].id;
        }
    return NG_ENGINE_UNKNOWN;
}

static const char *string_annotation(yajl_val annotations, const char *key)
{
    yajl_val v = key ? ng_json_member(annotations, key) : NULL;
    return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

/* An empty value names nothing: CRI-O writes "" for an image it has no name for, and the next key
 * may have one. */
static const char *name_annotation(yajl_val annotations, const char *key)
{
    const char *v = string_annotation(annotations, key);
    return v && *v ? v : NULL;
}

/* Appends path's elements to out ("a//b/" -> "a/b"), as crun's append_paths() joins them. False for
 * a "." or ".." element or when out is too small. */
static bool append_elements(char *out, size_t size, const char *path)
{
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (n) {
            size_t len = strlen(out);
            if (len + (len ? 1 : 0) + n >= size)
                return false;
            if (len)
                out[len++] = '/';
            memcpy(out + len, p, n);
            out[len + n] = '\0';
        }
        p += n + (p[n] == '/');
    }
    return true;
}

/* containers/crun, src/libcrun/cgroup-systemd.c: libcrun_cgroup_enter_systemd() makes the scope
 * (get_systemd_scope_and_slice(): "slice:prefix:name" is "prefix-name.scope"), sets the limits on
 * it through systemd (append_resources(), MemoryMax), then systemd_finalize() moves the process to
 * "<scope>/<find_systemd_subgroup()>": the annotation run.oci.systemd.subgroup, "" for none, else
 * "container". src/libcrun/cgroup.c: libcrun_cgroup_enter_finalize() then moves it on to
 * "<that>/<run.oci.delegate-cgroup>" (find_delegate_cgroup(), cgroup v2 only, under either manager;
 * it refuses ".."). Under cgroupfs (src/libcrun/cgroup-cgroupfs.c make_cgroup_path()) the
 * container's own cgroup is cgroupsPath itself. runc reads neither annotation: its pid 1 is in the
 * own cgroup, which never ends in "own/inner", so nothing is climbed. */
void ng_engine_cgroup_levels(yajl_val annotations, const char *cgroups_path, const char *id,
                             ng_cgroup_levels *ret)
{
    ng_cgroup_levels l = {.own = "", .inner = ""};
    *ret = l;
    if (!cgroups_path || !*cgroups_path || !id || !*id)
        return; /* the runtime's default path: which manager made it is not known */
    yajl_val sub = ng_json_member(annotations, "run.oci.systemd.subgroup");
    yajl_val delegate = ng_json_member(annotations, "run.oci.delegate-cgroup");
    if ((sub && !YAJL_IS_STRING(sub)) || (delegate && !YAJL_IS_STRING(delegate)))
        return;
    const char *colon = strchr(cgroups_path, ':');
    if (colon) {
        /* systemd: the own cgroup is the scope, its name from the part after the slice */
        const char *name = strrchr(cgroups_path, ':') + 1;
        if (strcmp(name, id) != 0 || strchr(colon + 1, '/'))
            return;
        int n = snprintf(l.own, sizeof(l.own), "%s.scope", colon + 1);
        if (n < 0 || (size_t)n >= sizeof(l.own))
            return;
        char *second = strchr(l.own, ':');
        if (second)
            *second = '-';
        if (!append_elements(l.inner, sizeof(l.inner), sub ? sub->u.string : "container"))
            return;
    } else {
        char leaf_id[96];
        ng_engine_container_id(cgroups_path, leaf_id, sizeof(leaf_id));
        const char *leaf = strrchr(cgroups_path, '/') ? strrchr(cgroups_path, '/') + 1 : cgroups_path;
        if (strcmp(leaf_id, id) != 0 || !*leaf || strlen(leaf) >= sizeof(l.own))
            return;
        snprintf(l.own, sizeof(l.own), "%s", leaf);
    }
    if (delegate && !append_elements(l.inner, sizeof(l.inner), delegate->u.string))
        return;
    *ret = l;
}

bool ng_engine_cgroup_levels_valid(const ng_cgroup_levels *l, const char *id)
{
    if (!memchr(l->own, '\0', sizeof(l->own)) || !memchr(l->inner, '\0', sizeof(l->inner)))
        return false;
    if (!l->own[0])
        return !l->inner[0];
    char leaf_id[96], check[sizeof(l->inner)] = "";
    ng_engine_container_id(l->own, leaf_id, sizeof(leaf_id));
    size_t on = strlen(l->own), in = id ? strlen(id) : 0;
    bool names_id = in && (strcmp(leaf_id, id) == 0 ||
                           (on > in + 6 && strcmp(l->own + on - 6, ".scope") == 0 &&
                            strncmp(l->own + on - 6 - in, id, in) == 0 && l->own[on - 7 - in] == '-'));
    /* append_elements refuses "." and ".." elements */
    return names_id && !strchr(l->own, '/') && append_elements(check, sizeof(check), l->own) &&
           append_elements(check, sizeof(check), l->inner);
}

ng_engine_id ng_engine_from_annotations(yajl_val annotations)
{
    for (size_t i = 0; i < ng_engines_count; i++)
        for (size_t m = 0; m < sizeof(ng_engines[i].markers) / sizeof(ng_engines[i].markers[0]); m++) {
            const ng_engine_marker *mk = &ng_engines[i].markers[m];
            const char *v = string_annotation(annotations, mk->key);
            if (v && (!mk->value || strcmp(v, mk->value) == 0))
                return ng_engines[i].id;
        }
    return NG_ENGINE_UNKNOWN;
}

ng_engine_id ng_engine_detect(yajl_val annotations, const char *cgroups_path)
{
    ng_engine_id id = ng_engine_from_annotations(annotations);
    return id != NG_ENGINE_UNKNOWN ? id : ng_engine_from_cgroups_path(cgroups_path);
}

const char *ng_engine_annotation(yajl_val annotations, ng_name_field field)
{
    if ((unsigned)field >= NG_NAME_FIELDS)
        return NULL;
    for (size_t i = 0; i < ng_engines_count; i++)
        for (size_t k = 0; k < 2; k++) {
            const char *v = name_annotation(annotations, ng_engines[i].names[field][k]);
            if (v)
                return v;
        }
    return name_annotation(annotations, oci_names[field]);
}

/* Is name (len bytes) one of the space-separated words of list? */
static bool in_list(const char *name, size_t len, const char *list)
{
    for (const char *w = list; w && *w;) {
        size_t n = strcspn(w, " ");
        if (n == len && strncmp(name, w, len) == 0)
            return true;
        w += n;
        w += strspn(w, " ");
    }
    return false;
}

/* The name of a flag argument without its dashes, and its length up to any '='. NULL: not a flag. */
static const char *flag_name(const char *arg, size_t *len, const char **attached)
{
    if (arg[0] != '-' || !arg[1])
        return NULL;
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    *len = eq ? (size_t)(eq - name) : strlen(name);
    if (attached)
        *attached = eq ? eq + 1 : NULL;
    return name;
}

ng_flag_scope ng_runtime_command_scope(const char *command)
{
    return command && strcmp(command, "exec") == 0 ? NG_FLAGS_EXEC : NG_FLAGS_CREATE;
}

bool ng_runtime_flag_takes_value(ng_flag_scope scope, const char *arg)
{
    size_t len = 0;
    const char *attached = NULL;
    const char *name = flag_name(arg, &len, &attached);
    if (!name || attached)
        return false;
    for (size_t i = 0; i < ng_engines_count; i++) {
        const ng_runtime_flags *rt = ng_engines[i].runtime;
        if (!rt)
            continue;
        const char *list = scope == NG_FLAGS_GLOBAL   ? rt->global_value
                           : scope == NG_FLAGS_CREATE ? rt->create_value
                                                      : rt->exec_value;
        if (in_list(name, len, list))
            return true;
    }
    return false;
}

bool ng_runtime_bundle_flag(const char *arg, const char **value)
{
    size_t len = 0;
    const char *attached = NULL;
    const char *name = flag_name(arg, &len, &attached);
    if (!name)
        return false;
    for (size_t i = 0; i < ng_engines_count; i++)
        if (ng_engines[i].runtime && in_list(name, len, ng_engines[i].runtime->bundle)) {
            *value = attached;
            return true;
        }
    return false;
}

bool ng_runtime_command_creates(const char *command)
{
    if (!command)
        return false;
    for (size_t i = 0; i < ng_engines_count; i++)
        if (ng_engines[i].runtime &&
            in_list(command, strlen(command), ng_engines[i].runtime->creating_commands))
            return true;
    return false;
}

/* containers/podman: libpod/oci_conmon_common.go passes conmon --exit-dir (Engine.TmpDir/exits) and
 * --persist-dir (Engine.TmpDir/persist/<id>); rootless, TmpDir is $XDG_RUNTIME_DIR/libpod/tmp
 * (pkg/util/utils_supported.go GetRootlessRuntimeDir, config's tmp_dir). containers/conmon
 * src/ctr_exit.c writes the code to both. Seen in the test VM (podman 5.4.2, conmon 2.1.12). */
size_t ng_engine_exit_files(ng_engine_id engine, const char *runtime_dir, const char *id, char (*ret)[4096],
                            size_t max)
{
    if (engine != NG_ENGINE_PODMAN || !runtime_dir || runtime_dir[0] != '/' || !id || !*id ||
        strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return 0;
    size_t n = 0;
    for (int i = 0; i < 2 && n < max; i++) {
        int len = i == 0 ? snprintf(ret[n], sizeof(ret[n]), "%s/libpod/tmp/persist/%s/exit", runtime_dir, id)
                         : snprintf(ret[n], sizeof(ret[n]), "%s/libpod/tmp/exits/%s", runtime_dir, id);
        if (len > 0 && (size_t)len < sizeof(ret[n]))
            n++;
    }
    return n;
}

int ng_engine_parse_exit_code(const char *text, int *ret_code)
{
    size_t n = strlen(text);
    if (n && text[n - 1] == '\n')
        n--;
    if (n == 0 || n > 3)
        return -EINVAL;
    int code = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -EINVAL;
        code = code * 10 + (text[i] - '0');
    }
    if (code > 255 || (n > 1 && text[0] == '0'))
        return -EINVAL;
    *ret_code = code;
    return 0;
}
