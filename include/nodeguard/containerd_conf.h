/* What `nodeguard doctor` reads of /etc/containerd/config.toml: the CRI plugin's runtime handlers
 * (runtime_type, options.BinaryName), default_runtime_name, version and imports. Not a TOML parser:
 * a bounded line reader that knows table headers, dotted keys and plain strings, and says the file
 * is too complex to judge (multi-line strings, inline tables or arrays of tables where the handlers
 * live, a repeated key) rather than guess. */
#ifndef NODEGUARD_CONTAINERD_CONF_H
#define NODEGUARD_CONTAINERD_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define NG_CTRD_MAX_HANDLERS 16
#define NG_CTRD_MAX_LINES    20000
#define NG_CTRD_VALUE_MAX    512

typedef struct ng_ctrd_handler {
    char name[128];
    bool has_runtime_type;
    char runtime_type[NG_CTRD_VALUE_MAX];
    bool has_binary_name;
    char binary_name[NG_CTRD_VALUE_MAX];
    int line; /* the first line that named it */
} ng_ctrd_handler;

typedef struct ng_ctrd_conf {
    int version;         /* the top-level version; 0 when absent */
    char cri_table[128]; /* the CRI plugin's table as written, e.g. plugins."io.containerd.grpc.v1.cri" */
    char default_runtime[128]; /* default_runtime_name; "" when absent */
    ng_ctrd_handler handlers[NG_CTRD_MAX_HANDLERS];
    size_t n_handlers;
    bool has_imports;
    char too_complex[256]; /* non-empty: why the file cannot be judged, with its line */
} ng_ctrd_conf;

/* Scans buf (len bytes). Always fills ret; ret->too_complex says when the result is not to be trusted. */
void ng_ctrd_conf_scan(const char *buf, size_t len, ng_ctrd_conf *ret);

#endif
