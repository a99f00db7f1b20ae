/* CRI-O's handlers, read line by line: TOML as crio.conf is written (one key per line, tables
 * [crio.runtime] and [crio.runtime.runtimes.NAME]); nothing else of the file matters here. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/doctor_crio.h"
#include "nodeguard/doctor_files.h"
#include "nodeguard/util.h"

#define CRIO_CONF_MAX (1024 * 1024)

/* What CRI-O's configuration says of its handlers, read line by line: [crio.runtime.runtimes.NAME]
 * tables and their runtime_path, [crio.runtime]'s default_runtime and hooks_dir. Later files
 * override earlier ones, as CRI-O reads its drop-ins. */
typedef struct crio_scan {
    char handler[8][128];
    char path[8][PATH_MAX];
    size_t n;
    char default_runtime[128];
    char hooks_dir_file[PATH_MAX]; /* the file that sets hooks_dir, or "" */
} crio_scan;

static void crio_value(const char *p, char *out, size_t size)
{
    size_t n = 0;
    char quote = (*p == '"' || *p == '\'') ? *p++ : 0;
    while (*p && *p != quote && (quote || (*p != ' ' && *p != '#')) && n + 1 < size)
        out[n++] = *p++;
    out[n] = '\0';
}

static void crio_scan_file(const ng_doctor_ctx *ctx, const char *host_path, crio_scan *cs)
{
    cleanup_free char *buf = NULL;
    size_t len = 0;
    if (ng_doctor_read(ctx, host_path, CRIO_CONF_MAX, &buf, &len, NULL) < 0)
        return;
    char table[256] = "";
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line += strspn(line, " \t");
        if (*line == '[') {
            size_t n = 0;
            for (const char *q = line + 1; *q && *q != ']' && n + 1 < sizeof(table); q++)
                if (*q != '"' && *q != ' ')
                    table[n++] = *q;
            table[n] = '\0';
            continue;
        }
        char *eq = strchr(line, '=');
        if (*line == '#' || !eq)
            continue;
        size_t key_len = strcspn(line, " \t=");
        const char *value = eq + 1 + strspn(eq + 1, " \t");
        if (strcmp(table, "crio.runtime") == 0 && key_len == 15 && strncmp(line, "default_runtime", 15) == 0)
            crio_value(value, cs->default_runtime, sizeof(cs->default_runtime));
        else if (strcmp(table, "crio.runtime") == 0 && key_len == 9 && strncmp(line, "hooks_dir", 9) == 0)
            snprintf(cs->hooks_dir_file, sizeof(cs->hooks_dir_file), "%s", host_path);
        else if (strncmp(table, "crio.runtime.runtimes.", 22) == 0 && key_len == 12 &&
                 strncmp(line, "runtime_path", 12) == 0) {
            size_t i = 0;
            while (i < cs->n && strcmp(cs->handler[i], table + 22) != 0)
                i++;
            if (i == cs->n && cs->n == 8)
                continue;
            cs->n += i == cs->n;
            snprintf(cs->handler[i], sizeof(cs->handler[i]), "%s", table + 22);
            crio_value(value, cs->path[i], sizeof(cs->path[i]));
        }
    }
}

static int conf_file(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 5 && strcmp(e->d_name + len - 5, ".conf") == 0;
}

void ng_doctor_check_crio(const ng_doctor_ctx *ctx, ng_doctor_wrappers *w)
{
    char found[PATH_MAX];
    if (!ng_doctor_find_program(ctx, "crio", NULL, found, sizeof(found)) &&
        !ng_doctor_exists(ctx, "/etc/crio"))
        return;
    crio_scan *cs = calloc(1, sizeof(*cs));
    if (!cs)
        abort();
    crio_scan_file(ctx, NG_CRIO_CONF, cs);
    cleanup_free char *dir = ng_doctor_path(ctx, NG_CRIO_CONF_D);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, conf_file, alphasort);
    for (int i = 0; i < n; i++) {
        char host_path[PATH_MAX];
        snprintf(host_path, sizeof(host_path), "%s/%s", NG_CRIO_CONF_D, names[i]->d_name);
        crio_scan_file(ctx, host_path, cs);
        free(names[i]);
    }
    free(names);
    if (cs->hooks_dir_file[0])
        ng_doctor_add(
            ctx->report, "crio", NG_DOCTOR_WARN,
            "hooks_dir is set in %s%s: CRI-O reads its hooks from there, and doctor checked only the "
            "default hooks directories",
            ctx->root, cs->hooks_dir_file);
    bool ours = false;
    for (size_t i = 0; i < cs->n; i++) {
        if (strcmp(ng_basename(cs->path[i]), NG_WRAPPER_NAME) != 0)
            continue;
        ours = true;
        char where[400], host_path[PATH_MAX];
        snprintf(where, sizeof(where), "runtime_path of [crio.runtime.runtimes.%s]", cs->handler[i]);
        if (!ng_doctor_runtime_path_ok(ctx, "crio", where, cs->path[i], host_path, sizeof(host_path)))
            continue;
        ng_doctor_wrappers_add(w, host_path);
        bool every = strcmp(cs->handler[i], cs->default_runtime) == 0;
        ng_doctor_add(ctx->report, "crio", NG_DOCTOR_OK, "handler \"%s\" runs %s%s: %s", cs->handler[i],
                      ctx->root, host_path,
                      every ? "it is default_runtime, so every pod goes through nodeguard"
                            : "pods with runtimeClassName matching it go through nodeguard");
    }
    if (!ours) {
        ng_doctor_check *c =
            ng_doctor_add(ctx->report, "crio", NG_DOCTOR_WARN,
                          "no CRI-O runtime handler runs %s: CRI-O's hooks validate and record, but "
                          "only the wrapper gives pods a heap flag",
                          NG_WRAPPER_NAME);
        ng_doctor_fix(
            c,
            "`install -m 0644 oci-config/crio/crio.conf.d/99-nodeguard.conf %s%s/` from nodeguard's source "
            "tree, `systemctl restart crio`, and oci-config/kubernetes/runtimeclass.yaml",
            ctx->root, NG_CRIO_CONF_D);
    }
    free(cs);
}
