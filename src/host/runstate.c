#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/identity.h"
#include "nodeguard/json.h"
#include "nodeguard/runstate.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/util.h"

char *ng_state_root(void)
{
    const char *env = getenv("NODEGUARD_STATE_DIR");
    char *p = NULL;
    if (env && *env == '/')
        p = strdup(env);
    else if (ng_rootless()) {
        /* Without a runtime directory of the user's, a path they cannot create rather than a
         * shared one in /tmp that another user could make first (SECURITY.md). */
        cleanup_free char *runtime_dir = ng_user_runtime_dir();
        if ((runtime_dir ? asprintf(&p, "%s/nodeguard", runtime_dir)
                         : asprintf(&p, "/run/user/%u/nodeguard", (unsigned)ng_host_uid())) < 0)
            p = NULL;
    } else
        p = strdup("/run/nodeguard");
    if (!p)
        abort();
    return p;
}

int ng_state_dir_for(const char *root, const char *id, char *ret, size_t size)
{
    /* The id comes from the runtime's state: never let it walk out of the state root. */
    if (!*id || strlen(id) > 90 || strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return -EINVAL;
    int n = snprintf(ret, size, "%s/%s", root, id);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Writes JSON to DIR/NAME atomically: a temporary file, fsync-free (tmpfs), then rename(). */
static int write_atomic(const char *dir, const char *name, yajl_gen g, ng_error **err)
{
    const unsigned char *buf;
    size_t len;
    char path[PATH_MAX], tmp[PATH_MAX];
    yajl_gen_get_buf(g, &buf, &len);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s/.%s.%d", dir, name, (int)getpid());
    cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return ng_error_set(err, errno, "cannot write %s: %s", tmp, strerror(errno));
    int r = ng_write_all(fd, buf, len);
    if (r < 0 || rename(tmp, path) < 0) {
        int e = r < 0 ? -r : errno;
        unlink(tmp);
        return ng_error_set(err, e, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

static int read_json(const char *dir, const char *name, yajl_val *ret, ng_error **err)
{
    char path[PATH_MAX];
    cleanup_free char *buf = NULL;
    size_t len;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int r = ng_read_file_bounded(path, 64 * 1024, &buf, &len, err);
    if (r < 0)
        return r;
    r = ng_json_parse(buf, len, 8, ret, err);
    return r < 0 ? ng_error_wrap(err, "%s", path) : 0;
}

int ng_container_state_write(const char *dir, const ng_container_state *cs, ng_error **err)
{
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return ng_error_set(err, errno, "cannot create %s: %s", dir, strerror(errno));
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_kv_str(g, "id", cs->id));
    NG_GEN(ng_gen_kv_int(g, "pid", cs->pid));
    NG_GEN(ng_gen_kv_int(g, "cgroup_version", cs->cgroup.version));
    NG_GEN(ng_gen_kv_str(g, "cgroup_dir", cs->cgroup.dir));
    NG_GEN(ng_gen_kv_str(g, "cgroup_kernel_path", cs->cgroup.kernel_path));
    NG_GEN(ng_gen_kv_str(g, "cgroup_leaf_dir", cs->cgroup.leaf_dir));
    NG_GEN(ng_gen_kv_bool(g, "cgroup_local_events", cs->cgroup.local_events));
    NG_GEN(ng_gen_kv_int(g, "memory_limit_bytes", cs->memory_limit_bytes));
    NG_GEN(ng_gen_kv_int(g, "heap_mib", cs->heap_mib));
    NG_GEN(ng_gen_kv_str(g, "node_options", cs->node_options));
    NG_GEN(ng_gen_kv_str(g, "heap_flag", cs->heap_flag));
    NG_GEN(ng_gen_kv_str(g, "pod", cs->pod));
    NG_GEN(ng_gen_kv_str(g, "namespace", cs->namespace_));
    NG_GEN(ng_gen_kv_str(g, "container_name", cs->container_name));
    NG_GEN(ng_gen_kv_str(g, "image", cs->image));
    NG_GEN(ng_gen_kv_int(g, "created_ms", cs->created_ms));
    NG_GEN(ng_gen_kv_str(g, "log_path", cs->log_path));
    NG_GEN(ng_gen_kv_int(g, "log_kind", cs->log_kind));
    NG_GEN(ng_gen_kv_int(g, "log_max_bytes", cs->log_max_bytes));
    NG_GEN(ng_gen_kv_int(g, "log_generations", cs->log_generations));
    NG_GEN(ng_gen_kv_int(g, "pressure_percent", cs->pressure_percent));
    NG_GEN(ng_gen_kv_int(g, "pressure_interval_s", cs->pressure_interval_s));
    NG_GEN(ng_gen_kv_bool(g, "sandbox", cs->sandbox));
    NG_GEN(ng_gen_kv_int(g, "engine", cs->engine));
    NG_GEN(yajl_gen_map_close(g));
    return write_atomic(dir, "container.json", g, err);
}

static void get_str(yajl_val v, const char *key, char *out, size_t size)
{
    const char *s = NULL;
    if (ng_json_get_string(v, key, &s, NULL) > 0)
        snprintf(out, size, "%s", s);
}

static int64_t get_int(yajl_val v, const char *key, int64_t dflt)
{
    int64_t i;
    return ng_json_get_int64(v, key, &i, NULL) > 0 ? i : dflt;
}

int ng_container_state_read(const char *dir, ng_container_state *ret, ng_error **err)
{
    cleanup_yajl_val yajl_val v = NULL;
    int r = read_json(dir, "container.json", &v, err);
    if (r < 0)
        return r;
    ng_container_state cs = {0};
    get_str(v, "id", cs.id, sizeof(cs.id));
    cs.pid = (pid_t)get_int(v, "pid", 0);
    cs.cgroup.version = (int)get_int(v, "cgroup_version", 0);
    get_str(v, "cgroup_dir", cs.cgroup.dir, sizeof(cs.cgroup.dir));
    get_str(v, "cgroup_kernel_path", cs.cgroup.kernel_path, sizeof(cs.cgroup.kernel_path));
    get_str(v, "cgroup_leaf_dir", cs.cgroup.leaf_dir, sizeof(cs.cgroup.leaf_dir));
    bool local_events = false;
    cs.cgroup.local_events =
        ng_json_get_bool(v, "cgroup_local_events", &local_events, NULL) > 0 && local_events;
    cs.memory_limit_bytes = get_int(v, "memory_limit_bytes", 0);
    cs.heap_mib = get_int(v, "heap_mib", -1);
    get_str(v, "node_options", cs.node_options, sizeof(cs.node_options));
    get_str(v, "heap_flag", cs.heap_flag, sizeof(cs.heap_flag));
    get_str(v, "pod", cs.pod, sizeof(cs.pod));
    get_str(v, "namespace", cs.namespace_, sizeof(cs.namespace_));
    get_str(v, "container_name", cs.container_name, sizeof(cs.container_name));
    get_str(v, "image", cs.image, sizeof(cs.image));
    cs.created_ms = get_int(v, "created_ms", 0);
    get_str(v, "log_path", cs.log_path, sizeof(cs.log_path));
    cs.log_kind = (int)get_int(v, "log_kind", 0);
    cs.log_max_bytes = get_int(v, "log_max_bytes", 0);
    cs.log_generations = get_int(v, "log_generations", 5);
    cs.pressure_percent = get_int(v, "pressure_percent", 0);
    cs.pressure_interval_s = get_int(v, "pressure_interval_s", 60);
    cs.engine = (int)get_int(v, "engine", 0);
    bool sandbox = true;
    cs.sandbox = ng_json_get_bool(v, "sandbox", &sandbox, NULL) > 0 ? sandbox : true;
    if (!cs.id[0] || (cs.cgroup.version != 1 && cs.cgroup.version != 2) || cs.cgroup.dir[0] != '/')
        return ng_error_set(err, EINVAL, "%s/container.json is incomplete", dir);
    *ret = cs;
    return 0;
}

int ng_watcher_state_write(const char *dir, const ng_watcher_state *ws, ng_error **err)
{
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_kv_int(g, "watcher_pid", ws->watcher_pid));
    NG_GEN(ng_gen_kv_bool(g, "armed", ws->armed));
    NG_GEN(ng_gen_kv_bool(g, "final", ws->final));
    NG_GEN(ng_gen_kv_int(g, "oom_kills", ws->oom_kills));
    NG_GEN(ng_gen_kv_int(g, "peak_bytes", ws->peak_bytes));
    NG_GEN(ng_gen_kv_int(g, "usage_bytes", ws->usage_bytes));
    NG_GEN(ng_gen_kv_int(g, "last_oom_ms", ws->last_oom_ms));
    NG_GEN(ng_gen_kv_int(g, "last_victim_pid", ws->last_victim_pid));
    NG_GEN(ng_gen_kv_bool(g, "pid1_oom_killed", ws->pid1_oom_killed));
    NG_GEN(ng_gen_kv_bool(g, "exit_known", ws->exit_known));
    NG_GEN(ng_gen_kv_int(g, "exit_status", ws->exit_status));
    NG_GEN(ng_gen_kv_int(g, "exit_ms", ws->exit_ms));
    NG_GEN(ng_gen_kv_bool(g, "kmsg_readable", ws->kmsg_readable));
    NG_GEN(ng_gen_kv_bool(g, "exit_code_from_engine", ws->exit_code_from_engine));
    NG_GEN(ng_gen_kv_int(g, "engine_exit_code", ws->engine_exit_code));
    NG_GEN(ng_gen_kv_int(g, "pressure_records", ws->pressure_records));
    NG_GEN(ng_gen_kv_str(g, "note", ws->note));
    NG_GEN(yajl_gen_map_close(g));
    return write_atomic(dir, "watcher.json", g, err);
}

static bool get_bool(yajl_val v, const char *key)
{
    bool b = false;
    return ng_json_get_bool(v, key, &b, NULL) > 0 && b;
}

/* A watcher killed or dead of its own leaves its pid in watcher.json, and a pid is soon another
 * process's (a container forking in a loop cycles through them quickly): signalling it by number
 * alone could kill anything on the host. The pid is taken as a pidfd first, then the lock is
 * tried: held, the watcher is alive, so it had that pid when the pidfd was taken, and the pidfd
 * reaches it and nothing else even if it exits meanwhile. */
int ng_watcher_signal(const char *dir, pid_t pid, int sig)
{
    char path[PATH_MAX];
    if (pid <= 0 || snprintf(path, sizeof(path), "%s/watcher.lock", dir) >= (int)sizeof(path))
        return -EINVAL;
    cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        return errno == ESRCH ? 0 : -errno;
    cleanup_close int lock = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (lock < 0)
        return errno == ENOENT ? 0 : -errno;
    if (flock(lock, LOCK_EX | LOCK_NB) == 0)
        return 0; /* nobody holds it: no watcher (closing the fd lets go of it again) */
    if (errno != EWOULDBLOCK)
        return -errno;
    if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        return errno == ESRCH ? 0 : -errno;
    return 1;
}

int ng_watcher_state_read(const char *dir, ng_watcher_state *ret, ng_error **err)
{
    cleanup_yajl_val yajl_val v = NULL;
    int r = read_json(dir, "watcher.json", &v, err);
    if (r < 0)
        return r;
    ng_watcher_state ws = {0};
    ws.watcher_pid = (pid_t)get_int(v, "watcher_pid", 0);
    ws.armed = get_bool(v, "armed");
    ws.final = get_bool(v, "final");
    ws.oom_kills = get_int(v, "oom_kills", 0);
    ws.peak_bytes = get_int(v, "peak_bytes", -1);
    ws.usage_bytes = get_int(v, "usage_bytes", -1);
    ws.last_oom_ms = get_int(v, "last_oom_ms", 0);
    ws.last_victim_pid = (pid_t)get_int(v, "last_victim_pid", 0);
    ws.pid1_oom_killed = get_bool(v, "pid1_oom_killed");
    ws.exit_known = get_bool(v, "exit_known");
    ws.exit_status = (int)get_int(v, "exit_status", 0);
    ws.exit_ms = get_int(v, "exit_ms", 0);
    ws.kmsg_readable = get_bool(v, "kmsg_readable");
    ws.exit_code_from_engine = get_bool(v, "exit_code_from_engine");
    ws.engine_exit_code = (int)get_int(v, "engine_exit_code", 0);
    if (ws.engine_exit_code < 0 || ws.engine_exit_code > 255)
        ws.exit_code_from_engine = false;
    ws.pressure_records = get_int(v, "pressure_records", 0);
    get_str(v, "note", ws.note, sizeof(ws.note));
    *ret = ws;
    return 0;
}

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

int ng_container_state_gen_names(yajl_gen g, const ng_container_state *cs, ng_error **err)
{
    NG_GEN(ng_gen_kv_str(g, "container_id", or_null(cs->id)));
    NG_GEN(ng_gen_kv_str(g, "pod", or_null(cs->pod)));
    NG_GEN(ng_gen_kv_str(g, "namespace", or_null(cs->namespace_)));
    NG_GEN(ng_gen_kv_str(g, "container_name", or_null(cs->container_name)));
    NG_GEN(ng_gen_kv_str(g, "image", or_null(cs->image)));
    return 0;
}

int ng_state_remove(const char *dir)
{
    static const char *const files[] = {"container.json", "watcher.json", "watcher.lock"};
    char path[PATH_MAX];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    return rmdir(dir) < 0 && errno != ENOENT ? -errno : 0;
}

/* Leftover state directories (ng_state_sweep). Everything is reached by name from a descriptor of
 * the directory it is in, never by a path: a name swapped for a symbolic link between the checks
 * and the removal is found out (ELOOP, ENOTDIR) instead of followed out of root. */

/* How many names of root are listed at most to choose where a sweep starts. */
#define NG_STATE_SWEEP_LIST_MAX 4096
/* How many names of a leftover directory are looked at: it holds three files and, after a watcher
 * killed mid-write, a temporary or two. */
#define NG_STATE_SWEEP_FILES_MAX 16

static int read_json_at(int dirfd, const char *name, yajl_val *ret, struct stat *ret_st)
{
    cleanup_free char *buf = NULL;
    size_t len;
    int r = ng_read_file_at(dirfd, name, 64 * 1024, &buf, &len, ret_st, NULL);
    return r < 0 ? r : ng_json_parse(buf, len, 8, ret, NULL);
}

static bool older_than_grace(const struct stat *st, int64_t now_ms)
{
    return now_ms - ng_mtime_ms(st) >= NG_STATE_SWEEP_GRACE_MS;
}

/* Read only for a directory the cheap checks let through (ng_state_sweep's budget of reads). */
static bool watcher_finished_long_ago(int dirfd, int64_t now_ms)
{
    struct stat st;
    cleanup_yajl_val yajl_val v = NULL;
    return read_json_at(dirfd, "watcher.json", &v, &st) == 0 && older_than_grace(&st, now_ms) &&
           get_bool(v, "final");
}

/* container.json as old as the grace too: a new container of the same id rewrites it (and its
 * cgroup exists) before its watcher takes the lock. */
static bool cgroup_gone_long_ago(int dirfd, int64_t now_ms)
{
    struct stat st;
    cleanup_yajl_val yajl_val v = NULL;
    const char *cgroup_dir = NULL;
    if (read_json_at(dirfd, "container.json", &v, &st) < 0 || !older_than_grace(&st, now_ms) ||
        ng_json_get_string(v, "cgroup_dir", &cgroup_dir, NULL) <= 0 || cgroup_dir[0] != '/')
        return false;
    /* Only a cgroup certainly gone: one this process may not look at (EACCES) may still be there. */
    return fstatat(AT_FDCWD, cgroup_dir, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

/* Tries watcher.lock as the watcher takes it (flock, exclusive), without waiting. Returns the
 * descriptor holding it, kept until the directory is gone so that no watcher starts on it
 * meanwhile; -ENOENT when it cannot be opened (the watcher opens it without following a link too,
 * so no watcher holds it by that name); -EWOULDBLOCK when held or when it cannot be tried. */
static int take_unheld_lock(int dirfd)
{
    int fd = openat(dirfd, "watcher.lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -ENOENT;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        close(fd);
        return -EWOULDBLOCK;
    }
    return fd;
}

static bool is_state_file(const char *name)
{
    /* write_atomic's temporaries are ".NAME.PID" */
    return strcmp(name, "container.json") == 0 || strcmp(name, "watcher.json") == 0 ||
           strcmp(name, "watcher.lock") == 0 || strncmp(name, ".container.json.", 16) == 0 ||
           strncmp(name, ".watcher.json.", 14) == 0;
}

/* A listing of name in dirfd (AT_FDCWD: a path), never through a symbolic link; NULL with errno. */
static DIR *open_listing_at(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (fd >= 0 && !d) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return d;
}

/* Unlinks the files the hook and the watcher write in the directory, then the directory, which
 * stays (ENOTEMPTY) if anything else is in it: nothing else is removed. */
static int remove_leftover(int rootfd, int dirfd, const char *name)
{
    cleanup_closedir DIR *d = open_listing_at(dirfd, ".");
    if (!d)
        return -errno;
    struct dirent *de;
    for (int n = 0; n < NG_STATE_SWEEP_FILES_MAX && (de = readdir(d)); n++)
        if (de->d_type != DT_DIR && is_state_file(de->d_name))
            unlinkat(dirfd, de->d_name, 0);
    return unlinkat(rootfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

/* Returns true when it removed the entry. A stat and a lock try come first, before anything is
 * read: they turn away live containers cheaply (a busy one's watcher.json is recent, an idle one's
 * watcher holds the lock). Reading costs a read of *reads_left. */
static bool sweep_entry(int rootfd, const struct dirent *de, const char *keep_id, int64_t now_ms,
                        int *reads_left)
{
    if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) || (keep_id && strcmp(de->d_name, keep_id) == 0))
        return false;
    cleanup_close int dirfd = openat(rootfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (dirfd < 0 || fstatat(dirfd, "watcher.json", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        !older_than_grace(&st, now_ms))
        return false;
    cleanup_close int lock = take_unheld_lock(dirfd);
    if (lock == -EWOULDBLOCK)
        return false;
    (*reads_left)--;
    if (!watcher_finished_long_ago(dirfd, now_ms) || !cgroup_gone_long_ago(dirfd, now_ms))
        return false;
    return remove_leftover(rootfd, dirfd, de->d_name) == 0;
}

bool ng_state_sweep_due(const char *root, int64_t now_ms)
{
    /* Every start asks, and nearly every answer is no: one stat by path, root opened only when due. */
    char stamp[PATH_MAX];
    struct stat st;
    if (snprintf(stamp, sizeof(stamp), "%s/.last-sweep", root) >= (int)sizeof(stamp))
        return false;
    if (fstatat(AT_FDCWD, stamp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISREG(st.st_mode))
            return false;
        int64_t mtime_ms = ng_mtime_ms(&st);
        /* a stamp in the future (the clock was set back) is as good as an old one */
        if (now_ms >= mtime_ms && now_ms - mtime_ms < NG_STATE_SWEEP_INTERVAL_MS)
            return false;
    }
    cleanup_close int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (rootfd < 0)
        return false;
    cleanup_close int fd = openat(rootfd, ".last-sweep",
                                  O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    struct timespec now[2] = {{.tv_sec = now_ms / 1000, .tv_nsec = (now_ms % 1000) * 1000000}};
    now[1] = now[0];
    return fd >= 0 && futimens(fd, now) == 0;
}

int ng_state_sweep(const char *root, const char *keep_id, int64_t now_ms, int max_examined, int max_removed)
{
    cleanup_closedir DIR *d = open_listing_at(AT_FDCWD, root);
    if (!d)
        return -errno;
    /* Listing names is cheap (a few getdents calls); looking into directories is what is bounded.
     * The start moves with the clock, so leftovers listed after max_examined live containers are
     * reached by some later start. */
    struct dirent *de;
    long listed = 0;
    while (listed < NG_STATE_SWEEP_LIST_MAX && (de = readdir(d)))
        if (de->d_name[0] != '.')
            listed++;
    if (max_examined <= 0 || max_removed <= 0)
        return 0;
    long start = listed > max_examined ? (long)((uint64_t)now_ms % (uint64_t)listed) : 0;
    int examined = 0, removed = 0, reads_left = NG_STATE_SWEEP_READ_MAX;
    /* From start to the end of the listing, then from its beginning up to start. */
    for (int round = 0; round < 2; round++) {
        rewinddir(d);
        long at = 0;
        while (examined < max_examined && removed < max_removed && reads_left > 0 && (de = readdir(d))) {
            /* Hidden names are left alone, as `nodeguard status` skips them. */
            if (de->d_name[0] == '.')
                continue;
            long index = at++;
            if (round == 0 && index < start)
                continue;
            if (round == 1 && index >= start)
                break;
            examined++;
            if (sweep_entry(dirfd(d), de, keep_id, now_ms, &reads_left))
                removed++;
        }
        if (start == 0)
            break;
    }
    return removed;
}
