#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/identity.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/util.h"

#define MAP_MAX    (64 * 1024)
#define PASSWD_MAX (4 * 1024 * 1024)

uid_t ng_host_uid_from_map(const char *text, uid_t euid)
{
    const char *line = text;
    while (line && *line) {
        uint64_t inside, outside, count;
        if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64, &inside, &outside, &count) == 3 &&
            (uint64_t)euid >= inside && (uint64_t)euid - inside < count) {
            uint64_t host = outside + ((uint64_t)euid - inside);
            return host < (uint64_t)(uid_t)-1 ? (uid_t)host : (uid_t)-1;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return (uid_t)-1;
}

static bool in_user_namespace(const char *map)
{
    /* The initial namespace's map is the identity over the whole range. */
    uint64_t inside, outside, count;
    return !(sscanf(map, "%" SCNu64 " %" SCNu64 " %" SCNu64, &inside, &outside, &count) == 3 && inside == 0 &&
             outside == 0 && count == 4294967295u);
}

static struct {
    bool done, userns;
    uid_t host_uid;
} cached;

static void identify(void)
{
    if (cached.done)
        return;
    cached.done = true;
    cached.host_uid = geteuid();
    cleanup_free char *map = NULL;
    size_t len = 0;
    if (ng_read_file_bounded("/proc/self/uid_map", MAP_MAX, &map, &len, NULL) == 0 && len > 0 &&
        in_user_namespace(map)) {
        cached.userns = true;
        cached.host_uid = ng_host_uid_from_map(map, geteuid());
    }
}

uid_t ng_host_uid(void)
{
    identify();
    return cached.host_uid;
}

bool ng_rootless(void)
{
    return ng_host_uid() != 0;
}

bool ng_passwd_home(const char *text, uid_t uid, char *ret, size_t size)
{
    for (const char *line = text; line && *line;) {
        const char *end = strchrnul(line, '\n');
        /* name:passwd:uid:gid:gecos:home:shell */
        const char *field[7];
        size_t n = 0;
        field[n++] = line;
        for (const char *p = line; p < end && n < 7; p++)
            if (*p == ':')
                field[n++] = p + 1;
        if (n == 7) {
            char *num_end;
            errno = 0;
            unsigned long id = strtoul(field[2], &num_end, 10);
            size_t home_len = (size_t)(field[6] - 1 - field[5]);
            if (errno == 0 && num_end == field[3] - 1 && num_end != field[2] && id == uid && home_len > 1 &&
                field[5][0] == '/' && home_len < size) {
                memcpy(ret, field[5], home_len);
                ret[home_len] = '\0';
                return true;
            }
        }
        line = *end ? end + 1 : end;
    }
    return false;
}

static char *join(const char *dir, const char *tail)
{
    char *p = NULL;
    if (asprintf(&p, "%s%s", dir, tail) < 0)
        abort();
    return p;
}

static const char *trusted_env(const char *name)
{
    identify();
    const char *v = cached.userns ? NULL : getenv(name);
    return v && v[0] == '/' ? v : NULL;
}

/* A directory of the user's: exists and is owned by them (geteuid(): inside a rootless user
 * namespace the user's files show as owned by its uid 0). The log's opening checks it again. */
static bool users_dir(const char *path, bool private_)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
           (!private_ || (st.st_mode & 077) == 0);
}

char *ng_user_state_dir(void)
{
    const char *xdg = trusted_env("XDG_STATE_HOME"), *home = trusted_env("HOME");
    if (xdg)
        return join(xdg, "");
    if (home)
        return join(home, "/.local/state");
    cleanup_free char *passwd = NULL;
    size_t len = 0;
    char dir[1024];
    /* A home that is not there or not theirs (/nonexistent, a shared /var/empty) is no home. */
    if (ng_read_file_bounded("/etc/passwd", PASSWD_MAX, &passwd, &len, NULL) == 0 &&
        ng_passwd_home(passwd, ng_host_uid(), dir, sizeof(dir)) && users_dir(dir, false))
        return join(dir, "/.local/state");
    return NULL;
}

char *ng_user_runtime_dir(void)
{
    const char *xdg = trusted_env("XDG_RUNTIME_DIR");
    char *p = NULL;
    if (xdg)
        p = join(xdg, "");
    else if (asprintf(&p, "/run/user/%u", (unsigned)ng_host_uid()) < 0)
        abort();
    /* As logind makes it: the user's, mode 0700. Anything else may be someone else's. */
    if (users_dir(p, true))
        return p;
    free(p);
    return NULL;
}
