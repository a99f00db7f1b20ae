/* A container's names from its engine's records on the host (include/nodeguard/enginestate.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/enginestate.h"
#include "nodeguard/fsutil.h"

/* Candidate paths the engine made for the container: the bundle, then the config's bind mounts. */
#define MAX_CANDIDATES 64
/* Distinct directories opened per engine: podman's run root comes before its graph root in the
 * mounts (/etc/hosts before /dev/shm), and only the graph root holds containers.json. */
#define MAX_TRIES 4

/* Reads name in dir when it is a regular file (never through a final symlink) owned by this user,
 * as an engine's own state is (root's, or a rootless user's): a file another user could write is
 * not taken, even as a label. */
static int read_engine_file(const char *dir, const char *name, char **ret_buf, size_t *ret_len)
{
    cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return -errno;
    struct stat st;
    cleanup_free char *buf = NULL;
    size_t len = 0;
    int r = ng_read_file_at(dirfd, name, NG_ENGINE_STATE_MAX, &buf, &len, &st, NULL);
    if (r < 0)
        return r;
    if (st.st_uid != geteuid() || (st.st_mode & S_IWOTH))
        return -EPERM;
    *ret_buf = NG_TAKE_PTR(buf);
    *ret_len = len;
    return 0;
}

/* The entry of id in one of containers/storage's container lists in dir. */
static bool storage_entry(const char *dir, const char *file, const char *id, ng_names *names, char *image_id,
                          size_t size)
{
    cleanup_free char *buf = NULL;
    size_t len = 0;
    return read_engine_file(dir, file, &buf, &len) == 0 &&
           ng_names_parse_storage_containers(buf, len, id, names, image_id, size, NULL) == 1;
}

/* podman: containers.json in the <driver>-containers directory, or volatile-containers.json there
 * (containers/storage containers.go newContainerStore(): a volatile container's list, in the graph
 * root's directory or, with transient_store, the run root's; podman 5 makes `run --rm` containers
 * volatile, pkg/specgen/generate/container_create.go). For an entry whose metadata names no image,
 * images.json in <driver>-images beside it. True when the entry was found. */
static bool from_storage(const char *containers_dir, const char *id, ng_names *names)
{
    char image_id[128] = "";
    if (!storage_entry(containers_dir, "containers.json", id, names, image_id, sizeof(image_id)) &&
        !storage_entry(containers_dir, "volatile-containers.json", id, names, image_id, sizeof(image_id)))
        return false;
    if (!names->image[0] && image_id[0]) {
        char images_dir[PATH_MAX];
        size_t base = strlen(containers_dir) - strlen("containers");
        if (snprintf(images_dir, sizeof(images_dir), "%.*simages", (int)base, containers_dir) <
            (int)sizeof(images_dir)) {
            cleanup_free char *images = NULL;
            size_t images_len = 0;
            if (read_engine_file(images_dir, "images.json", &images, &images_len) == 0)
                ng_names_parse_storage_images(images, images_len, image_id, names, NULL);
        }
    }
    return true;
}

static bool from_docker(const char *dir, const char *id, ng_names *names)
{
    cleanup_free char *buf = NULL;
    size_t len = 0;
    return read_engine_file(dir, "config.v2.json", &buf, &len) == 0 &&
           ng_names_parse_docker_config(buf, len, id, names, NULL) == 1;
}

void ng_spec_fill_names(ng_spec *spec, const char *bundle)
{
    ng_names *names = &spec->names;
    const char *id = spec->container_id;
    ng_names_from_annotations(spec->annotations, names);
    if (!ng_names_incomplete(names) || !id[0])
        return;
    const char *candidates[MAX_CANDIDATES];
    size_t n = 0;
    if (bundle && *bundle)
        candidates[n++] = bundle;
    n += ng_names_mount_sources(spec->root, candidates + n, MAX_CANDIDATES - n);
    char tried[MAX_TRIES][PATH_MAX];
    size_t n_tried = 0;
    for (size_t i = 0; i < n && n_tried < MAX_TRIES; i++) {
        char dir[PATH_MAX];
        bool storage = ng_names_storage_dir(candidates[i], id, dir, sizeof(dir));
        if (!storage && !ng_names_docker_dir(candidates[i], id, dir, sizeof(dir)))
            continue;
        bool seen = false;
        for (size_t t = 0; t < n_tried; t++)
            seen = seen || strcmp(tried[t], dir) == 0;
        if (seen)
            continue;
        snprintf(tried[n_tried++], sizeof(tried[0]), "%s", dir);
        if (storage ? from_storage(dir, id, names) : from_docker(dir, id, names))
            return;
    }
}
