#include <stdio.h>
#include <string.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/detect.h"
#include "nodeguard/shellcmd.h"
#include "nodeguard/util.h"

enum command_kind { CMD_OTHER, CMD_NODE, CMD_LAUNCHER, CMD_RUNNER, CMD_WATCHER };

static enum command_kind classify(const char *arg)
{
    static const struct {
        const char *name;
        enum command_kind kind;
    } commands[] = {
        {"node", CMD_NODE},    {"nodejs", CMD_NODE},    {"npm", CMD_LAUNCHER},
        {"npx", CMD_LAUNCHER}, {"yarn", CMD_LAUNCHER},  {"pnpm", CMD_LAUNCHER},
        {"tsx", CMD_RUNNER},   {"ts-node", CMD_RUNNER}, {"nodemon", CMD_WATCHER},
    };
    const char *base = ng_basename(arg);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(base, commands[i].name) == 0)
            return commands[i].kind;
    return CMD_OTHER;
}

static bool has_arg(const ng_spec *spec, size_t from, const char *a, const char *prefix)
{
    for (size_t i = from; i < spec->n_args; i++)
        if (strcmp(spec->args[i], a) == 0 || (prefix && strncmp(spec->args[i], prefix, strlen(prefix)) == 0))
            return true;
    return false;
}

/* The official node images start docker-entrypoint.sh, which runs its arguments, or node with them
 * when the first one is an option (docker-library/node's entrypoint). */
static size_t command_index(const ng_spec *spec, bool *ret_entrypoint_options)
{
    *ret_entrypoint_options = false;
    if (spec->n_args >= 2 && strcmp(ng_basename(spec->args[0]), "docker-entrypoint.sh") == 0) {
        if (spec->args[1][0] == '-')
            *ret_entrypoint_options = true;
        return 1;
    }
    return 0;
}

/* GNU env's long options (coreutils 9: getopt_long, so any unambiguous prefix works) and whether
 * they take an argument: 1 required (as =V or the next argument), 2 optional (only as =V). */
static const struct {
    const char *name;
    int arg;
    char same_as;
} env_long[] = {
    {"ignore-environment", 0, 'i'},
    {"null", 0, '0'},
    {"unset", 1, 'u'},
    {"chdir", 1, 'C'},
    {"split-string", 1, 'S'},
    {"debug", 0, 'v'},
    {"block-signal", 2, 0},
    {"default-signal", 2, 0},
    {"ignore-signal", 2, 0},
    {"list-signal-handling", 0, 0},
    {"help", 0, 'h'},
    {"version", 0, 'h'},
};

/* One env option (short letter c, argument arg or NULL): what it does to node's environment.
 * Returns false for what cannot be read: -S splits a string into a new command line. */
static bool env_option(char c, const char *arg, ng_detection *d)
{
    if (c == 'i')
        d->env_clears = true;
    else if (c == 'u' && arg && strcmp(arg, "NODE_OPTIONS") == 0)
        d->env_unsets_options = true;
    else if (c == 'S' || c == 'h')
        return false;
    return true;
}

/* `env [OPTION]... [-] [NAME=VALUE]... COMMAND [ARG]...` from args[at]: returns the index of
 * COMMAND, or 0 when env's command line cannot be read (then d->unknown says why). The options
 * are GNU env's, a superset of busybox env's (-i, -u, -0, -): an option only GNU knows makes
 * busybox refuse to start, so reading it as GNU does misses nothing. Both stop at the first
 * argument that is not an option, and take every later one with '=' in it as an assignment. */
static size_t parse_env(const ng_spec *spec, size_t at, ng_detection *d)
{
    size_t i = at + 1;
    d->env_launcher = true;
    for (; i < spec->n_args; i++) {
        const char *a = spec->args[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-") == 0) {
            d->env_clears = true;
            continue;
        }
        if (a[0] != '-')
            break;
        if (a[1] == '-') {
            const char *name = a + 2;
            size_t len = strcspn(name, "="), match = SIZE_MAX, matches = 0;
            for (size_t k = 0; k < sizeof(env_long) / sizeof(env_long[0]); k++)
                if (strncmp(env_long[k].name, name, len) == 0) {
                    bool exact = strlen(env_long[k].name) == len;
                    matches = exact ? 1 : matches + 1;
                    match = k;
                    if (exact)
                        break;
                }
            if (matches != 1)
                goto unreadable;
            const char *arg = name[len] == '=' ? name + len + 1 : NULL;
            if (env_long[match].arg == 1 && !arg && ++i < spec->n_args)
                arg = spec->args[i];
            if ((env_long[match].arg == 0 && name[len] == '=') || (env_long[match].arg == 1 && !arg))
                goto unreadable;
            if (env_long[match].same_as && !env_option(env_long[match].same_as, arg, d))
                goto unreadable;
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            if (strchr("i0v", *c)) {
                env_option(*c, NULL, d);
                continue;
            }
            if (!strchr("uCS", *c))
                goto unreadable;
            const char *arg = c[1] ? c + 1 : ++i < spec->n_args ? spec->args[i] : NULL;
            if (!arg || !env_option(*c, arg, d))
                goto unreadable;
            break;
        }
    }
    for (; i < spec->n_args && strchr(spec->args[i], '='); i++)
        if (strncmp(spec->args[i], "NODE_OPTIONS=", 13) == 0)
            d->env_options_index = i;
    return i < spec->n_args ? i : 0; /* without a command, env only prints the environment */
unreadable:
    snprintf(d->unknown, sizeof(d->unknown), "env's command line (args[%zu] on) is not read", at);
    return 0;
}

static void count_processes(const ng_spec *spec, enum command_kind kind, size_t at, ng_detection *d)
{
    d->processes = 1;
    d->launchers = 0;
    snprintf(d->processes_reason, sizeof(d->processes_reason), "one node process");
    if (kind == CMD_WATCHER || (kind == CMD_RUNNER && has_arg(spec, at + 1, "watch", NULL)) ||
        (kind == CMD_NODE && has_arg(spec, at + 1, "--watch", "--watch-path"))) {
        /* The watcher parent restarts the app in a child after each change: one process grows, the
         * parent stays small (measured in the OOM matrix: docs/oom-matrix.md), so it costs what an
         * idle launcher costs. */
        d->launchers = 1;
        snprintf(d->processes_reason, sizeof(d->processes_reason),
                 "%s in watch mode: an idle watcher parent and one app process", ng_basename(spec->args[at]));
    } else if (kind == CMD_RUNNER && strcmp(ng_basename(spec->args[at]), "tsx") == 0) {
        /* tsx's cli spawns node with its loaders and waits, watch or not (measured with ps, tsx 4.23:
         * docs/scripts.md): an idle parent like a watcher's. */
        d->launchers = 1;
        snprintf(d->processes_reason, sizeof(d->processes_reason),
                 "tsx: an idle cli parent and one app process");
    } else if (kind == CMD_LAUNCHER) {
        d->launchers = 1;
        snprintf(d->processes_reason, sizeof(d->processes_reason),
                 "%s stays as an idle node parent of the app's node process", ng_basename(spec->args[at]));
    }
}

static bool is_shell(const char *arg)
{
    static const char *const shells[] = {"sh", "bash", "ash", "dash", "zsh"};
    const char *base = ng_basename(arg);
    for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
        if (strcmp(base, shells[i]) == 0)
            return true;
    return false;
}

static bool script_counts(const char *shell, int nodes, int launchers, ng_detection *d)
{
    if (!nodes && !launchers)
        return false;
    d->processes = nodes ? nodes : 1;
    d->launchers = nodes ? launchers : 0;
    snprintf(d->reason, sizeof(d->reason), "%s -c script runs node", ng_basename(shell));
    snprintf(d->processes_reason, sizeof(d->processes_reason), "the shell script starts %d node process%s%s",
             d->processes, d->processes == 1 ? "" : "es", d->launchers ? " and a launcher" : "");
    return true;
}

/* Words after which the next word is still a command: exec, nohup and the reserved words that
 * open a compound command's body (`if true; then node a.js; fi`). */
static bool keeps_command_position(const char *word)
{
    static const char *const words[] = {"exec",  "nohup", "if", "then", "else", "elif",
                                        "while", "until", "do", "!",    "{",    "time"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(word, words[i]) == 0)
            return true;
    return false;
}

/* `sh -c SCRIPT` that ng_shell_parse cannot read: counts the node commands the script names (words between
 * shell separators; a word is a command when it follows a separator, `exec` or the start). Only the
 * environment can carry a heap flag into such a container: its node command lines are inside the script. */
static bool scan_shell_script(const char *shell, const char *script, ng_detection *d)
{
    int nodes = 0, launchers = 0;
    bool command_position = true;
    const char *p = script;
    for (size_t guard = 0; *p && guard < 65536; guard++) {
        if (strchr(";&|()\n`", *p)) {
            command_position = true;
            p++;
            continue;
        }
        if (*p == ' ' || *p == '\t') {
            p++;
            continue;
        }
        size_t len = strcspn(p, " \t;&|()\n`");
        char word[256];
        snprintf(word, sizeof(word), "%.*s", (int)(len < sizeof(word) ? len : sizeof(word) - 1), p);
        p += len;
        if (!command_position)
            continue;
        if (keeps_command_position(word) || strchr(word, '=') != NULL)
            continue; /* still a command position after these, and after VAR=value prefixes */
        enum command_kind kind = classify(word);
        nodes += kind == CMD_NODE || kind == CMD_RUNNER || kind == CMD_WATCHER;
        launchers += kind == CMD_LAUNCHER;
        command_position = false;
    }
    return script_counts(shell, nodes, launchers, d);
}

/* `sh -c SCRIPT`, read as the shell splits it: counts its node commands and finds the one that
 * starts node (or npm ...), whose command line and NAME=VALUE prefix are then read like args[].
 * Whatever could change what node gets and is not read makes the script unknown rather than
 * guessed: a script the parser refuses (then counted by scan_shell_script), more than one node
 * command, NODE_OPTIONS named by another command, `.`, source, eval, env, exec with options. */
static bool read_script(const char *shell, const char *script, size_t index, ng_detection *d)
{
    cleanup_error ng_error *e = NULL;
    ng_shell_script sc = {0};
    const char *why = NULL;
    int nodes = 0, launchers = 0;
    if (ng_shell_parse(script, &sc, &e) < 0) {
        snprintf(d->unknown, sizeof(d->unknown), "the sh -c script is not read: %s", ng_error_msg(e));
        return scan_shell_script(shell, script, d);
    }
    for (size_t i = 0; i < sc.n_commands; i++) {
        const ng_shell_command *c = &sc.commands[i];
        size_t w = c->n_assignments;
        while (w < c->n_words &&
               (strcmp(c->words[w].value, "exec") == 0 || strcmp(c->words[w].value, "nohup") == 0))
            w++;
        if (w > c->n_assignments && w < c->n_words && c->words[w].value[0] == '-') {
            why = "exec with options"; /* bash's -a NAME, -c (an empty environment), -l */
            for (; w < c->n_words && c->words[w].value[0] == '-'; w++)
                w += strcmp(c->words[w].value, "-a") == 0;
        }
        enum command_kind kind = w < c->n_words ? classify(c->words[w].value) : CMD_OTHER;
        nodes += kind == CMD_NODE || kind == CMD_RUNNER || kind == CMD_WATCHER;
        launchers += kind == CMD_LAUNCHER;
        if (kind != CMD_OTHER) {
            d->script_command = i;
            d->script_word = w;
            d->script_node_argv = kind == CMD_NODE;
            continue;
        }
        for (size_t k = 0; k < c->n_words; k++)
            if (strstr(c->words[k].value, "NODE_OPTIONS"))
                why = "another command in it names NODE_OPTIONS";
        static const char *const opaque[] = {".", "source", "eval", "env"};
        for (size_t k = 0; w < c->n_words && k < sizeof(opaque) / sizeof(opaque[0]); k++)
            if (strcmp(c->words[w].value, opaque[k]) == 0)
                why = "it runs `.`, source, eval or env";
    }
    ng_shell_script_free(&sc);
    if (!why && nodes + launchers > 1)
        why = "it starts more than one node command";
    if (why)
        snprintf(d->unknown, sizeof(d->unknown), "the sh -c script is not read: %s", why);
    else if (nodes + launchers == 1) {
        d->script_read = true;
        d->script_index = index;
    }
    return script_counts(shell, nodes, launchers, d);
}

void ng_detect(const ng_spec *spec, int enable_override, ng_detection *ret)
{
    ng_detection d = {0};
    bool entrypoint_options = false;
    size_t at = spec->n_args ? command_index(spec, &entrypoint_options) : 0;
    enum command_kind kind = CMD_OTHER;
    if (!entrypoint_options && at < spec->n_args && strcmp(ng_basename(spec->args[at]), "env") == 0)
        at = parse_env(spec, at, &d);
    d.command_index = at;
    if (entrypoint_options) {
        kind = CMD_NODE;
        d.has_node_argv = true;
        d.node_opts_start = 1;
        snprintf(d.reason, sizeof(d.reason), "docker-entrypoint.sh passes options to node");
    } else if (at < spec->n_args) {
        kind = classify(spec->args[at]);
        if (kind != CMD_OTHER && d.env_launcher)
            snprintf(d.reason, sizeof(d.reason), "env runs args[%zu], %s", at, ng_basename(spec->args[at]));
        else if (kind != CMD_OTHER)
            snprintf(d.reason, sizeof(d.reason), "%s%s is %s", at ? "docker-entrypoint.sh runs " : "",
                     at ? "args[1]" : "args[0]", ng_basename(spec->args[at]));
        if (kind == CMD_NODE) {
            d.has_node_argv = true;
            d.node_opts_start = at + 1;
        }
    }
    d.is_node = kind != CMD_OTHER;
    bool from_script = false;
    if (!d.is_node && at + 2 < spec->n_args && is_shell(spec->args[at]) &&
        strcmp(spec->args[at + 1], "-c") == 0)
        from_script = d.is_node = read_script(spec->args[at], spec->args[at + 2], at + 2, &d);
    const char *node_version = ng_spec_getenv(spec, "NODE_VERSION");
    if (!d.is_node && node_version) {
        d.is_node = true;
        snprintf(d.reason, sizeof(d.reason), "env NODE_VERSION=%.64s (official node image)", node_version);
    }
    if (enable_override == 1 && !d.is_node) {
        d.is_node = true;
        snprintf(d.reason, sizeof(d.reason), "annotation io.nodeguard.enable=true");
    } else if (enable_override == 0) {
        d.is_node = false;
        snprintf(d.reason, sizeof(d.reason), "annotation io.nodeguard.enable=false");
    } else if (!d.is_node) {
        size_t named = d.env_launcher ? at : 0;
        snprintf(d.reason, sizeof(d.reason),
                 "args[%zu] %.64s is not a node command and NODE_VERSION is unset", named,
                 named < spec->n_args ? ng_basename(spec->args[named]) : "(none)");
    }
    if (!from_script)
        count_processes(spec, kind, at, &d);
    *ret = d;
}
