/* Operator policy: /etc/nodeguard/nodeguard.json (or $NODEGUARD_CONFIG), JSON with comments, every
 * key documented in docs/configuration.md; per-container overrides by io.nodeguard.* annotations. */
#ifndef NODEGUARD_POLICY_H
#define NODEGUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "nodeguard/dburl.h"
#include "nodeguard/sizing.h"
#include "nodeguard/spec.h"

#define NG_POLICY_MAX_BYTES   (256 * 1024)
#define NG_MAX_WARNINGS       16
#define NG_CONN_MAX_ENV_NAMES 8

typedef enum ng_mode { NG_MODE_FIX, NG_MODE_ENFORCE, NG_MODE_WARN, NG_MODE_OFF } ng_mode;

const char *ng_mode_name(ng_mode m);
int ng_mode_parse(const char *s, ng_mode *ret);

/* Non-fatal problems found while reading input, reported in the log and on stderr. */
typedef struct ng_warnings {
    char *items[NG_MAX_WARNINGS];
    size_t n;
    size_t dropped;
} ng_warnings;

void ng_warn(ng_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ng_warnings_free(ng_warnings *w);

typedef enum ng_record_oom { NG_RECORD_OOM_NODE, NG_RECORD_OOM_ALL, NG_RECORD_OOM_OFF } ng_record_oom;

/* Whose log log_path is, which decides what is checked before writing to it (auditlog.h). */
typedef enum ng_log_kind {
    NG_LOG_SYSTEM, /* root's: log_path (the directory is made if missing) */
    NG_LOG_SHARED, /* rootless_log_path, one log the operator shares between users: never created */
    NG_LOG_USER,   /* a rootless user's own: directories and file must be theirs alone */
} ng_log_kind;

typedef struct ng_policy {
    ng_mode mode;
    ng_record_oom record_oom;
    int64_t pressure_percent;    /* memory_pressure record at this share of the limit; 0 off */
    int64_t pressure_interval_s; /* at most one memory_pressure record per container per interval */
    bool on_error_deny;
    bool sandbox;   /* seccomp and capability sandbox for hook work on untrusted input (SECURITY.md) */
    char *log_path; /* after ng_policy_choose_log: the log this process writes */
    char *rootless_log_path;  /* the log of rootless users' hooks; NULL: each user's own */
    ng_log_kind log_kind;     /* set by ng_policy_choose_log */
    char *runtime_path;       /* nodeguard-runtime: the real runtime; NULL: runc or crun on PATH */
    char *hook_path;          /* nodeguard-runtime: the hook it adds to configs */
    int64_t log_max_bytes;    /* rotate at this size; 0 never */
    int64_t log_generations;  /* rotated files kept */
    int64_t log_lock_wait_ms; /* wait for LOG.lock at most this long, then append without it */
    ng_sizing_params sizing;
    ng_conn_params conn;
    bool conn_enabled;
    char *conn_env[NG_CONN_MAX_ENV_NAMES];
    size_t n_conn_env;
    ng_dburl_mode conn_database_url; /* the pool size in DATABASE_URL too (include/nodeguard/dburl.h) */
    char *source;                    /* the file read, or "defaults" */
    ng_warnings warnings;
} ng_policy;

#define NG_SYSTEM_LOG_PATH "/var/log/nodeguard/events.jsonl"
/* How long a log writer waits for the log's lock before appending without it. */
#define NG_POLICY_LOCK_WAIT_MS_DEFAULT 1000

/* The defaults, for root (the loader, src/host/policyfile.c, adjusts them for a rootless user). */
void ng_policy_defaults(ng_policy *p);
void ng_policy_free(ng_policy *p);

/* Picks the log for who runs: root keeps log_path; a rootless user gets rootless_log_path when the
 * policy names one, else USER_LOG (their own), never log_path, which is root's: the shipped policy
 * names /var/log/nodeguard, where a user cannot write and a record would reach only stderr. */
void ng_policy_choose_log(ng_policy *p, bool rootless, const char *user_log);

/* strdup that aborts when out of memory (as every allocation here does). */
char *ng_xstrdup(const char *s);

/* Parses policy JSON text into p (on top of what p holds). Returns < 0 only when the text is not a
 * JSON object at all; key-level problems become warnings. */
int ng_policy_parse(ng_policy *p, const char *buf, size_t len, ng_error **err);

/* Per-container overrides from io.nodeguard.* annotations. */
typedef struct ng_overrides {
    int enable; /* -1 unset, 0, 1 */
    bool has_mode;
    ng_mode mode;
    int processes;        /* 0 unset */
    int64_t heap_mib;     /* 0 unset */
    int64_t overhead_mib; /* -1 unset: base overhead per process */
    int64_t conn_limit;   /* -1 unset, 0 off, else the value */
} ng_overrides;

/* Invalid values are warned about (into w) and ignored; unknown io.nodeguard.* keys too. */
void ng_overrides_from_spec(const ng_spec *spec, ng_overrides *ret, ng_warnings *w);

#endif
