#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/json.h"
#include "nodeguard/policy.h"
#include "nodeguard/util.h"

#ifndef NODEGUARD_LIBEXECDIR
#define NODEGUARD_LIBEXECDIR "/usr/libexec"
#endif

static const char *const mode_names[] = {"fix", "enforce", "warn", "off"};

const char *ng_mode_name(ng_mode m)
{
    return (unsigned)m < 4 ? mode_names[m] : "unknown";
}

int ng_mode_parse(const char *s, ng_mode *ret)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, mode_names[i]) == 0) {
            *ret = (ng_mode)i;
            return 0;
        }
    return -EINVAL;
}

void ng_warn(ng_warnings *w, const char *fmt, ...)
{
    if (w->n == NG_MAX_WARNINGS) {
        w->dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&w->items[w->n], fmt, ap) < 0)
        abort();
    va_end(ap);
    w->n++;
}

void ng_warnings_free(ng_warnings *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->items[i]);
    *w = (ng_warnings){0};
}

char *ng_xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

void ng_policy_defaults(ng_policy *p)
{
    *p = (ng_policy){.mode = NG_MODE_FIX,
                     .sandbox = true,
                     .conn_enabled = true,
                     .record_oom = NG_RECORD_OOM_NODE,
                     .pressure_percent = 90,
                     .pressure_interval_s = 60,
                     .log_max_bytes = 64 * 1024 * 1024,
                     .log_generations = 5,
                     .log_lock_wait_ms = NG_POLICY_LOCK_WAIT_MS_DEFAULT};
    p->log_path = ng_xstrdup(NG_SYSTEM_LOG_PATH);
    p->hook_path = ng_xstrdup(NODEGUARD_LIBEXECDIR "/nodeguard/nodeguard-hook");
    ng_sizing_params_default(&p->sizing);
    ng_conn_params_default(&p->conn);
    p->conn_env[0] = ng_xstrdup("DB_CONNECTION_LIMIT");
    p->n_conn_env = 1;
    p->source = ng_xstrdup("defaults");
}

void ng_policy_free(ng_policy *p)
{
    free(p->log_path);
    free(p->rootless_log_path);
    free(p->runtime_path);
    free(p->hook_path);
    for (size_t i = 0; i < p->n_conn_env; i++)
        free(p->conn_env[i]);
    free(p->source);
    ng_warnings_free(&p->warnings);
    *p = (ng_policy){0};
}

void ng_policy_choose_log(ng_policy *p, bool rootless, const char *user_log)
{
    if (!rootless) {
        p->log_kind = NG_LOG_SYSTEM;
        return;
    }
    free(p->log_path);
    p->log_path = ng_xstrdup(p->rootless_log_path ? p->rootless_log_path : user_log);
    p->log_kind = p->rootless_log_path ? NG_LOG_SHARED : NG_LOG_USER;
}

/* --- typed field tables: name, JSON type, range, destination --- */

typedef enum {
    F_INT,
    F_BOOL,
    F_STRING,
    F_MODE,
    F_ON_ERROR,
    F_RECORD_OOM,
    F_ENV_LIST,
    F_DATABASE_URL,
    F_OBJECT
} field_type;

typedef struct field {
    const char *name;
    field_type type;
    int64_t min, max;
    size_t offset;
    const struct field *children; /* F_OBJECT */
} field;

#define FIELD_INT(n, member, lo, hi)                                                                         \
    {                                                                                                        \
        n, F_INT, lo, hi, offsetof(ng_policy, member), NULL                                                  \
    }

static const field sizing_fields[] = {
    FIELD_INT("reserve_percent", sizing.reserve_percent, 0, 90),
    FIELD_INT("base_overhead_mib", sizing.base_overhead_mib, 0, 4096),
    FIELD_INT("heap_overhead_percent", sizing.heap_overhead_percent, 0, 400),
    FIELD_INT("min_heap_mib", sizing.min_heap_mib, 1, 1 << 20),
    FIELD_INT("max_heap_mib", sizing.max_heap_mib, 0, 1 << 20),
    {NULL, 0, 0, 0, 0, NULL},
};

static const field conn_fields[] = {
    {"enabled", F_BOOL, 0, 0, offsetof(ng_policy, conn_enabled), NULL},
    {"env", F_ENV_LIST, 0, 0, 0, NULL},
    FIELD_INT("mib_per_connection", conn.mib_per_connection, 1, 1 << 20),
    FIELD_INT("min", conn.min, 1, 100000),
    FIELD_INT("max", conn.max, 1, 100000),
    {"database_url", F_DATABASE_URL, 0, 0, offsetof(ng_policy, conn_database_url), NULL},
    {NULL, 0, 0, 0, 0, NULL},
};

static const field top_fields[] = {
    {"mode", F_MODE, 0, 0, offsetof(ng_policy, mode), NULL},
    {"on_error", F_ON_ERROR, 0, 0, offsetof(ng_policy, on_error_deny), NULL},
    {"sandbox", F_BOOL, 0, 0, offsetof(ng_policy, sandbox), NULL},
    {"log_path", F_STRING, 0, 0, offsetof(ng_policy, log_path), NULL},
    {"rootless_log_path", F_STRING, 0, 0, offsetof(ng_policy, rootless_log_path), NULL},
    {"runtime_path", F_STRING, 0, 0, offsetof(ng_policy, runtime_path), NULL},
    {"hook_path", F_STRING, 0, 0, offsetof(ng_policy, hook_path), NULL},
    FIELD_INT("log_max_bytes", log_max_bytes, 0, 1LL << 40),
    FIELD_INT("log_generations", log_generations, 1, 99),
    FIELD_INT("log_lock_wait_ms", log_lock_wait_ms, 0, 60000),
    {"record_oom", F_RECORD_OOM, 0, 0, offsetof(ng_policy, record_oom), NULL},
    FIELD_INT("memory_pressure_percent", pressure_percent, 0, 100),
    FIELD_INT("memory_pressure_interval_s", pressure_interval_s, 1, 86400),
    {"sizing", F_OBJECT, 0, 0, 0, sizing_fields},
    {"connection_limit", F_OBJECT, 0, 0, 0, conn_fields},
    {NULL, 0, 0, 0, 0, NULL},
};

static bool valid_env_name(const char *s)
{
    if (!*s || strlen(s) > 128 || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static void set_env_list(ng_policy *p, yajl_val v, const char *where)
{
    if (!YAJL_IS_ARRAY(v) || v->u.array.len == 0 || v->u.array.len > NG_CONN_MAX_ENV_NAMES) {
        ng_warn(&p->warnings, "%s must be an array of 1 to %d variable names; ignored", where,
                NG_CONN_MAX_ENV_NAMES);
        return;
    }
    for (size_t i = 0; i < v->u.array.len; i++) {
        yajl_val e = v->u.array.values[i];
        if (!YAJL_IS_STRING(e) || !valid_env_name(e->u.string)) {
            ng_warn(&p->warnings, "%s[%zu] is not a valid environment variable name; ignored", where, i);
            return;
        }
    }
    for (size_t i = 0; i < p->n_conn_env; i++)
        free(p->conn_env[i]);
    p->n_conn_env = v->u.array.len;
    for (size_t i = 0; i < p->n_conn_env; i++)
        p->conn_env[i] = ng_xstrdup(v->u.array.values[i]->u.string);
}

static void apply_fields(ng_policy *p, yajl_val obj, const field *fields, const char *prefix)
{
    for (size_t k = 0; k < obj->u.object.len; k++) {
        const char *key = obj->u.object.keys[k];
        yajl_val v = obj->u.object.values[k];
        char where[96];
        snprintf(where, sizeof(where), "%s%s", prefix, key);
        const field *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            ng_warn(&p->warnings, "unknown key \"%s\"; ignored", where);
            continue;
        }
        char *dst = (char *)p + f->offset;
        switch (f->type) {
        case F_INT:
            if (!YAJL_IS_INTEGER(v) || v->u.number.i < f->min || v->u.number.i > f->max)
                ng_warn(&p->warnings, "%s must be an integer from %lld to %lld; default kept", where,
                        (long long)f->min, (long long)f->max);
            else
                *(int64_t *)dst = v->u.number.i;
            break;
        case F_BOOL:
            if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
                ng_warn(&p->warnings, "%s must be true or false; default kept", where);
            else
                *(bool *)dst = YAJL_IS_TRUE(v);
            break;
        case F_STRING:
            if (!YAJL_IS_STRING(v) || v->u.string[0] != '/')
                ng_warn(&p->warnings, "%s must be an absolute path; default kept", where);
            else {
                free(*(char **)dst);
                *(char **)dst = ng_xstrdup(v->u.string);
            }
            break;
        case F_MODE:
            if (!YAJL_IS_STRING(v) || ng_mode_parse(v->u.string, (ng_mode *)dst) < 0)
                ng_warn(&p->warnings, "%s must be one of fix, enforce, warn, off; default kept", where);
            break;
        case F_ON_ERROR:
            if (YAJL_IS_STRING(v) && (strcmp(v->u.string, "allow") == 0 || strcmp(v->u.string, "deny") == 0))
                *(bool *)dst = strcmp(v->u.string, "deny") == 0;
            else
                ng_warn(&p->warnings, "%s must be \"allow\" or \"deny\"; default kept", where);
            break;
        case F_RECORD_OOM: {
            static const char *const names[] = {"node", "all", "off"};
            int found = -1;
            for (int i = 0; i < 3 && YAJL_IS_STRING(v); i++)
                if (strcmp(v->u.string, names[i]) == 0)
                    found = i;
            if (found < 0)
                ng_warn(&p->warnings, "%s must be one of node, all, off; default kept", where);
            else
                *(ng_record_oom *)dst = (ng_record_oom)found;
            break;
        }
        case F_ENV_LIST:
            set_env_list(p, v, where);
            break;
        case F_DATABASE_URL: /* true and false, from before the per-driver modes */
            if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
                *(ng_dburl_mode *)dst = YAJL_IS_TRUE(v) ? NG_DBURL_AUTO : NG_DBURL_OFF;
            else if (!YAJL_IS_STRING(v) || ng_dburl_mode_parse(v->u.string, (ng_dburl_mode *)dst) < 0)
                ng_warn(&p->warnings, "%s must be true, false, \"auto\", \"prisma\" or \"off\"; default kept",
                        where);
            break;
        case F_OBJECT:
            if (!YAJL_IS_OBJECT(v)) {
                ng_warn(&p->warnings, "%s must be an object; ignored", where);
                break;
            }
            char sub[96];
            snprintf(sub, sizeof(sub), "%s.", where);
            apply_fields(p, v, f->children, sub);
            break;
        }
    }
}

int ng_policy_parse(ng_policy *p, const char *buf, size_t len, ng_error **err)
{
    cleanup_yajl_val yajl_val root = NULL;
    int r = ng_json_parse(buf, len, 8, &root, err);
    if (r < 0)
        return r;
    if (!YAJL_IS_OBJECT(root))
        return ng_error_set(err, EINVAL, "the policy must be a JSON object, not %s", ng_json_type_name(root));
    apply_fields(p, root, top_fields, "");
    if (p->conn.min > p->conn.max) {
        ng_warn(&p->warnings, "connection_limit.min (%lld) is above max (%lld); using max for both",
                (long long)p->conn.min, (long long)p->conn.max);
        p->conn.min = p->conn.max;
    }
    return 0;
}

void ng_overrides_from_spec(const ng_spec *spec, ng_overrides *ret, ng_warnings *w)
{
    ng_overrides o = {.enable = -1, .overhead_mib = -1, .conn_limit = -1};
    yajl_val ann = spec->annotations;
    for (size_t i = 0; ann && i < ann->u.object.len; i++) {
        const char *key = ann->u.object.keys[i];
        if (strncmp(key, "io.nodeguard.", 13) != 0 || !YAJL_IS_STRING(ann->u.object.values[i]))
            continue;
        const char *name = key + 13, *v = ann->u.object.values[i]->u.string;
        int64_t n = 0;
        bool b = false;
        if (strcmp(name, "enable") == 0) {
            if (ng_parse_bool(v, &b) < 0)
                ng_warn(w, "annotation %s=%.64s is not a boolean; ignored", key, v);
            else
                o.enable = b;
        } else if (strcmp(name, "mode") == 0) {
            if (ng_mode_parse(v, &o.mode) < 0)
                ng_warn(w, "annotation %s=%.64s is not fix, enforce, warn or off; ignored", key, v);
            else
                o.has_mode = true;
        } else if (strcmp(name, "processes") == 0) {
            if (ng_parse_int64(v, &n) < 0 || n < 1 || n > 64)
                ng_warn(w, "annotation %s=%.64s must be 1 to 64; ignored", key, v);
            else
                o.processes = (int)n;
        } else if (strcmp(name, "heap") == 0) {
            uint64_t bytes = 0;
            /* A bare number is MiB here, as in --max-old-space-size; sizes with units are accepted too. */
            if (ng_parse_int64(v, &n) == 0 && n >= 1 && n <= (1 << 20))
                o.heap_mib = n;
            else if (ng_parse_size(v, &bytes) == 0 && bytes >= (uint64_t)NG_MIB && bytes <= (1ULL << 40))
                o.heap_mib = (int64_t)(bytes / NG_MIB);
            else
                ng_warn(w, "annotation %s=%.64s must be a heap size in MiB; ignored", key, v);
        } else if (strcmp(name, "overhead") == 0) {
            if (ng_parse_int64(v, &n) < 0 || n < 0 || n > 4096)
                ng_warn(w, "annotation %s=%.64s must be 0 to 4096 MiB; ignored", key, v);
            else
                o.overhead_mib = n;
        } else if (strcmp(name, "connection-limit") == 0) {
            if (strcmp(v, "off") == 0)
                o.conn_limit = 0;
            else if (ng_parse_int64(v, &n) < 0 || n < 1 || n > 100000)
                ng_warn(w, "annotation %s=%.64s must be a positive number or \"off\"; ignored", key, v);
            else
                o.conn_limit = n;
        } else {
            ng_warn(w, "unknown annotation %.96s; ignored", key);
        }
    }
    *ret = o;
}
