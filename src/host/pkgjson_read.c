/* The app's package.json, read from the container's filesystem (include/nodeguard/pkgjson_read.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/json.h"
#include "nodeguard/pkgjson_read.h"
#include "nodeguard/util.h"

bool ng_pkgjson_wanted(const ng_spec *spec)
{
    /* Any argument naming a runner, a sh -c script's too: detection decides what it really is. */
    for (size_t i = 0; i < spec->n_args; i++)
        if (strstr(spec->args[i], "npm") || strstr(spec->args[i], "yarn") || strstr(spec->args[i], "pnpm"))
            return true;
    return false;
}

static int open_beneath(int base, const char *rel, uint64_t flags, uint64_t resolve)
{
    /* openat2 refuses O_PATH with any flag beyond O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC. */
    uint64_t extra = flags & O_PATH ? 0 : O_NOCTTY | O_NONBLOCK;
    struct open_how how = {.flags = flags | O_CLOEXEC | extra, .resolve = resolve | RESOLVE_NO_MAGICLINKS};
    return (int)syscall(SYS_openat2, base, rel, &how, sizeof(how));
}

/* name below base, opened for reading only when it is a regular file: it is looked at through an
 * O_PATH descriptor first, and that very file is reopened (a FIFO is never opened for reading, which
 * would complete a writer's open; a device never opened at all). -1 with ret->problem set, or with
 * nothing said when there is no such file. */
static int open_regular(int base, const char *name, uint64_t resolve, ng_package_json *ret)
{
    cleanup_close int path_fd = open_beneath(base, name, O_PATH, resolve);
    if (path_fd < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            snprintf(ret->problem, sizeof(ret->problem), "%s cannot be opened safely: %s%s", ret->path,
                     strerror(errno),
                     errno == EXDEV || errno == ELOOP ? " (a link out of the app's directory)" : "");
        return -1;
    }
    struct stat st, opened;
    if (fstat(path_fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(ret->problem, sizeof(ret->problem), "%s is not a regular file", ret->path);
        return -1;
    }
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", path_fd);
    int fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &opened) < 0 || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
        snprintf(ret->problem, sizeof(ret->problem), "%s could not be reopened through /proc/self/fd",
                 ret->path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* A path of an fd, as the kernel names it ("/proc/self/fd/N"); false when it has none. */
static bool fd_path(int fd, char *buf, size_t size)
{
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(proc, buf, size - 1);
    if (n <= 0 || (size_t)n >= size - 1)
        return false;
    buf[n] = '\0';
    return true;
}

/* Mounts are matched to cwd by its text, but a link in the rootfs can lead cwd into a mount
 * (WORKDIR /link, /link -> /app, a bind mount at /app): the runtime follows it, so the file node
 * reads is the mount's, not the rootfs's that nodeguard would read. cwd is resolved in the rootfs as
 * the container resolves it; if that took it somewhere a mount covers, nothing is read (a problem
 * said, never the wrong file judged). */
static bool cwd_reaches_a_mount(int root_fd, const ng_spec *spec, const char *cwd, ng_package_json *ret)
{
    char root_path[PATH_MAX], cwd_path[PATH_MAX];
    cleanup_close int fd =
        open_beneath(root_fd, cwd[1] ? cwd + 1 : ".", O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT);
    if (fd < 0 || !fd_path(root_fd, root_path, sizeof(root_path)) || !fd_path(fd, cwd_path, sizeof(cwd_path)))
        return false; /* no such directory: nothing to read, nothing misread */
    size_t n = strlen(root_path);
    const char *inside = strcmp(root_path, "/") == 0 ? cwd_path : cwd_path + n;
    if (strncmp(cwd_path, root_path, n) != 0 && strcmp(root_path, "/") != 0)
        return false;
    if (!*inside)
        inside = "/";
    size_t cwd_len = strlen(cwd);
    while (cwd_len > 1 && cwd[cwd_len - 1] == '/')
        cwd_len--;
    if (strlen(inside) == cwd_len && strncmp(inside, cwd, cwd_len) == 0)
        return false; /* no link on the way */
    size_t dest_len = 0;
    if (!ng_spec_mount_over(spec, inside, &dest_len))
        return false;
    snprintf(ret->problem, sizeof(ret->problem),
             "process.cwd %.48s leads through a link to %.48s, where a mount is: package.json not read", cwd,
             inside);
    return true;
}

/* The directory cwd is in, as this process reaches it: the bind mount's source, else the rootfs;
 * *ret_rel is cwd below it, *ret_resolve how links are resolved there. -1 when it cannot be known. */
static int open_base(int bundle_fd, const char *bundle_path, const ng_spec *spec, const char *cwd,
                     const char **ret_rel, uint64_t *ret_resolve, ng_package_json *ret)
{
    size_t dest_len = 0;
    yajl_val m = ng_spec_mount_over(spec, cwd, &dest_len);
    const char *source = NULL, *root = NULL;
    if (m) {
        /* Another file system over cwd (a tmpfs, a volume) hides the rootfs's: only a bind's source
         * is a directory nodeguard can read. */
        if (!ng_spec_mount_is_bind(m) || ng_json_get_string(m, "source", &source, NULL) != 1 ||
            source[0] != '/')
            return -1;
        *ret_rel = cwd + dest_len;
        *ret_resolve = RESOLVE_BENEATH; /* a link out of the mount leads nowhere nodeguard may go */
        return open(source, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    yajl_val r = NULL;
    if (ng_json_get_object(spec->root, "root", &r, NULL) != 1 ||
        ng_json_get_string(r, "path", &root, NULL) != 1)
        return -1;
    *ret_rel = cwd;
    *ret_resolve = RESOLVE_IN_ROOT; /* as the container sees its links: "/" is the rootfs */
    cleanup_close int root_fd = -1;
    if (root[0] == '/') {
        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    } else if (bundle_fd >= 0) {
        root_fd = openat(bundle_fd, root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    } else if (!bundle_path) {
        snprintf(ret->problem, sizeof(ret->problem), "root.path %.64s is relative and the bundle unknown",
                 root);
        return -1;
    } else {
        cleanup_free char *path = NULL;
        if (asprintf(&path, "%s/%s", bundle_path, root) < 0)
            abort();
        root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (root_fd < 0 || cwd_reaches_a_mount(root_fd, spec, cwd, ret))
        return -1;
    return NG_TAKE_FD(root_fd);
}

/* npm puts an .npmrc's node-options into NODE_OPTIONS for every script it runs (checked with npm 11:
 * node sees it over the container's): the app directory's .npmrc, npm's project config, is looked at,
 * and one that sets node-options makes the heap node gets a thing nodeguard does not read. A key of
 * that name on any line ("node-options = ...", ini as npm writes it) is enough to say so. */
static void npmrc_sets_node_options(int base, const char *rel, uint64_t resolve, ng_package_json *ret)
{
    ng_package_json npmrc = {0};
    char name[256];
    snprintf(name, sizeof(name), "%s%s.npmrc", rel, *rel ? "/" : "");
    snprintf(npmrc.path, sizeof(npmrc.path), "%.*s.npmrc", (int)(strlen(ret->path) - strlen("package.json")),
             ret->path);
    cleanup_close int fd = open_regular(base, name, resolve, &npmrc);
    cleanup_free char *text = NULL;
    size_t len = 0;
    if (fd < 0 || ng_read_opened_file(fd, npmrc.path, 64 * 1024, &text, &len, NULL) < 0)
        return; /* none, or one npm could not read either */
    for (size_t at = 0; at < len;) {
        size_t end = at + strcspn(text + at, "\n");
        at += strspn(text + at, " \t");
        size_t key = strcspn(text + at, " \t=\n");
        size_t eq = at + key + strspn(text + at + key, " \t");
        bool named = key == 12 && (strncasecmp(text + at, "node-options", 12) == 0 ||
                                   strncasecmp(text + at, "node_options", 12) == 0);
        at = end + 1;
        if (named && text[eq] == '=') {
            snprintf(ret->problem, sizeof(ret->problem),
                     "%s sets node-options, which npm puts in NODE_OPTIONS for its scripts: not read",
                     npmrc.path);
            return;
        }
    }
}

void ng_pkgjson_read(int bundle_fd, const char *bundle_path, const ng_spec *spec, ng_package_json *ret)
{
    ng_package_json p = {0};
    const char *cwd = "/", *rel = NULL;
    yajl_val process = NULL;
    uint64_t resolve = 0;
    if (ng_json_get_object(spec->root, "process", &process, NULL) == 1)
        ng_json_get_string(process, "cwd", &cwd, NULL);
    if (cwd[0] != '/') {
        *ret = p;
        return;
    }
    snprintf(p.path, sizeof(p.path), "%.200s%spackage.json", cwd, cwd[strlen(cwd) - 1] == '/' ? "" : "/");
    /* Mounts are matched by the text of cwd: one the runtime would resolve differently ("..", ".",
     * "//") or too long to hold is not read, and said so, never judged from the wrong file. */
    if (strlen(cwd) > 200 || strstr(cwd, "//") || strstr(cwd, "/./") || strstr(cwd, "/../") ||
        ng_str_ends_with(cwd, "/.") || ng_str_ends_with(cwd, "/..")) {
        snprintf(p.problem, sizeof(p.problem),
                 "process.cwd %.64s%s is not a plain path: package.json not read", cwd,
                 strlen(cwd) > 64 ? "..." : "");
        *ret = p;
        return;
    }
    /* A mount of package.json itself (a file bind) hides the file below it. */
    size_t cwd_dest = 0, file_dest = 0;
    if (ng_spec_mount_over(spec, cwd, &cwd_dest) != ng_spec_mount_over(spec, p.path, &file_dest)) {
        snprintf(p.problem, sizeof(p.problem), "%s is a mount of its own: not read", p.path);
        *ret = p;
        return;
    }
    cleanup_close int base = open_base(bundle_fd, bundle_path, spec, cwd, &rel, &resolve, &p);
    if (base < 0) {
        *ret = p;
        return;
    }
    char name[256];
    while (*rel == '/')
        rel++;
    snprintf(name, sizeof(name), "%s%spackage.json", rel, *rel ? "/" : "");
    cleanup_close int fd = open_regular(base, name, resolve, &p);
    cleanup_error ng_error *e = NULL;
    if (fd >= 0 && ng_read_opened_file(fd, p.path, NG_PKG_JSON_MAX, &p.text, &p.len, &e) < 0)
        snprintf(p.problem, sizeof(p.problem), "%s", ng_error_msg(e));
    if (p.text) {
        snprintf(name, sizeof(name), "%s%sserver.js", rel, *rel ? "/" : "");
        cleanup_close int js = open_beneath(base, name, O_PATH, resolve);
        struct stat st;
        p.has_server_js = js >= 0 && fstat(js, &st) == 0 && S_ISREG(st.st_mode);
        npmrc_sets_node_options(base, rel, resolve, &p);
    }
    *ret = p;
}
