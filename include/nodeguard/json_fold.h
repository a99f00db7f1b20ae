/* JSON read the way runc, containerd and podman read config.json: Go's encoding/json does not reject
 * a repeated key, and matches an object key to a struct field case-insensitively. nodeguard must
 * judge the config the runtime will run, so a parsed tree is folded into what Go would decode:
 * afterwards no object repeats a key, and keys Go takes for a struct field carry the field's name. */
#ifndef NODEGUARD_JSON_FOLD_H
#define NODEGUARD_JSON_FOLD_H

#include <yajl/yajl_tree.h>

/* One struct field. fields: the field's own struct type (for an array: its elements' type); NULL
 * for a map, a slice of scalars or a scalar, whose keys are matched exactly. A field list ends with
 * a NULL name. */
typedef struct ng_json_field {
    const char *name;
    const struct ng_json_field *fields;
} ng_json_field;

/* Folds v in place. In an object of a struct type (fields non-NULL), a key that is not a field's exact
 * name but matches one under Go's folding (ASCII case; U+017F LONG S = s, U+212A KELVIN SIGN = k) is
 * renamed to it; unknown keys stay. Then members with the same key are combined in document order:
 * an object after an object merges into it (members appended, folded in turn), anything else
 * replaces. With fields NULL every object is folded as a map. */
void ng_json_fold(yajl_val v, const ng_json_field *fields);

#endif
