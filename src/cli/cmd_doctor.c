/* nodeguard doctor: is nodeguard registered with each engine on this host, and can it work? */
#include <getopt.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "show.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/doctor.h"
#include "nodeguard/doctor_crio.h"
#include "nodeguard/doctor_engines.h"
#include "nodeguard/doctor_files.h"
#include "nodeguard/doctor_hooks.h"
#include "nodeguard/doctor_host.h"
#include "nodeguard/doctor_wrapper.h"
#include "nodeguard/json.h"

static void doctor_usage(FILE *f)
{
    fputs("Usage: nodeguard doctor [--json] [--root DIR]\n"
          "\n"
          "Checks, per engine found (podman, CRI-O, Docker, containerd, runc), that nodeguard is registered\n"
          "and can run: hooks.d files, daemon.json, containerd's config.toml, nodeguard-runtime's hook and\n"
          "real runtime, the policy file, the log's directory and what the OOM watcher needs. One line per\n"
          "check (ok, warn, FAIL), each problem with its fix.\n"
          "  --json      one JSON object for machines\n"
          "  --root DIR  read the host's files below DIR (an image, a test tree); the kernel checks are\n"
          "              still the running kernel's\n"
          "Exit status: 0 nothing failed, 1 a check failed, 2 bad usage.\n",
          f);
}

/* The checks in the order an operator fixes things: shared files first, then each engine. */
static void run_checks(const ng_doctor_ctx *ctx)
{
    ng_policy pol;
    ng_doctor_check_user(ctx);
    ng_doctor_check_policy(ctx, &pol);
    ng_doctor_check_log(ctx, &pol);
    ng_doctor_check_hooks_d(ctx);
    ng_doctor_wrappers wrappers = {0};
    ng_doctor_check_crio(ctx, &wrappers);
    ng_doctor_check_docker(ctx, &wrappers);
    ng_doctor_check_containerd(ctx, &wrappers);
    /* The installed wrapper is checked even when no engine names it yet: podman --runtime and
     * CRI-O's handler run it too. */
    char installed[4096];
    if (ng_doctor_find_program(ctx, "nodeguard-runtime", NULL, installed, sizeof(installed)))
        ng_doctor_wrappers_add(&wrappers, installed);
    for (size_t i = 0; i < wrappers.n; i++)
        ng_doctor_check_wrapper(ctx, wrappers.paths[i], ng_doctor_policy_path(), &pol);
    ng_doctor_check_runc(ctx);
    ng_doctor_check_watcher(ctx);
    ng_policy_free(&pol);
}

static int print_json(const ng_doctor_report *r)
{
    cleanup_error ng_error *e = NULL;
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    yajl_gen_config(g, yajl_gen_beautify, 1);
    if (ng_doctor_gen_json(r, g, &e) < 0) {
        fprintf(stderr, "nodeguard doctor: %s\n", ng_error_msg(e));
        return -1;
    }
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    return 0;
}

static void print_text(const ng_doctor_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const ng_doctor_check *c = &r->checks[i];
        cleanup_free char *what = cli_shown(c->what);
        printf("%-4s  %-10s  %s\n", ng_doctor_status_name(c->status), c->area, what);
        if (c->fix) {
            cleanup_free char *fix = cli_shown(c->fix);
            printf("      %-10s  fix: %s\n", "", fix);
        }
    }
    if (r->dropped)
        printf("(%zu more checks not shown)\n", r->dropped);
    printf("%zu ok, %zu warn, %zu FAIL\n", ng_doctor_count(r, NG_DOCTOR_OK),
           ng_doctor_count(r, NG_DOCTOR_WARN), ng_doctor_count(r, NG_DOCTOR_FAIL));
}

int cmd_doctor(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"root", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    const char *root = "";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j') {
            json = true;
        } else if (c == 'r') {
            root = optarg;
        } else if (c == 'h') {
            doctor_usage(stdout);
            return CLI_OK;
        } else {
            doctor_usage(stderr);
            return CLI_BAD_INPUT;
        }
    }
    struct stat st;
    if (optind != argc || (root[0] && (root[0] != '/' || stat(root, &st) < 0 || !S_ISDIR(st.st_mode)))) {
        if (optind == argc)
            fprintf(stderr, "nodeguard doctor: --root needs an absolute path to a directory\n");
        doctor_usage(stderr);
        return CLI_BAD_INPUT;
    }
    /* Without trailing slashes ("/" is the host itself: no prefix), so paths read as the host's. */
    cleanup_free char *prefix = strdup(root);
    if (!prefix)
        abort();
    for (size_t len = strlen(prefix); len > 0 && prefix[len - 1] == '/'; len--)
        prefix[len - 1] = '\0';
    ng_doctor_report *report = calloc(1, sizeof(*report));
    if (!report)
        abort();
    ng_doctor_ctx ctx = {.root = prefix, .report = report};
    run_checks(&ctx);
    int rc = ng_doctor_count(report, NG_DOCTOR_FAIL) ? CLI_CHECK_FAILED : CLI_OK;
    if (json && print_json(report) < 0)
        rc = CLI_BAD_INPUT;
    else if (!json)
        print_text(report);
    ng_doctor_report_free(report);
    free(report);
    return rc;
}
