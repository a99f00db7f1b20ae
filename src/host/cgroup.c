#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "nodeguard/cgroup.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/util.h"

#define SMALL_FILE_MAX (256 * 1024)
/* A container's subtree as the watcher reads it: its cgroup and those below, bounded. */
#define SUBTREE_MAX_CGROUPS 64
#define SUBTREE_MAX_DEPTH   8

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS".
 * Finds the cgroup (v1 with the memory option) or cgroup2 mount; fills root and mountpoint, and
 * whether its super options have memory_localevents (kernel/cgroup/cgroup.c, cgroup2 only). */
static bool find_mount(const char *mountinfo, int version, char *root, char *mnt, size_t size,
                       bool *local_events)
{
    const char *line = mountinfo;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        char buf[4096];
        if (n < sizeof(buf)) {
            memcpy(buf, line, n);
            buf[n] = '\0';
            char *fields[6] = {0}, *save = NULL, *tok = strtok_r(buf, " ", &save);
            for (int i = 0; tok && i < 6; i++, tok = strtok_r(NULL, " ", &save))
                fields[i] = tok;
            char *dash = NULL;
            for (; tok; tok = strtok_r(NULL, " ", &save))
                if (strcmp(tok, "-") == 0) {
                    dash = tok;
                    break;
                }
            char *fstype = dash ? strtok_r(NULL, " ", &save) : NULL;
            char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
            char *superopts = source ? strtok_r(NULL, " ", &save) : NULL;
            bool match = false, local = false;
            if (fields[4] && fstype && version == 2 && strcmp(fstype, "cgroup2") == 0) {
                match = true;
                char *o, *osave = NULL;
                for (o = superopts ? strtok_r(superopts, ",", &osave) : NULL; o;
                     o = strtok_r(NULL, ",", &osave))
                    if (strcmp(o, "memory_localevents") == 0)
                        local = true;
            }
            if (fields[4] && fstype && superopts && version == 1 && strcmp(fstype, "cgroup") == 0) {
                char *o, *osave = NULL;
                for (o = strtok_r(superopts, ",", &osave); o; o = strtok_r(NULL, ",", &osave))
                    if (strcmp(o, "memory") == 0)
                        match = true;
            }
            if (match && strlen(fields[3]) < size && strlen(fields[4]) < size) {
                snprintf(root, size, "%s", fields[3]);
                snprintf(mnt, size, "%s", fields[4]);
                *local_events = local;
                return true;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    return false;
}

/* The directory for kernel path `path` under a mount of `root` at `mnt`, or false if the path is
 * not below the mount's root (another cgroup namespace). */
static bool join_mount(const char *root, const char *mnt, const char *path, char *out, size_t size)
{
    size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
    if (rl && (strncmp(path, root, rl) != 0 || (path[rl] != '/' && path[rl] != '\0')))
        return false;
    int n = snprintf(out, size, "%s%s", mnt, path + rl);
    if (n < 0 || (size_t)n >= size)
        return false;
    size_t len = strlen(out);
    while (len > 1 && out[len - 1] == '/')
        out[--len] = '\0';
    return true;
}

int ng_cgroup_resolve(const char *proc_pid_cgroup, const char *mountinfo, ng_cgroup *ret, ng_error **err)
{
    char v1_path[PATH_MAX] = "", v2_path[PATH_MAX] = "";
    bool have_v1 = false, have_v2 = false;
    const char *line = proc_pid_cgroup;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        const char *c1 = memchr(line, ':', n);
        const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - line)) : NULL;
        if (c2) {
            size_t ctl_len = (size_t)(c2 - c1 - 1), path_len = n - (size_t)(c2 + 1 - line);
            bool memory = false;
            for (const char *p = c1 + 1; p < c2;) {
                const char *comma = memchr(p, ',', (size_t)(c2 - p));
                const char *end = comma ? comma : c2;
                if (end - p == 6 && memcmp(p, "memory", 6) == 0)
                    memory = true;
                p = end + 1;
            }
            if (path_len < PATH_MAX) {
                if (memory) {
                    memcpy(v1_path, c2 + 1, path_len);
                    v1_path[path_len] = '\0';
                    have_v1 = true;
                } else if (ctl_len == 0 && strncmp(line, "0:", 2) == 0) {
                    memcpy(v2_path, c2 + 1, path_len);
                    v2_path[path_len] = '\0';
                    have_v2 = true;
                }
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    char root[PATH_MAX], mnt[PATH_MAX];
    ng_cgroup cg = {0};
    bool local_events = false;
    if (have_v1 && find_mount(mountinfo, 1, root, mnt, sizeof(root), &local_events) &&
        join_mount(root, mnt, v1_path, cg.dir, sizeof(cg.dir))) {
        cg.version = 1;
        snprintf(cg.kernel_path, sizeof(cg.kernel_path), "%s", v1_path);
        *ret = cg;
        return 0;
    }
    if (have_v2 && find_mount(mountinfo, 2, root, mnt, sizeof(root), &local_events) &&
        join_mount(root, mnt, v2_path, cg.dir, sizeof(cg.dir))) {
        cg.version = 2;
        cg.local_events = local_events;
        snprintf(cg.kernel_path, sizeof(cg.kernel_path), "%s", v2_path);
        *ret = cg;
        return 0;
    }
    return ng_error_set(err, ENOENT, "no memory cgroup found (v1 memory controller or cgroup2 mount)");
}

static int read_small(const char *path, char **ret, ng_error **err)
{
    size_t len;
    return ng_read_file_bounded(path, SMALL_FILE_MAX, ret, &len, err);
}

/* Has dir no memory limit of its own? memory.max says "max", or the level has no memory controller
 * at all (no memory.max; its processes are then charged to the nearest level above that has one:
 * mm/memcontrol.c, a task's memcg is its css for the memory subsystem). False when unreadable. */
static bool v2_unlimited(const char *dir)
{
    char path[PATH_MAX];
    cleanup_free char *text = NULL;
    size_t len;
    snprintf(path, sizeof(path), "%s/memory.max", dir);
    int r = ng_read_file_bounded(path, 64, &text, &len, NULL);
    return (r == 0 && strcmp(text, "max\n") == 0) || r == -ENOENT;
}

int ng_cgroup_climb(ng_cgroup *cg, const ng_cgroup_levels *levels)
{
    if (!levels || cg->version != 2 || !levels->own[0] || !levels->inner[0])
        return 0;
    char own_tail[PATH_MAX], inner_tail[PATH_MAX], dir[PATH_MAX], kpath[PATH_MAX];
    int n1 = snprintf(own_tail, sizeof(own_tail), "/%s/%s", levels->own, levels->inner);
    int n2 = snprintf(inner_tail, sizeof(inner_tail), "/%s", levels->inner);
    if (n1 < 0 || (size_t)n1 >= sizeof(own_tail) || n2 < 0 || (size_t)n2 >= sizeof(inner_tail))
        return 0;
    /* pid 1's cgroup must be exactly the runtime's levels below the container's own cgroup (both
     * tails start at a '/', so they match whole elements): else it is not known whose the cgroups
     * above are, and none is read. */
    if (!ng_str_ends_with(cg->kernel_path, own_tail) || !ng_str_ends_with(cg->dir, inner_tail))
        return 0;
    int inner_levels = 1;
    for (const char *p = levels->inner; *p; p++)
        inner_levels += *p == '/';
    snprintf(dir, sizeof(dir), "%s", cg->dir);
    snprintf(kpath, sizeof(kpath), "%s", cg->kernel_path);
    int climbed = 0;
    for (; climbed < inner_levels && v2_unlimited(dir); climbed++) {
        char parent_events[PATH_MAX];
        char *d = strrchr(dir, '/'), *k = strrchr(kpath, '/');
        *d = '\0';
        *k = '\0';
        snprintf(parent_events, sizeof(parent_events), "%s/memory.events", dir);
        if (access(parent_events, R_OK) < 0) {
            *d = *k = '/';
            break;
        }
    }
    if (climbed) {
        snprintf(cg->leaf_dir, sizeof(cg->leaf_dir), "%s", cg->dir);
        snprintf(cg->dir, sizeof(cg->dir), "%s", dir);
        snprintf(cg->kernel_path, sizeof(cg->kernel_path), "%s", kpath);
    }
    return climbed;
}

bool ng_cgroup_unified_host(void)
{
    static int cached = -1;
    struct statfs sf;
    if (cached < 0)
        cached = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
    return cached == 1;
}

/* Does path end in "/" followed by tail, as whole elements? */
static bool ends_with_elements(const char *path, const char *tail)
{
    size_t n = strlen(path), t = strlen(tail);
    return t && n > t && path[n - t - 1] == '/' && strcmp(path + n - t, tail) == 0;
}

bool ng_cgroup_is_containers(const ng_cgroup *cg, const ng_cgroup_levels *levels)
{
    if (!levels || !levels->own[0] || strchr(levels->own, '/'))
        return false;
    /* The candidates, from the own cgroup down: "own", "own/i1", "own/i1/i2", ... */
    char tail[sizeof(levels->own) + sizeof(levels->inner) + 1];
    int n = snprintf(tail, sizeof(tail), "%s", levels->own);
    bool found = false;
    for (const char *p = levels->inner;;) {
        if (n < 0 || (size_t)n >= sizeof(tail))
            return false;
        if (ends_with_elements(cg->kernel_path, tail)) {
            found = true;
            break;
        }
        if (!*p)
            break;
        size_t len = strcspn(p, "/");
        n += snprintf(tail + n, sizeof(tail) - (size_t)n, "/%.*s", (int)len, p);
        p += len + (p[len] == '/');
    }
    if (!found)
        return false;
    /* pid 1's own cgroup, when the climb left it, is below the watched one. */
    size_t dl = strlen(cg->dir);
    return !cg->leaf_dir[0] || (strncmp(cg->leaf_dir, cg->dir, dl) == 0 && cg->leaf_dir[dl] == '/');
}

int ng_cgroup_open_owned(const char *dir, uid_t uid, ng_error **err)
{
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return ng_error_set(err, errno, "cannot open %s: %s", dir, strerror(errno));
    struct statfs sf;
    struct stat st, ev;
    if (fstatfs(dfd, &sf) < 0 || fstat(dfd, &st) < 0)
        return ng_error_set(err, errno, "%s: %s", dir, strerror(errno));
    if (sf.f_type != CGROUP2_SUPER_MAGIC)
        return ng_error_set(err, EPERM, "%s is not a cgroup2 directory", dir);
    if (st.st_uid != uid)
        return ng_error_set(err, EPERM,
                            "%s is owned by uid %u, not by the user (uid %u): not delegated to them", dir,
                            (unsigned)st.st_uid, (unsigned)uid);
    cleanup_close int efd = openat(dfd, "memory.events", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (efd < 0 || fstat(efd, &ev) < 0)
        return ng_error_set(err, errno, "%s/memory.events: %s", dir, strerror(errno));
    if (!S_ISREG(ev.st_mode) || ev.st_dev != st.st_dev)
        return ng_error_set(err, EPERM, "%s/memory.events is not the cgroup's own file", dir);
    return NG_TAKE_FD(dfd);
}

int ng_cgroup_v2_watch_more(const ng_cgroup *cg, int inotify_fd)
{
    char path[PATH_MAX];
    if (cg->version != 2 || !cg->local_events || !cg->leaf_dir[0])
        return 0;
    snprintf(path, sizeof(path), "%s/memory.events", cg->leaf_dir);
    return inotify_add_watch(inotify_fd, path, IN_MODIFY) < 0 ? -errno : 0;
}

int ng_cgroup_for_pid(const char *proc_root, pid_t pid, const ng_cgroup_levels *levels, ng_cgroup *ret,
                      ng_error **err)
{
    char path[PATH_MAX];
    cleanup_free char *cgroups = NULL, *mountinfo = NULL;
    snprintf(path, sizeof(path), "%s/%d/cgroup", proc_root, (int)pid);
    int r = read_small(path, &cgroups, err);
    if (r < 0)
        return r;
    snprintf(path, sizeof(path), "%s/self/mountinfo", proc_root);
    r = read_small(path, &mountinfo, err);
    if (r < 0)
        return r;
    r = ng_cgroup_resolve(cgroups, mountinfo, ret, err);
    if (r < 0)
        return ng_error_wrap(err, "pid %d", (int)pid);
    if (ret->version == 2) {
        ng_cgroup_climb(ret, levels);
        /* The unified tree may lack the memory controller (cgroup v1 hybrid hosts). */
        snprintf(path, sizeof(path), "%s/memory.events", ret->dir);
        if (access(path, R_OK) < 0)
            return ng_error_set(err, ENOENT, "pid %d: cgroup %s has no memory controller", (int)pid,
                                ret->dir);
    }
    return 0;
}

/* Reads "KEY VALUE" lines (memory.events, memory.oom_control) for one key; -1 if absent. */
static int64_t keyed_value(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
            int64_t v;
            char num[32];
            size_t n = strcspn(p + kl + 1, "\n");
            if (n >= sizeof(num))
                return -1;
            memcpy(num, p + kl + 1, n);
            num[n] = '\0';
            return ng_parse_int64(num, &v) == 0 ? v : -1;
        }
    return -1;
}

/* A single-number file ("max" reads as -1, as does anything unreadable). */
static int64_t file_value(const ng_cgroup *cg, const char *name)
{
    char path[PATH_MAX];
    cleanup_free char *text = NULL;
    size_t len;
    int64_t v = -1;
    snprintf(path, sizeof(path), "%s/%s", cg->dir, name);
    if (ng_read_file_bounded(path, 4096, &text, &len, NULL) < 0)
        return -1;
    text[strcspn(text, "\n")] = '\0';
    return ng_parse_int64(text, &v) == 0 ? v : -1;
}

typedef void (*subtree_fn)(int dfd, void *ctx);

/* Calls fn for the cgroup open at dfd and for each cgroup below it, depth first, at most *budget
 * cgroups and SUBTREE_MAX_DEPTH levels down. */
static void walk_subtree(int dfd, int depth, int *budget, subtree_fn fn, void *ctx)
{
    if (*budget <= 0)
        return;
    (*budget)--;
    fn(dfd, ctx);
    if (depth >= SUBTREE_MAX_DEPTH)
        return;
    int self = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = self >= 0 ? fdopendir(self) : NULL;
    if (!d) {
        if (self >= 0)
            close(self);
        return;
    }
    struct dirent *e;
    while (*budget > 0 && (e = readdir(d))) {
        if ((e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) || strcmp(e->d_name, ".") == 0 ||
            strcmp(e->d_name, "..") == 0)
            continue;
        cleanup_close int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (sub >= 0)
            walk_subtree(sub, depth + 1, budget, fn, ctx);
    }
    closedir(d);
}

static void walk_cgroup(const char *dir, subtree_fn fn, void *ctx)
{
    int budget = SUBTREE_MAX_CGROUPS;
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        walk_subtree(dfd, 0, &budget, fn, ctx);
}

typedef struct local_kills {
    int64_t sum;
    bool found;
} local_kills;

static void add_local_kills(int dfd, void *ctx)
{
    local_kills *k = ctx;
    cleanup_free char *text = NULL;
    size_t len;
    if (ng_read_file_at(dfd, "memory.events.local", 4096, &text, &len, NULL, NULL) < 0)
        return;
    int64_t v = keyed_value(text, "oom_kill");
    if (v >= 0 && k->sum <= INT64_MAX - v) {
        k->sum += v;
        k->found = true;
    }
}

int ng_cgroup_read_counters(const ng_cgroup *cg, ng_memory_counters *ret)
{
    ng_memory_counters c = {-1, -1, -1, -1, -1, -1, -1, -1};
    char path[PATH_MAX];
    cleanup_free char *events = NULL;
    size_t len;
    if (cg->version == 1) {
        c.usage_bytes = file_value(cg, "memory.usage_in_bytes");
        c.peak_bytes = file_value(cg, "memory.max_usage_in_bytes");
        c.limit_bytes = file_value(cg, "memory.limit_in_bytes");
        c.max_events = file_value(cg, "memory.failcnt");
        snprintf(path, sizeof(path), "%s/memory.oom_control", cg->dir);
        if (ng_read_file_bounded(path, 4096, &events, &len, NULL) == 0)
            c.oom_kills = keyed_value(events, "oom_kill");
        /* v1 "limits" above ~8 EiB mean unlimited */
        if (c.limit_bytes >= (INT64_MAX & ~0xfffLL))
            c.limit_bytes = -1;
    } else {
        c.usage_bytes = file_value(cg, "memory.current");
        c.peak_bytes = file_value(cg, "memory.peak");
        c.limit_bytes = file_value(cg, "memory.max");
        snprintf(path, sizeof(path), "%s/memory.events", cg->dir);
        if (ng_read_file_bounded(path, 4096, &events, &len, NULL) == 0) {
            c.oom_events = keyed_value(events, "oom");
            c.oom_kills = keyed_value(events, "oom_kill");
            c.high_events = keyed_value(events, "high");
            c.max_events = keyed_value(events, "max");
            c.group_kills = keyed_value(events, "oom_group_kill");
        }
        if (cg->local_events) {
            /* memory_localevents: a kill counts only in the victim's own cgroup (mm/memcontrol.c
             * memcg_memory_event() stops at the first level), which may be below dir. Each kill is
             * in exactly one memory.events.local, so the subtree's sum counts each once. */
            local_kills k = {0, false};
            walk_cgroup(cg->dir, add_local_kills, &k);
            if (k.found)
                c.oom_kills = k.sum;
        }
    }
    *ret = c;
    return access(cg->dir, F_OK) < 0 ? -ENOENT : 0;
}

int ng_cgroup_v2_populated(const ng_cgroup *cg)
{
    char path[PATH_MAX];
    cleanup_free char *text = NULL;
    size_t len;
    snprintf(path, sizeof(path), "%s/cgroup.events", cg->dir);
    if (ng_read_file_bounded(path, 4096, &text, &len, NULL) < 0)
        return -ENOENT;
    int64_t v = keyed_value(text, "populated");
    return v < 0 ? -EINVAL : v > 0;
}

static int by_rss_desc(const void *a, const void *b)
{
    const ng_proc_rss *x = a, *y = b;
    return (y->rss_kb > x->rss_kb) - (y->rss_kb < x->rss_kb);
}

/* Name and RSS from /proc/PID/status ("Name:\tnode", "VmRSS:\t  123 kB"). */
static bool read_proc_status(const char *proc_root, pid_t pid, ng_proc_rss *out)
{
    char path[PATH_MAX];
    cleanup_free char *text = NULL;
    size_t len;
    snprintf(path, sizeof(path), "%s/%d/status", proc_root, (int)pid);
    if (ng_read_file_bounded(path, 64 * 1024, &text, &len, NULL) < 0)
        return false;
    *out = (ng_proc_rss){.pid = pid, .rss_kb = 0};
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "Name:\t", 6) == 0) {
            size_t n = strcspn(line + 6, "\n");
            if (n >= sizeof(out->name))
                n = sizeof(out->name) - 1;
            memcpy(out->name, line + 6, n);
            out->name[n] = '\0';
        } else if (strncmp(line, "VmRSS:", 6) == 0) {
            out->rss_kb = strtoll(line + 6, NULL, 10);
        }
    }
    return true;
}

/* /proc/PID/cmdline, its NUL separators as spaces, bounded by out's size. */
static void read_proc_cmdline(const char *proc_root, pid_t pid, char *out, size_t size)
{
    char path[PATH_MAX];
    cleanup_free char *text = NULL;
    size_t len;
    out[0] = '\0';
    snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, (int)pid);
    if (ng_read_file_bounded(path, 4096, &text, &len, NULL) < 0)
        return;
    while (len > 0 && text[len - 1] == '\0')
        len--;
    if (len >= size)
        len = size - 1;
    for (size_t i = 0; i < len; i++)
        out[i] = text[i] ? text[i] : ' ';
    out[len] = '\0';
}

typedef struct pid_list {
    pid_t pids[1024];
    size_t n;
} pid_list;

static void add_procs(int dfd, void *ctx)
{
    pid_list *l = ctx;
    cleanup_free char *procs = NULL;
    size_t len;
    if (ng_read_file_at(dfd, "cgroup.procs", SMALL_FILE_MAX, &procs, &len, NULL, NULL) < 0)
        return;
    for (char *p = procs; *p && l->n < sizeof(l->pids) / sizeof(l->pids[0]);) {
        char *end = NULL;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (pid > 0 && pid <= INT32_MAX)
            l->pids[l->n++] = (pid_t)pid;
        p = end + strspn(end, "\n");
    }
}

int ng_cgroup_snapshot(const ng_cgroup *cg, const char *proc_root, ng_proc_rss *ret, size_t max,
                       size_t *ret_n)
{
    *ret_n = 0;
    cleanup_close int dfd = open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    pid_list *l = calloc(1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    if (cg->version == 2) {
        /* v2 keeps processes in leaves only: a climbed cgroup's are in the cgroups below it. */
        int budget = SUBTREE_MAX_CGROUPS;
        walk_subtree(dfd, 0, &budget, add_procs, l);
    } else {
        add_procs(dfd, l);
    }
    /* 1024 entries of 176 bytes: on the heap, not on a sandboxed watcher's stack. */
    cleanup_free ng_proc_rss *all = calloc(1024, sizeof(*all));
    if (!all) {
        free(l);
        return -ENOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < l->n && n < 1024; i++)
        if (read_proc_status(proc_root, l->pids[i], &all[n]))
            n++;
    free(l);
    /* cppcheck-suppress uninitvar ; only the n entries filled above are sorted */
    qsort(all, n, sizeof(all[0]), by_rss_desc);
    if (n > max)
        n = max;
    /* Only for the ones kept: a second file per process, read at a wake, not for 1024 of them. */
    for (size_t i = 0; i < n; i++)
        read_proc_cmdline(proc_root, all[i].pid, all[i].command, sizeof(all[i].command));
    memcpy(ret, all, n * sizeof(all[0]));
    *ret_n = n;
    return 0;
}
