#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/cleanup.h"
#include "spec_builder.h"
#include "nodeguard/decide.h"
#include "nodeguard/pkgscripts.h"

/* A package.json with the given "scripts" members (JSON text, without braces). */
static ng_package_json pkg(const char *scripts_members)
{
    ng_package_json p = {.has_server_js = false};
    snprintf(p.path, sizeof(p.path), "/app/package.json");
    if (asprintf(&p.text, "{\"name\":\"app\",\"scripts\":{%s}}", scripts_members) < 0)
        abort();
    p.len = strlen(p.text);
    return p;
}

/* Resolves the runner command line words (space separated) against scripts. */
static int resolve(const char *cmd, const char *scripts, ng_pkg_run *r)
{
    ng_package_json p = pkg(scripts);
    char buf[256];
    const char *argv[16];
    size_t n = 0;
    ng_pkg_run_free(r); /* the previous call's, so a test can call this in a row */
    snprintf(buf, sizeof(buf), "%s", cmd);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && n < 16; t = strtok_r(NULL, " ", &save))
        argv[n++] = t;
    int got = ng_pkg_resolve(argv, n, &p, r);
    ng_package_json_free(&p);
    return got;
}

#define REPORT_DEV                                                                                           \
    "\"dev\":\"NODE_OPTIONS='--max-old-space-size=2048' NODE_ENV=development tsx watch "                     \
    "server/_core/index.ts\""

/* The crash report's script: its inline NODE_OPTIONS is what node gets. */
static void test_report_script(void **state)
{
    (void)state;
    ng_pkg_run r = {0};
    assert_int_equal(resolve("npm run dev", REPORT_DEV, &r), 1);
    assert_string_equal(r.script, "dev");
    assert_string_equal(r.origin, "package.json scripts.dev");
    assert_string_equal(r.file, "/app/package.json");
    assert_string_equal(r.node_options, "--max-old-space-size=2048");
    assert_int_equal(r.env_flags.old_space_mib, 2048);
    assert_string_equal(r.heap_flag, "--max-old-space-size=2048");
    assert_int_equal(r.processes, 1);
    assert_int_equal(r.launchers, 2); /* npm, and tsx's cli parent */
    ng_pkg_run_free(&r);
}

/* Every runner form names the same script. */
static void test_runner_forms(void **state)
{
    (void)state;
    static const char *const forms[] = {"npm run dev", "npm run-script dev", "/usr/bin/npm run dev",
                                        "yarn dev",    "yarn run dev",       "pnpm dev",
                                        "pnpm run dev"};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        ng_pkg_run r = {0};
        assert_int_equal(resolve(forms[i], "\"dev\":\"node --max-old-space-size=300 a.js\"", &r), 1);
        assert_int_equal(r.argv_flags.old_space_mib, 300);
        assert_null(r.node_options);
        ng_pkg_run_free(&r);
    }
    ng_pkg_run r = {0};
    assert_int_equal(resolve("npm start", "\"start\":\"node s.js\"", &r), 1);
    assert_string_equal(r.script, "start");
    assert_int_equal(resolve("npm test", "\"test\":\"node t.js\"", &r), 1);
    assert_string_equal(r.script, "test");
    /* builtins and what runs no script of the file */
    assert_int_equal(resolve("npm install", "\"install\":\"node i.js\"", &r), 0);
    assert_int_equal(resolve("npm dev", "\"dev\":\"node a.js\"", &r), 0); /* npm has no `npm dev` */
    assert_int_equal(resolve("npm --prefix /x run dev", "\"dev\":\"node a.js\"", &r), 0);
    assert_int_equal(resolve("npx tsx a.ts", "\"dev\":\"node a.js\"", &r), 0);
    assert_int_equal(resolve("node a.js", "\"dev\":\"node a.js\"", &r), 0);
    assert_int_equal(resolve("npm run missing", "\"dev\":\"node a.js\"", &r), 0);
    assert_non_null(strstr(r.problem, "scripts.missing"));
    ng_pkg_run_free(&r);
}

/* npm start without a start script runs node server.js when there is one. */
static void test_default_start(void **state)
{
    (void)state;
    ng_package_json p = pkg("\"dev\":\"node a.js\"");
    p.has_server_js = true;
    const char *argv[] = {"npm", "start"};
    ng_pkg_run r = {0};
    assert_int_equal(ng_pkg_resolve(argv, 2, &p, &r), 1);
    assert_string_equal(r.command, "node server.js");
    assert_int_equal(r.processes, 1);
    assert_int_equal(r.launchers, 1);
    p.has_server_js = false;
    assert_int_equal((ng_pkg_run_free(&r), ng_pkg_resolve(argv, 2, &p, &r)), 0);
    ng_pkg_run_free(&r);
    ng_package_json_free(&p);
}

/* env, cross-env, export and nested runs carry NODE_OPTIONS to node as sh would. */
static void test_script_forms(void **state)
{
    (void)state;
    ng_pkg_run r = {0};
    assert_int_equal(
        resolve("npm run dev", "\"dev\":\"env NODE_OPTIONS=--max-old-space-size=700 node a.js\"", &r), 1);
    assert_int_equal(r.env_flags.old_space_mib, 700);
    ng_pkg_run_free(&r);
    assert_int_equal(
        resolve("npm run dev", "\"dev\":\"cross-env NODE_OPTIONS=--max-old-space-size=701 next dev\"", &r),
        1);
    assert_int_equal(r.env_flags.old_space_mib, 701);
    ng_pkg_run_free(&r);
    assert_int_equal(
        resolve("npm run dev", "\"dev\":\"export NODE_OPTIONS=--max-old-space-size=702; node a.js\"", &r), 1);
    assert_int_equal(r.env_flags.old_space_mib, 702);
    ng_pkg_run_free(&r);
    /* nested: the outer NODE_OPTIONS reaches the inner script's node, npm adds an idle parent */
    assert_int_equal(resolve("npm run dev",
                             "\"dev\":\"NODE_OPTIONS=--max-old-space-size=703 npm run serve\","
                             "\"serve\":\"node s.js\"",
                             &r),
                     1);
    assert_int_equal(r.env_flags.old_space_mib, 703);
    assert_string_equal(r.flag_script, "dev"); /* where NODE_OPTIONS was set, not where node runs */
    assert_string_equal(r.origin, "package.json scripts.dev");
    assert_int_equal(r.launchers, 2);
    ng_pkg_run_free(&r);
    /* build then serve: the largest heap of the node commands is judged */
    assert_int_equal(
        resolve("npm run go",
                "\"go\":\"npm run build && npm run serve\",\"build\":\"node --max-old-space-size=100 "
                "b.js\",\"serve\":\"node --max-old-space-size=900 s.js\"",
                &r),
        1);
    assert_int_equal(r.argv_flags.old_space_mib, 900);
    assert_string_equal(r.flag_script, "serve");
    assert_string_equal(r.heap_flag, "--max-old-space-size=900");
    ng_pkg_run_free(&r);
    /* pre and post scripts run too: a large heap in predev is judged */
    assert_int_equal(resolve("npm run dev",
                             "\"predev\":\"node --max-old-space-size=1200 gen.js\",\"dev\":\"node a.js\","
                             "\"postdev\":\"echo done\"",
                             &r),
                     1);
    assert_int_equal(r.argv_flags.old_space_mib, 1200);
    assert_string_equal(r.flag_script, "predev");
    assert_string_equal(r.script, "dev");
    ng_pkg_run_free(&r);
    /* no flag in either command: the one nodeguard's NODE_OPTIONS cannot reach is judged */
    assert_int_equal(
        resolve("npm run dev", "\"dev\":\"node a.js && NODE_OPTIONS=--no-warnings node b.js\"", &r), 1);
    assert_string_equal(r.node_options, "--no-warnings");
    ng_pkg_run_free(&r);
    /* no heap flag anywhere: resolved, nothing set */
    assert_int_equal(resolve("npm run dev", "\"dev\":\"NODE_ENV=development node a.js\"", &r), 1);
    assert_null(r.node_options);
    assert_int_equal(r.argv_flags.last_heap_kind, NG_FLAG_NONE);
    ng_pkg_run_free(&r);
}

/* Hostile or broken files are problems (warnings), never crashes or guesses. */
static void test_hostile(void **state)
{
    (void)state;
    ng_pkg_run r = {0};
    static const char *const unread[] = {
        "\"dev\":\"NODE_OPTIONS=$(cat /x) node a.js\"", /* an expansion */
        "\"dev\":\"node `x`\"",
        "\"dev\":\"sh -c 'unterminated\"",
        "\"dev\":42",                                    /* wrong type */
        "\"dev\":\"npm run dev\"",                       /* itself: bounded depth */
        "\"dev\":\"env -S 'NODE_OPTIONS=x node' a.js\"", /* env options */
        "\"dev\":\"node a.js; printenv NODE_OPTIONS\"",  /* another command names it */
        "\"dev\":\"NODE_OPTIONS='\\\"' node a.js\"",     /* node would reject it */
    };
    for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
        assert_int_equal(resolve("npm run dev", unread[i], &r), 0);
        assert_true(r.problem[0] != '\0');
        ng_pkg_run_free(&r);
    }
    /* not JSON, scripts of the wrong type, deep nesting */
    ng_package_json p = {.text = strdup("{\"scripts\":"), .len = 11};
    snprintf(p.path, sizeof(p.path), "/app/package.json");
    const char *argv[] = {"npm", "run", "dev"};
    assert_int_equal((ng_pkg_run_free(&r), ng_pkg_resolve(argv, 3, &p, &r)), 0);
    assert_non_null(strstr(r.problem, "/app/package.json is not read"));
    ng_package_json_free(&p);
    p = pkg("");
    free(p.text);
    p.text = strdup("{\"scripts\":[\"dev\"]}");
    p.len = strlen(p.text);
    assert_int_equal((ng_pkg_run_free(&r), ng_pkg_resolve(argv, 3, &p, &r)), 0);
    assert_true(r.problem[0] != '\0');
    free(p.text);
    size_t depth = 10000;
    p.text = calloc(1, depth * 2 + 1);
    memset(p.text, '[', depth);
    memset(p.text + depth, ']', depth);
    p.len = depth * 2;
    assert_int_equal((ng_pkg_run_free(&r), ng_pkg_resolve(argv, 3, &p, &r)), 0);
    assert_true(r.problem[0] != '\0');
    ng_package_json_free(&p);
    /* the host's problem is passed on, no text read */
    snprintf(p.problem, sizeof(p.problem), "package.json is a link out of the container");
    assert_int_equal((ng_pkg_run_free(&r), ng_pkg_resolve(argv, 3, &p, &r)), 0);
    assert_string_equal(r.problem, "package.json is a link out of the container");
    /* a long script is cut in the record, still read */
    char big[2048];
    snprintf(big, sizeof(big), "\"dev\":\"node %0900d.js\"", 7);
    assert_int_equal(resolve("npm run dev", big, &r), 1);
    assert_int_equal(strlen(r.command), sizeof(r.command) - 1);
    ng_pkg_run_free(&r);
}

/* Scripts dev, b, c, d each running the next k times (`npm run b;` ...), e starting node. */
static char *nested_runs(int k)
{
    static const char *const names[] = {"dev", "b", "c", "d", "e"};
    size_t size = (size_t)k * 16 * 4 + 256;
    char *s = calloc(1, size), *at = s;
    if (!s)
        abort();
    for (int level = 0; level < 4; level++) {
        at += sprintf(at, "\"%s\":\"", names[level]);
        for (int i = 0; i < k; i++)
            at += sprintf(at, "npm run %s;", names[level + 1]);
        at += sprintf(at, "\",");
    }
    sprintf(at, "\"e\":\"node server.js\"");
    return s;
}

/* Nested runs that multiply per level: a budget for the whole walk, not hours of CPU. */
static void test_budget(void **state)
{
    (void)state;
    ng_pkg_run r = {0};
    cleanup_free char *ten = nested_runs(10); /* 10^4 runs of e */
    assert_int_equal(resolve("npm run dev", ten, &r), 0);
    assert_string_equal(r.problem, "package.json scripts too many nested runs: not read");
    cleanup_free char *report = nested_runs(200); /* the finding's 8.8 KB file */
    assert_int_equal(resolve("npm run dev", report, &r), 0);
    assert_string_equal(r.problem, "package.json scripts too many nested runs: not read");
    /* a few runs are still followed */
    cleanup_free char *two = nested_runs(2);
    assert_int_equal(resolve("npm run dev", two, &r), 1);
    assert_string_equal(r.problem, "");
    ng_pkg_run_free(&r);
}

/* The decision: the script's heap is the effective one and cannot be overridden. */
static ng_decision decide_with(const char *mode, const char *args, const char *scripts, long long mib,
                               bool modify)
{
    ng_policy pol;
    ng_policy_defaults(&pol);
    char ann[128];
    snprintf(ann, sizeof(ann), "{\"io.nodeguard.mode\":\"%s\"}", mode);
    ng_spec spec = build_spec(args, "[\"PATH=/bin\"]", ann, mib);
    ng_package_json p = pkg(scripts);
    spec.package_json = &p;
    ng_decision d;
    ng_decide(&pol, &spec, modify, &d);
    ng_package_json_free(&p);
    ng_spec_free(&spec);
    ng_policy_free(&pol);
    return d;
}

/* Runner options before the script's name: the quiet ones are skipped, the rest are problems. */
static void test_runner_options(void **state)
{
    (void)state;
    ng_pkg_run r = {0};
    static const char *const skipped[] = {"npm --silent run dev", "npm run -s dev",
                                          "npm run -- dev",       "npm -q run --if-present dev",
                                          "yarn --silent dev",    "pnpm -s run dev"};
    const char *big = "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000 node a.js\"";
    for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
        assert_int_equal(resolve(skipped[i], big, &r), 1);
        assert_string_equal(r.script, "dev");
        assert_int_equal(r.env_flags.old_space_mib, 8000);
    }
    static const char *const unread[] = {"npm --prefix X run dev",
                                         "npm --workspace=a run dev",
                                         "npm run --workspace a dev",
                                         "yarn --cwd x dev",
                                         "pnpm -C x dev",
                                         "npm --loglevel=silent run dev"};
    for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
        assert_int_equal(resolve(unread[i], big, &r), 0);
        assert_non_null(strstr(r.problem, "options before the script name are not followed: not read"));
    }
    /* nested: the outer script's run is not judged as if it were read */
    assert_int_equal(resolve("npm run dev", "\"dev\":\"npm --prefix x run b\",\"b\":\"node a.js\"", &r), 0);
    assert_non_null(strstr(r.problem, "npm's options before the script name are not followed"));
    /* no word after the options: no script, no warning */
    assert_int_equal(resolve("npm --version", big, &r), 0);
    assert_string_equal(r.problem, "");
    ng_pkg_run_free(&r);
}

/* A long script name may not hide its pre script: a name the record cannot hold is not read. */
static void test_long_name(void **state)
{
    (void)state;
    ng_pkg_run r = {0};
    char name[71], scripts[512], cmd[128];
    memset(name, 'x', 70);
    name[70] = '\0';
    snprintf(scripts, sizeof(scripts),
             "\"%s\":\"node a.js\",\"pre%s\":\"NODE_OPTIONS=--max-old-space-size=8000 node b.js\"", name,
             name);
    snprintf(cmd, sizeof(cmd), "npm run %s", name);
    assert_int_equal(resolve(cmd, scripts, &r), 0);
    assert_non_null(strstr(r.problem, "a script name is longer than 63 bytes: not read"));
    /* nested too */
    snprintf(scripts, sizeof(scripts), "\"dev\":\"npm run %s\",\"%s\":\"node a.js\"", name, name);
    assert_int_equal(resolve("npm run dev", scripts, &r), 0);
    assert_non_null(strstr(r.problem, "longer than 63 bytes"));
    /* 63 bytes: its pre script is found */
    name[63] = '\0';
    snprintf(scripts, sizeof(scripts),
             "\"%s\":\"node a.js\",\"pre%s\":\"NODE_OPTIONS=--max-old-space-size=8000 node b.js\"", name,
             name);
    snprintf(cmd, sizeof(cmd), "npm run %s", name);
    assert_int_equal(resolve(cmd, scripts, &r), 1);
    assert_int_equal(r.env_flags.old_space_mib, 8000);
    ng_pkg_run_free(&r);
}

/* npm's node-options config from the env: npm sets NODE_OPTIONS for its scripts itself. */
static void test_npm_config(void **state)
{
    (void)state;
    ng_pkg_run r = {0};
    ng_package_json p = pkg("\"dev\":\"node a.js\",\"b\":\"node b.js\"");
    const char *npm[] = {"npm", "run", "dev"}, *yarn[] = {"yarn", "dev"};
    assert_int_equal(ng_pkg_resolve_env(npm, 3, &p, "--max-old-space-size=8000", &r), 0);
    assert_non_null(strstr(r.problem, "npm_config_node_options"));
    ng_pkg_run_free(&r);
    r = (ng_pkg_run){0};
    assert_int_equal(ng_pkg_resolve_env(yarn, 2, &p, "--max-old-space-size=8000", &r),
                     1); /* yarn 1: not read */
    ng_pkg_run_free(&r);
    ng_package_json_free(&p);
    /* a script setting it for a nested npm run */
    static const char *const unread[] = {
        "\"dev\":\"NPM_CONFIG_NODE_OPTIONS=--max-old-space-size=8000 npm run b\",\"b\":\"node b.js\"",
        "\"dev\":\"env npm_config_node_options=x npm run b\",\"b\":\"node b.js\"",
        "\"dev\":\"export npm_config_node_options=x; npm run b\",\"b\":\"node b.js\"",
        "\"dev\":\"npm_config_Node_Options=x; pnpm b\",\"b\":\"node b.js\"",
    };
    for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
        assert_int_equal(resolve("yarn dev", unread[i], &r), 0);
        assert_non_null(strstr(r.problem, "npm_config_node_options"));
    }
    ng_pkg_run_free(&r);
    /* the decision reads it from the container's env, in any case */
    ng_policy pol;
    ng_policy_defaults(&pol);
    ng_spec spec = build_spec("[\"npm\",\"run\",\"dev\"]",
                              "[\"PATH=/bin\",\"NPM_CONFIG_NODE_OPTIONS=--max-old-space-size=8000\"]",
                              "{\"io.nodeguard.mode\":\"fix\"}", 512);
    p = pkg("\"dev\":\"node a.js\"");
    spec.package_json = &p;
    ng_decision d;
    ng_decide(&pol, &spec, true, &d);
    assert_false(d.package_script.resolved);
    assert_non_null(strstr(d.package_script.problem, "npm_config_node_options"));
    ng_decision_free(&d);
    ng_package_json_free(&p);
    ng_spec_free(&spec);
    ng_policy_free(&pol);
}

/* What sh's own commands do to NODE_OPTIONS for the commands after them. */
static void test_shell_state(void **state)
{
    (void)state;
    ng_pkg_run r = {0};
    /* a bare assignment sets it for the rest of the script, as `export NODE_OPTIONS=` does */
    static const char *const sets[] = {
        "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000; node server.js\"",
        "\"dev\":\"export NODE_OPTIONS; NODE_OPTIONS=--max-old-space-size=8000; node server.js\"",
        "\"dev\":\"set -e; NODE_OPTIONS=--max-old-space-size=8000 NODE_ENV=x; node server.js\"",
        "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000; npm run b\",\"b\":\"node server.js\"",
        "\"dev\":\"echo a\\nNODE_OPTIONS=--max-old-space-size=8000\\nnode server.js\"",
    };
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
        assert_int_equal(resolve("npm run dev", sets[i], &r), 1);
        assert_string_equal(r.node_options, "--max-old-space-size=8000");
        assert_int_equal(r.env_flags.old_space_mib, 8000);
        assert_string_equal(r.flag_script, "dev");
    }
    /* what may change it in a way not read */
    static const char *const unread[] = {
        "\"dev\":\"set -a; NODE_OPTIONS=--max-old-space-size=8000; node server.js\"",
        "\"dev\":\". ./env.sh; node server.js\"",
        "\"dev\":\"source x; node server.js\"",
        "\"dev\":\"eval x; node server.js\"",
        "\"dev\":\"unset NODE_OPTIONS; node server.js\"",
        "\"dev\":\"export -n NODE_OPTIONS; node server.js\"",
        "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000 :; node server.js\"",
        "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000 export X=1; node server.js\"",
        "\"dev\":\"set -o allexport; node server.js\"",
        "\"dev\":\"command . ./env.sh; node server.js\"",
        "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000 & node server.js\"",
        "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000 | node server.js\"",
        "\"dev\":\"false && NODE_OPTIONS=--max-old-space-size=8000; node server.js\"",
        "\"dev\":\"true || export NODE_OPTIONS=--max-old-space-size=8000; node server.js\"",
        "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000 >/dev/null; node server.js\"",
    };
    for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++) {
        assert_int_equal(resolve("npm run dev", unread[i], &r), 0);
        assert_true(r.problem[0] != '\0');
    }
    ng_pkg_run_free(&r);
    /* the decision refuses the bare assignment's heap as it does the prefix's */
    ng_decision d =
        decide_with("enforce", "[\"npm\",\"run\",\"dev\"]",
                    "\"dev\":\"NODE_OPTIONS=--max-old-space-size=8000; node server.js\"", 512, true);
    assert_int_equal(d.action, NG_ACTION_REFUSED);
    ng_decision_free(&d);
}

static void test_decision(void **state)
{
    (void)state;
    /* fix: recorded as not overridable, nothing injected */
    ng_decision d = decide_with("fix", "[\"npm\",\"run\",\"dev\"]", REPORT_DEV, 512, true);
    assert_int_equal(d.action, NG_ACTION_WARNED);
    assert_int_equal(d.verdict, NG_VERDICT_DOES_NOT_FIT);
    assert_string_equal(d.heap_source, "package.json scripts.dev");
    assert_int_equal(d.heap_before_mib, 2048);
    assert_null(decision_env(&d, "NODE_OPTIONS"));
    assert_non_null(strstr(d.reason, "not overridable"));
    assert_non_null(
        strstr(d.reason, "remove --max-old-space-size=2048 from scripts.dev in /app/package.json"));
    /* the words are made after the decision took the script's strings over: none may be lost */
    assert_non_null(strstr(d.reason, "heap 2048 MiB from package.json scripts.dev does not fit"));
    assert_null(strstr(d.reason, "(null)"));
    assert_true(d.package_script.resolved);
    assert_string_equal(d.node_options_before, "--max-old-space-size=2048");
    ng_decision_free(&d);
    /* enforce: refused, with the same fix */
    d = decide_with("enforce", "[\"sh\",\"-c\",\"npm run dev\"]", REPORT_DEV, 512, true);
    assert_int_equal(d.action, NG_ACTION_REFUSED);
    assert_non_null(strstr(d.refusal, "nodeguard cannot override it"));
    assert_non_null(strstr(d.refusal, "scripts.dev in /app/package.json"));
    ng_decision_free(&d);
    /* behind env and the official images' entrypoint, as detect.c reads them */
    static const char *const launched[] = {"[\"env\",\"NODE_ENV=production\",\"npm\",\"run\",\"dev\"]",
                                           "[\"docker-entrypoint.sh\",\"npm\",\"run\",\"dev\"]"};
    for (size_t i = 0; i < 2; i++) {
        d = decide_with("enforce", launched[i], REPORT_DEV, 512, true);
        assert_int_equal(d.action, NG_ACTION_REFUSED);
        assert_string_equal(d.heap_source, "package.json scripts.dev");
        ng_decision_free(&d);
    }
    /* a flag that fits is left alone, and nodeguard's is not claimed */
    d = decide_with("fix", "[\"npm\",\"run\",\"dev\"]",
                    "\"dev\":\"NODE_OPTIONS=--max-old-space-size=300 node a.js\"", 512, true);
    assert_int_equal(d.action, NG_ACTION_NONE);
    assert_int_equal(d.verdict, NG_VERDICT_FITS);
    assert_null(decision_env(&d, "NODE_OPTIONS"));
    assert_non_null(strstr(d.reason, "heap 300 MiB from package.json scripts.dev fits"));
    ng_decision_free(&d);
    /* inline NODE_OPTIONS without a heap flag: nodeguard's would be thrown away, not injected */
    d = decide_with("fix", "[\"npm\",\"run\",\"dev\"]",
                    "\"dev\":\"NODE_OPTIONS=--enable-source-maps node a.js\"", 256, true);
    assert_int_not_equal(d.action, NG_ACTION_INJECTED);
    assert_null(decision_env(&d, "NODE_OPTIONS"));
    assert_non_null(strstr(d.reason, "not overridable"));
    ng_decision_free(&d);
    /* no NODE_OPTIONS in the script: the container's reaches node, injected with the script's counts */
    d = decide_with("fix", "[\"npm\",\"run\",\"dev\"]", "\"dev\":\"tsx watch server.ts\"", 512, true);
    assert_int_equal(d.action, NG_ACTION_INJECTED);
    assert_non_null(decision_env(&d, "NODE_OPTIONS"));
    assert_int_equal(d.detection.launchers, 2);
    assert_string_equal(d.heap_source, "none");
    ng_decision_free(&d);
    /* a command-line flag in the script that is too large: not overridable either */
    d = decide_with("warn", "[\"yarn\",\"start\"]", "\"start\":\"node --max-old-space-size=4096 s.js\"", 512,
                    false);
    assert_int_equal(d.action, NG_ACTION_WARNED);
    assert_non_null(strstr(d.reason, "node command line wins"));
    ng_decision_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_script),  cmocka_unit_test(test_runner_forms),
        cmocka_unit_test(test_default_start),  cmocka_unit_test(test_script_forms),
        cmocka_unit_test(test_hostile),        cmocka_unit_test(test_decision),
        cmocka_unit_test(test_budget),         cmocka_unit_test(test_shell_state),
        cmocka_unit_test(test_runner_options), cmocka_unit_test(test_long_name),
        cmocka_unit_test(test_npm_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
