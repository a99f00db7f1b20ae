/* The audit log's events in one table (src/core/events.c): for each event its name, the stages that
 * write it, its fields (name, JSON type, the object holding it, meaning, and where the log reader
 * keeps it) and its line in `nodeguard log`. Writers start records by the enum, the reader derives
 * the fields it keeps from the table, the CLI renders and compares by it, and tests check the writers
 * and docs/log-schema.md against it: adding an event or a field starts here. Pure: no I/O. */
#ifndef NODEGUARD_EVENTS_H
#define NODEGUARD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* In the order `nodeguard log --help` lists them: a container's life, then nodeguard's own errors. */
typedef enum ng_event {
    NG_EVENT_UNKNOWN = -1, /* a name not in the table: a newer writer's, or not nodeguard's */
    NG_EVENT_DECISION,
    NG_EVENT_OOM_KILL,
    NG_EVENT_MEMORY_PRESSURE,
    NG_EVENT_CONTAINER_EXIT,
    NG_EVENT_ERROR,
    NG_EVENT_COUNT,
} ng_event;

/* A record as the log reader keeps it: the fields the CLI shows or aggregates (those the table
 * marks NG_FIELD_KEPT). Strings point into the entry's own buffer and live until the next record;
 * absent or null strings are NULL, integers -1. */
typedef struct ng_log_entry {
    ng_event type; /* event looked up in the table */
    const char *time, *event, *stage, *container_id, *container_name, *pod, *namespace_, *image;
    const char *action, *verdict, *mode, *reason, *message, *node_options_after, *heap_flag;
    const char *victim_name, *exit_classification, *exit_explanation;
    int64_t time_ms;
    int64_t heap_mib_before, heap_mib_after, heap_mib, memory_limit_bytes, usage_bytes, peak_bytes;
    int64_t victim_pid, victim_anon_rss_kb, oom_kill_count, oom_kills, lifetime_ms, exit_code, exit_signal;
    bool victim_is_pid1;
    char strings[8192]; /* storage for the string fields above */
    size_t used;
} ng_log_entry;

typedef enum ng_field_type {
    NG_FIELD_STRING,
    NG_FIELD_INT,
    NG_FIELD_BOOL,
    NG_FIELD_OBJECT, /* its members are the fields whose parent it is */
    NG_FIELD_ARRAY,  /* of strings, or of objects whose members are the fields whose parent it is */
} ng_field_type;

enum {
    NG_FIELD_NULLABLE = 1 << 0, /* may be null */
    NG_FIELD_OPTIONAL = 1 << 1, /* may be absent (the table says when) */
    NG_FIELD_KEPT = 1 << 2,     /* the reader keeps it in ng_log_entry at entry_offset */
};

typedef struct ng_event_field {
    const char *name;
    const char *parent; /* NULL at the record's top level, else the object or array field it is in */
    ng_field_type type;
    unsigned flags;
    size_t entry_offset; /* with NG_FIELD_KEPT: the ng_log_entry member (const char *, int64_t, bool) */
    const char *description;
} ng_event_field;

/* One line of `nodeguard log`'s DETAIL column. */
typedef void (*ng_event_render_fn)(const ng_log_entry *e, char *out, size_t size);

typedef struct ng_event_info {
    ng_event type;
    const char *name;
    const char *const *stages; /* the stages that write it, NULL-terminated */
    const ng_event_field *fields;
    size_t n_fields;
    ng_event_render_fn render;
} ng_event_info;

/* The table's row for an event; NULL for NG_EVENT_UNKNOWN or anything out of range. */
const ng_event_info *ng_event_get(ng_event type);

/* The event's name in the log ("oom_kill"); NULL when not in the table. */
const char *ng_event_name(ng_event type);

/* The event of a name; NG_EVENT_UNKNOWN for NULL or a name not in the table. */
ng_event ng_event_from_name(const char *name);

/* The fields every record starts with: ng_record_begin writes all but container_id, which each
 * writer writes first among its own. */
const ng_event_field *ng_event_common_fields(size_t *ret_n);

/* The row for field name under parent (NULL: top level) in a record of this event, the common
 * fields included; NULL when the event has no such field. */
const ng_event_field *ng_event_field_find(ng_event type, const char *parent, const char *name);

/* The events' names in table order, joined by sep ("decision, oom_kill, ..."), cut to fit size. */
void ng_event_names_joined(const char *sep, char *out, size_t size);

/* The DETAIL line for a record: its event's renderer, or the message (else the reason) of a record
 * whose event the table does not know. */
void ng_event_render(const ng_log_entry *e, char *out, size_t size);

#endif
