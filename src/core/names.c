/* A container's names and the engines' records of them (include/nodeguard/names.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/engines.h"
#include "nodeguard/json.h"
#include "nodeguard/names.h"

/* The engines' files are a few levels deep; podman's metadata is one flat object. */
#define STATE_MAX_DEPTH 16

void ng_names_set(char *field, size_t size, const char *value)
{
    if (!size || field[0] || !value)
        return;
    size_t n = strlen(value);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)value[n] & 0xC0) == 0x80)
            n--; /* value[n], the first byte left out, continues a sequence: cut before it starts */
    }
    memcpy(field, value, n);
    field[n] = '\0';
}

void ng_names_from_annotations(yajl_val annotations, ng_names *names)
{
    ng_names_set(names->pod, sizeof(names->pod), ng_engine_annotation(annotations, NG_NAME_POD));
    ng_names_set(names->namespace_, sizeof(names->namespace_),
                 ng_engine_annotation(annotations, NG_NAME_NAMESPACE));
    ng_names_set(names->container_name, sizeof(names->container_name),
                 ng_engine_annotation(annotations, NG_NAME_CONTAINER));
    ng_names_set(names->image, sizeof(names->image), ng_engine_annotation(annotations, NG_NAME_IMAGE));
}

bool ng_names_incomplete(const ng_names *names)
{
    return !names->container_name[0] || !names->image[0];
}

/* An id that can be a path element: not empty, no '/', not "." or "..". */
static bool plain_id(const char *id)
{
    return id && *id && !strchr(id, '/') && strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
}

/* An absolute path with no "." or ".." element: what an engine writes, never a path that climbs. */
static bool clean_absolute(const char *path)
{
    if (path[0] != '/')
        return false;
    for (const char *p = path; *p;) {
        p += strspn(p, "/");
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n;
    }
    return true;
}

bool ng_names_storage_dir(const char *path, const char *id, char *ret, size_t size)
{
    if (!path || !plain_id(id) || !clean_absolute(path))
        return false;
    size_t id_len = strlen(id);
    static const char suffix[] = "-containers/";
    for (const char *p = strstr(path, suffix); p; p = strstr(p + 1, suffix)) {
        const char *after = p + strlen(suffix);
        if (strncmp(after, id, id_len) != 0 || strncmp(after + id_len, "/userdata", 9) != 0 ||
            (after[id_len + 9] != '\0' && after[id_len + 9] != '/'))
            continue;
        const char *driver = p;
        while (driver > path && driver[-1] != '/')
            driver--;
        size_t dir_len = (size_t)(p - path) + strlen("-containers");
        if (driver == p || dir_len >= size)
            return false; /* no driver's name before "-containers" */
        memcpy(ret, path, dir_len);
        ret[dir_len] = '\0';
        return true;
    }
    return false;
}

bool ng_names_docker_dir(const char *source, const char *id, char *ret, size_t size)
{
    static const char *const files[] = {"hostname", "hosts", "resolv.conf"};
    if (!source || !plain_id(id) || !clean_absolute(source))
        return false;
    const char *file = strrchr(source, '/') + 1;
    bool known = false;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        known = known || strcmp(file, files[i]) == 0;
    size_t id_len = strlen(id);
    size_t dir_len = (size_t)(file - source) - 1; /* DATAROOT/containers/<id> */
    static const char containers[] = "/containers/";
    size_t prefix = strlen(containers);
    if (!known || dir_len < id_len + prefix || strncmp(source + dir_len - id_len, id, id_len) != 0 ||
        strncmp(source + dir_len - id_len - prefix, containers, prefix) != 0 || dir_len >= size)
        return false;
    memcpy(ret, source, dir_len);
    ret[dir_len] = '\0';
    return true;
}

size_t ng_names_mount_sources(yajl_val config_root, const char **ret, size_t max)
{
    yajl_val mounts = ng_json_member(config_root, "mounts");
    size_t n = 0;
    if (!YAJL_IS_ARRAY(mounts))
        return 0;
    for (size_t i = 0; i < mounts->u.array.len && n < max; i++) {
        yajl_val m = mounts->u.array.values[i];
        yajl_val source = ng_json_member(m, "source"), type = ng_json_member(m, "type");
        /* runc and crun bind a mount whose options say bind whatever its type; engines write
         * "bind" as the type too, which is all that is needed here. */
        if (YAJL_IS_STRING(source) && YAJL_IS_STRING(type) && strcmp(type->u.string, "bind") == 0)
            ret[n++] = source->u.string;
    }
    return n;
}

/* The string member key of obj, or NULL (absent, or not a string). */
static const char *string_member(yajl_val obj, const char *key)
{
    yajl_val v = ng_json_member(obj, key);
    return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

/* The first element of obj's array member key when it is a string, or NULL. */
static const char *first_string(yajl_val obj, const char *key)
{
    yajl_val v = ng_json_member(obj, key);
    if (!YAJL_IS_ARRAY(v) || v->u.array.len == 0 || !YAJL_IS_STRING(v->u.array.values[0]))
        return NULL;
    return v->u.array.values[0]->u.string;
}

/* Where the element of id starts and ends in a containers/storage list, without parsing the rest:
 * a host with thousands of containers has a list of megabytes, which yajl's tree takes ~30 ms per
 * MB to build, at every container start. Go's encoding/json writes the struct's first field, "id",
 * first and compactly ({"id":"<id>",...), and a '"' inside a JSON string is always escaped, so
 * "id":"<id>" right after a '{' that follows '[' or ',' is the element's start; its end is the
 * brace that closes it, strings skipped. False when the list is not of that form: then the whole
 * list is parsed. */
static bool element_extent(const char *buf, size_t len, const char *id, const char **ret_start,
                           size_t *ret_len)
{
    char needle[160];
    int n = snprintf(needle, sizeof(needle), "\"id\":\"%s\"", id);
    if (n < 0 || (size_t)n >= sizeof(needle))
        return false;
    const char *key = memmem(buf, len, needle, (size_t)n);
    if (!key || key - buf < 2 || key[-1] != '{')
        return false;
    const char *before = key - 2;
    while (before > buf && *before && strchr(" \t\r\n", *before))
        before--;
    if (*before != '[' && *before != ',')
        return false;
    int depth = 0;
    bool in_string = false;
    for (const char *q = key - 1; q < buf + len; q++) {
        if (in_string) {
            if (*q == '\\' && q + 1 < buf + len)
                q++;
            else if (*q == '"')
                in_string = false;
        } else if (*q == '"') {
            in_string = true;
        } else if (*q == '{' || *q == '[') {
            depth++;
        } else if ((*q == '}' || *q == ']') && --depth == 0) {
            *ret_start = key - 1;
            *ret_len = (size_t)(q - (key - 1)) + 1;
            return true;
        }
    }
    return false;
}

/* The element of a containers/storage list whose "id" is id: 1 with *ret_entry in *ret_root (which
 * the caller frees), 0 when there is none, < 0 when buf is not a JSON array. A list that does not
 * mention id at all is not parsed; its element alone is parsed when it can be found without
 * parsing the rest (element_extent), so a list damaged elsewhere still names it. */
static int find_by_id(const char *buf, size_t len, const char *id, const char *what, yajl_val *ret_root,
                      yajl_val *ret_entry, ng_error **err)
{
    size_t id_len = strlen(id);
    if (!id_len || !memmem(buf, len, id, id_len))
        return 0;
    const char *start = NULL;
    size_t extent = 0;
    if (element_extent(buf, len, id, &start, &extent)) {
        cleanup_free char *copy = strndup(start, extent);
        yajl_val element = NULL;
        if (!copy)
            abort();
        if (ng_json_parse(copy, extent, STATE_MAX_DEPTH, &element, NULL) == 0) {
            const char *element_id = string_member(element, "id");
            if (YAJL_IS_OBJECT(element) && element_id && strcmp(element_id, id) == 0) {
                *ret_root = *ret_entry = element;
                return 1;
            }
            yajl_tree_free(element);
        }
    }
    yajl_val root = NULL;
    int r = ng_json_parse(buf, len, STATE_MAX_DEPTH, &root, err);
    if (r < 0)
        return ng_error_wrap(err, "%s", what);
    if (!YAJL_IS_ARRAY(root)) {
        const char *type = ng_json_type_name(root);
        yajl_tree_free(root);
        return ng_error_set(err, EINVAL, "%s: an array was expected, not %s", what, type);
    }
    *ret_root = root;
    *ret_entry = NULL;
    for (size_t i = 0; i < root->u.array.len; i++) {
        const char *entry_id = string_member(root->u.array.values[i], "id");
        if (entry_id && strcmp(entry_id, id) == 0) {
            *ret_entry = root->u.array.values[i];
            return 1;
        }
    }
    return 0;
}

int ng_names_parse_storage_containers(const char *buf, size_t len, const char *id, ng_names *names,
                                      char *ret_image_id, size_t size, ng_error **err)
{
    cleanup_yajl_val yajl_val root = NULL;
    yajl_val entry = NULL;
    int r = find_by_id(buf, len, id, "containers.json", &root, &entry, err);
    if (r <= 0)
        return r;
    ng_names_set(names->container_name, sizeof(names->container_name), first_string(entry, "names"));
    /* podman's metadata is JSON in a string; a piece that does not parse names nothing. */
    const char *metadata = string_member(entry, "metadata");
    cleanup_yajl_val yajl_val meta = NULL;
    if (metadata && ng_json_parse(metadata, strlen(metadata), STATE_MAX_DEPTH, &meta, NULL) == 0) {
        const char *image_name = string_member(meta, "image-name");
        ng_names_set(names->image, sizeof(names->image), image_name);
        ng_names_set(names->container_name, sizeof(names->container_name), string_member(meta, "name"));
    }
    const char *image_id = string_member(entry, "image");
    if (ret_image_id && size) {
        ret_image_id[0] = '\0';
        if (!names->image[0] && image_id && strlen(image_id) < size)
            snprintf(ret_image_id, size, "%s", image_id);
    }
    return 1;
}

int ng_names_parse_storage_images(const char *buf, size_t len, const char *image_id, ng_names *names,
                                  ng_error **err)
{
    cleanup_yajl_val yajl_val root = NULL;
    yajl_val entry = NULL;
    int r = find_by_id(buf, len, image_id, "images.json", &root, &entry, err);
    if (r <= 0)
        return r;
    ng_names_set(names->image, sizeof(names->image), first_string(entry, "names"));
    return 1;
}

int ng_names_parse_docker_config(const char *buf, size_t len, const char *id, ng_names *names, ng_error **err)
{
    cleanup_yajl_val yajl_val root = NULL;
    int r = ng_json_parse(buf, len, STATE_MAX_DEPTH, &root, err);
    if (r < 0)
        return ng_error_wrap(err, "config.v2.json");
    if (!YAJL_IS_OBJECT(root))
        return ng_error_set(err, EINVAL, "config.v2.json: an object was expected, not %s",
                            ng_json_type_name(root));
    const char *file_id = string_member(root, "ID");
    if (!file_id || strcmp(file_id, id) != 0)
        return 0;
    const char *name = string_member(root, "Name");
    if (name && name[0] == '/')
        name++; /* Docker keeps names as "/web" (daemon/names.go), and shows them without the '/' */
    if (name && *name)
        ng_names_set(names->container_name, sizeof(names->container_name), name);
    const char *image = string_member(ng_json_member(root, "Config"), "Image");
    if (image && *image)
        ng_names_set(names->image, sizeof(names->image), image);
    return 1;
}
