/* Reads the app's package.json from the container's filesystem (for pkgscripts.h): the file in
 * process.cwd, inside the rootfs or the bind mount that covers cwd. Everything there is the
 * container's, so hostile: bounded, regular files only, and symbolic links resolved only inside the
 * rootfs (openat2 RESOLVE_IN_ROOT, as the container sees them) or inside the mount (RESOLVE_BENEATH:
 * a link that leaves it is refused). */
#ifndef NODEGUARD_PKGJSON_READ_H
#define NODEGUARD_PKGJSON_READ_H

#include <stdbool.h>
#include "nodeguard/pkgscripts.h"
#include "nodeguard/spec.h"

/* Whether the spec's command may start a runner (npm, yarn, pnpm), so that reading is worth an open:
 * most containers are not and cost nothing. */
bool ng_pkgjson_wanted(const ng_spec *spec);

/* Fills ret. bundle_fd (or -1) and bundle_path (or NULL) are where a relative root.path is found.
 * A missing package.json leaves ret->text NULL and ret->problem empty (silence); one that cannot be
 * read safely (too big, not a regular file, a link out) sets ret->problem. Never fails. */
void ng_pkgjson_read(int bundle_fd, const char *bundle_path, const ng_spec *spec, ng_package_json *ret);

#endif
