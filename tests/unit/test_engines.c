#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "spec_builder.h"
#include "nodeguard/engines.h"
#include "nodeguard/enginestate.h"
#include "nodeguard/json.h"
#include "nodeguard/policy.h"
#include "nodeguard/watch_setup.h"
#include "nodeguard/wrapper.h"

#define ID "3430b621577d2365a0a95301ca12c436241eb2b87c8fa7cc24f4d728a95d1e4c"

static const char *container_id(const char *path)
{
    static char out[96];
    ng_engine_container_id(path, out, sizeof(out));
    return out;
}

/* Every shape of every engine, as it reaches nodeguard: in config.json and in the cgroup tree. */
static const struct {
    const char *path;
    ng_engine_id engine;
} shapes[] = {
    {"/libpod_parent/libpod-" ID, NG_ENGINE_PODMAN},
    {"machine.slice:libpod:" ID, NG_ENGINE_PODMAN},
    {"user.slice:libpod:" ID, NG_ENGINE_PODMAN},
    {"/machine.slice/libpod-" ID ".scope", NG_ENGINE_PODMAN},
    {"/machine.slice/libpod-conmon-" ID ".scope", NG_ENGINE_PODMAN},
    {"/system.slice/app.service/libpod-payload-" ID, NG_ENGINE_PODMAN},
    {"/docker/" ID, NG_ENGINE_DOCKER},
    {"system.slice:docker:" ID, NG_ENGINE_DOCKER},
    {"/system.slice/docker-" ID ".scope", NG_ENGINE_DOCKER},
    {"/kubepods/burstable/pod1f3c/crio-" ID, NG_ENGINE_CRIO},
    {"/kubepods/burstable/pod1f3c/crio-conmon-" ID, NG_ENGINE_CRIO},
    {"kubepods-burstable-pod1f3c.slice:crio:" ID, NG_ENGINE_CRIO},
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1f3c.slice/crio-" ID ".scope",
     NG_ENGINE_CRIO},
    {"/crio/crio-" ID, NG_ENGINE_CRIO},
    {"/kubepods/burstable/pod1f3c/" ID, NG_ENGINE_CONTAINERD},
    {"/kubepods/besteffort/pod1f3c/" ID, NG_ENGINE_CONTAINERD},
    {"kubepods-besteffort-pod1f3c.slice:cri-containerd:" ID, NG_ENGINE_CONTAINERD},
    {"/kubepods.slice/kubepods-pod1f3c.slice/cri-containerd-" ID ".scope", NG_ENGINE_CONTAINERD},
    {"/default/" ID, NG_ENGINE_CONTAINERD},
    {"/system.slice/runc-" ID ".scope", NG_ENGINE_RUNC},
    {"system.slice:runc:" ID, NG_ENGINE_RUNC},
    {"/system.slice/crun-" ID ".scope", NG_ENGINE_CRUN},
};

static void test_container_id_of_every_shape(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
        if (strcmp(container_id(shapes[i].path), ID) != 0)
            fail_msg("%s: id %s", shapes[i].path, container_id(shapes[i].path));
}

static void test_container_id_edges(void **state)
{
    (void)state;
    assert_string_equal(container_id("abc123"), "abc123"); /* a bare id, no path */
    assert_string_equal(container_id("/x/abc.scope"), "abc");
    assert_string_equal(container_id(".scope"), ".scope"); /* nothing left: kept whole */
    assert_string_equal(container_id("/x/libpod-"), "");
    assert_string_equal(container_id("/x/y/"), "");
    assert_string_equal(container_id("/a:b/c"), "c"); /* ':' counts in the last element only */
    /* A prefix counts at the start of the last element only, the longest one first. */
    assert_string_equal(container_id("/libpod-x/abc"), "abc");
    assert_string_equal(container_id("/x/libpod-conmon-abc"), "abc");
    assert_string_equal(container_id("/x/crio-conmon-abc.scope"), "abc");
    char small[4];
    ng_engine_container_id("/docker/abcdef", small, sizeof(small));
    assert_string_equal(small, "abc");
    ng_engine_container_id("/docker/abcdef", small, 0); /* no room: untouched, no crash */
}

/* The id reaches ng_spec through config.json; the hostname only when there is no cgroupsPath. */
static void test_container_id_in_spec(void **state)
{
    (void)state;
    static const char *const paths[] = {"/libpod_parent/libpod-" ID, "system.slice:docker:" ID,
                                        "kubepods-burstable-pod1f3c.slice:crio:" ID};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        char js[512];
        snprintf(js, sizeof(js),
                 "{\"process\":{\"args\":[\"node\"]},\"hostname\":\"h\",\"linux\":{\"cgroupsPath\":\"%s\"}}",
                 paths[i]);
        ng_spec s = {0};
        assert_int_equal(ng_spec_parse(js, strlen(js), &s, NULL), 0);
        assert_string_equal(s.container_id, ID);
        assert_string_equal(s.cgroups_path, paths[i]);
        ng_spec_free(&s);
    }
    const char *js =
        "{\"process\":{\"args\":[\"node\"]},\"hostname\":\"h\",\"linux\":{\"cgroupsPath\":\"\"}}";
    ng_spec s = {0};
    assert_int_equal(ng_spec_parse(js, strlen(js), &s, NULL), 0);
    assert_string_equal(s.container_id, "h");
    ng_spec_free(&s);
}

static void test_engine_from_cgroups_path(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
        if (ng_engine_from_cgroups_path(shapes[i].path) != shapes[i].engine)
            fail_msg("%s: %s, not %s", shapes[i].path,
                     ng_engine_name(ng_engine_from_cgroups_path(shapes[i].path)),
                     ng_engine_name(shapes[i].engine));
    static const char *const unknown[] = {
        NULL,
        "",
        ID,
        "/" ID,
        "/custom/parent/" ID,
        "/dockerd/" ID,
        "/kubepodsx/" ID,
        "machine.slice:other:" ID,
        "/system.slice/other-" ID ".scope",
    };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        if (ng_engine_from_cgroups_path(unknown[i]) != NG_ENGINE_UNKNOWN)
            fail_msg("%s: %s, not unknown", unknown[i] ? unknown[i] : "(null)",
                     ng_engine_name(ng_engine_from_cgroups_path(unknown[i])));
    /* A parent's nested cgroups are its engine's too; a trailing slash changes nothing. */
    assert_int_equal(ng_engine_from_cgroups_path("/docker/custom/" ID), NG_ENGINE_DOCKER);
    assert_int_equal(ng_engine_from_cgroups_path("/docker//" ID), NG_ENGINE_DOCKER);
}

/* Each shape in the table, with its placeholders filled in, gives back the id and its engine; the
 * systemd shapes' leaf is their scope prefix and a dash. */
static void test_table_shapes_are_consistent(void **state)
{
    (void)state;
    for (size_t i = 0; i < ng_engines_count; i++) {
        const ng_engine *e = &ng_engines[i];
        assert_non_null(e->name);
        assert_ptr_equal(ng_engine_get(e->id), e);
        assert_non_null(e->shapes);
        for (const ng_cgroup_shape *s = e->shapes; s->cgroups_path; s++) {
            assert_non_null(s->leaf_prefix);
            if (s->scope_prefix) {
                assert_int_equal(s->manager, NG_CGROUP_SYSTEMD);
                assert_false(s->monitor);
                assert_int_equal(strlen(s->leaf_prefix), strlen(s->scope_prefix) + 1);
                assert_memory_equal(s->leaf_prefix, s->scope_prefix, strlen(s->scope_prefix));
                assert_int_equal(s->leaf_prefix[strlen(s->scope_prefix)], '-');
            } else {
                /* A container's cgroup under systemd always comes from "slice:prefix:id". */
                assert_true(s->manager == NG_CGROUP_CGROUPFS || s->monitor);
            }
            if (s->parent)
                assert_int_equal(s->manager, NG_CGROUP_CGROUPFS);
            if (!*s->cgroups_path)
                continue; /* the runtime's own choice: no path in the config */
            /* <id> is the id, any other <...> what varies (a pod's uid, a parent). */
            char path[256] = "";
            for (const char *p = s->cgroups_path; *p;) {
                const char *end = *p == '<' ? strchr(p, '>') : NULL;
                if (end) {
                    strcat(path, strncmp(p, "<id>", 4) == 0 ? ID : "x1");
                    p = end + 1;
                } else {
                    strncat(path, p++, 1);
                }
            }
            if (strcmp(container_id(path), ID) != 0)
                fail_msg("%s (%s): id %s", path, e->name, container_id(path));
            if (ng_engine_from_cgroups_path(path) != e->id)
                fail_msg("%s: %s, not %s", path, ng_engine_name(ng_engine_from_cgroups_path(path)), e->name);
        }
    }
    assert_null(ng_engine_get(NG_ENGINE_UNKNOWN));
    assert_string_equal(ng_engine_name(NG_ENGINE_UNKNOWN), "unknown");
    assert_string_equal(ng_engine_name(NG_ENGINE_PODMAN), "podman");
    assert_string_equal(ng_engine_name(NG_ENGINE_CONTAINERD), "containerd");
}

static yajl_val parse(const char *js)
{
    yajl_val v = NULL;
    assert_int_equal(ng_json_parse(js, strlen(js), NG_JSON_MAX_DEPTH, &v, NULL), 0);
    return v;
}

static void test_engine_from_annotations(void **state)
{
    (void)state;
    static const struct {
        const char *annotations;
        ng_engine_id engine;
    } cases[] = {
        /* podman 4.3, as captured in tests/fixtures: some CRI-O keys too, but podman's manager */
        {"{\"io.container.manager\":\"libpod\",\"io.kubernetes.cri-o.Created\":\"2026-11-26T22:46:53Z\","
         "\"io.kubernetes.cri-o.TTY\":\"false\"}",
         NG_ENGINE_PODMAN},
        {"{\"io.container.manager\":\"cri-o\",\"io.kubernetes.cri-o.ContainerID\":\"" ID "\"}",
         NG_ENGINE_CRIO},
        {"{\"io.kubernetes.cri-o.ContainerID\":\"" ID "\"}",
         NG_ENGINE_CRIO}, /* before io.container.manager */
        {"{\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"s\"}",
         NG_ENGINE_CONTAINERD},
        {"{\"io.kubernetes.cri.sandbox-id\":\"s\"}", NG_ENGINE_CONTAINERD},
        {"{\"io.kubernetes.cri-o.TTY\":\"false\"}", NG_ENGINE_UNKNOWN}, /* podman 4 sets it too */
        {"{\"io.container.manager\":\"other\"}", NG_ENGINE_UNKNOWN},
        {"{\"io.container.manager\":1}", NG_ENGINE_UNKNOWN},
        {"{}", NG_ENGINE_UNKNOWN},
        {"[]", NG_ENGINE_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        yajl_val a = parse(cases[i].annotations);
        if (ng_engine_from_annotations(a) != cases[i].engine)
            fail_msg("%s: %s, not %s", cases[i].annotations, ng_engine_name(ng_engine_from_annotations(a)),
                     ng_engine_name(cases[i].engine));
        yajl_tree_free(a);
    }
    assert_int_equal(ng_engine_from_annotations(NULL), NG_ENGINE_UNKNOWN);

    /* Annotations first, then the cgroups path. */
    yajl_val podman = parse("{\"io.container.manager\":\"libpod\"}");
    assert_int_equal(ng_engine_detect(podman, "/docker/" ID), NG_ENGINE_PODMAN);
    assert_int_equal(ng_engine_detect(NULL, "/docker/" ID), NG_ENGINE_DOCKER);
    assert_int_equal(ng_engine_detect(NULL, NULL), NG_ENGINE_UNKNOWN);
    yajl_tree_free(podman);
}

static void test_annotation_precedence(void **state)
{
    (void)state;
    /* CRI-O's (the kubelet's labels) before containerd's, as watch_setup has always read them. */
    yajl_val both =
        parse("{\"io.kubernetes.cri.sandbox-name\":\"c-pod\",\"io.kubernetes.pod.name\":\"o-pod\","
              "\"io.kubernetes.cri.sandbox-namespace\":\"c-ns\",\"io.kubernetes.pod.namespace\":\"o-ns\","
              "\"io.kubernetes.cri.container-name\":\"c-name\",\"io.kubernetes.container.name\":\"o-name\","
              "\"org.opencontainers.image.ref.name\":\"ref\",\"io.kubernetes.cri.image-name\":\"c-img\","
              "\"io.kubernetes.cri-o.ImageName\":\"o-img\"}");
    assert_string_equal(ng_engine_annotation(both, NG_NAME_POD), "o-pod");
    assert_string_equal(ng_engine_annotation(both, NG_NAME_NAMESPACE), "o-ns");
    assert_string_equal(ng_engine_annotation(both, NG_NAME_CONTAINER), "o-name");
    assert_string_equal(ng_engine_annotation(both, NG_NAME_IMAGE), "o-img");
    yajl_tree_free(both);

    yajl_val containerd = parse("{\"io.kubernetes.cri.sandbox-name\":\"c-pod\","
                                "\"io.kubernetes.cri.sandbox-namespace\":\"c-ns\","
                                "\"io.kubernetes.cri.container-name\":\"c-name\","
                                "\"org.opencontainers.image.ref.name\":\"ref\","
                                "\"io.kubernetes.cri.image-name\":\"c-img\"}");
    assert_string_equal(ng_engine_annotation(containerd, NG_NAME_POD), "c-pod");
    assert_string_equal(ng_engine_annotation(containerd, NG_NAME_NAMESPACE), "c-ns");
    assert_string_equal(ng_engine_annotation(containerd, NG_NAME_CONTAINER), "c-name");
    assert_string_equal(ng_engine_annotation(containerd, NG_NAME_IMAGE), "c-img");
    yajl_tree_free(containerd);

    /* A pod's sandbox has containerd's podsandbox image and no container name; CRI-O writes ""
     * for an image it has no name for, and then the pod spec's image names it. */
    yajl_val sandbox = parse("{\"io.kubernetes.cri.sandbox-name\":\"c-pod\","
                             "\"io.kubernetes.cri.podsandbox.image-name\":\"registry.k8s.io/pause:3.10\"}");
    assert_string_equal(ng_engine_annotation(sandbox, NG_NAME_IMAGE), "registry.k8s.io/pause:3.10");
    assert_null(ng_engine_annotation(sandbox, NG_NAME_CONTAINER));
    yajl_tree_free(sandbox);
    yajl_val by_id =
        parse("{\"io.kubernetes.cri-o.ImageName\":\"\",\"io.kubernetes.cri-o.Image\":\"node:20\","
              "\"io.kubernetes.container.name\":\"\"}");
    assert_string_equal(ng_engine_annotation(by_id, NG_NAME_IMAGE), "node:20");
    assert_null(ng_engine_annotation(by_id, NG_NAME_CONTAINER)); /* "" names nothing */
    yajl_tree_free(by_id);

    /* The OCI image-spec's name last; a value that is not a string is passed over. */
    yajl_val oci =
        parse("{\"io.kubernetes.cri-o.ImageName\":7,\"org.opencontainers.image.ref.name\":\"ref\"}");
    assert_string_equal(ng_engine_annotation(oci, NG_NAME_IMAGE), "ref");
    assert_null(ng_engine_annotation(oci, NG_NAME_POD));
    assert_null(ng_engine_annotation(oci, NG_NAME_FIELDS));
    yajl_tree_free(oci);
    assert_null(ng_engine_annotation(NULL, NG_NAME_IMAGE));

    /* podman sets no name: its container's names stay empty. */
    yajl_val podman = parse("{\"io.container.manager\":\"libpod\",\"io.kubernetes.cri-o.Created\":\"x\"}");
    for (int f = 0; f < NG_NAME_FIELDS; f++)
        assert_null(ng_engine_annotation(podman, (ng_name_field)f));
    yajl_tree_free(podman);
}

/* What the watcher is told of a container: the names, through the table. */
static void test_watcher_names(void **state)
{
    (void)state;
    ng_policy policy;
    ng_policy_defaults(&policy);
    ng_spec spec = build_spec(
        "[\"node\"]", "[]",
        "{\"io.kubernetes.pod.name\":\"web-7d9\",\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
        "\"io.kubernetes.cri.container-name\":\"web\",\"io.kubernetes.cri.image-name\":\"node:20\"}",
        512);
    ng_state st = {.id = "c1", .pid = 42};
    ng_decision d = {.outcome = NG_OUTCOME_NOT_NODE};
    ng_container_state *cs = calloc(1, sizeof(*cs));
    assert_non_null(cs);
    ng_spec_fill_names(&spec, NULL);
    ng_container_state_describe(&policy, &st, &spec, &d, cs);
    assert_string_equal(cs->pod, "web-7d9");
    assert_string_equal(cs->namespace_, "prod");
    assert_string_equal(cs->container_name, "web");
    assert_string_equal(cs->image, "node:20");
    ng_spec_free(&spec);
    spec = build_spec("[\"node\"]", "[]", NULL, 512);
    ng_spec_fill_names(&spec, NULL);
    ng_container_state_describe(&policy, &st, &spec, &d, cs);
    assert_string_equal(cs->pod, "");
    assert_string_equal(cs->image, "");
    free(cs);
    ng_spec_free(&spec);
    ng_policy_free(&policy);
}

static void test_flags_that_take_a_value(void **state)
{
    (void)state;
    static const struct {
        ng_flag_scope scope;
        const char *arg;
        bool takes;
    } cases[] = {
        {NG_FLAGS_GLOBAL, "--root", true},
        {NG_FLAGS_GLOBAL, "-root", true},
        {NG_FLAGS_GLOBAL, "--root=/run/runc", false}, /* attached */
        {NG_FLAGS_GLOBAL, "--log", true},
        {NG_FLAGS_GLOBAL, "--log-format", true},
        {NG_FLAGS_GLOBAL, "--criu", true},           /* runc before 1.4 */
        {NG_FLAGS_GLOBAL, "--rootless", true},       /* runc; crun ignores its value */
        {NG_FLAGS_GLOBAL, "--log-level", true},      /* crun */
        {NG_FLAGS_GLOBAL, "--cgroup-manager", true}, /* crun */
        {NG_FLAGS_GLOBAL, "--systemd-cgroup", false},
        {NG_FLAGS_GLOBAL, "--debug", false},
        {NG_FLAGS_GLOBAL, "--bundle", false}, /* not a global flag */
        {NG_FLAGS_CREATE, "--bundle", true},
        {NG_FLAGS_CREATE, "-b", true},
        {NG_FLAGS_CREATE, "--b", true},
        {NG_FLAGS_CREATE, "-b=/x", false},
        {NG_FLAGS_CREATE, "--console-socket", true},
        {NG_FLAGS_CREATE, "--pid-file", true},
        {NG_FLAGS_CREATE, "--preserve-fds", true},
        {NG_FLAGS_CREATE, "--pidfd-socket", true}, /* runc 1.2 */
        {NG_FLAGS_CREATE, "--config", true},       /* crun */
        {NG_FLAGS_CREATE, "-f", true},
        {NG_FLAGS_CREATE, "--detach", false},
        {NG_FLAGS_CREATE, "-d", false},
        {NG_FLAGS_CREATE, "--keep", false},
        {NG_FLAGS_CREATE, "--no-pivot", false},
        {NG_FLAGS_CREATE, "--no-new-keyring", false},
        {NG_FLAGS_CREATE, "--no-subreaper", false},
        {NG_FLAGS_CREATE, "--root", false},
        {NG_FLAGS_CREATE, "-", false},
        {NG_FLAGS_CREATE, "bundle", false},
        {NG_FLAGS_EXEC, "-e", true},
        {NG_FLAGS_EXEC, "--env", true},
        {NG_FLAGS_EXEC, "-u", true},
        {NG_FLAGS_EXEC, "--cwd", true},
        {NG_FLAGS_EXEC, "-p", true},
        {NG_FLAGS_EXEC, "--cap", true},
        {NG_FLAGS_EXEC, "-g", true}, /* runc's additional-gids */
        {NG_FLAGS_EXEC, "--cgroup", true},
        {NG_FLAGS_EXEC, "-t", false}, /* runc: a boolean; crun: an optional value, never the next */
        {NG_FLAGS_EXEC, "--tty", false},
        {NG_FLAGS_EXEC, "-d", false},
        {NG_FLAGS_EXEC, "--no-new-privs", false},
        {NG_FLAGS_EXEC, "--bundle", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (ng_runtime_flag_takes_value(cases[i].scope, cases[i].arg) != cases[i].takes)
            fail_msg("scope %d, %s: expected %s", cases[i].scope, cases[i].arg,
                     cases[i].takes ? "a value" : "no value");
}

static void test_bundle_flag_and_commands(void **state)
{
    (void)state;
    const char *v = "unset";
    assert_true(ng_runtime_bundle_flag("--bundle", &v));
    assert_null(v);
    assert_true(ng_runtime_bundle_flag("-b=/b", &v));
    assert_string_equal(v, "/b");
    assert_true(ng_runtime_bundle_flag("--bundle=", &v));
    assert_string_equal(v, "");
    assert_false(ng_runtime_bundle_flag("--bundles", &v));
    assert_false(ng_runtime_bundle_flag("bundle", &v));
    assert_false(ng_runtime_bundle_flag("--pid-file", &v));

    assert_true(ng_runtime_command_creates("create"));
    assert_true(ng_runtime_command_creates("run"));
    static const char *const others[] = {"start", "exec", "delete", "state", "kill", "features", "", "creat"};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        assert_false(ng_runtime_command_creates(others[i]));
    assert_false(ng_runtime_command_creates(NULL));
    assert_int_equal(ng_runtime_command_scope("exec"), NG_FLAGS_EXEC);
    assert_int_equal(ng_runtime_command_scope("create"), NG_FLAGS_CREATE);
    assert_int_equal(ng_runtime_command_scope(NULL), NG_FLAGS_CREATE);

    /* The wrapper looks for runc, then crun. */
    const char *binaries[2] = {NULL, NULL};
    size_t n = 0;
    for (size_t i = 0; i < ng_engines_count; i++)
        if (ng_engines[i].runtime) {
            assert_true(n < 2);
            binaries[n++] = ng_engines[i].runtime->binary;
        }
    assert_int_equal(n, 2);
    assert_string_equal(binaries[0], "runc");
    assert_string_equal(binaries[1], "crun");
}

/* argv as a string of words separated by '|' ('|' alone an empty argument), parsed. */
static ng_runtime_args parse_argv(const char *words, char **storage, char **argv, int *argc)
{
    *storage = strdup(words);
    int n = 0;
    argv[n++] = "nodeguard-runtime";
    for (char *p = *storage, *w; (w = strsep(&p, "|"));)
        argv[n++] = w;
    argv[n] = NULL;
    *argc = n;
    ng_runtime_args a;
    ng_runtime_parse_args(n, argv, &a);
    return a;
}

static void test_parse_args(void **state)
{
    (void)state;
    static const struct {
        const char *argv;
        int command_index;
        const char *command, *bundle, *id;
    } cases[] = {
        /* containerd's runc shim (Docker's and Kubernetes' alike) */
        {"--root|/run/containerd/runc/k8s.io|--log|/run/containerd/"
         "log.json|--log-format|json|--systemd-cgroup|"
         "create|--bundle|/run/b|--pid-file|/run/b/init.pid|--console-socket|/tmp/s|c1",
         8, "create", "/run/b", "c1"},
        /* conmon (podman, CRI-O) */
        {"--root|/run/runc|--systemd-cgroup|create|--bundle|/b|--pid-file|/p|--no-pivot|--console-socket|/s|"
         "--preserve-fds|2|c2",
         4, "create", "/b", "c2"},
        /* crun's own flags */
        {"--cgroup-manager|systemd|--log-level|debug|--log=/l|create|-f|other.json|-b|/b|c3", 6, "create",
         "/b", "c3"},
        {"--root=/r|--log-format=json|run|--bundle=/b|--pid-file=/p|--pidfd-socket|/ps|c4", 3, "run", "/b",
         "c4"},
        {"run|-b|/b|-d|c5", 1, "run", "/b", "c5"},
        {"run|-b=/b|--keep|c6", 1, "run", "/b", "c6"},
        {"create|c7", 1, "create", NULL, "c7"},
        {"create|-b|/b|--|c8", 1, "create", "/b", "c8"},
        {"create|--|-b|c9", 1, "create", NULL, "c9"}, /* after "--" nothing is a flag: the last is the id */
        {"create|-b|/b|--", 1, "create", "/b", NULL},
        {"create|-b", 1, "create", NULL, NULL},
        {"exec|-e|A=1|--cwd|/tmp|-t|c10|node|--max-old-space-size=1|a.js", 1, "exec", NULL, "c10"},
        {"exec|--|c11|sh", 1, "exec", NULL, "c11"},
        {"delete|--force|c12", 1, "delete", NULL, "c12"},
        {"--root|/r|state|c13", 3, "state", NULL, "c13"},
        {"--root|/r", 0, NULL, NULL, NULL},
        {"--version", 0, NULL, NULL, NULL},
        {"--root", 0, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *storage = NULL, *argv[32];
        int argc = 0;
        ng_runtime_args a = parse_argv(cases[i].argv, &storage, argv, &argc);
        const char *got[3] = {a.command, a.bundle, a.id},
                   *want[3] = {cases[i].command, cases[i].bundle, cases[i].id};
        for (int k = 0; k < 3; k++)
            if (!want[k] ? got[k] != NULL : !got[k] || strcmp(got[k], want[k]) != 0)
                fail_msg("%s: field %d is %s, not %s", cases[i].argv, k, got[k] ? got[k] : "(null)",
                         want[k] ? want[k] : "(null)");
        if (a.command_index != cases[i].command_index)
            fail_msg("%s: command at %d, not %d", cases[i].argv, a.command_index, cases[i].command_index);
        free(storage);
    }
    char *argv[] = {"nodeguard-runtime", NULL};
    ng_runtime_args a;
    ng_runtime_parse_args(1, argv, &a);
    assert_null(a.command);
    assert_int_equal(a.command_index, 0);
}

/* crun's levels below the container's own cgroup (src/libcrun/cgroup-systemd.c, cgroup.c). */
static void test_cgroup_levels(void **state)
{
    (void)state;
    static const struct {
        const char *annotations, *cgroups_path, *id, *own, *inner;
    } cases[] = {
        {"{}", "machine.slice:libpod:" ID, ID, "libpod-" ID ".scope", "container"},
        {"{}", "system.slice:docker:" ID, ID, "docker-" ID ".scope", "container"},
        {"{}", ":crun:" ID, ID, "crun-" ID ".scope", "container"},
        {"{\"run.oci.systemd.subgroup\":\"payload\"}", "machine.slice:libpod:" ID, ID, "libpod-" ID ".scope",
         "payload"},
        {"{\"run.oci.systemd.subgroup\":\"\"}", "machine.slice:libpod:" ID, ID, "libpod-" ID ".scope", ""},
        {"{\"run.oci.delegate-cgroup\":\"/a//b/\"}", "machine.slice:libpod:" ID, ID, "libpod-" ID ".scope",
         "container/a/b"},
        /* cgroupfs: no subgroup, only the delegate */
        {"{}", "/libpod_parent/libpod-" ID, ID, "libpod-" ID, ""},
        {"{\"run.oci.delegate-cgroup\":\"d\"}", "/libpod_parent/libpod-" ID, ID, "libpod-" ID, "d"},
        {"{\"run.oci.delegate-cgroup\":\"d\"}", "/docker/" ID, ID, ID, "d"},
        /* unknown: no own level, nothing climbed */
        {"{}", "", ID, "", ""},
        {"{}", "machine.slice:libpod:other", ID, "", ""},
        {"{}", "/libpod_parent/libpod-other", ID, "", ""},
        {"{}", "machine.slice:libpod:" ID, "", "", ""},
        {"{\"run.oci.systemd.subgroup\":\"../x\"}", "machine.slice:libpod:" ID, ID, "", ""},
        {"{\"run.oci.systemd.subgroup\":\"./x\"}", "machine.slice:libpod:" ID, ID, "", ""},
        {"{\"run.oci.delegate-cgroup\":\"a/../..\"}", "/libpod_parent/libpod-" ID, ID, "", ""},
        {"{\"run.oci.delegate-cgroup\":[\"d\"]}", "/libpod_parent/libpod-" ID, ID, "", ""},
        {"{\"run.oci.systemd.subgroup\":null}", "machine.slice:libpod:" ID, ID, "", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        yajl_val a = parse(cases[i].annotations);
        ng_cgroup_levels l;
        ng_engine_cgroup_levels(a, cases[i].cgroups_path, cases[i].id, &l);
        assert_string_equal(l.own, cases[i].own);
        if (l.own[0])
            assert_string_equal(l.inner, cases[i].inner);
        /* what it makes passes the check the hook applies to the sandboxed child's reply */
        assert_true(ng_engine_cgroup_levels_valid(&l, cases[i].id));
        yajl_tree_free(a);
    }
    /* a forged reply: levels that reach a slice, name another container, or climb with ".." */
    static const struct {
        const char *own, *inner, *id;
    } forged[] = {
        {"machine.slice", "libpod-" ID ".scope/container", ID},
        {"libpod-other.scope", "container", ID},
        {"libpod-" ID ".scope", "../..", ID},
        {"libpod-" ID ".scope", "container/.", ID},
        {"..", "x", ".."},
        {"a/libpod-" ID ".scope", "container", ID},
        {"libpod-" ID ".scope", "container", ""},
        {"", "container", ID},
    };
    for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        ng_cgroup_levels f;
        snprintf(f.own, sizeof(f.own), "%s", forged[i].own);
        snprintf(f.inner, sizeof(f.inner), "%s", forged[i].inner);
        assert_false(ng_engine_cgroup_levels_valid(&f, forged[i].id));
    }
    ng_cgroup_levels unterminated;
    memset(&unterminated, 'a', sizeof(unterminated));
    assert_false(ng_engine_cgroup_levels_valid(&unterminated, ID));
    ng_cgroup_levels l;
    ng_engine_cgroup_levels(NULL, NULL, ID, &l);
    assert_string_equal(l.own, "");
}

/* Rootless podman's exit files (conmon's --persist-dir and --exit-dir), as seen in the test VM. */
static void test_exit_files(void **state)
{
    (void)state;
    char paths[2][4096];
    assert_int_equal(ng_engine_exit_files(NG_ENGINE_PODMAN, "/run/user/1000", "abc", paths, 2), 2);
    assert_string_equal(paths[0], "/run/user/1000/libpod/tmp/persist/abc/exit");
    assert_string_equal(paths[1], "/run/user/1000/libpod/tmp/exits/abc");
    assert_int_equal(ng_engine_exit_files(NG_ENGINE_PODMAN, "/run/user/1000", "abc", paths, 1), 1);
    /* no id that walks out, no relative or missing runtime directory, no engine nodeguard does not know */
    assert_int_equal(ng_engine_exit_files(NG_ENGINE_PODMAN, "/run/user/1000", "../x", paths, 2), 0);
    assert_int_equal(ng_engine_exit_files(NG_ENGINE_PODMAN, "/run/user/1000", "..", paths, 2), 0);
    assert_int_equal(ng_engine_exit_files(NG_ENGINE_PODMAN, "/run/user/1000", "", paths, 2), 0);
    assert_int_equal(ng_engine_exit_files(NG_ENGINE_PODMAN, "run/user/1000", "abc", paths, 2), 0);
    assert_int_equal(ng_engine_exit_files(NG_ENGINE_PODMAN, NULL, "abc", paths, 2), 0);
    assert_int_equal(ng_engine_exit_files(NG_ENGINE_DOCKER, "/run/user/1000", "abc", paths, 2), 0);
}

static void test_exit_code_parse(void **state)
{
    (void)state;
    int code = -1;
    assert_int_equal(ng_engine_parse_exit_code("137", &code), 0);
    assert_int_equal(code, 137);
    assert_int_equal(ng_engine_parse_exit_code("0\n", &code), 0);
    assert_int_equal(code, 0);
    assert_int_equal(ng_engine_parse_exit_code("255", &code), 0);
    assert_int_equal(code, 255);
    code = 7;
    static const char *const bad[] = {"", "\n", "256", "-1", "1a", " 1", "007", "1\n\n", "1000", "+1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ng_engine_parse_exit_code(bad[i], &code), -EINVAL);
    assert_int_equal(code, 7); /* untouched on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_files),
        cmocka_unit_test(test_exit_code_parse),
        cmocka_unit_test(test_container_id_of_every_shape),
        cmocka_unit_test(test_container_id_edges),
        cmocka_unit_test(test_container_id_in_spec),
        cmocka_unit_test(test_engine_from_cgroups_path),
        cmocka_unit_test(test_table_shapes_are_consistent),
        cmocka_unit_test(test_engine_from_annotations),
        cmocka_unit_test(test_annotation_precedence),
        cmocka_unit_test(test_watcher_names),
        cmocka_unit_test(test_flags_that_take_a_value),
        cmocka_unit_test(test_bundle_flag_and_commands),
        cmocka_unit_test(test_parse_args),
        cmocka_unit_test(test_cgroup_levels),
    };
    return cmocka_run_group_tests_name("engines", tests, NULL, NULL);
}
