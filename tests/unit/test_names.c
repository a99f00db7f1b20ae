/* A container's names from the engines' own records: podman's containers/storage files and Docker's
 * config.v2.json, parsed (names.c) and found and read on disk (enginestate.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/enginestate.h"
#include "nodeguard/names.h"
#include "nodeguard/spec.h"

#define ID       "851f7ac9fcb6cb30088ddc096ddce9119026e978bcf883259dff5f8d01f9053a"
#define OTHER_ID "e994ed2dcc7028b7da99705b9b16d571a3a3622a241c6971f7ca6ae3f0b52425"
#define IMAGE_ID "68530c9659fcfb9a51ce26c78e98e8b9d3ccad40bbe593b1e28990915df514b2"

/* An entry of containers.json as podman 4.3.1 (containers/storage 1.43) wrote it on this project's
 * machine for `podman run --name web2 localhost/ngnames-test:1`; only the id is ours. */
#define PODMAN_ENTRY(id, name, metadata)                                                                     \
    "{\"id\":\"" id "\",\"names\":[\"" name "\"],\"image\":\"" IMAGE_ID "\","                                \
    "\"layer\":\"31a8a88f0b222688d7db9c40cb32d111fd712bc3a035ea8792389d5027ffecb0\","                        \
    "\"metadata\":\"" metadata "\",\"created\":\"2026-12-01T13:19:59.17444656Z\","                           \
    "\"flags\":{\"MountLabel\":\"\",\"ProcessLabel\":\"\"}}"
#define PODMAN_METADATA(image, name)                                                                         \
    "{\\\"image-name\\\":\\\"" image "\\\",\\\"image-id\\\":\\\"" IMAGE_ID "\\\",\\\"name\\\":\\\"" name     \
    "\\\",\\\"created-at\\\":1796131199}"
static const char podman_containers[] =
    "[" PODMAN_ENTRY(OTHER_ID, "db", PODMAN_METADATA("docker.io/library/postgres:16", "db")) "," PODMAN_ENTRY(
        ID, "web", PODMAN_METADATA("localhost/ngnames-test:1", "web")) "]";

/* images.json from the same machine (the entry of `podman import`, its big-data fields left out). */
static const char podman_images[] =
    "[{\"id\":\"" IMAGE_ID
    "\",\"digest\":\"sha256:575395637984093a73a47f0ce15dd6e72db30ef59289fe77873117bcf93430b4\","
    "\"names\":[\"localhost/ngnames-test:1\"],\"names-history\":[\"localhost/ngnames-test:1\"],"
    "\"layer\":\"d8362e7ada61a368d06c35bf3a19404274c2f8deab8e5dc28115d16f4b06d3dc\","
    "\"metadata\":\"{\\\"signatures-sizes\\\":{}}\",\"created\":\"2026-12-01T13:19:50.811218393Z\"}]";

/* config.v2.json as moby's daemon/container/container.go Container marshals it (encoding/json, field
 * names as declared, Config from api/types/container/config.go), for `docker run --name web node:20
 * node server.js`: Docker itself was not run here. */
static const char docker_config[] =
    "{\"StreamConfig\":{},\"State\":{\"Running\":false,\"Paused\":false,\"Restarting\":false,"
    "\"OOMKilled\":false,\"RemovalInProgress\":false,\"Dead\":false,\"Pid\":0,\"ExitCode\":0,\"Error\":\"\","
    "\"StartedAt\":\"0001-01-01T00:00:00Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\",\"Health\":null},"
    "\"ID\":\"" ID "\",\"Created\":\"2026-12-01T13:30:00.000000000Z\",\"Managed\":false,"
    "\"Path\":\"docker-entrypoint.sh\",\"Args\":[\"node\",\"server.js\"],"
    "\"Config\":{\"Hostname\":\"851f7ac9fcb6\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
    "\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,"
    "\"Env\":[\"PATH=/usr/local/bin:/usr/bin:/"
    "bin\",\"NODE_VERSION=20.19.0\"],\"Cmd\":[\"node\",\"server.js\"],"
    "\"Image\":\"node:20\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":[\"docker-entrypoint.sh\"],"
    "\"OnBuild\":null,\"Labels\":{}},"
    "\"Image\":\"sha256:" IMAGE_ID "\",\"ImageManifest\":null,\"NetworkSettings\":null,"
    "\"LogPath\":\"/var/lib/docker/containers/" ID "/" ID
    "-json.log\",\"Name\":\"/web\",\"Driver\":\"overlay2\","
    "\"OS\":\"linux\",\"ImagePlatform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"RestartCount\":0,"
    "\"HasBeenStartedBefore\":false,\"HasBeenManuallyStopped\":false,\"MountPoints\":{},"
    "\"SecretReferences\":null,\"ConfigReferences\":null,\"MountLabel\":\"\",\"ProcessLabel\":\"\","
    "\"AppArmorProfile\":\"docker-default\",\"HostnamePath\":\"/var/lib/docker/containers/" ID "/hostname\","
    "\"HostsPath\":\"/var/lib/docker/containers/" ID "/hosts\",\"ShmPath\":\"\","
    "\"ResolvConfPath\":\"/var/lib/docker/containers/" ID "/resolv.conf\"}";

static int parse_storage(const char *json, const char *id, ng_names *names, char *image_id, size_t size)
{
    ng_error *err = NULL;
    int r = ng_names_parse_storage_containers(json, strlen(json), id, names, image_id, size, &err);
    ng_error_free(err);
    return r;
}

static int parse_docker(const char *json, const char *id, ng_names *names)
{
    ng_error *err = NULL;
    int r = ng_names_parse_docker_config(json, strlen(json), id, names, &err);
    ng_error_free(err);
    return r;
}

static void test_set_keeps_the_first_and_cuts_at_a_character(void **state)
{
    (void)state;
    char field[8] = "";
    ng_names_set(field, sizeof(field), "web");
    ng_names_set(field, sizeof(field), "other"); /* the first source to name it wins */
    assert_string_equal(field, "web");
    char cut[8] = "";
    ng_names_set(cut, sizeof(cut), "ab\xc3\xa9\xc3\xa9\xc3\xa9"); /* "abééé": 8 bytes for 7 */
    assert_string_equal(cut, "ab\xc3\xa9\xc3\xa9");
    char four[5] = "";
    ng_names_set(four, sizeof(four), "a\xf0\x9f\x98\x80z"); /* a 4-byte character across the end */
    assert_string_equal(four, "a");
    char none[8] = "";
    ng_names_set(none, sizeof(none), NULL);
    assert_string_equal(none, "");
}

static void test_storage_dir(void **state)
{
    (void)state;
    char dir[256];
    assert_true(ng_names_storage_dir("/var/lib/containers/storage/overlay-containers/" ID "/userdata", ID,
                                     dir, sizeof(dir)));
    assert_string_equal(dir, "/var/lib/containers/storage/overlay-containers");
    /* precreate's mounts: the run root's files and the graph root's /dev/shm */
    assert_true(ng_names_storage_dir("/run/containers/storage/overlay-containers/" ID "/userdata/hostname",
                                     ID, dir, sizeof(dir)));
    assert_string_equal(dir, "/run/containers/storage/overlay-containers");
    assert_true(ng_names_storage_dir(
        "/home/u/.local/share/containers/storage/vfs-containers/" ID "/userdata/shm", ID, dir, sizeof(dir)));
    assert_string_equal(dir, "/home/u/.local/share/containers/storage/vfs-containers");
    static const char *const not_this[] = {
        "/var/lib/containers/storage/overlay-containers/" OTHER_ID "/userdata",
        "/var/lib/containers/storage/overlay-containers/" ID "/userdataX",
        "/var/lib/containers/storage/overlay-containers/" ID "x/userdata",
        "/var/lib/containers/storage/overlay-containers/" ID,
        "var/lib/containers/storage/overlay-containers/" ID "/userdata",
        "/var/lib/../../tmp/overlay-containers/" ID "/userdata",
        "/var/lib/containers/storage/overlay-containers/" ID "/userdata/../../x",
        "/-containers/" ID "/userdata",
        "",
    };
    for (size_t i = 0; i < sizeof(not_this) / sizeof(not_this[0]); i++)
        assert_false(ng_names_storage_dir(not_this[i], ID, dir, sizeof(dir)));
    assert_false(ng_names_storage_dir("/s/overlay-containers/../userdata", "..", dir, sizeof(dir)));
    assert_false(ng_names_storage_dir("/s/overlay-containers//userdata", "", dir, sizeof(dir)));
    char small[16];
    assert_false(ng_names_storage_dir("/var/lib/containers/storage/overlay-containers/" ID "/userdata", ID,
                                      small, sizeof(small)));
}

static void test_docker_dir(void **state)
{
    (void)state;
    char dir[256];
    static const char *const files[] = {"hostname", "hosts", "resolv.conf"};
    for (size_t i = 0; i < 3; i++) {
        char source[256];
        snprintf(source, sizeof(source), "/srv/docker-data/containers/" ID "/%s", files[i]);
        assert_true(ng_names_docker_dir(source, ID, dir, sizeof(dir)));
        assert_string_equal(dir, "/srv/docker-data/containers/" ID);
    }
    static const char *const not_this[] = {
        "/var/lib/docker/containers/" ID "/passwd",
        "/var/lib/docker/containers/" OTHER_ID "/hostname",
        "/var/lib/docker/volumes/" ID "/hostname",
        "/var/lib/docker/containers/x" ID "/hostname",
        "containers/" ID "/hostname",
        "/var/lib/docker/../containers/" ID "/hostname",
        "/hostname",
    };
    for (size_t i = 0; i < sizeof(not_this) / sizeof(not_this[0]); i++)
        assert_false(ng_names_docker_dir(not_this[i], ID, dir, sizeof(dir)));
}

static void test_podman_containers_json(void **state)
{
    (void)state;
    ng_names names = {0};
    char image_id[128] = "x";
    assert_int_equal(parse_storage(podman_containers, ID, &names, image_id, sizeof(image_id)), 1);
    assert_string_equal(names.container_name, "web");
    assert_string_equal(names.image, "localhost/ngnames-test:1");
    assert_string_equal(image_id, ""); /* the metadata named the image: images.json not needed */
    assert_string_equal(names.pod, "");
    ng_names other = {0};
    assert_int_equal(parse_storage(podman_containers, "851f7ac9", &other, NULL, 0), 0); /* ids whole */
    assert_string_equal(other.container_name, "");
    /* No image in the metadata (podman --rootfs has none; another tool may write no metadata): the
     * image id goes to images.json. */
    static const char no_image[] = "[" PODMAN_ENTRY(ID, "web", "") "]";
    ng_names bare = {0};
    assert_int_equal(parse_storage(no_image, ID, &bare, image_id, sizeof(image_id)), 1);
    assert_string_equal(bare.container_name, "web");
    assert_string_equal(bare.image, "");
    assert_string_equal(image_id, IMAGE_ID);
    ng_error *err = NULL;
    assert_int_equal(
        ng_names_parse_storage_images(podman_images, strlen(podman_images), image_id, &bare, &err), 1);
    assert_string_equal(bare.image, "localhost/ngnames-test:1");
    ng_names unknown_image = {0};
    assert_int_equal(
        ng_names_parse_storage_images(podman_images, strlen(podman_images), OTHER_ID, &unknown_image, &err),
        0);
    assert_null(err);
}

static void test_podman_hostile(void **state)
{
    (void)state;
    ng_names names = {0};
    char image_id[128];
    /* Wrong types are skipped, never dereferenced. */
    assert_int_equal(parse_storage("[7,null,{\"id\":7},{\"id\":\"" ID
                                   "\",\"names\":{\"a\":1},\"metadata\":[1],"
                                   "\"image\":{}}]",
                                   ID, &names, image_id, sizeof(image_id)),
                     1);
    assert_string_equal(names.container_name, "");
    assert_string_equal(names.image, "");
    assert_string_equal(image_id, "");
    assert_int_equal(parse_storage("[{\"id\":\"" ID "\",\"names\":[3,\"web\"],\"metadata\":\"{not json\"}]",
                                   ID, &names, NULL, 0),
                     1);
    assert_string_equal(names.container_name, "");
    /* Not the file's shape at all: an error, nothing named; a file that does not mention the id
     * is not parsed at all. */
    static const char *const bad[] = {"{\"id\":\"" ID "\"}", "[\"" ID "\"", "\"" ID "\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_true(parse_storage(bad[i], ID, &names, NULL, 0) < 0);
    static const char *const unmentioned[] = {"[", "", "[{\"id\":\"" OTHER_ID "\"}", "x"};
    for (size_t i = 0; i < sizeof(unmentioned) / sizeof(unmentioned[0]); i++)
        assert_int_equal(parse_storage(unmentioned[i], ID, &names, NULL, 0), 0);
    char deep[4096] = "";
    for (int i = 0; i < 1000; i++)
        strcat(deep, "[");
    strcat(deep, "{\"id\":\"" ID "\"}");
    /* the element alone is parsed: the nesting around it is never built */
    assert_int_equal(parse_storage(deep, ID, &names, NULL, 0), 1);
    strcpy(deep + 1000, "{\"id\":\"" ID "\",\"x\":");
    for (int i = 0; i < 1000; i++)
        strcat(deep, "[");
    assert_true(parse_storage(deep, ID, &names, NULL, 0) < 0); /* nor inside the element */
    /* Control characters and a bidi override are kept as the engine wrote them (the log escapes
     * them, the CLI shows them through termsafe); a huge name is cut to the field. */
    cleanup_free char *huge = NULL;
    size_t huge_name = 1 << 20;
    huge = malloc(huge_name + 512);
    assert_non_null(huge);
    int n = snprintf(huge, 512, "[{\"id\":\"" ID "\",\"names\":[\"");
    memset(huge + n, 'w', huge_name);
    snprintf(huge + n + huge_name, 512 - (size_t)n,
             "\"],\"metadata\":\"{\\\"image-name\\\":\\\"\\\\u001b[31mred\\\\u202e\\\"}\"}]");
    ng_names hostile = {0};
    assert_int_equal(parse_storage(huge, ID, &hostile, NULL, 0), 1);
    assert_int_equal(strlen(hostile.container_name), sizeof(hostile.container_name) - 1);
    assert_string_equal(hostile.image, "\x1b[31mred\xe2\x80\xae");
}

/* The entry is found by a scan and parsed alone (a list of thousands of containers is megabytes);
 * what the scan cannot tell is parsed whole, with the same answer. */
static void test_podman_entry_without_the_whole_list(void **state)
{
    (void)state;
    /* damaged after the entry: the entry still names the container */
    static const char damaged[] = "[" PODMAN_ENTRY(ID, "web", PODMAN_METADATA("node:20", "web")) ",{\"id\":";
    ng_names names = {0};
    assert_int_equal(parse_storage(damaged, ID, &names, NULL, 0), 1);
    assert_string_equal(names.container_name, "web");
    assert_string_equal(names.image, "node:20");
    /* braces, brackets and escaped quotes inside strings do not end the entry early */
    static const char tricky[] = "[{\"id\":\"" ID "\",\"names\":[\"}]\\\"{[\"],\"metadata\":\"{}\"}]";
    ng_names t = {0};
    assert_int_equal(parse_storage(tricky, ID, &t, NULL, 0), 1);
    assert_string_equal(t.container_name, "}]\"{[");
    /* pretty-printed, or "id" not first: the whole list is parsed */
    static const char pretty[] = "[\n  {\n    \"names\": [\"web\"],\n    \"id\": \"" ID "\"\n  }\n]";
    ng_names p = {0};
    assert_int_equal(parse_storage(pretty, ID, &p, NULL, 0), 1);
    assert_string_equal(p.container_name, "web");
    /* the id inside another entry's string is not that entry */
    static const char quoted[] =
        "[{\"id\":\"x\",\"names\":[\"\\\"id\\\":\\\"" ID "\\\"\"]},{\"id\":\"" ID "\",\"names\":[\"web\"]}]";
    ng_names q = {0};
    assert_int_equal(parse_storage(quoted, ID, &q, NULL, 0), 1);
    assert_string_equal(q.container_name, "web");
    /* the same for images.json */
    ng_names img = {0};
    ng_error *err = NULL;
    assert_int_equal(
        ng_names_parse_storage_images(podman_images, strlen(podman_images) - 1, IMAGE_ID, &img, &err), 1);
    assert_string_equal(img.image, "localhost/ngnames-test:1");
    assert_null(err);
}

static void test_docker_config(void **state)
{
    (void)state;
    ng_names names = {0};
    assert_int_equal(parse_docker(docker_config, ID, &names), 1);
    assert_string_equal(names.container_name, "web"); /* "/web" as docker ps shows it */
    assert_string_equal(names.image, "node:20");      /* Config.Image, not the top-level image id */
    ng_names other = {0};
    assert_int_equal(parse_docker(docker_config, OTHER_ID, &other), 0);
    assert_string_equal(other.container_name, "");
    assert_int_equal(
        parse_docker("{\"ID\":\"" ID "\",\"Name\":7,\"Config\":{\"Image\":[\"x\"]}}", ID, &other), 1);
    assert_string_equal(other.container_name, "");
    assert_string_equal(other.image, "");
    assert_int_equal(parse_docker("{\"ID\":\"" ID "\",\"Name\":\"/\",\"Config\":\"node\"}", ID, &other), 1);
    assert_string_equal(other.container_name, "");
    assert_int_equal(parse_docker("{\"ID\":7}", ID, &other), 0);
    assert_true(parse_docker("[]", ID, &other) < 0);
    assert_true(parse_docker("{\"ID\":", ID, &other) < 0);
}

/* --- on disk, as the hook finds them --- */

typedef struct disk {
    char root[64];
} disk;

static int disk_setup(void **state)
{
    disk *d = calloc(1, sizeof(*d));
    if (!d)
        return -1;
    snprintf(d->root, sizeof(d->root), "/tmp/ng-names.XXXXXX");
    if (!mkdtemp(d->root)) {
        free(d);
        return -1;
    }
    *state = d;
    return 0;
}

static int disk_teardown(void **state)
{
    disk *d = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->root);
    int r = system(cmd);
    free(d);
    return r == 0 ? 0 : -1;
}

static void mkdirs(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

/* A config with id's cgroups path, and these bind mounts (destination, source pairs), and
 * annotations (an object, or NULL). */
static ng_spec config_with(const char *id, const char *const *mounts, size_t n, const char *annotations)
{
    char buf[8192];
    int len =
        snprintf(buf, sizeof(buf),
                 "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"node\"]},\"linux\":{\"cgroupsPath\":"
                 "\"/libpod_parent/libpod-%s\"},\"annotations\":%s,\"mounts\":[",
                 id, annotations ? annotations : "{}");
    for (size_t i = 0; i < n; i++)
        len +=
            snprintf(buf + len, sizeof(buf) - (size_t)len,
                     "%s{\"destination\":\"%s\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"bind\"]}",
                     i ? "," : "", mounts[2 * i], mounts[2 * i + 1]);
    snprintf(buf + len, sizeof(buf) - (size_t)len, "]}");
    ng_spec spec = {0};
    ng_error *err = NULL;
    assert_int_equal(ng_spec_parse(buf, strlen(buf), &spec, &err), 0);
    assert_string_equal(spec.container_id, id);
    return spec;
}

static void test_podman_on_disk(void **state)
{
    disk *d = *state;
    char graph[256], run[256], bundle[512], shm[512], hostname[512], path[512];
    snprintf(graph, sizeof(graph), "%s/graph/overlay-containers", d->root);
    snprintf(run, sizeof(run), "%s/run/overlay-containers", d->root);
    snprintf(bundle, sizeof(bundle), "%s/%s/userdata", graph, ID);
    snprintf(shm, sizeof(shm), "%s/shm", bundle);
    snprintf(hostname, sizeof(hostname), "%s/%s/userdata/hostname", run, ID);
    mkdirs(bundle);
    mkdirs(run);
    snprintf(path, sizeof(path), "%s/containers.json", graph);
    write_file(path, podman_containers, 0600);
    /* createRuntime: the state's bundle */
    ng_spec spec = config_with(ID, NULL, 0, NULL);
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.container_name, "web");
    assert_string_equal(spec.names.image, "localhost/ngnames-test:1");
    ng_spec_free(&spec);
    /* precreate: no bundle; the run root's mounts come first and hold no containers.json */
    const char *mounts[] = {"/etc/hostname", hostname, "/dev/shm", shm};
    spec = config_with(ID, mounts, 2, NULL);
    ng_spec_fill_names(&spec, NULL);
    assert_string_equal(spec.names.container_name, "web");
    ng_spec_free(&spec);
    /* Kubernetes' annotations win over the store's */
    spec = config_with(ID, NULL, 0,
                       "{\"io.kubernetes.container.name\":\"api\",\"io.container.manager\":\"cri-o\"}");
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.container_name, "api");
    assert_string_equal(spec.names.image, "localhost/ngnames-test:1");
    ng_spec_free(&spec);
    /* Another container's id names nothing */
    spec = config_with(OTHER_ID, NULL, 0, NULL);
    char other_bundle[512];
    snprintf(other_bundle, sizeof(other_bundle), "%s/%s/userdata", graph, ID);
    ng_spec_fill_names(&spec, other_bundle);
    assert_string_equal(spec.names.container_name, "");
    ng_spec_free(&spec);
    /* podman 5's `run --rm`: a volatile container, listed in volatile-containers.json */
    char volatile_path[512];
    snprintf(volatile_path, sizeof(volatile_path), "%s/volatile-containers.json", graph);
    assert_int_equal(rename(path, volatile_path), 0);
    write_file(path, "[" PODMAN_ENTRY(OTHER_ID, "db", "") "]", 0600);
    spec = config_with(ID, NULL, 0, NULL);
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.container_name, "web");
    assert_string_equal(spec.names.image, "localhost/ngnames-test:1");
    ng_spec_free(&spec);
    unlink(volatile_path);
    /* images.json beside it when the metadata names no image */
    static const char no_image[] = "[" PODMAN_ENTRY(ID, "web", "") "]";
    write_file(path, no_image, 0600);
    char images[512];
    snprintf(images, sizeof(images), "%s/graph/overlay-images", d->root);
    mkdirs(images);
    strcat(images, "/images.json");
    write_file(images, podman_images, 0600);
    spec = config_with(ID, NULL, 0, NULL);
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.image, "localhost/ngnames-test:1");
    ng_spec_free(&spec);
}

static void test_engine_files_not_taken(void **state)
{
    disk *d = *state;
    char graph[256], bundle[512], path[512], real[512];
    snprintf(graph, sizeof(graph), "%s/graph/overlay-containers", d->root);
    snprintf(bundle, sizeof(bundle), "%s/%s/userdata", graph, ID);
    snprintf(path, sizeof(path), "%s/containers.json", graph);
    snprintf(real, sizeof(real), "%s/elsewhere.json", d->root);
    mkdirs(bundle);
    write_file(real, podman_containers, 0600);
    /* a symlink */
    assert_int_equal(symlink(real, path), 0);
    ng_spec spec = config_with(ID, NULL, 0, NULL);
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.container_name, "");
    ng_spec_free(&spec);
    unlink(path);
    /* a file anyone can write */
    write_file(path, podman_containers, 0666);
    spec = config_with(ID, NULL, 0, NULL);
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.container_name, "");
    ng_spec_free(&spec);
    unlink(path);
    /* a FIFO is not opened (no writer: an open would block) */
    assert_int_equal(mkfifo(path, 0600), 0);
    spec = config_with(ID, NULL, 0, NULL);
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.container_name, "");
    ng_spec_free(&spec);
    unlink(path);
    /* over the cap: the entry sits past NG_ENGINE_STATE_MAX */
    cleanup_free char *big = malloc(NG_ENGINE_STATE_MAX + sizeof(podman_containers) + 8);
    assert_non_null(big);
    big[0] = '[';
    memset(big + 1, ' ', NG_ENGINE_STATE_MAX);
    memcpy(big + 1 + NG_ENGINE_STATE_MAX, podman_containers + 1, sizeof(podman_containers) - 1);
    write_file(path, big, 0600);
    spec = config_with(ID, NULL, 0, NULL);
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.container_name, "");
    ng_spec_free(&spec);
    /* the same file under the cap is read: the checks above are what refused */
    write_file(path, podman_containers, 0600);
    spec = config_with(ID, NULL, 0, NULL);
    ng_spec_fill_names(&spec, bundle);
    assert_string_equal(spec.names.container_name, "web");
    ng_spec_free(&spec);
}

static void test_docker_on_disk(void **state)
{
    disk *d = *state;
    char dir[256], path[512], hostname[512];
    snprintf(dir, sizeof(dir), "%s/data-root/containers/%s", d->root, ID);
    mkdirs(dir);
    snprintf(path, sizeof(path), "%s/config.v2.json", dir);
    snprintf(hostname, sizeof(hostname), "%s/hostname", dir);
    write_file(path, docker_config, 0600);
    write_file(hostname, "851f7ac9fcb6\n", 0644);
    /* containerd's bundle, then Docker's own files as bind mounts (any --data-root) */
    const char *mounts[] = {"/proc", "/proc", "/etc/hostname", hostname};
    ng_spec spec = config_with(ID, mounts, 2, NULL);
    ng_spec_fill_names(&spec, "/run/containerd/io.containerd.runtime.v2.task/moby/" ID);
    assert_string_equal(spec.names.container_name, "web");
    assert_string_equal(spec.names.image, "node:20");
    ng_spec_free(&spec);
    /* no such mount (ctr, plain runc): nothing named, no error */
    spec = config_with(ID, mounts, 1, NULL);
    ng_spec_fill_names(&spec, "/run/containerd/io.containerd.runtime.v2.task/default/" ID);
    assert_string_equal(spec.names.container_name, "");
    assert_string_equal(spec.names.image, "");
    ng_spec_free(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_keeps_the_first_and_cuts_at_a_character),
        cmocka_unit_test(test_storage_dir),
        cmocka_unit_test(test_docker_dir),
        cmocka_unit_test(test_podman_containers_json),
        cmocka_unit_test(test_podman_hostile),
        cmocka_unit_test(test_podman_entry_without_the_whole_list),
        cmocka_unit_test(test_docker_config),
        cmocka_unit_test_setup_teardown(test_podman_on_disk, disk_setup, disk_teardown),
        cmocka_unit_test_setup_teardown(test_engine_files_not_taken, disk_setup, disk_teardown),
        cmocka_unit_test_setup_teardown(test_docker_on_disk, disk_setup, disk_teardown),
    };
    return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
