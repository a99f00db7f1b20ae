/* package.json scripts behind npm, yarn and pnpm (include/nodeguard/pkgscripts.h). The script is a
 * shell command line that npm hands to `sh -c`: read with the same parser as a container's own
 * `sh -c` (shellcmd.c), refusing what it refuses. Counts are measured, not guessed: docs/scripts.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/json.h"
#include "nodeguard/pkgscripts.h"
#include "nodeguard/shellcmd.h"
#include "nodeguard/util.h"

void ng_package_json_free(ng_package_json *p)
{
    free(p->text);
    *p = (ng_package_json){0};
}

void ng_pkg_run_free(ng_pkg_run *r)
{
    free(r->node_options);
    free(r->origin);
    r->node_options = r->origin = NULL;
}

static bool is_runner(const char *word)
{
    const char *base = ng_basename(word);
    return strcmp(base, "npm") == 0 || strcmp(base, "yarn") == 0 || strcmp(base, "pnpm") == 0;
}

static void problem(ng_pkg_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* NAME=... setting npm's node-options config (npm reads npm_config_* in any case). */
static bool sets_npm_options(const char *word)
{
    return strncasecmp(word, "npm_config_node_options=", 24) == 0;
}

/* npm or pnpm: runners that read npm_config_node_options. */
static bool reads_npm_options(const char *runner)
{
    const char *base = ng_basename(runner);
    return strcmp(base, "npm") == 0 || strcmp(base, "pnpm") == 0;
}

static bool is_any(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* Skips the runner's options that take no value (-s, --silent ... and --) from argv[*i] on; false
 * at the end, or at any other option: those change what is run (--prefix, --workspace, -C, --cwd
 * change the file) or take a value nodeguard would have to know, so the run's problem says so when
 * a word follows (plain `npm --version` is no script). */
static bool skip_options(const char *const *argv, size_t argc, size_t *i, ng_pkg_run *r)
{
    static const char *const quiet[] = {"-s", "--silent", "-q", "--quiet", "--if-present"};
    for (; *i < argc && argv[*i][0] == '-'; ++*i) {
        if (strcmp(argv[*i], "--") == 0) {
            ++*i;
            break;
        }
        if (is_any(argv[*i], quiet, sizeof(quiet) / sizeof(quiet[0])))
            continue;
        for (size_t k = *i + 1; k < argc; k++)
            if (argv[k][0] != '-') {
                problem(r, "%.16s's options before the script name are not followed: not read",
                        ng_basename(argv[0]));
                break;
            }
        return false;
    }
    return *i < argc;
}

/* The script a runner's command line runs, or NULL: a builtin (install, exec ...), or options
 * before the script's name that nodeguard does not follow (r->problem says so). */
static const char *script_name(const char *const *argv, size_t argc, yajl_val scripts, ng_pkg_run *r)
{
    static const char *const run[] = {"run", "run-script", "rum", "urn"};
    size_t i = 1;
    if (!skip_options(argv, argc, &i, r))
        return NULL;
    const char *sub = argv[i++];
    if (is_any(sub, run, sizeof(run) / sizeof(run[0])))
        return skip_options(argv, argc, &i, r) ? argv[i] : NULL;
    if (strcmp(sub, "start") == 0)
        return "start";
    if (strcmp(sub, "test") == 0 || strcmp(sub, "t") == 0 || strcmp(sub, "tst") == 0)
        return "test";
    /* yarn X and pnpm X run script X when package.json has one (before their own commands, for
     * yarn 1 and pnpm alike, except builtins npm-style tools reserve: install, add ...). */
    if (strcmp(ng_basename(argv[0]), "npm") != 0 && ng_json_member(scripts, sub))
        return sub;
    return NULL;
}

/* One node-starting command's counts and heap, as the walk finds them. */
struct found {
    int processes, launchers;
    const char *why;
};

/* Dev tools that start node: how many node processes each really runs (measured with ps, node 20:
 * docs/scripts.md). A watcher parent stays small while the app child grows. */
static bool tool_counts(const char *const *words, size_t n, struct found *f)
{
    const char *base = ng_basename(words[0]);
    bool watch = false;
    for (size_t i = 1; i < n; i++)
        watch = watch || strcmp(words[i], "watch") == 0 || strcmp(words[i], "--watch") == 0 ||
                strncmp(words[i], "--watch-path", 12) == 0;
    if (strcmp(base, "node") == 0 || strcmp(base, "nodejs") == 0)
        *f = watch ? (struct found){1, 1, "node --watch: a watcher parent and the app"}
                   : (struct found){1, 0, "node"};
    else if (strcmp(base, "tsx") == 0) /* tsx's cli spawns node with its loaders, watch or not */
        *f = (struct found){1, 1, "tsx: its cli parent and the app's node"};
    else if (strcmp(base, "nodemon") == 0)
        *f = (struct found){1, 1, "nodemon: a watcher parent and the app's node"};
    else if (strcmp(base, "next") == 0) /* next dev and start fork the server from the cli */
        *f = (struct found){1, 1, "next: its cli parent and the server"};
    else if (strcmp(base, "ts-node") == 0 || strcmp(base, "vite") == 0)
        *f = (struct found){1, 0, base[0] == 'v' ? "vite: one node process" : "ts-node: one node process"};
    else
        return false;
    return true;
}

struct walk {
    yajl_val scripts;
    ng_pkg_run *run;
    int64_t best_heap;   /* the largest heap a node command of the script gets; -1 none yet */
    const char *current; /* the script being walked */
    bool found_node;
    int visits, commands; /* spent of NG_PKG_MAX_VISITS, NG_PKG_MAX_COMMANDS */
    bool exhausted;       /* the budget ran out: nothing more is walked */
    bool npm_options;     /* npm_config_node_options is set (the env's, or a script's) */
};

static void problem(ng_pkg_run *r, const char *fmt, ...)
{
    if (r->problem[0])
        return; /* the first one says it */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem, sizeof(r->problem), fmt, ap);
    va_end(ap);
}

/* Spends one of the budget (*spent against max); false, with the run's problem set, once it is out. */
static bool spend(struct walk *w, int *spent, int max)
{
    if (!w->exhausted && ++*spent > max) {
        w->exhausted = true;
        problem(w->run, "package.json scripts too many nested runs: not read");
    }
    return !w->exhausted;
}

/* The heap a node command gets, and the flag's text: the command line's wins over NODE_OPTIONS. */
static int64_t command_heap(const char *const *node_argv, size_t n, bool is_node, const char *options,
                            ng_heap_flags *argv_flags, ng_heap_flags *env_flags, char *flag, size_t flag_size,
                            ng_pkg_run *r)
{
    ng_heap_flags_init(argv_flags);
    ng_heap_flags_init(env_flags);
    flag[0] = '\0';
    cleanup_error ng_error *e = NULL;
    if (options) {
        ng_tokens t = {0};
        if (ng_nodeopts_tokenize(options, &t, &e) < 0 || ng_nodeopts_scan(&t, env_flags, &e) < 0) {
            ng_heap_flags_init(env_flags);
            problem(r, "its NODE_OPTIONS is not read: %s", ng_error_msg(e));
        } else if (env_flags->last_heap_kind != NG_FLAG_NONE) {
            snprintf(flag, flag_size, "%s", t.items[env_flags->last_heap_index].value);
        }
        ng_tokens_free(&t);
    }
    if (is_node && ng_node_argv_scan(node_argv, n, 1, argv_flags, &e) < 0) {
        ng_heap_flags_init(argv_flags);
        problem(r, "its node command line is not read: %s", ng_error_msg(e));
    }
    if (argv_flags->last_heap_kind != NG_FLAG_NONE) {
        snprintf(flag, flag_size, "%s", node_argv[argv_flags->last_heap_index]);
        return argv_flags->last_heap_kind == NG_FLAG_OLD_SPACE ? argv_flags->old_space_mib : INT64_MAX;
    }
    if (env_flags->last_heap_kind == NG_FLAG_OLD_SPACE)
        return env_flags->old_space_mib;
    return env_flags->last_heap_kind == NG_FLAG_NONE ? -1 : INT64_MAX; /* a percentage: unknown here */
}

/* The NODE_OPTIONS a command gets from the script (NULL: the container's), and which script set it. */
struct opts {
    const char *value;
    const char *script;
};

static void walk_run(struct walk *w, const char *name, struct opts options, int depth, struct found *ret);

/* The counts of whichever command runs more node processes (then more launchers). */
static void keep_larger(struct found *into, const struct found *f)
{
    if (f->processes > into->processes || (f->processes == into->processes && f->launchers > into->launchers))
        *into = *f;
}

/* `NAME=V... env|cross-env NAME=V... COMMAND`: the NODE_OPTIONS COMMAND gets (*options), and the
 * index of COMMAND; SIZE_MAX for what is not read (env's options change the environment). */
static size_t command_start(const ng_shell_command *c, struct opts *options, const char *script,
                            ng_pkg_run *r)
{
    size_t w = 0;
    for (; w < c->n_assignments; w++)
        if (strncmp(c->words[w].value, "NODE_OPTIONS=", 13) == 0)
            *options = (struct opts){c->words[w].value + 13, script};
    while (w < c->n_words && strcmp(c->words[w].value, "exec") == 0)
        w++;
    if (w < c->n_words &&
        (strcmp(c->words[w].value, "env") == 0 || strcmp(c->words[w].value, "cross-env") == 0)) {
        for (w++; w < c->n_words && strchr(c->words[w].value, '=') && c->words[w].value[0] != '-'; w++)
            if (strncmp(c->words[w].value, "NODE_OPTIONS=", 13) == 0)
                *options = (struct opts){c->words[w].value + 13, script};
        if (w < c->n_words && c->words[w].value[0] == '-') {
            problem(r, "env with options is not read");
            return SIZE_MAX;
        }
    }
    return w;
}

/* One simple command of a script: what it starts (into ret), following a nested runner. */
static void walk_command(struct walk *w, const ng_shell_command *c, struct opts options, int depth,
                         struct found *ret)
{
    ng_pkg_run *r = w->run;
    size_t at = command_start(c, &options, w->current, r);
    *ret = (struct found){0};
    if (at >= c->n_words)
        return;
    size_t n = c->n_words - at;
    cleanup_free const char **words = calloc(n + 1, sizeof(*words));
    if (!words)
        abort();
    for (size_t i = 0; i < n; i++)
        words[i] = c->words[at + i].value;
    if (is_runner(words[0])) {
        bool npm_options = w->npm_options;
        for (size_t i = 0; i < at; i++)
            npm_options = npm_options || sets_npm_options(c->words[i].value);
        if (npm_options && reads_npm_options(words[0])) {
            problem(r, "npm_config_node_options sets NODE_OPTIONS for %s's scripts: not read",
                    ng_basename(words[0]));
            return;
        }
        const char *nested = script_name(words, n, w->scripts, r);
        if (!nested)
            return; /* npm install, npm exec ...: no script of this file */
        if (depth >= NG_PKG_MAX_NESTED) {
            problem(r, "scripts nest deeper than %d runs", NG_PKG_MAX_NESTED);
            return;
        }
        walk_run(w, nested, options, depth + 1, ret);
        ret->launchers++; /* the nested runner stays as an idle parent */
        return;
    }
    if (!tool_counts(words, n, ret)) {
        for (size_t i = 0; i < n; i++)
            if (strstr(words[i], "NODE_OPTIONS"))
                problem(r, "%s names NODE_OPTIONS, which is not read", words[0]);
        return;
    }
    ng_heap_flags argv_flags, env_flags;
    char flag[96];
    bool is_node = strcmp(ng_basename(words[0]), "node") == 0 || strcmp(ng_basename(words[0]), "nodejs") == 0;
    int64_t heap =
        command_heap(words, n, is_node, options.value, &argv_flags, &env_flags, flag, sizeof(flag), r);
    /* The node command with the largest heap is the one that can outgrow the limit: judged; of
     * equal ones, one whose NODE_OPTIONS the script sets, which nodeguard's cannot reach. */
    bool replaces = options.value && !r->node_options;
    if (!w->found_node || heap > w->best_heap || (heap == w->best_heap && replaces)) {
        w->found_node = true;
        w->best_heap = heap;
        free(r->node_options);
        r->node_options = options.value ? strdup(options.value) : NULL;
        if (options.value && !r->node_options)
            abort();
        r->argv_flags = argv_flags;
        r->env_flags = env_flags;
        snprintf(r->heap_flag, sizeof(r->heap_flag), "%s", flag);
        /* the flag is where the script wrote it: on node's command line, or in a NODE_OPTIONS=... */
        bool on_command_line = argv_flags.last_heap_kind != NG_FLAG_NONE;
        snprintf(r->flag_script, sizeof(r->flag_script), "%s",
                 on_command_line || !options.script ? w->current : options.script);
    }
}

/* `set` with only options that leave variables alone (-e, -u, -x ...). */
static bool harmless_set(const ng_shell_command *c)
{
    for (size_t k = c->n_assignments + 1; k < c->n_words; k++) {
        const char *o = c->words[k].value;
        if ((o[0] != '-' && o[0] != '+') || !o[1] || strspn(o + 1, "eufvxC") != strlen(o + 1))
            return false;
    }
    return true;
}

/* A command that changes the script's own shell variables rather than starting something: 1 when
 * it was read (*options is what the commands after it get), 0 for any other command, -1 (with the
 * run's problem) when it may change NODE_OPTIONS in a way nodeguard does not read. */
/* Whether command c of text runs in the script's own shell, whatever came before: it starts the
 * script or follows `;` or a newline, and `;`, a newline or the end follow it; not after `&&` or
 * `||` (a condition), nor in a pipeline or the background (a subshell), nor with a redirection. */
static bool plain_statement(const char *text, const ng_shell_command *c)
{
    size_t i = c->words[0].start, e = c->words[c->n_words - 1].end;
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t'))
        i--;
    if (i > 0 && ((text[i - 1] != ';' && text[i - 1] != '\n') || (i > 1 && text[i - 2] == ';')))
        return false;
    while (text[e] == ' ' || text[e] == '\t')
        e++;
    return text[e] == '\0' || text[e] == '\n' || (text[e] == ';' && text[e + 1] != ';');
}

/* `NODE_OPTIONS=...` set for the rest of the script by c: only when it surely runs in the
 * script's own shell (see plain_statement); -1 with the run's problem otherwise. */
static int set_options(struct walk *w, const char *text, const ng_shell_command *c, const char *value,
                       struct opts *options, const char *name)
{
    if (!plain_statement(text, c)) {
        problem(w->run, "scripts.%.64s sets NODE_OPTIONS in a condition, pipeline or background: not read",
                name);
        return -1;
    }
    *options = (struct opts){value, name};
    return 1;
}

static int shell_state(struct walk *w, const char *text, const ng_shell_command *c, struct opts *options,
                       const char *name)
{
    ng_pkg_run *r = w->run;
    static const char *const special[] = {":",     ".",      "break",    "continue", "eval",
                                          "exit",  "export", "readonly", "return",   "set",
                                          "shift", "times",  "trap",     "unset"};
    size_t a = c->n_assignments;
    const char *set_to = NULL;
    for (size_t k = 0; k < a; k++)
        if (strncmp(c->words[k].value, "NODE_OPTIONS=", 13) == 0)
            set_to = c->words[k].value + 13; /* lives as long as the script's words */
    if (a == c->n_words) {
        for (size_t k = 0; k < a; k++) /* for the rest of the walk: more than sh's, never less */
            w->npm_options = w->npm_options || sets_npm_options(c->words[k].value);
        /* `NODE_OPTIONS=...;` alone: sh sets it for the rest of the script, and the container's
         * env has it, so it stays exported (a `set -a` is not needed) */
        return set_to ? set_options(w, text, c, set_to, options, name) : 1;
    }
    const char *cmd = c->words[a].value;
    if ((strcmp(cmd, "command") == 0 || strcmp(cmd, "builtin") == 0) && a + 1 < c->n_words) {
        /* `command . FILE`, `builtin export ...`: the builtin in the script's own shell */
        problem(r, "scripts.%.64s runs `%s %.32s`: not read", name, cmd, c->words[a + 1].value);
        return -1;
    }
    if (strcmp(cmd, ".") == 0 || strcmp(cmd, "source") == 0 || strcmp(cmd, "eval") == 0) {
        problem(r, "scripts.%.64s runs `%s`, which may set NODE_OPTIONS: not read", name, cmd);
        return -1;
    }
    if (set_to && is_any(cmd, special, sizeof(special) / sizeof(special[0]))) {
        /* POSIX sh keeps an assignment before a special builtin for the rest of the script;
         * bash does not: which shell runs it is not known */
        problem(r, "scripts.%.64s sets NODE_OPTIONS before `%s`: not read", name, cmd);
        return -1;
    }
    if (strcmp(cmd, "set") == 0 && !harmless_set(c)) {
        problem(r, "scripts.%.64s runs `set` with options that may change NODE_OPTIONS: not read", name);
        return -1;
    }
    if (strcmp(cmd, "export") != 0)
        return 0;
    /* `export NODE_OPTIONS=...;` sets it for the commands after it; `export NODE_OPTIONS` keeps it */
    for (size_t k = a + 1; k < c->n_words; k++) {
        const char *word = c->words[k].value;
        if (word[0] == '-') {
            problem(r, "scripts.%.64s runs export with options: not read", name);
            return -1;
        }
        if (strncmp(word, "NODE_OPTIONS=", 13) == 0 && set_options(w, text, c, word + 13, options, name) < 0)
            return -1;
        w->npm_options = w->npm_options || sets_npm_options(word);
    }
    return 1;
}

/* Runs of one script: the largest count of any one command (scripts run their commands in turn:
 * `build && serve`), as the shell parser gives no separators to tell `&` apart. */
static void walk_script(struct walk *w, const char *name, struct opts options, int depth, struct found *ret)
{
    ng_pkg_run *r = w->run;
    const char *text = NULL;
    cleanup_error ng_error *e = NULL;
    *ret = (struct found){0};
    if (!spend(w, &w->visits, NG_PKG_MAX_VISITS))
        return;
    int got = ng_json_get_string(w->scripts, name, &text, &e);
    if (got <= 0) {
        problem(r, got < 0 ? "%s" : "it has no script %.64s", got < 0 ? ng_error_msg(e) : name);
        return;
    }
    ng_shell_script sc = {0};
    const char *outer = w->current;
    w->current = name;
    if (ng_shell_parse(text, &sc, &e) < 0) {
        w->current = outer;
        problem(r, "scripts.%.64s is not read: %s", name, ng_error_msg(e));
        return;
    }
    for (size_t i = 0; i < sc.n_commands && spend(w, &w->commands, NG_PKG_MAX_COMMANDS); i++) {
        const ng_shell_command *c = &sc.commands[i];
        int state = shell_state(w, text, c, &options, name);
        if (state < 0)
            break;
        if (state > 0)
            continue;
        struct found f;
        walk_command(w, c, options, depth, &f);
        keep_larger(ret, &f);
    }
    /* The kept NODE_OPTIONS was copied; the script's words go with sc. */
    ng_shell_script_free(&sc);
    w->current = outer;
}

/* A runner's run of name: prename, name and postname in turn, as npm 11, yarn 1.22 and pnpm 12 all
 * run them (checked). Their node commands are judged with the script's own. */
static void walk_run(struct walk *w, const char *name, struct opts options, int depth, struct found *ret)
{
    *ret = (struct found){0};
    if (strlen(name) >= sizeof(w->run->script)) {
        /* the record and the fix could not name it whole */
        problem(w->run, "a script name is longer than %zu bytes: not read", sizeof(w->run->script) - 1);
        return;
    }
    walk_script(w, name, options, depth, ret);
    for (int i = 0; i < 2; i++) {
        cleanup_free char *hook = NULL;
        if (asprintf(&hook, "%s%s", i ? "post" : "pre", name) < 0)
            abort();
        if (!ng_json_member(w->scripts, hook))
            continue;
        struct found f;
        walk_script(w, hook, options, depth, &f);
        keep_larger(ret, &f);
    }
}

/* The file's scripts object; NULL with r->problem set when it cannot be read. */
static yajl_val read_scripts(const ng_package_json *pj, yajl_val *root, ng_pkg_run *r)
{
    cleanup_error ng_error *e = NULL;
    yajl_val scripts = NULL;
    if (ng_json_parse(pj->text, pj->len, NG_PKG_JSON_DEPTH, root, &e) < 0 ||
        ng_json_get_object(*root, "scripts", &scripts, &e) < 0) {
        problem(r, "%s is not read: %s", pj->path, ng_error_msg(e));
        return NULL;
    }
    return scripts;
}

int ng_pkg_resolve(const char *const *argv, size_t argc, const ng_package_json *pj, ng_pkg_run *ret)
{
    return ng_pkg_resolve_env(argv, argc, pj, NULL, ret);
}

int ng_pkg_resolve_env(const char *const *argv, size_t argc, const ng_package_json *pj,
                       const char *npm_node_options, ng_pkg_run *ret)
{
    ng_pkg_run r = {0};
    ng_heap_flags_init(&r.env_flags);
    ng_heap_flags_init(&r.argv_flags);
    cleanup_yajl_val yajl_val root = NULL;
    if (argc == 0 || !is_runner(argv[0]) || !pj) {
        *ret = r;
        return 0;
    }
    if (pj->problem[0] || !pj->text) {
        snprintf(r.problem, sizeof(r.problem), "%s", pj->problem);
        *ret = r;
        return 0;
    }
    yajl_val scripts = read_scripts(pj, &root, &r);
    const char *name = r.problem[0] ? NULL : script_name(argv, argc, scripts, &r);
    if (!name) {
        *ret = r;
        return 0;
    }
    snprintf(r.file, sizeof(r.file), "%s", pj->path);
    snprintf(r.script, sizeof(r.script), "%s", name);
    struct walk w = {.scripts = scripts,
                     .run = &r,
                     .best_heap = -1,
                     .current = name,
                     .npm_options = npm_node_options != NULL};
    if (w.npm_options && reads_npm_options(argv[0]))
        problem(&r,
                "npm_config_node_options in the container's env sets NODE_OPTIONS for %s's scripts: not read",
                ng_basename(argv[0]));
    struct found f = {0};
    const char *text = NULL;
    if (strcmp(name, "start") == 0 && !ng_json_member(scripts, "start") && pj->has_server_js) {
        /* The default start script of npm, yarn 1 and pnpm alike (checked with each). */
        snprintf(r.command, sizeof(r.command), "node server.js");
        f = (struct found){1, 0, "node"};
        w.found_node = true;
    } else if (ng_json_get_string(scripts, name, &text, NULL) == 1) {
        snprintf(r.command, sizeof(r.command), "%s", text);
        walk_run(&w, name, (struct opts){0}, 0, &f);
    } else {
        snprintf(r.problem, sizeof(r.problem), "%s has no string scripts.%.64s", pj->path, name);
        *ret = r;
        return 0;
    }
    r.resolved = w.found_node && !r.problem[0];
    if (!r.flag_script[0])
        snprintf(r.flag_script, sizeof(r.flag_script), "%s", name); /* the default start */
    if (asprintf(&r.origin, "package.json scripts.%.60s", r.flag_script) < 0)
        abort();
    r.processes = f.processes ? f.processes : 1;
    r.launchers = f.launchers + 1; /* the runner stays as the script's idle parent */
    snprintf(r.processes_reason, sizeof(r.processes_reason), "%s runs scripts.%.24s: %.40s",
             ng_basename(argv[0]), name, f.why ? f.why : "no node command found");
    *ret = r;
    return r.resolved ? 1 : 0;
}
