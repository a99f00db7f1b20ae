/* What `npm run dev` (and yarn's, pnpm's forms) will really run: the script in the app's
 * package.json, read with the shell parser (shellcmd.h) for the NODE_OPTIONS=... it sets and the node
 * command it starts. A script's inline NODE_OPTIONS replaces the container's for everything the
 * script starts, so nodeguard's injected heap flag never reaches node (docs/scripts.md). Pure: the
 * file's text comes in through ng_package_json, filled by src/host/pkgjson_read.c. */
#ifndef NODEGUARD_PKGSCRIPTS_H
#define NODEGUARD_PKGSCRIPTS_H

#include <stdbool.h>
#include <stddef.h>
#include "nodeguard/nodeopts.h"

#define NG_PKG_JSON_MAX   (1024 * 1024) /* a real package.json is a few KiB */
#define NG_PKG_JSON_DEPTH 32            /* package.json nests a few levels */
#define NG_PKG_MAX_NESTED 4 /* `npm run a` whose script runs `npm run b` ...: followed this deep */
/* The whole resolution's budget, nested runs and pre/post scripts included: a script that runs
 * `npm run b` many times at each level would otherwise multiply the work by its count per level. */
#define NG_PKG_MAX_VISITS   256  /* scripts read */
#define NG_PKG_MAX_COMMANDS 4096 /* simple commands walked */

/* What a stage read from the container's filesystem. */
typedef struct ng_package_json {
    char path[256]; /* as the container sees it: process.cwd + "/package.json" */
    char *text;     /* owned, NUL-terminated; NULL when absent or unreadable */
    size_t len;
    char problem[192];  /* why it could not be read; "" when it was, or simply is not there */
    bool has_server_js; /* `npm start` without a start script runs `node server.js` */
} ng_package_json;

void ng_package_json_free(ng_package_json *p);

/* The script a runner command starts, and what it does to node's heap. */
typedef struct ng_pkg_run {
    bool resolved;        /* the command is a runner's and its script was read */
    char file[256];       /* the package.json, as the container sees it */
    char script[64];      /* its name: "dev", "start" ... */
    char flag_script[64]; /* the script whose node command is judged (dev, or predev, a nested one) */
    char command[256];    /* its text (cut at 255 bytes) */
    char *origin;       /* "package.json scripts.<flag_script>", for heap_source (owned: a decision moves) */
    char *node_options; /* the NODE_OPTIONS=... the script sets for node (owned); NULL none */
    ng_heap_flags env_flags;  /* the heap flags in node_options */
    ng_heap_flags argv_flags; /* the heap flags on the script's node command line */
    char heap_flag[96];       /* the heap flag as the script writes it, for the fix ("" none) */
    int processes;            /* node processes that may grow to the heap cap */
    int launchers;            /* idle node parents: the runner itself, watchers */
    char processes_reason[96];
    char problem[192]; /* why the command's script could not be read (a warning); "" none */
} ng_pkg_run;

/* argv[0] is npm, yarn or pnpm (any path): finds the script it runs in pj and reads it. Returns 1
 * with ret->resolved, 0 when the command runs no script nodeguard can read (not a runner, a builtin
 * like `npm install`, no package.json; ret->problem says why when it is worth a warning). Never fails:
 * a hostile package.json is a problem, not an error. */
int ng_pkg_resolve(const char *const *argv, size_t argc, const ng_package_json *pj, ng_pkg_run *ret);
/* The same, with npm's node-options config as the container's env sets it (the value of
 * npm_config_node_options in any case, which npm reads case-insensitively; NULL when unset): npm
 * then sets NODE_OPTIONS for its scripts itself (checked with npm 11), so a run through npm (or
 * pnpm, which reads npm_config_* too) gets ret->problem, never a heap nodeguard cannot know. A
 * script that sets npm_config_node_options for a nested run is the same problem. */
int ng_pkg_resolve_env(const char *const *argv, size_t argc, const ng_package_json *pj,
                       const char *npm_node_options, ng_pkg_run *ret);
void ng_pkg_run_free(ng_pkg_run *r);

#endif
