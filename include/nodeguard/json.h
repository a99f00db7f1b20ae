/* Bounded JSON input and typed access to yajl trees; JSON output only through yajl_gen.
 * Accessors never dereference a node whose type they have not checked (the oci-systemd-hook lesson). */
#ifndef NODEGUARD_JSON_H
#define NODEGUARD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "nodeguard/error.h"
#include "nodeguard/json_fold.h"

#define NG_JSON_MAX_DEPTH 64

/* Parses buf (len bytes, NUL-terminated at len). Refuses NUL bytes, a "\u0000" escape (yajl's tree
 * would silently cut the string there, so a rewrite would lose data), and nesting deeper than
 * max_depth (yajl frees trees recursively). Comments are allowed (policy files use them). */
int ng_json_parse(const char *buf, size_t len, size_t max_depth, yajl_val *ret, ng_error **err);

/* The same, with the tree folded as Go decodes it (json_fold.h) into the struct type fields;
 * ng_json_parse() folds every object as a map (repeated keys: the last wins, objects merge). */
int ng_json_parse_as(const char *buf, size_t len, size_t max_depth, const ng_json_field *fields,
                     yajl_val *ret, ng_error **err);

/* The member named key of an object, or NULL (obj not an object, key absent). A parsed tree has
 * no repeated keys. */
yajl_val ng_json_member(yajl_val obj, const char *key);

const char *ng_json_type_name(yajl_val v);

/* Typed getters: return 1 and set *ret when the member is present with the right type; 0 when it
 * is absent or JSON null (*ret untouched); a negative errno, with a message naming the key and the
 * types, when it has another type. */
int ng_json_get_object(yajl_val obj, const char *key, yajl_val *ret, ng_error **err);
int ng_json_get_array(yajl_val obj, const char *key, yajl_val *ret, ng_error **err);
int ng_json_get_string(yajl_val obj, const char *key, const char **ret, ng_error **err);
int ng_json_get_int64(yajl_val obj, const char *key, int64_t *ret, ng_error **err);
int ng_json_get_bool(yajl_val obj, const char *key, bool *ret, ng_error **err);

/* Every element of arr must be a string; at most max elements. *ret points into the tree. */
int ng_json_string_array(yajl_val arr, const char *what, size_t max, const char ***ret, size_t *ret_n,
                         ng_error **err);

/* --- output --- */

yajl_gen ng_gen_new(void);
const char *ng_gen_status_str(yajl_gen_status s);

/* Writes s as a JSON string; invalid UTF-8 becomes U+FFFD (data from env, annotations and the
 * kernel is not trusted to be UTF-8), control characters are escaped by yajl. NULL writes null. */
yajl_gen_status ng_gen_string(yajl_gen g, const char *s);
yajl_gen_status ng_gen_string_len(yajl_gen g, const char *s, size_t len);
yajl_gen_status ng_gen_int(yajl_gen g, int64_t v);

/* "key": value members of an open map. A NULL string writes null; _if writes null unless present. */
yajl_gen_status ng_gen_kv_str(yajl_gen g, const char *key, const char *value);
yajl_gen_status ng_gen_kv_int(yajl_gen g, const char *key, int64_t value);
yajl_gen_status ng_gen_kv_int_if(yajl_gen g, const char *key, int64_t value, bool present);
yajl_gen_status ng_gen_kv_bool(yajl_gen g, const char *key, bool value);

/* In functions with an `ng_error **err` in scope: fail with a message when a yajl_gen call fails. */
#define NG_GEN(call)                                                                                         \
    do {                                                                                                     \
        yajl_gen_status _st = (call);                                                                        \
        if (_st != yajl_gen_status_ok)                                                                       \
            return ng_error_set(err, EINVAL, "writing JSON: %s", ng_gen_status_str(_st));                    \
    } while (0)

/* Writes a tree back out, replacing or adding the members named by patches. Numbers keep their
 * original text, so everything not patched is preserved value for value. */
typedef int (*ng_json_emit_fn)(yajl_gen g, yajl_val old, void *userdata, ng_error **err);
typedef struct ng_json_patch {
    const char *path[6]; /* object keys from the root, NULL-terminated */
    ng_json_emit_fn emit;
    void *userdata;
    bool add_if_absent; /* add the member when the parent object exists but lacks it */
} ng_json_patch;

int ng_json_gen_tree(yajl_gen g, yajl_val root, const ng_json_patch *patches, size_t n_patches,
                     ng_error **err);

/* Writes v unchanged. */
int ng_json_gen_value(yajl_gen g, yajl_val v, ng_error **err);

#endif
