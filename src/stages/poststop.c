/* poststop: how the container ended (container_exit), from the watcher's last word. The cgroup is
 * gone by now (runc removes it first), so everything comes from the watcher's saved state. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nodeguard/cleanup.h"
#include "nodeguard/diag.h"
#include "nodeguard/engines.h"
#include "nodeguard/fsutil.h"
#include "nodeguard/identity.h"
#include "nodeguard/json.h"
#include "nodeguard/procexit.h"
#include "nodeguard/runstate.h"
#include "nodeguard/sandbox.h"
#include "nodeguard/spec.h"
#include "nodeguard/stagekit.h"
#include "nodeguard/stages.h"
#include "nodeguard/util.h"
#include "nodeguard/watcher.h"

/* "signal 9 (SIGKILL)": the names kill(1) takes, not strsignal's prose ("killed by Killed"); a
 * real-time signal has none, and is named by its number alone. */
static void signal_words(int sig, char *buf, size_t size)
{
    const char *name = sigabbrev_np(sig);
    if (name)
        snprintf(buf, size, "signal %d (SIG%s)", sig, name);
    else
        snprintf(buf, size, "signal %d", sig);
}

/* How pid 1 ended, in words an operator can act on. */
static void classify(const ng_container_state *cs, const ng_watcher_state *ws, const char **ret_kind,
                     char *explanation, size_t size, bool *ret_certain)
{
    *ret_certain = true;
    if (!ws->exit_known && ws->exit_code_from_engine) {
        /* conmon's exit file: a code, 128+N also for a signal N, so exit 137 and SIGKILL read alike. */
        int code = ws->engine_exit_code;
        *ret_certain = false;
        if (code == 128 + SIGKILL && ws->oom_kills > 0) {
            *ret_kind = "oom_kill";
            snprintf(explanation, size,
                     "pid 1 ended with 137 (the engine's exit file: SIGKILL, or exit 137) after %lld OOM "
                     "kill(s) in the container, whose victims are not named (no kmsg rootless)",
                     (long long)ws->oom_kills);
        } else if ((code == 134 || code == 139) && cs->heap_mib > 0) {
            *ret_kind = "v8_heap_oom";
            snprintf(explanation, size,
                     "pid 1 ended with %d (the engine's exit file: %s, or that exit code): how V8's "
                     "\"Reached heap limit\" ends",
                     code, code == 134 ? "SIGABRT" : "SIGSEGV");
        } else if (code > 128) {
            *ret_kind = "signal";
            char sig[32];
            signal_words(code - 128, sig, sizeof(sig));
            snprintf(explanation, size, "pid 1 ended with %d (the engine's exit file: %s, or that exit code)",
                     code, sig);
        } else {
            *ret_kind = "exit";
            *ret_certain = true;
            snprintf(explanation, size, "pid 1 exited with status %d (the engine's exit file)", code);
        }
        return;
    }
    if (!ws->exit_known) {
        *ret_kind = ws->oom_kills > 0 ? "oom_kill" : "unknown";
        *ret_certain = false;
        snprintf(explanation, size, "pid 1's exit status was not seen%s%s%s",
                 ws->oom_kills > 0 ? "; the kernel OOM-killed processes in the container" : "",
                 ws->note[0] ? ": " : "", ws->note);
        return;
    }
    int st = ws->exit_status;
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        if (sig == SIGKILL && ws->pid1_oom_killed) {
            *ret_kind = "oom_kill";
            snprintf(explanation, size, "the kernel OOM killer killed pid 1 (SIGKILL, exit 137)");
        } else if (sig == SIGKILL && ws->oom_kills > 0 && !ws->last_victim_pid) {
            *ret_kind = "oom_kill";
            *ret_certain = false;
            snprintf(explanation, size, "SIGKILL after %lld OOM kill(s) whose victims kmsg did not name",
                     (long long)ws->oom_kills);
        } else if ((sig == SIGSEGV || sig == SIGABRT) && cs->heap_mib > 0) {
            *ret_kind = "v8_heap_oom";
            *ret_certain = false;
            snprintf(explanation, size,
                     "%s in a Node container: how V8's fatal \"Reached heap limit\" ends (SIGABRT; as pid 1, "
                     "which cannot abort, SIGSEGV). nodeguard cannot read the container's output to confirm",
                     strsignal(sig));
        } else {
            *ret_kind = "signal";
            char words[32];
            signal_words(sig, words, sizeof(words));
            snprintf(explanation, size, "pid 1 was killed by %s", words);
        }
        return;
    }
    int code = WEXITSTATUS(st);
    if (code == 137 && ws->oom_kills > 0) {
        *ret_kind = "oom_kill";
        snprintf(explanation, size, "exit 137 (a child killed by SIGKILL) after %lld OOM kill(s)",
                 (long long)ws->oom_kills);
    } else if ((code == 134 || code == 139) && cs->heap_mib > 0) {
        *ret_kind = "v8_heap_oom";
        *ret_certain = false;
        snprintf(explanation, size,
                 "exit %d (a child node ended by %s): how V8's \"Reached heap limit\" ends", code,
                 code == 134 ? "SIGABRT" : "SIGSEGV");
    } else {
        *ret_kind = "exit";
        snprintf(explanation, size, "pid 1 exited with status %d", code);
    }
}

int ng_container_exit_gen_fields(yajl_gen g, const ng_container_state *cs, const ng_watcher_state *ws,
                                 ng_error **err)
{
    const char *kind;
    char explanation[384];
    bool certain;
    classify(cs, ws, &kind, explanation, sizeof(explanation), &certain);
    if (ng_container_state_gen_names(g, cs, err) < 0)
        return -EINVAL;
    int64_t end = ws->exit_ms ? ws->exit_ms : ng_now_ms();
    NG_GEN(ng_gen_kv_int_if(g, "lifetime_ms", end - cs->created_ms, cs->created_ms > 0));
    NG_GEN(ng_gen_kv_int_if(g, "oom_kills", ws->oom_kills, true));
    NG_GEN(ng_gen_kv_int_if(g, "peak_bytes", ws->peak_bytes, ws->peak_bytes >= 0));
    NG_GEN(ng_gen_kv_int_if(g, "memory_limit_bytes", cs->memory_limit_bytes, cs->memory_limit_bytes > 0));
    NG_GEN(ng_gen_kv_int_if(g, "heap_mib", cs->heap_mib, cs->heap_mib >= 0));
    NG_GEN(ng_gen_kv_str(g, "node_options", cs->node_options[0] ? cs->node_options : NULL));
    NG_GEN(ng_gen_kv_str(g, "heap_flag", cs->heap_flag[0] ? cs->heap_flag : NULL));
    NG_GEN(ng_gen_string(g, "exit"));
    NG_GEN(yajl_gen_map_open(g));
    NG_GEN(ng_gen_string(g, "classification"));
    NG_GEN(ng_gen_string(g, kind));
    NG_GEN(ng_gen_string(g, "certain"));
    NG_GEN(yajl_gen_bool(g, certain));
    if (!ws->exit_known && ws->exit_code_from_engine)
        NG_GEN(ng_gen_kv_int_if(g, "code", ws->engine_exit_code, true));
    else
        NG_GEN(ng_gen_kv_int_if(g, "code", WEXITSTATUS(ws->exit_status),
                                ws->exit_known && WIFEXITED(ws->exit_status)));
    NG_GEN(ng_gen_kv_int_if(g, "signal", WTERMSIG(ws->exit_status),
                            ws->exit_known && WIFSIGNALED(ws->exit_status)));
    NG_GEN(ng_gen_string(g, "explanation"));
    NG_GEN(ng_gen_string(g, explanation));
    NG_GEN(yajl_gen_map_close(g));
    NG_GEN(ng_gen_kv_str(g, "watcher_note", ws->note[0] ? ws->note : NULL));
    return 0;
}

/* Rootless, the proc connector told the watcher nothing and the watcher did not get pid 1's exit code
 * from the engine's exit file (it had ended, or the file was late): the file may still be there
 * (an engine that keeps it until the container is removed). The engine is the state's annotations'
 * or, without them, the config's at createRuntime. What kept it from being read is added to the note. */
static void read_engine_exit(const ng_state *st, const ng_container_state *cs, ng_watcher_state *ws)
{
    char why[320] = "";
    int code;
    ng_engine_id engine = ng_engine_from_annotations(st->annotations);
    if (engine == NG_ENGINE_UNKNOWN && cs->engine > NG_ENGINE_UNKNOWN && cs->engine <= NG_ENGINE_CRUN)
        engine = (ng_engine_id)cs->engine;
    if (ng_engine_exit_read(engine, st->id, cs->created_ms, &code, why, sizeof(why)) > 0) {
        ws->exit_code_from_engine = true;
        ws->engine_exit_code = code;
        return;
    }
    size_t len = strlen(ws->note);
    snprintf(ws->note + len, sizeof(ws->note) - len, "%sno exit code from the engine: %s", len ? "; " : "",
             why);
}

static int record_exit(stage_ctx *c, const ng_container_state *cs, const ng_watcher_state *ws, ng_error **err)
{
    cleanup_yajl_gen yajl_gen g = ng_record_begin(NG_EVENT_CONTAINER_EXIT, "poststop", err);
    if (!g)
        return -EINVAL;
    if (ng_container_exit_gen_fields(g, cs, ws, err) < 0)
        return -EINVAL;
    return ng_record_write(ng_stage_log(c), g, err);
}

int ng_stage_poststop(const ng_policy *policy, const char *stage, int in_fd, int out_fd)
{
    stage_ctx c = STAGE_CTX_INIT(policy, stage);
    (void)out_fd; /* nothing to write: runtimes ignore poststop's output */
    cleanup_free char *buf = NULL, *root = ng_state_root();
    cleanup_error ng_error *err = NULL;
    size_t len = 0;
    bool truncated;
    ng_state st = {0};
    char dir[PATH_MAX];
    if (ng_read_fd_bounded(in_fd, NG_INPUT_MAX, &buf, &len, &truncated, &err) < 0)
        goto fail_input;
    /* Input read: parse inside the sandbox (which still lets the log be opened when needed). */
    ng_stage_sandbox(&c, NG_SANDBOX_HOOK);
    if (ng_state_parse(buf, len, &st, &err) < 0) {
    fail_input:
        ng_stage_record_error_as(&c, NULL, "reading the state from stdin", err, "no container_exit record",
                                 "not_recorded");
        goto out;
    }
    ng_container_state cs;
    if (ng_state_dir_for(root, st.id, dir, sizeof(dir)) < 0 || ng_container_state_read(dir, &cs, NULL) < 0)
        goto out; /* not watched: nothing to say */
    /* The watcher's last word: it finishes when pid 1 exits, normally before poststop runs. */
    ng_watcher_state ws = {0};
    bool have = false;
    for (int waited = 0; waited <= 2000; waited += 20) {
        have = ng_watcher_state_read(dir, &ws, NULL) == 0;
        if (have && ws.final)
            break;
        if (waited == 1500 && have && ws.watcher_pid > 0)
            ng_watcher_signal(dir, ws.watcher_pid, SIGTERM); /* it saves its state on the way out */
        usleep(20000);
    }
    if (!have) {
        ws = (ng_watcher_state){.peak_bytes = -1};
        snprintf(ws.note, sizeof(ws.note), "no watcher state: the watcher did not run or was killed");
    } else if (!ws.final) {
        size_t n = strlen(ws.note);
        snprintf(ws.note + n, sizeof(ws.note) - n, "%sthe watcher did not finish in 2 s", n ? "; " : "");
    }
    if (!ws.exit_known && !ws.exit_code_from_engine && ng_rootless())
        read_engine_exit(&st, &cs, &ws);
    if (record_exit(&c, &cs, &ws, &err) < 0)
        ng_diag("nodeguard poststop: %s", ng_error_msg(err));
    if (have && !ws.final && ws.watcher_pid > 0)
        ng_watcher_signal(dir, ws.watcher_pid, SIGKILL);
    ng_state_remove(dir);
out:
    ng_state_free(&st);
    ng_stage_close(&c);
    return 0; /* poststop's exit status is ignored by runtimes; nothing to refuse any more */
}
