/* nodeguard-runtime exec (include/nodeguard/wrapper_exec.h): a process started in a running
 * container gets the decision its container got, judged on its own args and env. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/decide.h"
#include "nodeguard/diag.h"
#include "nodeguard/engines.h"
#include "nodeguard/enginestate.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/hostmem.h"
#include "nodeguard/json.h"
#include "nodeguard/spec.h"
#include "nodeguard/stagekit.h"
#include "nodeguard/util.h"
#include "nodeguard/wrapper_exec.h"

/* runc state's answer is a few hundred bytes; this bounds what a broken runtime can make us read. */
#define STATE_MAX        (64u * 1024)
#define STATE_TIMEOUT_MS 5000

/* Is arg the flag named long_name (or short_name) in any of the forms runc's and crun's parsers
 * take: "--name", "-name", "--name=V", "-name=V"? *ret_attached: V, or NULL. */
static bool flag_is(const char *arg, const char *long_name, const char *short_name, const char **ret_attached)
{
    if (arg[0] != '-')
        return false;
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    bool same = (strlen(long_name) == len && strncmp(name, long_name, len) == 0) ||
                (short_name && strlen(short_name) == len && strncmp(name, short_name, len) == 0);
    if (same)
        *ret_attached = eq ? eq + 1 : NULL;
    return same;
}

void ng_exec_parse_args(int argc, char *const *argv, int command_index, ng_exec_args *ret)
{
    ng_exec_args a = {0};
    const char *attached = NULL;
    for (int i = 1; i < command_index; i++) {
        if (flag_is(argv[i], "root", NULL, &attached))
            a.root = attached ? attached : i + 1 < command_index ? argv[i + 1] : NULL;
        if (ng_runtime_flag_takes_value(NG_FLAGS_GLOBAL, argv[i]))
            i++;
    }
    for (int i = command_index + 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            a.id = i + 1 < argc ? argv[i + 1] : NULL;
            a.operands_index = i;
            break;
        }
        if (arg[0] != '-' || !arg[1]) {
            a.id = arg; /* the container; what follows is the command run in it */
            a.operands_index = i;
            break;
        }
        const char *value = NULL;
        bool env = flag_is(arg, "env", "e", &attached);
        if (env || flag_is(arg, "cwd", NULL, &attached))
            value = attached ? attached : i + 1 < argc ? argv[i + 1] : NULL;
        if (env)
            a.env_flag = arg[1] == '-' ? "--env" : "-e"; /* runc refuses both forms in one exec */
        if (env && value) {
            const char **grown = realloc(a.env, (a.n_env + 1) * sizeof(*grown));
            if (!grown)
                abort();
            a.env = grown;
            a.env[a.n_env++] = value;
        } else if (value) {
            a.cwd = value;
        }
        if (flag_is(arg, "process", "p", &attached)) {
            a.process_attached = attached != NULL;
            a.process_index = attached ? i : i + 1 < argc ? i + 1 : 0;
            a.process = attached ? attached : a.process_index ? argv[a.process_index] : NULL;
        } else if (flag_is(arg, "preserve-fds", NULL, &attached)) {
            const char *v = attached ? attached : i + 1 < argc ? argv[i + 1] : "0";
            int64_t n = 0;
            a.preserve_fds = ng_parse_int64(v, &n) == 0 && n > 0 && n < 65536 ? (int)n : 0;
        }
        if (ng_runtime_flag_takes_value(NG_FLAGS_EXEC, arg))
            i++;
    }
    *ret = a;
}

void ng_exec_args_free(ng_exec_args *a)
{
    free(a->env);
    a->env = NULL;
    a->n_env = 0;
}

/* The container's bundle, as the runtime itself has it: `RUNTIME [--root R] state ID`. The answer
 * is read with a bound and a deadline; a runtime that says nothing useful is an error. */
static int runtime_bundle(const char *runtime, const char *root, const char *id, char **ret_bundle,
                          ng_error **err)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return ng_error_set(err, errno, "pipe: %s", strerror(errno));
    const char *argv[6];
    size_t n = 0;
    argv[n++] = runtime;
    if (root) {
        argv[n++] = "--root";
        argv[n++] = root;
    }
    argv[n++] = "state";
    argv[n++] = id;
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        /* stdin and stderr to /dev/null, stdout to the pipe (as the watcher's spawn, by number) */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0 || dup2(null, 2) < 0)
            _exit(127);
        execv(runtime, (char *const *)argv);
        _exit(127);
    }
    int fork_errno = errno;
    close(p[1]);
    cleanup_close int rfd = p[0];
    if (pid < 0)
        return ng_error_set(err, fork_errno, "fork: %s", strerror(fork_errno));
    cleanup_free char *buf = malloc(STATE_MAX + 1);
    if (!buf)
        abort();
    size_t len = 0;
    int64_t deadline = ng_monotonic_ms() + STATE_TIMEOUT_MS;
    bool timed_out = false;
    for (;;) {
        int64_t left = deadline - ng_monotonic_ms();
        struct pollfd pfd = {.fd = rfd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
            timed_out = true;
            break;
        }
        ssize_t got = ng_read_retry(rfd, buf + len, STATE_MAX - len);
        if (got <= 0 || (len += (size_t)got) == STATE_MAX)
            break;
    }
    buf[len] = '\0';
    /* A runtime that says too much, or stays after its answer, is not waited for past the deadline */
    int status = 0;
    bool reaped = false;
    while (!reaped && !timed_out && len < STATE_MAX) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno == ECHILD)) /* ECHILD: SIGCHLD ignored, reaped by the kernel */
            reaped = true;
        else if (ng_monotonic_ms() >= deadline)
            timed_out = true;
        else
            usleep(10 * 1000);
    }
    if (!reaped) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    if (timed_out)
        return ng_error_set(err, ETIMEDOUT, "%s state %s did not answer in %d ms", runtime, id,
                            STATE_TIMEOUT_MS);
    if (len == STATE_MAX)
        return ng_error_set(err, EFBIG, "%s state %s said more than %u bytes", runtime, id, STATE_MAX);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return ng_error_set(err, ENOENT, "%s state %s failed (no such container?)", runtime, id);
    ng_state st = {0};
    int r = ng_state_parse(buf, len, &st, err);
    if (r < 0)
        return ng_error_wrap(err, "%s state %s", runtime, id);
    if (!st.bundle || st.bundle[0] != '/') {
        ng_state_free(&st);
        return ng_error_set(err, EINVAL, "%s state %s gives no absolute bundle path", runtime, id);
    }
    *ret_bundle = strdup(st.bundle);
    ng_state_free(&st);
    if (!*ret_bundle)
        abort();
    return 0;
}

/* The bundle's config.json: the directory and the file opened without following a symbolic link,
 * only a regular file read, with the size bound every config has. */
static int read_config(const char *bundle, char **ret_buf, size_t *ret_len, ng_error **err)
{
    cleanup_close int dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0)
        return ng_error_set(err, errno, "cannot open the bundle %s: %s", bundle, strerror(errno));
    int r = ng_read_file_at(dirfd, "config.json", NG_INPUT_MAX, ret_buf, ret_len, NULL, err);
    return r < 0 ? ng_error_wrap(err, "bundle %s", bundle) : 0;
}

/* The engine's process file: a regular file at its name, never through a symbolic link there (the
 * engine writes it, but in a directory others may write to), with a size bound. */
static int read_process_file(const char *path, char **ret_buf, size_t *ret_len, ng_error **err)
{
    const char *slash = strrchr(path, '/');
    cleanup_free char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        abort();
    const char *name = slash ? slash + 1 : path;
    cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return ng_error_set(err, errno, "cannot open %s: %s", dir, strerror(errno));
    int r = ng_read_file_at(dirfd, name, NG_EXEC_PROCESS_MAX, ret_buf, ret_len, NULL, err);
    return r < 0 ? ng_error_wrap(err, "the process file %s", path) : 0;
}

/* The container's config with its process replaced by the exec's: what ng_decide judges. The
 * container's limit, annotations and mounts, the exec's args, env and cwd. */
/* The spec ROOT describes with PATCHES applied, as the runtime will read it. A failure to parse
 * it is said as WHAT (and WHERE, when given). */
static int spec_from_patched(yajl_val root, ng_json_patch *patches, size_t n, ng_spec *ret, const char *what,
                             const char *where, ng_error **err)
{
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    int r = ng_json_gen_tree(g, root, patches, n, err);
    if (r < 0)
        return r;
    const unsigned char *out = NULL;
    size_t out_len = 0;
    yajl_gen_get_buf(g, &out, &out_len);
    r = ng_spec_parse((const char *)out, out_len, ret, err);
    if (r < 0)
        return where ? ng_error_wrap(err, "%s %s", what, where) : ng_error_wrap(err, "%s", what);
    return 0;
}

static int emit_process(yajl_gen g, yajl_val old, void *userdata, ng_error **err)
{
    (void)old;
    return ng_json_gen_value(g, userdata, err);
}

static int exec_spec(const char *config, size_t config_len, const char *process, size_t process_len,
                     const char *process_path, ng_spec *ret, ng_error **err)
{
    cleanup_yajl_val yajl_val config_root = NULL;
    cleanup_yajl_val yajl_val process_root = NULL;
    int r = ng_json_parse(config, config_len, NG_JSON_MAX_DEPTH, &config_root, err);
    if (r < 0)
        return ng_error_wrap(err, "the bundle's config.json");
    r = ng_json_parse(process, process_len, NG_JSON_MAX_DEPTH, &process_root, err);
    if (r < 0)
        return ng_error_wrap(err, "the process file %s", process_path);
    if (!YAJL_IS_OBJECT(config_root) || !YAJL_IS_OBJECT(process_root))
        return ng_error_set(err, EINVAL, "the config and the process file must be JSON objects");
    ng_json_patch patch = {
        .path = {"process"}, .emit = emit_process, .userdata = process_root, .add_if_absent = true};
    return spec_from_patched(config_root, &patch, 1, ret, "the process file", process_path, err);
}

/* A command given on exec's command line runs as the runtime builds it: the config's process,
 * its args replaced by the command, the --env entries after its env, --cwd over its cwd. */
typedef struct command_line {
    char *const *args; /* the command: argv after the container */
    size_t n_args;
    const char *const *env;
    size_t n_env;
    const char *cwd;
} command_line;

static int emit_command_args(yajl_gen g, yajl_val old, void *userdata, ng_error **err)
{
    const command_line *cl = userdata;
    (void)old;
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; i < cl->n_args; i++)
        NG_GEN(ng_gen_string(g, cl->args[i]));
    NG_GEN(yajl_gen_array_close(g));
    return 0;
}

static int emit_command_env(yajl_gen g, yajl_val old, void *userdata, ng_error **err)
{
    const command_line *cl = userdata;
    NG_GEN(yajl_gen_array_open(g));
    for (size_t i = 0; YAJL_IS_ARRAY(old) && i < old->u.array.len; i++) {
        int r = ng_json_gen_value(g, old->u.array.values[i], err);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < cl->n_env; i++)
        NG_GEN(ng_gen_string(g, cl->env[i]));
    NG_GEN(yajl_gen_array_close(g));
    return 0;
}

static int emit_command_cwd(yajl_gen g, yajl_val old, void *userdata, ng_error **err)
{
    (void)old;
    NG_GEN(ng_gen_string(g, ((const command_line *)userdata)->cwd));
    return 0;
}

static int command_line_spec(const char *config, size_t config_len, const command_line *cl, ng_spec *ret,
                             ng_error **err)
{
    if (cl->n_args == 0)
        return ng_error_set(err, EINVAL, "exec names no command");
    if (cl->n_args > NG_SPEC_MAX_ARGS || cl->n_env > NG_SPEC_MAX_ENV)
        return ng_error_set(err, E2BIG,
                            "exec's command line has more arguments or --env entries than "
                            "nodeguard reads");
    cleanup_yajl_val yajl_val root = NULL;
    int r = ng_json_parse(config, config_len, NG_JSON_MAX_DEPTH, &root, err);
    if (r < 0)
        return ng_error_wrap(err, "the bundle's config.json");
    ng_json_patch patches[3] = {
        {.path = {"process", "args"},
         .emit = emit_command_args,
         .userdata = (void *)cl,
         .add_if_absent = true},
        {.path = {"process", "env"}, .emit = emit_command_env, .userdata = (void *)cl, .add_if_absent = true},
        {.path = {"process", "cwd"}, .emit = emit_command_cwd, .userdata = (void *)cl, .add_if_absent = true},
    };
    return spec_from_patched(root, patches, cl->cwd ? 3 : 2, ret, "the exec's command line", NULL, err);
}

/* For a command line exec: what the runtime must be given instead, {"env": the entries to add as
 * --env (those whose value differs from the one the process would have had: the runtime sets them
 * after the config's and the user's, and the last one wins), "args": the whole command}, from the
 * rewritten process. */
static int gen_command_line_change(const ng_decision *d, const ng_spec *spec, yajl_gen out, ng_error **err)
{
    cleanup_yajl_gen yajl_gen g = ng_gen_new();
    int r = ng_decision_gen_process(d, spec, g, err);
    if (r < 0)
        return r;
    const unsigned char *buf = NULL;
    size_t len = 0;
    yajl_gen_get_buf(g, &buf, &len);
    cleanup_yajl_val yajl_val process = NULL;
    r = ng_json_parse((const char *)buf, len, NG_JSON_MAX_DEPTH, &process, err);
    if (r < 0)
        return r;
    yajl_val env = ng_json_member(process, "env"), args = ng_json_member(process, "args");
    NG_GEN(yajl_gen_map_open(out));
    NG_GEN(ng_gen_string(out, "env"));
    NG_GEN(yajl_gen_array_open(out));
    for (size_t i = 0; YAJL_IS_ARRAY(env) && i < env->u.array.len; i++) {
        const char *entry = YAJL_IS_STRING(env->u.array.values[i]) ? env->u.array.values[i]->u.string : NULL;
        const char *eq = entry ? strchr(entry, '=') : NULL;
        if (!eq)
            continue;
        /* Compared with the value the process would have had: the last entry of that name */
        cleanup_free char *name = strndup(entry, (size_t)(eq - entry));
        if (!name)
            abort();
        size_t name_len = (size_t)(eq - entry);
        bool later = false; /* only the last entry of a name is what the process gets */
        for (size_t j = i + 1; j < env->u.array.len && !later; j++) {
            const char *e = YAJL_IS_STRING(env->u.array.values[j]) ? env->u.array.values[j]->u.string : NULL;
            later = e && strncmp(e, entry, name_len) == 0 && e[name_len] == '=';
        }
        const char *had = ng_spec_getenv(spec, name);
        if (!later && (!had || strcmp(had, eq + 1) != 0))
            NG_GEN(ng_gen_string(out, entry));
    }
    NG_GEN(yajl_gen_array_close(out));
    NG_GEN(ng_gen_string(out, "args"));
    r = ng_json_gen_value(out, args, err);
    if (r < 0)
        return r;
    NG_GEN(yajl_gen_map_close(out));
    return 0;
}

typedef enum exec_outcome {
    EXEC_PASS,      /* the exec as given */
    EXEC_REWRITTEN, /* the rewritten process file is in the memfd, len bytes */
    EXEC_REFUSED,
} exec_outcome;

typedef struct exec_reply {
    int outcome;
    size_t len;
} exec_reply;

typedef struct exec_job {
    const ng_policy *policy;
    const char *process, *id;          /* the process file's path, NULL: the command line's process */
    const char *bundle;                /* the container's, for its names (ng_spec_fill_names) */
    const char *config, *process_text; /* read before the sandbox (see ng_runtime_prepare_exec) */
    size_t config_len, process_len;
    command_line command;    /* with process NULL */
    int out_fd;              /* the memfd the rewritten process file goes to */
    int64_t host_memory_mib; /* read before the sandbox, which forbids sysinfo (ng_host_memory_mib) */
    stage_ctx *c;
} exec_job;

/* In the sandbox: reads the container's config and the process file, decides, and writes the
 * rewritten process file to the memfd. */
static int judge_exec(void *ctx, int reply_fd)
{
    exec_job *job = ctx;
    exec_reply reply = {.outcome = EXEC_PASS};
    cleanup_error ng_error *err = NULL;
    cleanup_yajl_gen yajl_gen g = NULL;
    ng_spec spec = {0};
    ng_decision d = {0};
    const char *what = "reading the exec's process";
    if (job->process ? exec_spec(job->config, job->config_len, job->process_text, job->process_len,
                                 job->process, &spec, &err) < 0
                     : command_line_spec(job->config, job->config_len, &job->command, &spec, &err) < 0)
        goto fail;
    snprintf(spec.container_id, sizeof(spec.container_id), "%s", job->id);
    spec.host_memory_mib = job->host_memory_mib;
    ng_decide(job->policy, &spec, true, &d);
    if (d.outcome != NG_OUTCOME_GUARDED)
        goto out; /* not node, or disabled: the exec runs as given, unrecorded like such a start */
    ng_spec_fill_names(&spec, job->bundle); /* as the start's record has them */
    ng_stage_record_exec_decision(job->c, &d, &spec);
    if (d.action == NG_ACTION_REFUSED) {
        /* The refusal is worded for a start: the exec's says what is refused */
        static const char start[] = "nodeguard: refusing to start: ";
        const char *why =
            strncmp(d.refusal, start, sizeof(start) - 1) == 0 ? d.refusal + sizeof(start) - 1 : d.refusal;
        ng_diag("nodeguard: refusing exec in %s: %s", job->id, why);
        reply.outcome = EXEC_REFUSED;
        goto out;
    }
    if (!d.env_changed && !d.args_changed)
        goto out;
    what = job->process ? "writing the exec's process file" : "rewriting the exec's command line";
    g = ng_gen_new();
    if ((job->process ? ng_decision_gen_process(&d, &spec, g, &err)
                      : gen_command_line_change(&d, &spec, g, &err)) < 0)
        goto fail;
    const unsigned char *out = NULL;
    size_t out_len = 0;
    yajl_gen_get_buf(g, &out, &out_len);
    int r = ng_write_all(job->out_fd, out, out_len);
    if (r < 0) {
        ng_error_set(&err, -r, "cannot write the new process file: %s", strerror(-r));
        goto fail;
    }
    reply = (exec_reply){.outcome = EXEC_REWRITTEN, .len = out_len};
    goto out;
fail:
    ng_stage_record_error_as(job->c, job->id, what, err, "the exec runs as it was given, unguarded",
                             "passed_through");
out:
    ng_decision_free(&d);
    ng_spec_free(&spec);
    if (reply_fd >= 0)
        (void)ng_write_all(reply_fd, &reply, sizeof(reply));
    return 0;
}

/* argv[index] (or its "--process=" form) now names fd through /proc/self/fd: the runtime opens
 * that path as it would the engine's file. */
static void point_argv_at(char **argv, const ng_exec_args *a, int fd)
{
    char *arg = NULL;
    if (asprintf(&arg, "%s/proc/self/fd/%d", a->process_attached ? "--process=" : "", fd) < 0)
        abort();
    argv[a->process_index] = arg; /* lives until the exec */
}

/* A sealed memfd holding exactly len bytes: complete, and nobody may change it from here. */
static int seal(int memfd, size_t len, ng_error **err)
{
    struct stat st;
    if (fstat(memfd, &st) < 0)
        return ng_error_set(err, errno, "cannot stat the memfd: %s", strerror(errno));
    if ((size_t)st.st_size != len)
        return ng_error_set(err, EIO, "the sandboxed child wrote %lld of %zu bytes", (long long)st.st_size,
                            len);
    if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
        return ng_error_set(err, errno, "cannot seal the memfd: %s", strerror(errno));
    return 0;
}

/* The process file's case: the memfd goes to the runtime above the fds --preserve-fds hands to the
 * process (the runtime closes the rest before it runs the process). The one fd here without
 * O_CLOEXEC: the runtime must inherit it. */
static int hand_process_file(char **argv, const ng_exec_args *a, int memfd, ng_error **err)
{
    int handed = fcntl(memfd, F_DUPFD, 3 + a->preserve_fds);
    if (handed < 0)
        return ng_error_set(err, errno, "cannot duplicate the memfd: %s", strerror(errno));
    point_argv_at(argv, a, handed);
    return 0;
}

static char *xstrdup(const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        abort();
    return copy;
}

/* The command line's case: argv up to the container, "--env ENTRY" for each entry the decision
 * adds, then the container (with the "--" before it) and the rewritten command. The strings live
 * until the exec. */
static int command_line_argv(char **argv, const ng_exec_args *a, int memfd, size_t len, char ***ret,
                             ng_error **err)
{
    cleanup_free char *buf = malloc(len + 1);
    if (!buf)
        abort();
    if (pread(memfd, buf, len, 0) != (ssize_t)len)
        return ng_error_set(err, EIO, "cannot read back the new command line");
    buf[len] = '\0';
    cleanup_yajl_val yajl_val root = NULL;
    cleanup_free const char **env = NULL, **args = NULL;
    size_t n_env = 0, n_args = 0;
    int r = ng_json_parse(buf, len, NG_JSON_MAX_DEPTH, &root, err);
    if (r == 0)
        r = ng_json_string_array(ng_json_member(root, "env"), "env", NG_SPEC_MAX_ENV, &env, &n_env, err);
    if (r == 0)
        r = ng_json_string_array(ng_json_member(root, "args"), "args", NG_SPEC_MAX_ARGS, &args, &n_args, err);
    if (r < 0)
        return ng_error_wrap(err, "the new command line");
    bool dash = strcmp(argv[a->operands_index], "--") == 0;
    size_t n = (size_t)a->operands_index + 2 * n_env + 1 + dash + n_args + 1;
    char **out = calloc(n, sizeof(*out));
    if (!out)
        abort();
    size_t k = 0;
    for (int i = 0; i < a->operands_index; i++)
        out[k++] = argv[i];
    for (size_t i = 0; i < n_env; i++) {
        out[k++] = (char *)(a->env_flag ? a->env_flag : "--env");
        out[k++] = xstrdup(env[i]);
    }
    if (dash)
        out[k++] = "--";
    out[k++] = (char *)a->id;
    for (size_t i = 0; i < n_args; i++)
        out[k++] = xstrdup(args[i]);
    out[k] = NULL;
    *ret = out;
    return 0;
}

int ng_runtime_prepare_exec(const ng_policy *policy, const char *runtime, int argc, char **argv,
                            int command_index, char ***ret_argv)
{
    ng_exec_args a;
    *ret_argv = argv;
    ng_exec_parse_args(argc, argv, command_index, &a);
    if (!a.id) {
        ng_exec_args_free(&a);
        return 0; /* the runtime says what is missing */
    }
    stage_ctx c = STAGE_CTX_INIT(policy, "exec");
    cleanup_error ng_error *err = NULL;
    cleanup_free char *bundle = NULL, *config = NULL, *process_text = NULL;
    size_t config_len = 0, process_len = 0;
    cleanup_close int memfd = -1;
    const char *what = "finding the container's bundle";
    int rc = 0;
    if (runtime_bundle(runtime, a.root, a.id, &bundle, &err) < 0 || !bundle)
        goto fail;
    what = "making the new process file";
    memfd = memfd_create("nodeguard-exec-process", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (memfd < 0) {
        ng_error_set(&err, errno, "memfd_create: %s", strerror(errno));
        goto fail;
    }
    int command_at = a.operands_index + 1 + (strcmp(argv[a.operands_index], "--") == 0);
    /* The files are read here, with the capabilities the sandbox drops: containerd's bundles live
     * under /run/containerd, drw------- once dockerd's shims made it, which only root with
     * CAP_DAC_OVERRIDE passes. Their content is parsed in the sandbox. */
    what = "reading the exec's process file";
    if (a.process && read_process_file(a.process, &process_text, &process_len, &err) < 0)
        goto fail;
    what = "reading the container's config";
    if (read_config(bundle, &config, &config_len, &err) < 0)
        goto fail;
    exec_job job = {
        .policy = policy,
        .config = config,
        .config_len = config_len,
        .process_text = process_text,
        .process_len = process_len,
        .process = a.process,
        .id = a.id,
        .bundle = bundle,
        .command = {.args = argv + command_at,
                    .n_args = (size_t)(argc - command_at),
                    .env = a.env,
                    .n_env = a.n_env,
                    .cwd = a.cwd},
        .out_fd = memfd,
        .host_memory_mib = ng_host_memory_mib(),
        .c = &c,
    };
    exec_reply reply;
    int child = ng_run_sandboxed(judge_exec, &job, &reply, sizeof(reply), &c);
    what = "judging the exec in the sandbox";
    if (child != 0) {
        ng_error_set(&err, ECHILD, "the sandboxed child ended with status %d", child);
        goto fail;
    }
    if (reply.outcome == EXEC_REFUSED) {
        rc = 1;
        goto out;
    }
    if (reply.outcome != EXEC_REWRITTEN)
        goto out;
    what = a.process ? "handing the new process file to the runtime" : "rewriting the exec's command line";
    if (seal(memfd, reply.len, &err) < 0 ||
        (a.process ? hand_process_file(argv, &a, memfd, &err)
                   : command_line_argv(argv, &a, memfd, reply.len, ret_argv, &err)) < 0)
        goto fail;
    goto out;
fail:
    ng_stage_record_error_as(&c, a.id, what, err, "the exec runs as it was given, unguarded",
                             "passed_through");
out:
    ng_exec_args_free(&a);
    ng_stage_close(&c);
    return rc;
}
