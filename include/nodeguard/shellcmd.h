/* A `sh -c` script read as a POSIX shell would split it, as far as that can be done without running
 * it: a list of simple commands and their words. Anything whose words depend on the shell's state
 * (expansions, globs, compound commands, subshells, here-documents) is refused, not guessed. */
#ifndef NODEGUARD_SHELLCMD_H
#define NODEGUARD_SHELLCMD_H

#include <stdbool.h>
#include <stddef.h>
#include "nodeguard/error.h"

#define NG_SHELL_MAX_LEN   (64 * 1024)
#define NG_SHELL_MAX_WORDS 4096

typedef struct ng_shell_word {
    size_t start, end; /* the bytes of the script it came from, quotes included */
    char *value;       /* after quote removal */
} ng_shell_word;

typedef struct ng_shell_command {
    ng_shell_word *words; /* the leading NAME=VALUE assignments, then the command and its arguments */
    size_t n_words;
    size_t n_assignments;
} ng_shell_command;

typedef struct ng_shell_script {
    ng_shell_command *commands; /* in order; ;, &&, ||, |, & and newlines separate them */
    size_t n_commands;
} ng_shell_script;

/* Returns 0, or -EINVAL with the reason when the script cannot be read safely (and -E2BIG when it
 * is over the bounds above). Redirections are read and left out of the words. */
int ng_shell_parse(const char *script, ng_shell_script *ret, ng_error **err);
void ng_shell_script_free(ng_shell_script *s);

/* s in single quotes, as a shell word that gives s back. */
char *ng_shell_quote(const char *s);

#endif
