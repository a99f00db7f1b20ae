#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "show.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/hostmem.h"
#include "nodeguard/json.h"
#include "nodeguard/pkgjson_read.h"
#include "nodeguard/policyfile.h"
#include "nodeguard/spec.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/util.h"

static void check_usage(FILE *f)
{
    fputs("Usage: nodeguard check CONFIG|BUNDLE [--json] [--policy FILE]\n"
          "\n"
          "Validates an OCI config.json (or a bundle directory holding one) the way nodeguard's hook\n"
          "would at container start, without changing it. For CI pipelines. For npm, yarn and pnpm\n"
          "commands the app's package.json is read from the bundle's rootfs (root.path, relative to the\n"
          "config's directory) or the bind mount over process.cwd (docs/scripts.md).\n"
          "Exit status: 0 fits (or not a Node container), 1 does not fit, 2 bad input.\n",
          f);
}

static int print_json(const ng_decision *as_is, const ng_decision *would, const ng_spec *spec)
{
    cleanup_error ng_error *e = NULL;
    ng_error **err = &e;
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    yajl_gen_config(g, yajl_gen_beautify, 1);
    NG_GEN(yajl_gen_map_open(g));
    if (ng_decision_gen_fields(as_is, spec, g, err) < 0)
        return -1;
    NG_GEN(ng_gen_string(g, "nodeguard_would"));
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_string(g, "action"));
    NG_GEN(ng_gen_string(g, ng_action_name(would->action)));
    NG_GEN(ng_gen_string(g, "node_options"));
    NG_GEN(
        ng_gen_string(g, would->node_options_after ? would->node_options_after : would->node_options_before));
    NG_GEN(ng_gen_string(g, "reason"));
    NG_GEN(ng_gen_string(g, would->reason));
    NG_GEN(yajl_gen_map_close(g));
    NG_GEN(yajl_gen_map_close(g));
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    putchar('\n');
    return 0;
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"policy", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    const char *policy_path = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j')
            json = true;
        else if (c == 'P')
            policy_path = optarg;
        else if (c == 'h') {
            check_usage(stdout);
            return CLI_OK;
        } else {
            check_usage(stderr);
            return CLI_BAD_INPUT;
        }
    }
    if (optind != argc - 1) {
        check_usage(stderr);
        return CLI_BAD_INPUT;
    }
    cleanup_free char *path = NULL, *buf = NULL;
    struct stat st;
    if (stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)) {
        if (asprintf(&path, "%s/config.json", argv[optind]) < 0)
            return CLI_BAD_INPUT;
    } else {
        path = strdup(argv[optind]);
    }
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    ng_spec spec = {0};
    /* The reason, the flag text, the warnings and error messages quote the config's env and args. */
    cleanup_free char *shown_path = cli_shown(path);
    if (ng_read_file_bounded(path, NG_INPUT_MAX, &buf, &len, &err) < 0 ||
        ng_spec_parse(buf, len, &spec, &err) < 0) {
        cleanup_free char *msg = cli_shown(ng_error_msg(err));
        fprintf(stderr, "nodeguard check: %s: %s\n", shown_path, msg);
        return CLI_BAD_INPUT;
    }
    spec.host_memory_mib = ng_host_memory_mib();
    /* The bundle's rootfs (root.path) holds the app's package.json, for npm/yarn/pnpm commands. */
    ng_package_json pkg = {0};
    if (ng_pkgjson_wanted(&spec)) {
        cleanup_free char *bundle = strdup(path);
        char *slash = bundle ? strrchr(bundle, '/') : NULL;
        if (slash)
            *slash = '\0';
        ng_pkgjson_read(-1, slash ? bundle : ".", &spec, &pkg);
        spec.package_json = &pkg;
    }
    ng_policy pol;
    ng_policy_load(&pol, policy_path);
    cli_show_policy_warnings(&pol);
    ng_decision as_is = {0}, would = {0};
    ng_decide(&pol, &spec, false, &as_is);
    ng_decide(&pol, &spec, true, &would);
    int rc = as_is.outcome == NG_OUTCOME_GUARDED && as_is.verdict == NG_VERDICT_DOES_NOT_FIT
                 ? CLI_DOES_NOT_FIT
                 : CLI_OK;
    if (json) {
        print_json(&as_is, &would, &spec);
    } else if (as_is.outcome != NG_OUTCOME_GUARDED) {
        cleanup_free char *reason = cli_shown(as_is.reason);
        printf("%s: not guarded: %s\n", shown_path, reason);
    } else {
        cleanup_free char *reason = cli_shown(as_is.reason);
        printf("%s: %s\n  %s\n", shown_path, rc == CLI_OK ? "fits" : "DOES NOT FIT", reason);
        if (would.action != NG_ACTION_NONE) {
            cleanup_free char *after = cli_shown(would.node_options_after);
            printf("  nodeguard (mode %s) would: %s%s%s\n", ng_mode_name(would.mode),
                   ng_action_name(would.action), would.node_options_after ? ", NODE_OPTIONS=" : "", after);
        }
        for (size_t i = 0; i < as_is.warnings.n; i++) {
            cleanup_free char *warning = cli_shown(as_is.warnings.items[i]);
            printf("  warning: %s\n", warning);
        }
    }
    ng_decision_free(&as_is);
    ng_decision_free(&would);
    ng_spec_free(&spec);
    ng_package_json_free(&pkg);
    ng_policy_free(&pol);
    return rc;
}
