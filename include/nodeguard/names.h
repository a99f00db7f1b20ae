/* A container's names as the audit log records them (pod, namespace, container name, image), and
 * where each engine keeps them: Kubernetes engines in the config's annotations (engines.h), podman
 * and Docker only in their own records of the container on the host, which this file finds the
 * path of and parses (src/host/enginestate.c reads them). Everything here is a label: it is never
 * used to decide anything, is cut to its field's size, and comes from input a container's creator
 * controls, so it is shown only through termsafe. Pure: no I/O. */
#ifndef NODEGUARD_NAMES_H
#define NODEGUARD_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>
#include "nodeguard/error.h"

/* "" where unknown. */
typedef struct ng_names {
    char pod[128], namespace_[128], container_name[128], image[256];
} ng_names;

/* Copies value into an empty field, cut to size at a character's start (never inside a UTF-8
 * sequence); a field already set is kept: the first source to name a field wins. */
void ng_names_set(char *field, size_t size, const char *value);

/* The fields the engines' annotations name (ng_engine_annotation's precedence). */
void ng_names_from_annotations(yajl_val annotations, ng_names *names);

/* Does names lack a container name or an image (what the engines' records add)? */
bool ng_names_incomplete(const ng_names *names);

/* containers/storage (podman; containers/storage store.go): a container's directories are
 * GRAPHROOT/<driver>-containers/<id>/userdata (podman's bundle, its /dev/shm) and the same under
 * RUNROOT (its /etc/hostname, /etc/hosts, /run/.containerenv). The graph root's
 * <driver>-containers directory holds containers.json, and <driver>-images beside it images.json.
 * Given such a path and the container's id, *ret is that <driver>-containers directory. False when
 * path is not of that shape for this id (or is relative, or has "." or ".." elements). */
bool ng_names_storage_dir(const char *path, const char *id, char *ret, size_t size);

/* moby (daemon/container/container_unix.go, container.go): Docker bind-mounts DATAROOT/containers/
 * <id>/hostname, hosts and resolv.conf, and keeps the container's config in config.v2.json in that
 * directory. Given a mount's source and the id, *ret is DATAROOT/containers/<id>. False when source
 * is not one of those files of this id's directory. */
bool ng_names_docker_dir(const char *source, const char *id, char *ret, size_t size);

/* The sources of the config's bind mounts, in order, up to max (they point into the tree). */
size_t ng_names_mount_sources(yajl_val config_root, const char **ret, size_t max);

/* containers/storage's containers.json (containers.go: an array of {id, names, image, metadata}),
 * podman's metadata a JSON string (libpod/storage.go RuntimeContainerMetadata: image-name,
 * image-id, name). Fills what names lacks from the entry whose id is id: container_name from
 * names[0], image from the metadata's image-name; *ret_image_id (size bytes, may be NULL) gets the
 * entry's image id for images.json when the metadata named no image. Returns 1 when the entry was
 * found, 0 when not, < 0 when buf is not such a file. A list that does not mention id is not parsed
 * (0), and the entry alone is parsed where it can be told without parsing the rest (Go writes
 * {"id":"<id>",... compactly), so finding it costs a scan, not a tree of the whole list. A field of
 * the wrong type is skipped. */
int ng_names_parse_storage_containers(const char *buf, size_t len, const char *id, ng_names *names,
                                      char *ret_image_id, size_t size, ng_error **err);

/* containers/storage's images.json (images.go: an array of {id, names}): the image from names[0] of
 * the entry whose id is image_id. Returns as above. */
int ng_names_parse_storage_images(const char *buf, size_t len, const char *image_id, ng_names *names,
                                  ng_error **err);

/* Docker's config.v2.json (daemon/container/container.go Container: ID, Name "/web", Config.Image
 * as the operator gave it, "node:20"). Fills what names lacks when ID is id: container_name without
 * the leading '/', image. Returns as above. */
int ng_names_parse_docker_config(const char *buf, size_t len, const char *id, ng_names *names,
                                 ng_error **err);

#endif
