/* What the doctor's checks ask of files below its root: is this an executable, where is a program
 * on the PATH engines run with, where was nodeguard's hook installed. */
#ifndef NODEGUARD_DOCTOR_FILES_H
#define NODEGUARD_DOCTOR_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include "nodeguard/doctor.h"

#define NG_WRAPPER_NAME         "nodeguard-runtime"
#define NG_WRAPPER_INSTALLED_AT "/usr/bin/nodeguard-runtime"

/* The PATH dockerd, containerd and conmon run with under systemd. */
#define NG_DOCTOR_ENGINE_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Is path (as given: already below the root) a regular file root may execute? When not, why says
 * so ("does not exist", "is a directory", "is not executable (mode 0644)"). */
bool ng_doctor_executable(const char *path, char *why, size_t why_size);

/* The first NAME on NG_DOCTOR_ENGINE_PATH below the root that is executable, as the host names it
 * (without the root), or false. skip (may be NULL): a host path not to take (the wrapper itself). */
bool ng_doctor_find_program(const ng_doctor_ctx *ctx, const char *name, const char *skip, char *ret,
                            size_t size);

/* Where nodeguard's hook is installed, as the host names it: the default LIBEXECDIR's, else
 * /usr/libexec's or /usr/local/libexec's. */
bool ng_doctor_find_hook(const ng_doctor_ctx *ctx, char *ret, size_t size);

/* The wrapper's path to suggest in a fix: where it is installed, else where packages put it. */
void ng_doctor_suggested_wrapper(const ng_doctor_ctx *ctx, char *ret, size_t size);

/* A runtime path an engine will exec, named at where (for messages): absolute, or a name it looks
 * up on its PATH. Returns true and the host path when it is executable; else adds a FAIL in area
 * with its fix. */
bool ng_doctor_runtime_path_ok(const ng_doctor_ctx *ctx, const char *area, const char *where,
                               const char *path, char *ret, size_t size);

/* Reads a file below the root (the path as the host names it), at most max bytes. */
int ng_doctor_read(const ng_doctor_ctx *ctx, const char *path, size_t max, char **ret_buf, size_t *ret_len,
                   ng_error **err);

/* Does path exist below the root (any type)? */
bool ng_doctor_exists(const ng_doctor_ctx *ctx, const char *path);

#endif
