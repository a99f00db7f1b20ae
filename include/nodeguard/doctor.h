/* `nodeguard doctor`'s findings: one check per line, ok / warn / FAIL, each problem with the fix an
 * operator can paste. The checks themselves touch the host (doctor_hooks.h, doctor_engines.h,
 * doctor_host.h); this is the pure list they fill and its JSON form. */
#ifndef NODEGUARD_DOCTOR_H
#define NODEGUARD_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>
#include "nodeguard/error.h"

typedef enum ng_doctor_status { NG_DOCTOR_OK, NG_DOCTOR_WARN, NG_DOCTOR_FAIL } ng_doctor_status;

typedef struct ng_doctor_check {
    char *area; /* podman, crio, docker, containerd, runc, wrapper, hook, policy, log, watcher */
    ng_doctor_status status;
    char *what; /* what was found, one sentence */
    char *fix;  /* NULL, or a command or file edit that fixes it */
} ng_doctor_check;

/* At most this many checks: a host with thousands of hooks.d files gets a line saying so. */
#define NG_DOCTOR_MAX_CHECKS 512

typedef struct ng_doctor_report {
    ng_doctor_check checks[NG_DOCTOR_MAX_CHECKS];
    size_t n;
    size_t dropped;          /* checks past the limit, not kept */
    size_t dropped_failures; /* ... of which failed: counted by ng_doctor_count */
} ng_doctor_report;

/* Where the checks look: every host path is read below root ("" for the host itself), the way
 * systemd's --root works, so tests can check a built tree instead of the machine. */
typedef struct ng_doctor_ctx {
    const char *root;
    ng_doctor_report *report;
} ng_doctor_ctx;

const char *ng_doctor_status_name(ng_doctor_status s);

/* Adds a check; returns it so a fix can be attached, or NULL when the report is full (the fix
 * setter accepts NULL). */
ng_doctor_check *ng_doctor_add(ng_doctor_report *r, const char *area, ng_doctor_status status,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ng_doctor_fix(ng_doctor_check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checks with that status, failures past the limit included. */
size_t ng_doctor_count(const ng_doctor_report *r, ng_doctor_status status);
void ng_doctor_report_free(ng_doctor_report *r);

/* {"checks": [{"area", "status", "what", "fix"}...], "ok": N, "warn": N, "fail": N} */
int ng_doctor_gen_json(const ng_doctor_report *r, yajl_gen g, ng_error **err);

/* root + path, newly allocated: the host path as doctor reads it. */
char *ng_doctor_path(const ng_doctor_ctx *ctx, const char *path);

#endif
