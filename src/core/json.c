#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/json.h"
#include "nodeguard/termsafe.h"

/* One linear pass before yajl sees the input: the limits yajl does not enforce itself. buf is
 * NUL-terminated at len, so strlen() finds an embedded NUL and strcspn() never runs past the end;
 * both are vectorised in glibc, which keeps this pass a small part of a hook run. */
static int prescan(const char *buf, size_t len, size_t max_depth, ng_error **err)
{
    size_t first_nul = strlen(buf);
    if (first_nul != len)
        return ng_error_set(err, EINVAL, "input contains a NUL byte at offset %zu", first_nul);
    static const char structural[] = "\"{}[]";
    size_t depth = 0, i = strcspn(buf, structural);
    while (i < len) {
        char c = buf[i];
        if (c == '"') {
            /* Skip the string: stop only at its closing quote, looking at each escape. */
            for (i++; i < len; i++) {
                i += strcspn(buf + i, "\"\\");
                if (buf[i] != '\\')
                    break;
                if (i + 5 < len && buf[i + 1] == 'u' && memcmp(buf + i + 2, "0000", 4) == 0)
                    return ng_error_set(err, EINVAL, "input contains an escaped NUL (\\u0000) at offset %zu",
                                        i);
                i++;
            }
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return ng_error_set(err, E2BIG, "input nests deeper than %zu levels at offset %zu", max_depth,
                                    i);
        } else if (depth > 0) {
            depth--;
        }
        if (i >= len)
            break;
        i += 1 + strcspn(buf + i + 1, structural);
    }
    return 0;
}

int ng_json_parse_as(const char *buf, size_t len, size_t max_depth, const ng_json_field *fields,
                     yajl_val *ret, ng_error **err)
{
    int r = prescan(buf, len, max_depth, err);
    if (r < 0)
        return r;
    char errbuf[256] = "";
    yajl_val v = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
    if (!v) {
        /* yajl's message spans lines (it draws a caret): keep the first line. */
        errbuf[strcspn(errbuf, "\n")] = '\0';
        return ng_error_set(err, EINVAL, "invalid JSON: %s", *errbuf ? errbuf : "parse error");
    }
    ng_json_fold(v, fields);
    *ret = v;
    return 0;
}

int ng_json_parse(const char *buf, size_t len, size_t max_depth, yajl_val *ret, ng_error **err)
{
    return ng_json_parse_as(buf, len, max_depth, NULL, ret, err);
}

yajl_val ng_json_member(yajl_val obj, const char *key)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

const char *ng_json_type_name(yajl_val v)
{
    if (!v || YAJL_IS_NULL(v))
        return "null";
    if (YAJL_IS_STRING(v))
        return "a string";
    if (YAJL_IS_INTEGER(v))
        return "an integer";
    if (YAJL_IS_NUMBER(v))
        return "a number out of integer range";
    if (YAJL_IS_OBJECT(v))
        return "an object";
    if (YAJL_IS_ARRAY(v))
        return "an array";
    return "a boolean";
}

static int get_typed(yajl_val obj, const char *key, bool (*is)(yajl_val), const char *want, yajl_val *ret,
                     ng_error **err)
{
    yajl_val v = ng_json_member(obj, key);
    if (!v || YAJL_IS_NULL(v))
        return 0;
    if (!is(v))
        return ng_error_set(err, EINVAL, "\"%s\" must be %s, not %s", key, want, ng_json_type_name(v));
    *ret = v;
    return 1;
}

static bool is_object(yajl_val v)
{
    return YAJL_IS_OBJECT(v);
}
static bool is_array(yajl_val v)
{
    return YAJL_IS_ARRAY(v);
}
static bool is_string(yajl_val v)
{
    return YAJL_IS_STRING(v);
}
static bool is_integer(yajl_val v)
{
    return YAJL_IS_INTEGER(v);
}
static bool is_bool(yajl_val v)
{
    return YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v);
}

int ng_json_get_object(yajl_val obj, const char *key, yajl_val *ret, ng_error **err)
{
    return get_typed(obj, key, is_object, "an object", ret, err);
}

int ng_json_get_array(yajl_val obj, const char *key, yajl_val *ret, ng_error **err)
{
    return get_typed(obj, key, is_array, "an array", ret, err);
}

int ng_json_get_string(yajl_val obj, const char *key, const char **ret, ng_error **err)
{
    yajl_val v = NULL;
    int r = get_typed(obj, key, is_string, "a string", &v, err);
    if (r > 0 && v)
        *ret = v->u.string;
    return r;
}

int ng_json_get_int64(yajl_val obj, const char *key, int64_t *ret, ng_error **err)
{
    yajl_val v = NULL;
    int r = get_typed(obj, key, is_integer, "an integer", &v, err);
    if (r > 0 && v)
        *ret = v->u.number.i;
    return r;
}

int ng_json_get_bool(yajl_val obj, const char *key, bool *ret, ng_error **err)
{
    yajl_val v = NULL;
    int r = get_typed(obj, key, is_bool, "a boolean", &v, err);
    if (r > 0)
        *ret = YAJL_IS_TRUE(v);
    return r;
}

int ng_json_string_array(yajl_val arr, const char *what, size_t max, const char ***ret, size_t *ret_n,
                         ng_error **err)
{
    if (!YAJL_IS_ARRAY(arr))
        return ng_error_set(err, EINVAL, "%s must be an array, not %s", what, ng_json_type_name(arr));
    size_t n = arr->u.array.len;
    if (n > max)
        return ng_error_set(err, E2BIG, "%s has %zu entries, more than the limit of %zu", what, n, max);
    const char **out = calloc(n + 1, sizeof(*out));
    if (!out)
        return ng_error_set(err, ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yajl_val e = arr->u.array.values[i];
        if (!YAJL_IS_STRING(e)) {
            free(out);
            return ng_error_set(err, EINVAL, "%s[%zu] must be a string, not %s", what, i,
                                ng_json_type_name(e));
        }
        out[i] = e->u.string;
    }
    *ret = out;
    *ret_n = n;
    return 0;
}

/* --- output --- */

yajl_gen ng_gen_new(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        abort();
    yajl_gen_config(g, yajl_gen_validate_utf8, 1);
    return g;
}

const char *ng_gen_status_str(yajl_gen_status s)
{
    switch (s) {
    case yajl_gen_status_ok:
        return "ok";
    case yajl_gen_keys_must_be_strings:
        return "keys must be strings";
    case yajl_max_depth_exceeded:
        return "maximum depth exceeded";
    case yajl_gen_in_error_state:
        return "generator in error state";
    case yajl_gen_generation_complete:
        return "generation already complete";
    case yajl_gen_invalid_number:
        return "invalid number";
    case yajl_gen_no_buf:
        return "no buffer";
    case yajl_gen_invalid_string:
        return "invalid UTF-8 string";
    }
    return "unknown generator error";
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid (overlongs and surrogates too). */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
    uint32_t cp;
    return ng_utf8_decode(s, avail, &cp);
}

yajl_gen_status ng_gen_string_len(yajl_gen g, const char *s, size_t len)
{
    if (!s)
        return yajl_gen_null(g);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq_len(u + i, len - i);
        if (n == 0)
            break;
        i += n;
    }
    if (i == len)
        return yajl_gen_string(g, u, len);
    /* Slow path, only for invalid input: each bad byte becomes U+FFFD (3 bytes). */
    cleanup_free unsigned char *fixed = malloc(len * 3 + 1);
    if (!fixed)
        abort();
    size_t o = 0;
    for (i = 0; i < len;) {
        size_t n = utf8_seq_len(u + i, len - i);
        if (n == 0) {
            memcpy(fixed + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(fixed + o, u + i, n);
            o += n;
            i += n;
        }
    }
    return yajl_gen_string(g, fixed, o);
}

yajl_gen_status ng_gen_string(yajl_gen g, const char *s)
{
    return ng_gen_string_len(g, s, s ? strlen(s) : 0);
}

yajl_gen_status ng_gen_int(yajl_gen g, int64_t v)
{
    return yajl_gen_integer(g, (long long)v);
}

yajl_gen_status ng_gen_kv_str(yajl_gen g, const char *key, const char *value)
{
    yajl_gen_status st = ng_gen_string(g, key);
    return st != yajl_gen_status_ok ? st : ng_gen_string(g, value);
}

yajl_gen_status ng_gen_kv_int(yajl_gen g, const char *key, int64_t value)
{
    yajl_gen_status st = ng_gen_string(g, key);
    return st != yajl_gen_status_ok ? st : ng_gen_int(g, value);
}

yajl_gen_status ng_gen_kv_int_if(yajl_gen g, const char *key, int64_t value, bool present)
{
    yajl_gen_status st = ng_gen_string(g, key);
    return st != yajl_gen_status_ok ? st : present ? ng_gen_int(g, value) : yajl_gen_null(g);
}

yajl_gen_status ng_gen_kv_bool(yajl_gen g, const char *key, bool value)
{
    yajl_gen_status st = ng_gen_string(g, key);
    return st != yajl_gen_status_ok ? st : yajl_gen_bool(g, value);
}

struct gen_ctx {
    const ng_json_patch *patches;
    size_t n;
    const char *keys[8];
};

/* Does patch p address the member `key` of the object at depth `depth` (keys[0..depth-1] above it)? */
static bool patch_matches(const struct gen_ctx *c, const ng_json_patch *p, size_t depth, const char *key)
{
    for (size_t i = 0; i < depth; i++)
        if (!p->path[i] || strcmp(p->path[i], c->keys[i]) != 0)
            return false;
    return p->path[depth] && strcmp(p->path[depth], key) == 0 && !p->path[depth + 1];
}

static int gen_value(yajl_gen g, yajl_val v, struct gen_ctx *c, size_t depth, ng_error **err)
{
    switch (v->type) {
    case yajl_t_string:
        NG_GEN(yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string)));
        return 0;
    case yajl_t_number:
        NG_GEN(yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r)));
        return 0;
    case yajl_t_true:
    case yajl_t_false:
        NG_GEN(yajl_gen_bool(g, v->type == yajl_t_true));
        return 0;
    case yajl_t_null:
    case yajl_t_any:
        NG_GEN(yajl_gen_null(g));
        return 0;
    case yajl_t_array:
        NG_GEN(yajl_gen_array_open(g));
        for (size_t i = 0; i < v->u.array.len; i++) {
            /* Patches address object members only; below an array nothing matches. */
            struct gen_ctx plain = {.patches = NULL, .n = 0};
            int r = gen_value(g, v->u.array.values[i], &plain, depth + 1, err);
            if (r < 0)
                return r;
        }
        NG_GEN(yajl_gen_array_close(g));
        return 0;
    case yajl_t_object:
        break;
    }
    bool seen[16] = {false};
    size_t n_patches = c->n < 16 ? c->n : 16;
    NG_GEN(yajl_gen_map_open(g));
    for (size_t i = 0; i < v->u.object.len; i++) {
        const char *key = v->u.object.keys[i];
        NG_GEN(yajl_gen_string(g, (const unsigned char *)key, strlen(key)));
        const ng_json_patch *hit = NULL;
        for (size_t p = 0; p < n_patches && depth < 7; p++)
            if (patch_matches(c, &c->patches[p], depth, key)) {
                hit = &c->patches[p];
                seen[p] = true;
                break;
            }
        int r;
        if (hit) {
            r = hit->emit(g, v->u.object.values[i], hit->userdata, err);
        } else if (depth < 7) {
            c->keys[depth] = key;
            r = gen_value(g, v->u.object.values[i], c, depth + 1, err);
        } else {
            struct gen_ctx plain = {.patches = NULL, .n = 0};
            r = gen_value(g, v->u.object.values[i], &plain, depth + 1, err);
        }
        if (r < 0)
            return r;
    }
    for (size_t p = 0; p < n_patches && depth < 7; p++) {
        const ng_json_patch *pt = &c->patches[p];
        if (seen[p] || !pt->add_if_absent ||
            !patch_matches(c, pt, depth, pt->path[depth] ? pt->path[depth] : ""))
            continue;
        NG_GEN(ng_gen_string(g, pt->path[depth]));
        int r = pt->emit(g, NULL, pt->userdata, err);
        if (r < 0)
            return r;
    }
    NG_GEN(yajl_gen_map_close(g));
    return 0;
}

int ng_json_gen_tree(yajl_gen g, yajl_val root, const ng_json_patch *patches, size_t n_patches,
                     ng_error **err)
{
    if (n_patches > 16)
        return ng_error_set(err, E2BIG, "too many JSON patches (%zu)", n_patches);
    struct gen_ctx c = {.patches = patches, .n = n_patches};
    return gen_value(g, root, &c, 0, err);
}

int ng_json_gen_value(yajl_gen g, yajl_val v, ng_error **err)
{
    return ng_json_gen_tree(g, v, NULL, 0, err);
}
