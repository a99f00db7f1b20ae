#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/events.h"
#include "nodeguard/logreader.h"
#include "nodeguard/util.h"

/* --- one line, by yajl's callbacks: no tree, only the fields we keep --- */

typedef struct sax {
    ng_log_entry *e;
    int depth;       /* 1 inside the record's object */
    char parent[32]; /* the key holding the depth-2 object (victim, exit, connection_limit) */
    char key[40];    /* the current key */
} sax;

typedef struct field_ref {
    const char *parent, *key; /* parent "" at the record's top level */
    size_t offset;
} field_ref;

/* The fields the reader keeps, by JSON type: every (parent, key) the event registry marks
 * NG_FIELD_KEPT in any event, once. Built on first use. */
static struct {
    field_ref strings[64], ints[64], bools[8];
    size_t n_strings, n_ints, n_bools;
} kept;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;

static void keep(const ng_event_field *f)
{
    field_ref *refs;
    size_t *n, cap;
    if (!(f->flags & NG_FIELD_KEPT))
        return;
    if (f->type == NG_FIELD_STRING)
        refs = kept.strings, n = &kept.n_strings, cap = sizeof(kept.strings) / sizeof(kept.strings[0]);
    else if (f->type == NG_FIELD_INT)
        refs = kept.ints, n = &kept.n_ints, cap = sizeof(kept.ints) / sizeof(kept.ints[0]);
    else if (f->type == NG_FIELD_BOOL)
        refs = kept.bools, n = &kept.n_bools, cap = sizeof(kept.bools) / sizeof(kept.bools[0]);
    else
        abort(); /* an object or array has no member to be kept in (tests/unit/test_events.c checks) */
    const char *parent = f->parent ? f->parent : "";
    for (size_t i = 0; i < *n; i++)
        if (strcmp(refs[i].key, f->name) == 0 && strcmp(refs[i].parent, parent) == 0)
            return; /* the same field in another event (the same member: test_events checks) */
    if (*n == cap)
        abort(); /* more kept fields than the index holds: raise its size */
    refs[(*n)++] = (field_ref){.parent = parent, .key = f->name, .offset = f->entry_offset};
}

static void index_kept_fields(void)
{
    size_t n;
    const ng_event_field *common = ng_event_common_fields(&n);
    for (size_t i = 0; i < n; i++)
        keep(&common[i]);
    for (int ev = 0; ev < NG_EVENT_COUNT; ev++) {
        const ng_event_info *info = ng_event_get((ng_event)ev);
        for (size_t i = 0; i < info->n_fields; i++)
            keep(&info->fields[i]);
    }
}

static const field_ref *lookup(const field_ref *fields, size_t n, const sax *x)
{
    const char *parent = x->depth == 1 ? "" : x->parent;
    if (x->depth > 2)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i].key, x->key) == 0 && strcmp(fields[i].parent, parent) == 0)
            return &fields[i];
    return NULL;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    sax *x = ctx;
    const field_ref *f = lookup(kept.strings, kept.n_strings, x);
    if (!f)
        return 1;
    ng_log_entry *e = x->e;
    if (e->used + len + 1 > sizeof(e->strings))
        len = e->used < sizeof(e->strings) - 1 ? sizeof(e->strings) - 1 - e->used : 0;
    char *dst = e->strings + e->used;
    memcpy(dst, s, len);
    dst[len] = '\0';
    e->used += len + 1 < sizeof(e->strings) - e->used ? len + 1 : 0;
    *(const char **)((char *)e + f->offset) = dst;
    return 1;
}

static int on_integer(void *ctx, long long v)
{
    sax *x = ctx;
    const field_ref *f = lookup(kept.ints, kept.n_ints, x);
    if (f)
        *(int64_t *)((char *)x->e + f->offset) = v;
    return 1;
}

static int on_bool(void *ctx, int v)
{
    sax *x = ctx;
    const field_ref *f = lookup(kept.bools, kept.n_bools, x);
    if (f)
        *(bool *)((char *)x->e + f->offset) = v;
    return 1;
}

static int on_key(void *ctx, const unsigned char *k, size_t len)
{
    sax *x = ctx;
    if (len >= sizeof(x->key))
        len = sizeof(x->key) - 1;
    memcpy(x->key, k, len);
    x->key[len] = '\0';
    return 1;
}

static int on_start_map(void *ctx)
{
    sax *x = ctx;
    if (x->depth == 1)
        snprintf(x->parent, sizeof(x->parent), "%s", x->key);
    x->depth++;
    return x->depth <= 16; /* the log's records are shallow; anything deeper is not ours */
}

static int on_end_map(void *ctx)
{
    ((sax *)ctx)->depth--;
    return 1;
}

static int on_start_array(void *ctx)
{
    ((sax *)ctx)->depth++;
    return ((sax *)ctx)->depth <= 16;
}

static int on_end_array(void *ctx)
{
    ((sax *)ctx)->depth--;
    return 1;
}

static int on_other(void *ctx)
{
    (void)ctx;
    return 1;
}

static int on_double(void *ctx, double d)
{
    (void)ctx;
    (void)d;
    return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_other,
    .yajl_boolean = on_bool,
    .yajl_integer = on_integer,
    .yajl_double = on_double,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

int ng_log_entry_parse(const char *line, size_t len, ng_log_entry *e)
{
    pthread_once(&kept_once, index_kept_fields);
    memset(e, 0, offsetof(ng_log_entry, strings));
    e->type = NG_EVENT_UNKNOWN;
    e->heap_mib_before = e->heap_mib_after = e->heap_mib = e->memory_limit_bytes = e->usage_bytes =
        e->peak_bytes = -1;
    e->victim_pid = e->victim_anon_rss_kb = e->oom_kill_count = e->oom_kills = e->lifetime_ms = -1;
    e->exit_code = e->exit_signal = -1;
    e->used = 0;
    if (len == 0 || line[0] != '{')
        return -EINVAL;
    sax x = {.e = e};
    yajl_handle h = yajl_alloc(&callbacks, NULL, &x);
    if (!h)
        abort();
    yajl_status st = yajl_parse(h, (const unsigned char *)line, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    yajl_free(h);
    if (st != yajl_status_ok || !e->event || !e->time)
        return -EINVAL;
    if (ng_parse_rfc3339(e->time, &e->time_ms) < 0)
        return -EINVAL;
    e->type = ng_event_from_name(e->event);
    return 0;
}

/* --- filters --- */

static bool in_list(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

bool ng_log_filter_match(const ng_log_filter *f, const ng_log_entry *e)
{
    if (!f)
        return true;
    if (f->events && !in_list(f->events, e->event))
        return false;
    if (f->since_ms && e->time_ms < f->since_ms)
        return false;
    if (f->until_ms && e->time_ms > f->until_ms)
        return false;
    if (f->container) {
        bool id = e->container_id && strncmp(e->container_id, f->container, strlen(f->container)) == 0;
        bool name = e->container_name && strcmp(e->container_name, f->container) == 0;
        if (!id && !name)
            return false;
    }
    if (f->pod) {
        const char *slash = strchr(f->pod, '/');
        if (!e->pod)
            return false;
        if (slash) {
            size_t nl = (size_t)(slash - f->pod);
            if (!e->namespace_ || strlen(e->namespace_) != nl || strncmp(e->namespace_, f->pod, nl) != 0 ||
                strcmp(e->pod, slash + 1) != 0)
                return false;
        } else if (strcmp(e->pod, f->pod) != 0) {
            return false;
        }
    }
    return true;
}

/* --- time --- */

int ng_parse_rfc3339(const char *s, int64_t *ret_ms)
{
    struct tm tm = {0};
    int ms = 0, consumed = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &consumed) != 6 ||
        consumed != 19)
        return -EINVAL;
    const char *p = s + 19;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3)
                ms = ms * 10 + (*p - '0');
        for (; digits < 3; digits++)
            ms *= 10;
    }
    int offset_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
            return -EINVAL;
        offset_min = (hh * 60 + mm) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -EINVAL;
    }
    if (*p || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return -EINVAL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    *ret_ms = ((int64_t)t - offset_min * 60) * 1000 + ms;
    return 0;
}

int ng_parse_when(const char *s, int64_t now_ms, int64_t *ret_ms)
{
    if (ng_parse_rfc3339(s, ret_ms) == 0)
        return 0;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    if (errno || end == s || n < 0 || !end[0] || end[1])
        return -EINVAL;
    int64_t unit;
    switch (end[0]) {
    case 's':
        unit = 1000;
        break;
    case 'm':
        unit = 60 * 1000;
        break;
    case 'h':
        unit = 3600 * 1000;
        break;
    case 'd':
        unit = 86400 * 1000;
        break;
    default:
        return -EINVAL;
    }
    if (n > INT64_MAX / unit)
        return -ERANGE;
    *ret_ms = now_ms - n * unit;
    return 0;
}

/* --- files --- */

typedef struct line_reader {
    int fd;
    char *buf;
    size_t len, cap;
    bool skipping; /* inside a line longer than NG_LOG_LINE_MAX */
} line_reader;

/* Feeds every complete line in the buffer to the visitor; keeps a partial last line. */
static int feed(line_reader *r, const ng_log_filter *f, ng_log_visit_fn fn, void *ud, ng_log_counts *c,
                ng_log_entry *e)
{
    size_t start = 0;
    for (;;) {
        char *nl = memchr(r->buf + start, '\n', r->len - start);
        if (!nl)
            break;
        size_t len = (size_t)(nl - (r->buf + start));
        const char *line = r->buf + start;
        start += len + 1;
        if (r->skipping) {
            r->skipping = false;
            continue;
        }
        c->lines++;
        if (ng_log_entry_parse(line, len, e) < 0) {
            c->corrupt++;
            continue;
        }
        if (!ng_log_filter_match(f, e))
            continue;
        c->matched++;
        if (fn(e, line, len, ud) < 0)
            return -ECANCELED;
    }
    memmove(r->buf, r->buf + start, r->len - start);
    r->len -= start;
    if (r->len == r->cap) {
        /* A line longer than the cap: drop what we have and skip to its end (counted once, however
         * many buffers it fills). */
        if (!r->skipping) {
            c->too_long++;
            c->lines++;
            c->corrupt++;
        }
        r->len = 0;
        r->skipping = true;
    }
    return 0;
}

/* Reads fd to its current end. */
static int drain(line_reader *r, const ng_log_filter *f, ng_log_visit_fn fn, void *ud, ng_log_counts *c,
                 ng_log_entry *e)
{
    for (;;) {
        ssize_t n = ng_read_retry(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return 0;
        r->len += (size_t)n;
        int rc = feed(r, f, fn, ud, c, e);
        if (rc < 0)
            return rc;
    }
}

static int scan_file(const char *path, line_reader *r, const ng_log_filter *f, ng_log_visit_fn fn, void *ud,
                     ng_log_counts *c, ng_log_entry *e)
{
    r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (r->fd < 0)
        return -errno;
    r->len = 0;
    r->skipping = false;
    int rc = drain(r, f, fn, ud, c, e);
    close(r->fd);
    r->fd = -1;
    return rc;
}

int ng_log_scan(const char *path, bool with_rotated, bool follow, const volatile int *stop,
                const ng_log_filter *f, ng_log_visit_fn fn, void *ud, ng_log_counts *counts, ng_error **err)
{
    ng_log_counts c = {0};
    line_reader r = {.fd = -1, .cap = NG_LOG_LINE_MAX};
    cleanup_free char *buf = r.buf = malloc(r.cap);
    cleanup_free ng_log_entry *e = malloc(sizeof(*e));
    if (!buf || !e)
        abort();
    char gen[PATH_MAX + 8];
    int rc = 0;
    for (int g = with_rotated ? 99 : 0; g >= 1 && rc >= 0; g--) {
        snprintf(gen, sizeof(gen), "%s.%d", path, g);
        rc = scan_file(gen, &r, f, fn, ud, &c, e);
        if (rc == -ENOENT)
            rc = 0;
    }
    if (rc >= 0 && !follow) {
        rc = scan_file(path, &r, f, fn, ud, &c, e);
        if (rc == -ENOENT && with_rotated && c.lines)
            rc = 0;
    } else if (rc >= 0) {
        /* Follow: read to the end, then sleep on inotify until the file grows or is replaced. */
        cleanup_close int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        char dir[PATH_MAX];
        const char *slash = strrchr(path, '/');
        if (!slash)
            snprintf(dir, sizeof(dir), ".");
        else if (slash == path)
            snprintf(dir, sizeof(dir), "/");
        else
            snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
        /* The directory, not the file: rotation replaces the file. */
        if (in < 0 || inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) < 0) {
            *counts = c;
            return ng_error_set(err, errno, "inotify on the log's directory: %s", strerror(errno));
        }
        r.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        r.len = 0;
        while (!*stop) {
            if (r.fd < 0)
                r.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
            if (r.fd >= 0 && (rc = drain(&r, f, fn, ud, &c, e)) < 0)
                break;
            struct stat by_fd, by_path;
            if (r.fd >= 0 && stat(path, &by_path) == 0 && fstat(r.fd, &by_fd) == 0 &&
                by_path.st_ino != by_fd.st_ino) {
                /* Rotated: the old file is read to its end above; continue with the new one. */
                drain(&r, f, fn, ud, &c, e);
                close(r.fd);
                r.fd = -1;
                r.len = 0;
                continue;
            }
            struct pollfd p = {.fd = in, .events = POLLIN};
            if (poll(&p, 1, -1) < 0 && errno != EINTR)
                break;
            char evbuf[4096];
            while (read(in, evbuf, sizeof(evbuf)) > 0)
                ;
        }
        if (r.fd >= 0)
            close(r.fd);
        rc = rc == -ECANCELED ? 0 : rc;
    }
    *counts = c;
    if (rc == -ECANCELED)
        return 0;
    if (rc < 0)
        return ng_error_set(err, -rc, "reading %s: %s", path, strerror(-rc));
    return 0;
}
