/* Who nodeguard is working for. Rootless podman runs hooks as uid 0 inside the user's namespace:
 * euid 0 there is an ordinary user on the host, whose log and state belong under their home and
 * runtime directory, not /var/log and /run. Hooks get no environment from podman, so the answer
 * comes from /proc/self/uid_map and /etc/passwd, not from $HOME or $USER. */
#ifndef NODEGUARD_IDENTITY_H
#define NODEGUARD_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The host uid behind this process's euid: the euid itself outside a user namespace, else mapped
 * through UID_MAP_TEXT (the contents of /proc/self/uid_map). (uid_t)-1 when it maps to nothing. */
uid_t ng_host_uid_from_map(const char *uid_map_text, uid_t euid);

/* The same for this process (read once and cached). */
uid_t ng_host_uid(void);

/* True when the host uid is not 0: a plain user, or root of a rootless user namespace. */
bool ng_rootless(void);

/* The home directory of UID from PASSWD_TEXT (/etc/passwd format); false when not found. */
bool ng_passwd_home(const char *passwd_text, uid_t uid, char *ret, size_t size);

/* The per-user directories nodeguard uses when rootless (see docs/configuration.md):
 * state: $XDG_STATE_HOME, else HOME/.local/state, with HOME from /etc/passwd only when that
 * directory exists and is the user's; runtime: $XDG_RUNTIME_DIR, else /run/user/UID, only when it is
 * a directory of the user's with mode 0700 (as logind makes it). The environment is only trusted
 * outside a user namespace (a hook inside one gets none). Return malloc'd paths, or NULL. */
char *ng_user_state_dir(void);
char *ng_user_runtime_dir(void);

#endif
