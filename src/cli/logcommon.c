#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "logcommon.h"
#include "nodeguard/events.h"
#include "nodeguard/policy.h"
#include "nodeguard/policyfile.h"

char *cli_log_path(const char *file_opt, const char *policy_path)
{
    if (file_opt) {
        char *p = strdup(file_opt);
        if (!p)
            abort();
        return p;
    }
    ng_policy pol;
    ng_policy_load(&pol, policy_path);
    char *p = pol.log_path;
    pol.log_path = NULL;
    ng_policy_free(&pol);
    return p;
}

const char *cli_container_label(const ng_log_entry *e, char *buf, size_t size)
{
    /* Names and ids are returned whole: a copy cut to size could end inside a character. */
    if (e->container_name && *e->container_name)
        return e->container_name;
    if (e->container_id && strlen(e->container_id) == 64 &&
        strspn(e->container_id, "0123456789abcdef") == 64) {
        snprintf(buf, size, "%.12s", e->container_id); /* a runtime's hex id, shortened as podman ps does */
        return buf;
    }
    return e->container_id ? e->container_id : "-";
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static char *dup_or_null(const char *s)
{
    char *d = s && *s ? strdup(s) : NULL;
    if (s && *s && !d)
        abort();
    return d;
}

void cli_groups_init(cli_groups *g, size_t max_groups)
{
    *g = (cli_groups){.max_groups = max_groups};
    g->other = (cli_group){.key = dup_or_null("(other)"), .peak_bytes = -1};
}

static void free_group(cli_group *grp)
{
    free(grp->key);
    free(grp->container_name);
    free(grp->pod);
    free(grp->namespace_);
    free(grp->image);
}

void cli_groups_free(cli_groups *g)
{
    for (size_t i = 0; i < g->cap; i++)
        if (g->slots[i].key)
            free_group(&g->slots[i]);
    free(g->slots);
    free_group(&g->other);
    *g = (cli_groups){0};
}

static void grow(cli_groups *g)
{
    size_t ncap = g->cap ? g->cap * 2 : 1024;
    cli_group *slots = calloc(ncap, sizeof(*slots));
    if (!slots)
        abort();
    for (size_t i = 0; i < g->cap; i++) {
        if (!g->slots[i].key)
            continue;
        size_t j = hash(g->slots[i].key) & (ncap - 1);
        while (slots[j].key)
            j = (j + 1) & (ncap - 1);
        slots[j] = g->slots[i];
    }
    free(g->slots);
    g->slots = slots;
    g->cap = ncap;
}

cli_group *cli_groups_get(cli_groups *g, const char *key)
{
    if (!key || !*key)
        key = "(none)";
    if (g->cap) {
        for (size_t j = hash(key) & (g->cap - 1); g->slots[j].key; j = (j + 1) & (g->cap - 1))
            if (strcmp(g->slots[j].key, key) == 0)
                return &g->slots[j];
    }
    if (g->n >= g->max_groups) {
        g->overflowed = true;
        return &g->other;
    }
    if ((g->n + 1) * 2 > g->cap)
        grow(g);
    size_t j = hash(key) & (g->cap - 1);
    while (g->slots[j].key)
        j = (j + 1) & (g->cap - 1);
    g->slots[j] = (cli_group){.key = dup_or_null(key), .peak_bytes = -1};
    g->n++;
    return &g->slots[j];
}

void cli_group_add(cli_group *grp, const ng_log_entry *e)
{
    if (!grp->container_name && e->container_name && *e->container_name)
        grp->container_name = dup_or_null(e->container_name);
    if (!grp->pod && e->pod && *e->pod)
        grp->pod = dup_or_null(e->pod);
    if (!grp->namespace_ && e->namespace_ && *e->namespace_)
        grp->namespace_ = dup_or_null(e->namespace_);
    if (!grp->image && e->image && *e->image)
        grp->image = dup_or_null(e->image);
    if (e->type == NG_EVENT_DECISION) {
        /* A start passes createRuntime (or prestart) once; precreate-only setups count there. */
        if (e->stage && (strcmp(e->stage, "createRuntime") == 0 || strcmp(e->stage, "prestart") == 0))
            grp->starts++;
        if (e->action && (strcmp(e->action, "injected") == 0 || strcmp(e->action, "lowered") == 0))
            grp->fixes++;
        if (e->action && strcmp(e->action, "refused") == 0)
            grp->refusals++;
    } else if (e->type == NG_EVENT_OOM_KILL) {
        grp->oom_kills++;
        if (e->time_ms >= grp->last_oom_ms) {
            grp->last_oom_ms = e->time_ms;
            snprintf(grp->last_oom, sizeof(grp->last_oom), "%.19s", e->time);
        }
    } else if (e->type == NG_EVENT_CONTAINER_EXIT) {
        grp->exits++;
    }
    if (e->peak_bytes > grp->peak_bytes)
        grp->peak_bytes = e->peak_bytes;
}

static int by_kills_then_starts(const void *a, const void *b)
{
    const cli_group *x = *(cli_group *const *)a, *y = *(cli_group *const *)b;
    if (x->oom_kills != y->oom_kills)
        return x->oom_kills < y->oom_kills ? 1 : -1;
    if (x->starts != y->starts)
        return x->starts < y->starts ? 1 : -1;
    return strcmp(x->key, y->key);
}

cli_group **cli_groups_sorted(cli_groups *g, size_t *ret_n)
{
    cli_group **out = calloc(g->n + 1, sizeof(*out));
    if (!out)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < g->cap; i++)
        if (g->slots[i].key)
            out[n++] = &g->slots[i];
    if (g->overflowed)
        out[n++] = &g->other;
    qsort(out, n, sizeof(*out), by_kills_then_starts);
    *ret_n = n;
    return out;
}
