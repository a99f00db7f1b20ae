/* `sh -c` scripts split into simple commands and words (include/nodeguard/shellcmd.h). Only what
 * needs no shell state is read: quotes, backslashes, assignments, redirections, ; && || | & and
 * newlines. $, `, globs, a leading ~, ( ) and the reserved words of compound commands are refused:
 * their words are only known when the shell runs them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "nodeguard/shellcmd.h"

struct buf {
    char *s;
    size_t len, cap;
};

static void buf_putc(struct buf *b, char c)
{
    if (b->len + 2 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->s = realloc(b->s, b->cap);
        if (!b->s)
            abort();
    }
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
}

struct parser {
    const char *s;
    size_t i, len, words;
    ng_shell_script out;
    ng_shell_command cur;
    size_t cap_commands, cap_words;
};

static void free_command(ng_shell_command *c)
{
    for (size_t i = 0; i < c->n_words; i++)
        free(c->words[i].value);
    free(c->words);
    *c = (ng_shell_command){0};
}

void ng_shell_script_free(ng_shell_script *s)
{
    for (size_t i = 0; i < s->n_commands; i++)
        free_command(&s->commands[i]);
    free(s->commands);
    *s = (ng_shell_script){0};
}

/* An assignment is NAME=... with NAME unquoted: the raw bytes decide, not the value. */
static bool is_assignment(const char *raw, size_t len)
{
    size_t n = 0;
    while (n < len && (raw[n] == '_' || (raw[n] >= 'A' && raw[n] <= 'Z') ||
                       (raw[n] >= 'a' && raw[n] <= 'z') || (n > 0 && raw[n] >= '0' && raw[n] <= '9')))
        n++;
    return n > 0 && n < len && raw[n] == '=';
}

static bool is_reserved(const char *w)
{
    static const char *const reserved[] = {"if",   "then", "else",  "elif",  "fi",  "do",       "done",
                                           "case", "esac", "while", "until", "for", "function", "select",
                                           "{",    "}",    "!",     "[[",    "]]",  "time",     "coproc"};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (strcmp(w, reserved[i]) == 0)
            return true;
    return false;
}

static int push_word(struct parser *p, size_t start, char *value, ng_error **err)
{
    if (++p->words > NG_SHELL_MAX_WORDS) {
        free(value);
        return ng_error_set(err, E2BIG, "more than %d words", NG_SHELL_MAX_WORDS);
    }
    if (!value) /* read_word returns a word or an error; the analyzer cannot see that */
        abort();
    ng_shell_command *c = &p->cur;
    int r;
    bool first = c->n_words == c->n_assignments;
    bool raw = strcspn(p->s + start, "'\"\\") >= p->i - start; /* no quoting in it */
    if (first && is_assignment(p->s + start, p->i - start)) {
        c->n_assignments++;
    } else if (first && raw && is_reserved(value)) {
        r = ng_error_set(err, EINVAL, "a compound command (%s)", value);
        free(value);
        return r;
    }
    if (c->n_words == p->cap_words) {
        p->cap_words = p->cap_words ? p->cap_words * 2 : 8;
        c->words = realloc(c->words, p->cap_words * sizeof(*c->words));
        if (!c->words)
            abort();
    }
    c->words[c->n_words++] = (ng_shell_word){.start = start, .end = p->i, .value = value};
    return 0;
}

static void end_command(struct parser *p)
{
    if (p->cur.n_words == 0)
        return;
    if (p->out.n_commands == p->cap_commands) {
        p->cap_commands = p->cap_commands ? p->cap_commands * 2 : 4;
        p->out.commands = realloc(p->out.commands, p->cap_commands * sizeof(*p->out.commands));
        if (!p->out.commands)
            abort();
    }
    p->out.commands[p->out.n_commands++] = p->cur;
    p->cur = (ng_shell_command){0};
    p->cap_words = 0;
}

/* One word from p->i: quote removal as the shell does it; stops at a blank or an operator. */
static int read_word(struct parser *p, char **ret, ng_error **err)
{
    struct buf b = {0};
    size_t start = p->i;
    buf_putc(&b, '\0');
    b.len = 0;
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (strchr(" \t\n;&|()<>", c))
            break;
        if (c == '\\' && p->i + 1 == p->len) { /* a trailing backslash is itself */
            buf_putc(&b, '\\');
            p->i++;
            continue;
        }
        if (c == '\\') {
            if (p->s[p->i + 1] != '\n')
                buf_putc(&b, p->s[p->i + 1]);
            p->i += 2;
            continue;
        }
        if (c == '\'') {
            const char *close = memchr(p->s + p->i + 1, '\'', p->len - p->i - 1);
            if (!close)
                goto refuse_quote;
            for (const char *q = p->s + p->i + 1; q < close; q++)
                buf_putc(&b, *q);
            p->i = (size_t)(close - p->s) + 1;
            continue;
        }
        if (c == '"') {
            for (p->i++;; p->i++) {
                if (p->i >= p->len)
                    goto refuse_quote;
                char q = p->s[p->i];
                if (q == '"')
                    break;
                if (q == '$' || q == '`')
                    goto refuse_expansion;
                if (q == '\\' && p->i + 1 < p->len && strchr("$`\"\\\n", p->s[p->i + 1])) {
                    if (p->s[++p->i] != '\n')
                        buf_putc(&b, p->s[p->i]);
                    continue;
                }
                buf_putc(&b, q);
            }
            p->i++;
            continue;
        }
        if (c == '$' || c == '`')
            goto refuse_expansion;
        if (strchr("*?[", c) || (c == '~' && p->i == start)) {
            free(b.s);
            return ng_error_set(err, EINVAL, "a pattern or ~ the shell expands (%c)", c);
        }
        buf_putc(&b, c);
        p->i++;
    }
    *ret = b.s;
    return 0;
refuse_quote:
    free(b.s);
    return ng_error_set(err, EINVAL, "an unterminated quote");
refuse_expansion:
    free(b.s);
    return ng_error_set(err, EINVAL, "an expansion ($ or `)");
}

/* A redirection at p->i (its fd digits, if any, already read): the operator and its target word,
 * which are not arguments of the command. */
static int read_redirection(struct parser *p, ng_error **err)
{
    if (p->i + 1 < p->len && p->s[p->i] == '<' && p->s[p->i + 1] == '<')
        return ng_error_set(err, EINVAL, "a here-document");
    p->i++;
    if (p->i < p->len && strchr("<>&|", p->s[p->i]))
        p->i++;
    while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
        p->i++;
    size_t start = p->i;
    char *target = NULL;
    int r = read_word(p, &target, err);
    free(target);
    if (r < 0)
        return r;
    if (p->i == start)
        return ng_error_set(err, EINVAL, "a redirection without a target");
    return 0;
}

int ng_shell_parse(const char *script, ng_shell_script *ret, ng_error **err)
{
    struct parser p = {.s = script, .len = strlen(script)};
    int r = 0;
    if (p.len > NG_SHELL_MAX_LEN)
        return ng_error_set(err, E2BIG, "the script is %zu bytes, more than %d", p.len, NG_SHELL_MAX_LEN);
    while (p.i < p.len) {
        char c = script[p.i];
        if (c == ' ' || c == '\t') {
            p.i++;
        } else if (c == '\\' && p.i + 1 < p.len && script[p.i + 1] == '\n') {
            p.i += 2;
        } else if (c == '#') {
            while (p.i < p.len && script[p.i] != '\n')
                p.i++;
        } else if (strchr(";&|\n", c)) {
            bool empty = p.cur.n_words == 0;
            size_t op = p.i++;
            if (p.i < p.len && (c == '&' || c == '|' || c == ';') && script[p.i] == c)
                p.i++;
            if (c == ';' && p.i - op == 2) {
                r = ng_error_set(err, EINVAL, "a case statement (;;)");
                goto fail;
            }
            if (empty && c != '\n' && c != ';') {
                r = ng_error_set(err, EINVAL, "%c with no command before it", c);
                goto fail;
            }
            end_command(&p);
        } else if (c == '(' || c == ')') {
            r = ng_error_set(err, EINVAL, "a subshell ( )");
            goto fail;
        } else if (c == '<' || c == '>') {
            if ((r = read_redirection(&p, err)) < 0)
                goto fail;
        } else {
            size_t start = p.i;
            char *value = NULL;
            if ((r = read_word(&p, &value, err)) < 0)
                goto fail;
            if (p.i < p.len && (script[p.i] == '<' || script[p.i] == '>') &&
                strspn(script + start, "0123456789") == p.i - start) {
                free(value); /* 2>&1: the digits are the redirection's fd, not a word */
                if ((r = read_redirection(&p, err)) < 0)
                    goto fail;
                continue;
            }
            if ((r = push_word(&p, start, value, err)) < 0)
                goto fail;
        }
    }
    end_command(&p);
    *ret = p.out;
    return 0;
fail:
    free_command(&p.cur);
    ng_shell_script_free(&p.out);
    return r;
}

char *ng_shell_quote(const char *s)
{
    struct buf b = {0};
    buf_putc(&b, '\'');
    for (; *s; s++) {
        if (*s == '\'') {
            buf_putc(&b, '\'');
            buf_putc(&b, '\\');
            buf_putc(&b, '\'');
        }
        buf_putc(&b, *s);
    }
    buf_putc(&b, '\'');
    return b.s;
}
