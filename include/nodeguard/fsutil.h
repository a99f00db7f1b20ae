/* File-system helpers that take a path: bounded reads that never follow a final symlink, and
 * directory creation. Kept out of the pure core (util), which only uses fds it is handed. */
#ifndef NODEGUARD_FSUTIL_H
#define NODEGUARD_FSUTIL_H

#include <stddef.h>
#include "nodeguard/error.h"

/* Reads a regular file, refusing anything larger than max and never following a final symlink. */
int ng_read_file_bounded(const char *path, size_t max, char **ret_buf, size_t *ret_len, ng_error **err);

/* Creates dir and any missing parents (parents 0755, dir itself leaf_mode); existing ones are fine. */
int ng_mkdir_p(const char *dir, unsigned int leaf_mode, ng_error **err);

#endif
