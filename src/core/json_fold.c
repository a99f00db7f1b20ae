#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/json_fold.h"

/* Go's case-insensitive match of a key to a field name. Field names are ASCII; the only non-ASCII
 * runes that fold onto ASCII letters are U+212A KELVIN SIGN (k) and U+017F LONG S (s). */
static bool go_key_matches_field(const char *key, const char *field)
{
    const unsigned char *k = (const unsigned char *)key;
    for (const char *f = field; *f; f++) {
        int want = tolower((unsigned char)*f);
        if (k[0] < 0x80) {
            if (tolower(k[0]) != want || (!isalpha(k[0]) && k[0] != (unsigned char)*f))
                return false;
            k++;
        } else if (want == 'k' && k[0] == 0xE2 && k[1] == 0x84 && k[2] == 0xAA) {
            k += 3;
        } else if (want == 's' && k[0] == 0xC5 && k[1] == 0xBF) {
            k += 2;
        } else {
            return false;
        }
    }
    return *k == '\0';
}

static const ng_json_field *field_named(const ng_json_field *fields, const char *key, bool exact)
{
    for (const ng_json_field *f = fields; f && f->name; f++)
        if (exact ? strcmp(key, f->name) == 0 : go_key_matches_field(key, f->name))
            return f;
    return NULL;
}

static void rename_to_fields(yajl_val obj, const ng_json_field *fields)
{
    for (size_t i = 0; i < obj->u.object.len; i++) {
        const char *key = obj->u.object.keys[i];
        if (field_named(fields, key, true))
            continue;
        const ng_json_field *f = field_named(fields, key, false);
        if (!f)
            continue; /* Go ignores an unknown key; it stays for the writer to keep */
        char *canonical = strdup(f->name);
        if (!canonical)
            abort();
        free((void *)key);
        obj->u.object.keys[i] = canonical;
    }
}

/* Appends from's members to into's, after into's own: document order is kept for the next fold. */
static void append_members(yajl_val into, yajl_val from)
{
    /* An empty object has no arrays to copy from (yajl leaves them NULL: memcpy from NULL is
     * undefined even for 0 bytes; found by fuzz_state with {"id":{},"id":{}}). */
    if (from->u.object.len == 0)
        return;
    size_t n = into->u.object.len + from->u.object.len;
    const char **keys = realloc(into->u.object.keys, n * sizeof(*keys));
    yajl_val *values = realloc(into->u.object.values, n * sizeof(*values));
    if (!keys || !values)
        abort();
    memcpy(keys + into->u.object.len, from->u.object.keys, from->u.object.len * sizeof(*keys));
    memcpy(values + into->u.object.len, from->u.object.values, from->u.object.len * sizeof(*values));
    into->u.object.keys = keys;
    into->u.object.values = values;
    into->u.object.len = n;
    from->u.object.len = 0;
}

static int by_key_then_position(const void *a, const void *b, void *keys_arg)
{
    const char *const *keys = keys_arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(keys[i], keys[j]);
    return c ? c : (i > j) - (i < j);
}

/* Combines the members that share a key, in document order, at the first one's position. Sorting
 * keeps this O(n log n): a config with 100,000 repeated keys must not stall the hook. */
/* Whether a small object repeats a key, without allocating: nearly every object of a real config
 * has a handful of distinct keys, and the fold runs on every container start. */
#define SMALL_OBJECT 16
static bool small_and_distinct(yajl_val obj)
{
    size_t n = obj->u.object.len;
    if (n > SMALL_OBJECT)
        return false;
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(obj->u.object.keys[i], obj->u.object.keys[j]) == 0)
                return false;
    return true;
}

static void combine_duplicates(yajl_val obj)
{
    size_t n = obj->u.object.len;
    if (n < 2 || small_and_distinct(obj))
        return;
    cleanup_free size_t *order = malloc(n * sizeof(*order));
    cleanup_free bool *gone = calloc(n, sizeof(*gone));
    if (!order || !gone)
        abort();
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof(*order), by_key_then_position, (void *)obj->u.object.keys);
    bool any = false;
    for (size_t g = 0; g + 1 < n; g++) {
        size_t first = order[g];
        if (gone[first] || strcmp(obj->u.object.keys[first], obj->u.object.keys[order[g + 1]]) != 0)
            continue;
        yajl_val kept = obj->u.object.values[first];
        for (size_t k = g + 1; k < n && strcmp(obj->u.object.keys[first], obj->u.object.keys[order[k]]) == 0;
             k++) {
            size_t later = order[k];
            yajl_val v = obj->u.object.values[later];
            if (YAJL_IS_OBJECT(kept) && YAJL_IS_OBJECT(v)) {
                append_members(kept, v);
                yajl_tree_free(v);
            } else {
                yajl_tree_free(kept);
                kept = v;
            }
            free((void *)obj->u.object.keys[later]);
            gone[later] = any = true;
        }
        obj->u.object.values[first] = kept;
    }
    if (!any)
        return;
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!gone[i]) {
            obj->u.object.keys[w] = obj->u.object.keys[i];
            obj->u.object.values[w++] = obj->u.object.values[i];
        }
    obj->u.object.len = w;
}

/* Top down: a level is renamed and combined before its members are folded, so members merged in
 * from a later duplicate are folded together with the earlier ones, in document order. The depth
 * is bounded by the parser's. */
void ng_json_fold(yajl_val v, const ng_json_field *fields)
{
    if (YAJL_IS_ARRAY(v)) {
        for (size_t i = 0; i < v->u.array.len; i++)
            ng_json_fold(v->u.array.values[i], fields);
        return;
    }
    if (!YAJL_IS_OBJECT(v))
        return;
    if (fields)
        rename_to_fields(v, fields);
    combine_duplicates(v);
    for (size_t i = 0; i < v->u.object.len; i++) {
        const ng_json_field *f = field_named(fields, v->u.object.keys[i], true);
        ng_json_fold(v->u.object.values[i], f ? f->fields : NULL);
    }
}
