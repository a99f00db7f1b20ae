/* Is this a Node container, and how many node processes will share its memory? */
#ifndef NODEGUARD_DETECT_H
#define NODEGUARD_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include "nodeguard/spec.h"

typedef struct ng_detection {
    bool is_node;
    char reason[192];       /* why it matched (or why not), for the log */
    bool has_node_argv;     /* args[] is node's own command line ... */
    size_t node_opts_start; /* ... with its options starting at this index */
    size_t command_index;   /* args[] index of the command (node, npm, sh ...) after any launcher */
    /* `env [OPTION]... [NAME=VALUE]... node ...`: what env does to the environment node gets. */
    bool env_launcher;
    bool env_clears;          /* -i / -: node sees env's assignments only */
    bool env_unsets_options;  /* -u NODE_OPTIONS */
    size_t env_options_index; /* args[] index of the NODE_OPTIONS=... assignment node gets; 0 none */
    /* `sh -c SCRIPT` whose node command could be read (nodeguard/shellcmd.h): */
    bool script_read;
    size_t script_index;   /* args[] index of SCRIPT */
    size_t script_command; /* which of its simple commands starts node ... */
    size_t script_word;    /* ... and which word of it names the command (after exec) */
    bool script_node_argv; /* that word is node itself, so the words after it are node's options */
    /* Node runs, but its command line or environment could not be read safely (env -S, a shell
     * script that is not a simple command): heap flags there are unknown, not guessed. */
    char unknown[128];
    int processes; /* node processes that each may grow to the heap cap */
    int launchers; /* idle node parents (npm, yarn, pnpm, npx): base overhead only */
    char processes_reason[96];
} ng_detection;

/* enable_override: -1 none, 0 or 1 from the io.nodeguard.enable annotation. */
void ng_detect(const ng_spec *spec, int enable_override, ng_detection *ret);

#endif
