#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"
#include "nodeguard/cgroup.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/engines.h"
#include "nodeguard/json.h"
#include "nodeguard/kmsg.h"
#include "nodeguard/procexit.h"
#include "nodeguard/util.h"
#include "nodeguard/watcher.h"

static const char hybrid_mountinfo[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:7 - cgroup cgroup rw,memory\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static void test_resolve_v1(void **state)
{
    (void)state;
    ng_cgroup cg;
    const char *procs =
        "9:name=systemd:/x\n4:memory:/libpod_parent/libpod-abc\n0::/libpod_parent/libpod-abc\n";
    assert_int_equal(ng_cgroup_resolve(procs, hybrid_mountinfo, &cg, NULL), 0);
    assert_int_equal(cg.version, 1);
    assert_string_equal(cg.dir, "/sys/fs/cgroup/memory/libpod_parent/libpod-abc");
    assert_string_equal(cg.kernel_path, "/libpod_parent/libpod-abc");
    /* a combined hierarchy "cpu,memory" counts as the memory controller */
    assert_int_equal(
        ng_cgroup_resolve("3:cpu,memory:/a\n", "1 0 0:1 / /cg rw - cgroup cgroup rw,cpu,memory\n", &cg, NULL),
        0);
    assert_string_equal(cg.dir, "/cg/a");
}

static void test_resolve_namespaced_root(void **state)
{
    (void)state;
    ng_cgroup cg;
    /* the mount shows only a subtree: strip its root from the kernel's path */
    const char *mi = "35 31 0:32 /machine.slice /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
    assert_int_equal(ng_cgroup_resolve("4:memory:/machine.slice/ctr\n", mi, &cg, NULL), 0);
    assert_string_equal(cg.dir, "/sys/fs/cgroup/memory/ctr");
    assert_string_equal(cg.kernel_path, "/machine.slice/ctr");
    /* a path outside the mounted subtree cannot be read */
    ng_error *err = NULL;
    assert_int_equal(ng_cgroup_resolve("4:memory:/other/ctr\n", mi, &cg, &err), -ENOENT);
    ng_error_free(err);
}

static void test_resolve_v2(void **state)
{
    (void)state;
    ng_cgroup cg;
    const char *mi = "25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
    assert_int_equal(ng_cgroup_resolve("0::/system.slice/crio-abc.scope\n", mi, &cg, NULL), 0);
    assert_int_equal(cg.version, 2);
    assert_string_equal(cg.dir, "/sys/fs/cgroup/system.slice/crio-abc.scope");
    assert_int_equal(ng_cgroup_resolve("0::/\n", mi, &cg, NULL), 0);
    assert_string_equal(cg.dir, "/sys/fs/cgroup");
}

static void test_kmsg_oom_kill_line(void **state)
{
    (void)state;
    const char *rec = "6,1234,1766174252,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=oom1,"
                      "mems_allowed=0,oom_memcg=/ngtest/oom1,task_memcg=/ngtest/oom1,task=dd,pid=9251,uid=0\n"
                      " SUBSYSTEM=x\n";
    ng_kmsg_oom o;
    assert_int_equal(ng_kmsg_parse(rec, strlen(rec), &o), NG_KMSG_OOM_KILL);
    assert_int_equal(o.seq, 1234);
    assert_int_equal(o.ts_us, 1766174252);
    assert_string_equal(o.oom_memcg, "/ngtest/oom1");
    assert_string_equal(o.task_memcg, "/ngtest/oom1");
    assert_string_equal(o.task, "dd");
    assert_int_equal(o.pid, 9251);
    assert_int_equal(o.uid, 0);
}

static void test_kmsg_commas_in_names(void **state)
{
    (void)state;
    const char *rec = "6,1,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=a,mems_allowed=0,"
                      "oom_memcg=/odd,name,task_memcg=/odd,name/sub,task=we,ird,pid=7,uid=1000";
    ng_kmsg_oom o;
    assert_int_equal(ng_kmsg_parse(rec, strlen(rec), &o), NG_KMSG_OOM_KILL);
    assert_string_equal(o.oom_memcg, "/odd,name");
    assert_string_equal(o.task_memcg, "/odd,name/sub");
    assert_string_equal(o.task, "we,ird");
    assert_int_equal(o.uid, 1000);
}

static void test_kmsg_killed_process(void **state)
{
    (void)state;
    const char *rec =
        "3,99,5,-;Memory cgroup out of memory: Killed process 3512 (node (main)) total-vm:3416684kB, "
        "anon-rss:2035372kB, file-rss:39448kB, shmem-rss:0kB, UID:0 pgtables:58588kB oom_score_adj:-998\n";
    ng_kmsg_oom o;
    assert_int_equal(ng_kmsg_parse(rec, strlen(rec), &o), NG_KMSG_KILLED_PROCESS);
    assert_int_equal(o.pid, 3512);
    assert_string_equal(o.task, "node (main)");
    assert_int_equal(o.total_vm_kb, 3416684);
    assert_int_equal(o.anon_rss_kb, 2035372);
    assert_int_equal(o.file_rss_kb, 39448);
    assert_int_equal(o.shmem_rss_kb, 0);
    assert_int_equal(o.pgtables_kb, 58588);
    assert_int_equal(o.oom_score_adj, -998);
}

/* A victim may name itself anything in 15 bytes (prctl PR_SET_NAME, node's process.title): the
 * kernel's own text around the name must still be found, so the record has its pid and sizes. */
static void test_kmsg_hostile_names(void **state)
{
    (void)state;
    static const char *const names[] = {"Killed process ", "1) total-vm:1kB", "(x) Killed proc",
                                        ",pid=1,uid=0", ",task=x,pid=1"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char rec[512];
        snprintf(rec, sizeof(rec),
                 "3,99,5,-;Memory cgroup out of memory: Killed process 4242 (%s) total-vm:900kB, "
                 "anon-rss:700kB, file-rss:10kB, shmem-rss:0kB, UID:0 pgtables:80kB oom_score_adj:0\n",
                 names[i]);
        ng_kmsg_oom o;
        assert_int_equal(ng_kmsg_parse(rec, strlen(rec), &o), NG_KMSG_KILLED_PROCESS);
        assert_int_equal(o.pid, 4242);
        assert_string_equal(o.task, names[i]);
        assert_int_equal(o.total_vm_kb, 900);
        assert_int_equal(o.anon_rss_kb, 700);
        snprintf(rec, sizeof(rec),
                 "6,1,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=c,mems_allowed=0,"
                 "oom_memcg=/c,task_memcg=/c,task=%s,pid=4242,uid=0",
                 names[i]);
        /* Here a name with ",task=" in it cannot be told from the memcg path before it (both may be
         * chosen in the container): the pid and the OOM's memcg still come out right, and the
         * watcher takes the name from the "Killed process" line. */
        assert_int_equal(ng_kmsg_parse(rec, strlen(rec), &o), NG_KMSG_OOM_KILL);
        assert_int_equal(o.pid, 4242);
        assert_string_equal(o.oom_memcg, "/c");
    }
}

static void test_kmsg_other_and_malformed(void **state)
{
    (void)state;
    ng_kmsg_oom o;
    const char *other = "6,5,6,-;eth0: link up\n";
    assert_int_equal(ng_kmsg_parse(other, strlen(other), &o), NG_KMSG_OTHER);
    static const char *const bad[] = {"", "no header", "6;x", "6,a,1,-;x", "6,1;x", ";"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ng_kmsg_parse(bad[i], strlen(bad[i]), &o), -EINVAL);
    /* truncated OOM lines are "other", never a crash or a half-filled victim */
    const char *cut = "6,1,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/a,task_memcg=/a,task=dd,pid=";
    assert_int_equal(ng_kmsg_parse(cut, strlen(cut), &o), NG_KMSG_OTHER);
    const char *cut2 = "6,1,2,-;Memory cgroup out of memory: Killed process 12 (dd";
    assert_int_equal(ng_kmsg_parse(cut2, strlen(cut2), &o), NG_KMSG_OTHER);
}

/* ng_watcher_spawn with a stand-in watcher: a script run as `SCRIPT watch DIR --ready-fd=3`. */
typedef struct spawn_fixture {
    char dir[32], exe[64];
} spawn_fixture;

static void stand_in(spawn_fixture *f, const char *body)
{
    snprintf(f->dir, sizeof(f->dir), "/tmp/ng-spawn-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->exe, sizeof(f->exe), "%s/watcher.sh", f->dir);
    FILE *fp = fopen(f->exe, "we");
    assert_non_null(fp);
    fprintf(fp, "#!/bin/sh\n%s\n", body);
    fclose(fp);
    assert_int_equal(chmod(f->exe, 0700), 0);
}

static void stand_in_remove(spawn_fixture *f)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
}

static void test_spawn_armed(void **state)
{
    (void)state;
    spawn_fixture f;
    stand_in(&f, "printf 1 >&3");
    assert_int_equal(ng_watcher_spawn(f.exe, f.dir, ng_monotonic_ms() + 5000, NULL, NULL, NULL), 0);
    stand_in_remove(&f);
}

/* A watcher that ends before it is armed is seen at once (end of file), not at the deadline. */
static void test_spawn_ended_before_armed(void **state)
{
    (void)state;
    spawn_fixture f;
    stand_in(&f, "exit 1");
    int64_t start = ng_monotonic_ms();
    cleanup_error ng_error *err = NULL;
    int late_fd = -1;
    assert_int_equal(ng_watcher_spawn(f.exe, f.dir, start + 10000, &late_fd, NULL, &err), -ECHILD);
    assert_true(ng_monotonic_ms() - start < 2000);
    assert_int_equal(late_fd, -1);
    assert_non_null(strstr(ng_error_msg(err), "ended before it was armed"));
    stand_in_remove(&f);
}

/* The stand-in's last step: the status of its write, left whole (renamed) in DIR/wrote. */
#define WRITE_STATUS "echo $? > \"$2/wrote.tmp\"; mv \"$2/wrote.tmp\" \"$2/wrote\""

/* The stand-in's write of "armed" after the hook stopped waiting: it waits (3 s at most) for the
 * status the stand-in left in DIR/wrote, which must be a failure (EPIPE), not 0. */
static void assert_late_write_failed(const spawn_fixture *f)
{
    char path[96], rc[8] = "";
    snprintf(path, sizeof(path), "%s/wrote", f->dir);
    for (int i = 0; i < 300 && access(path, F_OK) < 0; i++)
        usleep(10000);
    FILE *fp = fopen(path, "re");
    assert_non_null(fp);
    assert_non_null(fgets(rc, sizeof(rc), fp));
    fclose(fp);
    assert_string_not_equal(rc, "0\n");
}

/* Past the deadline the starter shuts its end: the late watcher's write fails (EPIPE, SIGPIPE
 * ignored), which is how it knows to record armed_late, and it waits for the starter's close. */
static void test_spawn_late(void **state)
{
    (void)state;
    spawn_fixture f;
    stand_in(&f, "trap '' PIPE; sleep 0.3; printf 1 >&3; " WRITE_STATUS);
    cleanup_error ng_error *err = NULL;
    int late_fd = -1;
    assert_int_equal(ng_watcher_spawn(f.exe, f.dir, ng_monotonic_ms() + 20, &late_fd, NULL, &err),
                     -ETIMEDOUT);
    assert_true(late_fd >= 0);
    close(late_fd);
    assert_late_write_failed(&f);
    stand_in_remove(&f);
}

/* A deadline already past when the watcher is started: late even if it arms at once. */
static void test_spawn_late_before_start(void **state)
{
    (void)state;
    spawn_fixture f;
    stand_in(&f, "trap '' PIPE; printf 1 >&3; " WRITE_STATUS);
    int late_fd = -1;
    assert_int_equal(ng_watcher_spawn(f.exe, f.dir, ng_monotonic_ms(), &late_fd, NULL, NULL), -ETIMEDOUT);
    assert_true(late_fd >= 0);
    close(late_fd);
    assert_late_write_failed(&f);
    stand_in_remove(&f);
}

/* The OOM memcg's usage line of the kernel's report, exactly as mem_cgroup_print_oom_meminfo()
 * prints it, and nothing that merely looks like it. */
static void test_kmsg_usage_line(void **state)
{
    (void)state;
    ng_kmsg_oom o;
    const char *rec = "6,1300,1766174250,-;memory: usage 65536kB, limit 65536kB, failcnt 123\n";
    assert_int_equal(ng_kmsg_parse(rec, strlen(rec), &o), NG_KMSG_MEMCG_USAGE);
    assert_int_equal(o.usage_kb, 65536);
    assert_int_equal(o.limit_kb, 65536);
    /* no limit: the kernel prints PAGE_COUNTER_MAX in kB (16 digits); 18 digits is the most read */
    const char *unlimited = "6,1,2,-;memory: usage 1kB, limit 9007199254740988kB, failcnt 0";
    assert_int_equal(ng_kmsg_parse(unlimited, strlen(unlimited), &o), NG_KMSG_MEMCG_USAGE);
    assert_int_equal(o.limit_kb, 9007199254740988LL);
    const char *eighteen =
        "6,1,2,-;memory: usage 999999999999999999kB, limit 1kB, failcnt 18446744073709551615";
    assert_int_equal(ng_kmsg_parse(eighteen, strlen(eighteen), &o), NG_KMSG_MEMCG_USAGE);
    assert_int_equal(o.usage_kb, 999999999999999999LL);
    static const char *const forged[] = {
        "6,1,2,-;memory: usage 1000000000000000000kB, limit 65536kB, failcnt 1", /* 19 digits */
        "6,1,2,-;memory: usage 99999999999999999999999kB, limit 65536kB, failcnt 1",
        "6,1,2,-;memory: usage 65536kB, limit 65536kB, failcnt 184467440737095516150", /* 21 */
        "6,1,2,-;memory: usage -1kB, limit 65536kB, failcnt 1",
        "6,1,2,-;memory: usage +1kB, limit 65536kB, failcnt 1",
        "6,1,2,-;memory: usage  1kB, limit 65536kB, failcnt 1",
        "6,1,2,-;memory: usage kB, limit 65536kB, failcnt 1",
        "6,1,2,-;memory: usage 1MB, limit 65536kB, failcnt 1",
        "6,1,2,-;memory: usage 1kB, limit 65536kB, failcnt 1 (and more)",
        "6,1,2,-;memory: usage 1kB, limit 65536kB, failcnt ",
        "6,1,2,-;memory: usage 1kB, limit 65536kB",
        "6,1,2,-;x memory: usage 1kB, limit 65536kB, failcnt 1",
        "6,1,2,-;memory+swap: usage 1kB, limit 65536kB, failcnt 1",
        "6,1,2,-;swap: usage 1kB, limit 65536kB, failcnt 1",
        /* userspace writing to /dev/kmsg gets facility 1 (LOG_USER) or more: prio 8 and up */
        "14,1,2,-;memory: usage 65536kB, limit 65536kB, failcnt 1",
        "8,1,2,-;memory: usage 65536kB, limit 65536kB, failcnt 1",
        "-1,1,2,-;memory: usage 65536kB, limit 65536kB, failcnt 1",
    };
    for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        assert_int_equal(ng_kmsg_parse(forged[i], strlen(forged[i]), &o), NG_KMSG_OTHER);
        assert_int_equal(o.usage_kb, -1);
    }
    /* and userspace cannot forge the kill lines either */
    const char *user_kill = "14,1,2,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=a,"
                            "mems_allowed=0,oom_memcg=/c,task_memcg=/c,task=dd,pid=7,uid=0";
    assert_int_equal(ng_kmsg_parse(user_kill, strlen(user_kill), &o), NG_KMSG_OTHER);
    const char *user_killed = "12,1,2,-;Memory cgroup out of memory: Killed process 7 (dd) total-vm:1kB, "
                              "anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0";
    assert_int_equal(ng_kmsg_parse(user_killed, strlen(user_killed), &o), NG_KMSG_OTHER);
}

/* /dev/kmsg hands out one record per read: a SOCK_SEQPACKET pair does the same. */
static void send_records(int fd, const char *const *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(write(fd, recs[i], strlen(recs[i])), (ssize_t)strlen(recs[i]));
}

#define KILL_LINE(seq, pid)                                                                                  \
    "6," seq ",9,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=c,mems_allowed=0,"            \
    "oom_memcg=/machine.slice/libpod-abc.scope,task_memcg=/machine.slice/libpod-abc.scope/container,"        \
    "task=node,pid=" pid ",uid=0"
#define KILLED_LINE(seq, pid)                                                                                \
    "3," seq ",9,-;Memory cgroup out of memory: Killed process " pid " (node) total-vm:900kB, "              \
    "anon-rss:700kB, file-rss:10kB, shmem-rss:0kB, UID:0 pgtables:80kB oom_score_adj:0"

/* A report's usage line goes to that report's kill, and to no other. */
static void test_kmsg_usage_goes_to_its_kill(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    ng_kmsg_track track = {0};
    ng_kmsg_oom o;
    static const char *const report[] = {
        "4,10,1,-;node invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "6,11,2,-;memory: usage 65536kB, limit 65536kB, failcnt 123",
        "6,12,3,-;swap: usage 0kB, limit 0kB, failcnt 0",
        "6,13,4,-;Memory cgroup stats for /machine.slice/libpod-abc.scope:",
        "6,14,5,-;anon 66000000",
    };
    send_records(sv[0], report, 5);
    /* the kernel is still printing the report: nothing to return yet, the usage is kept */
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), 0);
    static const char *const rest[] = {KILL_LINE("15", "4242"), KILLED_LINE("16", "4242")};
    send_records(sv[0], rest, 2);
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_OOM_KILL);
    assert_int_equal(o.pid, 4242);
    assert_int_equal(o.usage_kb, 65536);
    assert_int_equal(o.limit_kb, 65536);
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_KILLED_PROCESS);
    assert_int_equal(o.usage_kb, -1);

    /* A rate-limited report prints only "Killed process": no usage. A report whose usage line was
     * lost must not take the previous report's, nor a forged one from userspace. */
    static const char *const second[] = {
        KILLED_LINE("20", "4300"),
        "6,21,1,-;memory: usage 1000kB, limit 65536kB, failcnt 124",
        "4,22,1,-;node invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "14,23,1,-;memory: usage 2000kB, limit 65536kB, failcnt 125",
        KILL_LINE("24", "4301"),
        KILL_LINE("25", "4302"),
    };
    send_records(sv[0], second, 6);
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_KILLED_PROCESS);
    assert_int_equal(o.usage_kb, -1);
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_OOM_KILL);
    assert_int_equal(o.pid, 4301);
    assert_int_equal(o.usage_kb, -1);
    /* one usage line, one kill: the next kill line has none left */
    static const char *const third[] = {"6,30,1,-;memory: usage 3000kB, limit 65536kB, failcnt 126",
                                        KILL_LINE("31", "4303")};
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_OOM_KILL);
    assert_int_equal(o.pid, 4302);
    assert_int_equal(o.usage_kb, -1);
    send_records(sv[0], third, 2);
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_OOM_KILL);
    assert_int_equal(o.usage_kb, 3000);
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), 0);
    close(sv[0]);
    close(sv[1]);
}

/* memory.oom.group: after "Tasks in /p are going to be killed", the members' "Killed process" lines
 * carry /p (no "oom-kill:" line names them); the next report, or a forged line, ends nothing. */
static void test_kmsg_group_members(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    ng_kmsg_track track = {0};
    ng_kmsg_oom o;
    static const char *const report[] = {
        KILL_LINE("40", "4400"),
        KILLED_LINE("41", "4400"),
        "6,42,9,-;Tasks in /machine.slice/libpod-abc.scope are going to be killed due to memory.oom.group "
        "set",
        KILLED_LINE("43", "4401"),
        /* a process cannot forge the group line: userspace records have a facility above 0 */
        "14,44,9,-;Tasks in /other.scope are going to be killed due to memory.oom.group set",
        KILLED_LINE("45", "4400"),
        "4,46,1,-;node invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        KILLED_LINE("47", "4500"),
    };
    send_records(sv[0], report, 8);
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_OOM_KILL);
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_KILLED_PROCESS);
    assert_string_equal(o.oom_memcg, ""); /* the victim's own line: before the group line */
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_KILLED_PROCESS);
    assert_int_equal(o.pid, 4401);
    assert_string_equal(o.oom_memcg, "/machine.slice/libpod-abc.scope");
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_KILLED_PROCESS);
    assert_int_equal(o.pid, 4400);
    assert_string_equal(o.oom_memcg, "/machine.slice/libpod-abc.scope");
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_KILLED_PROCESS);
    assert_int_equal(o.pid, 4500);
    assert_string_equal(o.oom_memcg, ""); /* a new report: no longer the group's */
    /* the group line must be whole: a prefix alone is another message */
    assert_int_equal(ng_kmsg_parse("6,50,9,-;Tasks in /x are going", 30, &o), NG_KMSG_OTHER);
    close(sv[0]);
    close(sv[1]);
}

/* Kernel lines that quote user input: "Killed process" is only the kernel's where its prefixes put
 * it, a memcg key only once, and a report's start whatever its COMM begins with. */
static void test_kmsg_quoted_user_input(void **state)
{
    (void)state;
    ng_kmsg_oom o;
    static const char forged[] =
        "3,60,9,-;tmpfs: Unknown parameter 'Killed process 4242 (node) total-vm:1kB, "
        "anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'";
    assert_int_equal(ng_kmsg_parse(forged, sizeof(forged) - 1, &o), NG_KMSG_OTHER);
    static const char plain[] =
        "3,61,9,-;Out of memory: Killed process 4242 (node) total-vm:1kB, anon-rss:1kB, "
        "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0";
    assert_int_equal(ng_kmsg_parse(plain, sizeof(plain) - 1, &o), NG_KMSG_KILLED_PROCESS);
    assert_int_equal(o.pid, 4242);
    static const char twice[] = "6,62,9,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=c,"
                                "mems_allowed=0,oom_memcg=/a.scope/x,task_memcg=/b.scope,task_memcg=/a.scope/"
                                "x,task_memcg=/b.scope,task=dd,pid=77,uid=0";
    assert_int_equal(ng_kmsg_parse(twice, sizeof(twice) - 1, &o), NG_KMSG_OTHER);
    static const char comm[] = "4,63,9,-;oom-kill:x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0";
    assert_int_equal(ng_kmsg_parse(comm, sizeof(comm) - 1, &o), NG_KMSG_OOM_REPORT);
}

/* A group's members follow its "Tasks in" line within a second, until the next OOM's lines. Other
 * kernel records may fall between two members: another CPU's printk, or the pass's own "OOM victim
 * N is already exiting" for a member whose memory is gone (the group's victim, visited again).
 * A "Killed process" alone two seconds later (a rate-limited report elsewhere) is not a member. */
static void test_kmsg_group_ends(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    ng_kmsg_track track = {0};
    ng_kmsg_oom o;
    static const char *const lines[] = {
        "6,70,9,-;Tasks in /machine.slice/libpod-abc.scope are going to be killed due to memory.oom.group "
        "set",
        KILLED_LINE("71", "4401"),
        "6,72,9,-;Memory cgroup out of memory: OOM victim 4400 (dd) is already exiting. Skip killing the "
        "task",
        "4,73,9,-;hrtimer: interrupt took 2254690 ns",
        KILLED_LINE("74", "4402"),
        "4,75,9,-;node invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        KILLED_LINE("76", "4403"),
        "6,80,9,-;Tasks in /machine.slice/libpod-abc.scope are going to be killed due to memory.oom.group "
        "set",
        KILLED_LINE("81", "4404"),
        "3,82,2000000,-;Memory cgroup out of memory: Killed process 4405 (node) total-vm:900kB, "
        "anon-rss:700kB, file-rss:10kB, shmem-rss:0kB, UID:0 pgtables:80kB oom_score_adj:0",
    };
    send_records(sv[0], lines, 10);
    static const struct {
        int64_t pid;
        const char *memcg;
    } want[] = {{4401, "/machine.slice/libpod-abc.scope"},
                {4402, "/machine.slice/libpod-abc.scope"}, /* past the skip and another CPU's line */
                {4403, ""},                                /* after the next report began */
                {4404, "/machine.slice/libpod-abc.scope"},
                {4405, ""}}; /* two seconds after the group line */
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), NG_KMSG_KILLED_PROCESS);
        assert_int_equal(o.pid, want[i].pid);
        assert_string_equal(o.oom_memcg, want[i].memcg);
    }
    assert_int_equal(ng_kmsg_next_oom(sv[1], &track, &o), 0);
    close(sv[0]);
    close(sv[1]);
}

/* Rootless: pid 1's exit code from podman's exit file, but not from a previous run's file. */
static void test_engine_exit_file_age(void **state)
{
    (void)state;
    char dir[] = "/tmp/ng-exitfile.XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/libpod", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/libpod/tmp", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/libpod/tmp/exits", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/libpod/tmp/exits/abc123", dir);
    FILE *f = fopen(path, "we");
    assert_non_null(f);
    fputs("137\n", f);
    fclose(f);
    /* written an hour ago */
    struct timespec old[2] = {{.tv_sec = time(NULL) - 3600}, {.tv_sec = time(NULL) - 3600}};
    assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
    setenv("XDG_RUNTIME_DIR", dir, 1);
    int code = -1;
    char why[320] = "";
    assert_int_equal(ng_engine_exit_read(NG_ENGINE_PODMAN, "abc123", ng_now_ms(), &code, why, sizeof(why)),
                     0);
    assert_non_null(strstr(why, "before the container was created"));
    assert_int_equal(
        ng_engine_exit_read(NG_ENGINE_PODMAN, "abc123", ng_now_ms() - 7200 * 1000, &code, why, sizeof(why)),
        1);
    assert_int_equal(code, 137);
    assert_int_equal(ng_engine_exit_read(NG_ENGINE_PODMAN, "../abc123", 0, &code, why, sizeof(why)), 0);
    unsetenv("XDG_RUNTIME_DIR");
    unlink(path);
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    assert_int_equal(system(path), 0);
}

/* --- cgroup v2 with crun's levels, on a simulated tree (regular files in a temp dir) --- */

#define CID       "3430b621577d2365a0a95301ca12c436241eb2b87c8fa7cc24f4d728a95d1e4c"
#define SCOPE     "/machine.slice/libpod-" CID ".scope"
#define SCOPE_REL "machine.slice/libpod-" CID ".scope"

static char tree[64];

/* Writes text to tree/rel, making the directories on the way. */
static void put(const char *rel, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", tree, rel);
    for (char *p = path + strlen(tree) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "we");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A v2 cgroup as the kernel shows it: memory.max, memory.events(.local), cgroup.procs. */
static void cgroup_at(const char *rel, const char *max, int kills, int local_kills, const char *procs)
{
    char path[PATH_MAX], text[256];
    snprintf(path, sizeof(path), "%s/memory.max", rel);
    put(path, max);
    snprintf(text, sizeof(text), "low 0\nhigh 0\nmax 3\noom 1\noom_kill %d\noom_group_kill 0\n", kills);
    snprintf(path, sizeof(path), "%s/memory.events", rel);
    put(path, text);
    snprintf(text, sizeof(text), "low 0\nhigh 0\nmax 0\noom 0\noom_kill %d\noom_group_kill 0\n", local_kills);
    snprintf(path, sizeof(path), "%s/memory.events.local", rel);
    put(path, text);
    snprintf(path, sizeof(path), "%s/cgroup.procs", rel);
    put(path, procs);
}

static int tree_setup(void **state)
{
    (void)state;
    snprintf(tree, sizeof(tree), "/tmp/ng-cgtest.XXXXXX");
    assert_non_null(mkdtemp(tree));
    /* podman + crun, systemd manager: the limit on the scope, pid 1 in its "container" child */
    cgroup_at("machine.slice", "max\n", 0, 0, "");
    cgroup_at(SCOPE_REL, "67108864\n", 0, 0, "");
    cgroup_at(SCOPE_REL "/container", "max\n", 0, 0, "");
    return 0;
}

static int tree_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
    return system(cmd);
}

static void mountinfo_for(char *out, size_t size, const char *opts)
{
    snprintf(out, size, "25 1 0:22 / %s rw,nosuid - cgroup2 cgroup2 %s\n", tree, opts);
}

/* pid 1's cgroup path resolved in the tree, then climbed by the levels crun makes for a config
 * with these annotations (JSON), cgroupsPath and id. Returns the levels climbed. */
static int resolve_and_climb(const char *pid_path, const char *annotations, const char *cgroups_path,
                             const char *id, const char *mount_opts, ng_cgroup *cg)
{
    char mi[512], procs[PATH_MAX + 8];
    mountinfo_for(mi, sizeof(mi), mount_opts);
    snprintf(procs, sizeof(procs), "0::%s\n", pid_path);
    assert_int_equal(ng_cgroup_resolve(procs, mi, cg, NULL), 0);
    cleanup_yajl_val yajl_val a = NULL;
    assert_int_equal(ng_json_parse(annotations, strlen(annotations), 8, &a, NULL), 0);
    ng_cgroup_levels levels;
    ng_engine_cgroup_levels(a, cgroups_path, id, &levels);
    return ng_cgroup_climb(cg, &levels);
}

static void test_climb_to_the_scope_with_the_limit(void **state)
{
    (void)state;
    ng_cgroup cg;
    char want[PATH_MAX];
    assert_int_equal(resolve_and_climb(SCOPE "/container", "{}", "machine.slice:libpod:" CID, CID, "rw", &cg),
                     1);
    snprintf(want, sizeof(want), "%s%s", tree, SCOPE);
    assert_string_equal(cg.dir, want);
    assert_string_equal(cg.kernel_path, SCOPE);
    snprintf(want, sizeof(want), "%s%s/container", tree, SCOPE);
    assert_string_equal(cg.leaf_dir, want);
    ng_memory_counters c;
    assert_int_equal(ng_cgroup_read_counters(&cg, &c), 0);
    assert_int_equal(c.limit_bytes, 67108864);

    /* the same through ng_cgroup_for_pid, with /proc redirected into the tree */
    char proc_pid[PATH_MAX], text[PATH_MAX + 64];
    snprintf(proc_pid, sizeof(proc_pid), "proc/4242/cgroup");
    put(proc_pid, "0::" SCOPE "/container\n");
    mountinfo_for(text, sizeof(text), "rw");
    put("proc/self/mountinfo", text);
    char proc_root[PATH_MAX];
    snprintf(proc_root, sizeof(proc_root), "%s/proc", tree);
    ng_cgroup_levels levels = {.own = "libpod-" CID ".scope", .inner = "container"};
    ng_cgroup viapid;
    assert_int_equal(ng_cgroup_for_pid(proc_root, 4242, &levels, &viapid, NULL), 0);
    assert_string_equal(viapid.kernel_path, SCOPE);
    /* without levels (a caller that knows nothing of the runtime): pid 1's own cgroup, as before */
    assert_int_equal(ng_cgroup_for_pid(proc_root, 4242, NULL, &viapid, NULL), 0);
    assert_string_equal(viapid.kernel_path, SCOPE "/container");
}

static void test_climb_only_from_an_unlimited_level(void **state)
{
    (void)state;
    ng_cgroup cg;
    /* "container" with a limit of its own: the OOM happens there, it stays watched */
    cgroup_at(SCOPE_REL "/container", "33554432\n", 0, 0, "");
    assert_int_equal(resolve_and_climb(SCOPE "/container", "{}", "machine.slice:libpod:" CID, CID, "rw", &cg),
                     0);
    assert_string_equal(cg.kernel_path, SCOPE "/container");
    assert_string_equal(cg.leaf_dir, "");
    cgroup_at(SCOPE_REL "/container", "max\n", 0, 0, "");
    /* a scope without a limit is still the container's own level, and the top: never above it */
    cgroup_at(SCOPE_REL, "max\n", 0, 0, "");
    assert_int_equal(resolve_and_climb(SCOPE "/container", "{}", "machine.slice:libpod:" CID, CID, "rw", &cg),
                     1);
    assert_string_equal(cg.kernel_path, SCOPE);
    cgroup_at(SCOPE_REL, "67108864\n", 0, 0, "");
    /* a subgroup without the memory controller (no memory.max): its processes are charged to the
     * scope, which is watched */
    put(SCOPE_REL "/nomem/cgroup.procs", "");
    assert_int_equal(resolve_and_climb(SCOPE "/nomem", "{\"run.oci.systemd.subgroup\": \"nomem\"}",
                                       "machine.slice:libpod:" CID, CID, "rw", &cg),
                     1);
    assert_string_equal(cg.kernel_path, SCOPE);
    /* and through ng_cgroup_for_pid, which wants memory.events where it ends, not in the leaf */
    char text[PATH_MAX + 64], proc_root[PATH_MAX];
    put("proc/4343/cgroup", "0::" SCOPE "/nomem\n");
    mountinfo_for(text, sizeof(text), "rw");
    put("proc/self/mountinfo", text);
    snprintf(proc_root, sizeof(proc_root), "%s/proc", tree);
    ng_cgroup_levels levels = {.own = "libpod-" CID ".scope", .inner = "nomem"};
    assert_int_equal(ng_cgroup_for_pid(proc_root, 4343, &levels, &cg, NULL), 0);
    assert_string_equal(cg.kernel_path, SCOPE);
    ng_error *err = NULL;
    assert_int_equal(ng_cgroup_for_pid(proc_root, 4343, NULL, &cg, &err), -ENOENT);
    ng_error_free(err);
}

static void test_climb_subgroup_and_delegate_annotations(void **state)
{
    (void)state;
    ng_cgroup cg;
    /* run.oci.systemd.subgroup names crun's subgroup */
    cgroup_at(SCOPE_REL "/payload", "max\n", 0, 0, "");
    assert_int_equal(resolve_and_climb(SCOPE "/payload", "{\"run.oci.systemd.subgroup\": \"payload\"}",
                                       "machine.slice:libpod:" CID, CID, "rw", &cg),
                     1);
    assert_string_equal(cg.kernel_path, SCOPE);
    /* ... and without it a "payload" child is not crun's: not climbed */
    assert_int_equal(resolve_and_climb(SCOPE "/payload", "{}", "machine.slice:libpod:" CID, CID, "rw", &cg),
                     0);
    /* "" turns the subgroup off: pid 1 is in the scope itself */
    assert_int_equal(resolve_and_climb(SCOPE, "{\"run.oci.systemd.subgroup\": \"\"}",
                                       "machine.slice:libpod:" CID, CID, "rw", &cg),
                     0);
    assert_string_equal(cg.kernel_path, SCOPE);
    /* run.oci.delegate-cgroup below the subgroup, two levels: climbed to the first limit */
    cgroup_at(SCOPE_REL "/container/app/x", "max\n", 0, 0, "");
    cgroup_at(SCOPE_REL "/container/app", "max\n", 0, 0, "");
    const char *deleg = "{\"run.oci.delegate-cgroup\": \"/app//x/\"}";
    assert_int_equal(
        resolve_and_climb(SCOPE "/container/app/x", deleg, "machine.slice:libpod:" CID, CID, "rw", &cg), 3);
    assert_string_equal(cg.kernel_path, SCOPE);
    cgroup_at(SCOPE_REL "/container", "33554432\n", 0, 0, "");
    assert_int_equal(
        resolve_and_climb(SCOPE "/container/app/x", deleg, "machine.slice:libpod:" CID, CID, "rw", &cg), 2);
    assert_string_equal(cg.kernel_path, SCOPE "/container");
    cgroup_at(SCOPE_REL "/container", "max\n", 0, 0, "");
    /* cgroupfs: the delegate below cgroupsPath itself */
    cgroup_at("libpod_parent/libpod-" CID, "67108864\n", 0, 0, "");
    cgroup_at("libpod_parent/libpod-" CID "/d", "max\n", 0, 0, "");
    assert_int_equal(resolve_and_climb("/libpod_parent/libpod-" CID "/d",
                                       "{\"run.oci.delegate-cgroup\": \"d\"}", "/libpod_parent/libpod-" CID,
                                       CID, "rw", &cg),
                     1);
    assert_string_equal(cg.kernel_path, "/libpod_parent/libpod-" CID);
}

/* Whatever the config says, nothing above the container's own cgroup is ever taken for it. */
static void test_climb_never_out_of_the_container(void **state)
{
    (void)state;
    ng_cgroup cg;
    const char *mine = "machine.slice:libpod:" CID;
    /* pid 1 in a "container" whose parent is the slice, not this container's scope */
    cgroup_at("machine.slice/container", "max\n", 0, 0, "");
    assert_int_equal(resolve_and_climb("/machine.slice/container", "{}", mine, CID, "rw", &cg), 0);
    assert_string_equal(cg.kernel_path, "/machine.slice/container");
    /* a subgroup annotation that reaches over the scope, or climbs with "..": not followed */
    static const char *const hostile[] = {
        "{\"run.oci.systemd.subgroup\": \"libpod-" CID ".scope/container\"}",
        "{\"run.oci.systemd.subgroup\": \"../../container\"}",
        "{\"run.oci.systemd.subgroup\": \"container/..\"}",
        "{\"run.oci.delegate-cgroup\": \"..\"}",
        "{\"run.oci.systemd.subgroup\": 1}",
    };
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        assert_int_equal(resolve_and_climb(SCOPE "/container", hostile[i], mine, CID, "rw", &cg), 0);
        assert_string_equal(cg.kernel_path, SCOPE "/container");
    }
    /* a config whose cgroupsPath names another container, or none (the runtime's default) */
    assert_int_equal(
        resolve_and_climb(SCOPE "/container", "{}", "machine.slice:libpod:other", CID, "rw", &cg), 0);
    assert_int_equal(resolve_and_climb(SCOPE "/container", "{}", "", CID, "rw", &cg), 0);
    assert_int_equal(resolve_and_climb(SCOPE "/container", "{}", "machine.slice:libpod:" CID, "", "rw", &cg),
                     0);
    /* cgroupfs with a delegate annotation, pid 1 not below cgroupsPath */
    cgroup_at("libpod_parent/d", "max\n", 0, 0, "");
    assert_int_equal(resolve_and_climb("/libpod_parent/d", "{\"run.oci.delegate-cgroup\": \"d\"}",
                                       "/libpod_parent/libpod-" CID, CID, "rw", &cg),
                     0);
    /* runc (no subgroup): pid 1 in the scope, which ends in no "container" */
    assert_int_equal(resolve_and_climb(SCOPE, "{}", mine, CID, "rw", &cg), 0);
    assert_string_equal(cg.kernel_path, SCOPE);
}

/* memory_localevents: a kill counts only in the victim's own cgroup; the watched scope must still
 * see it, once. */
static void test_localevents_kills_below(void **state)
{
    (void)state;
    ng_cgroup cg;
    char pid[32];
    snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
    /* hierarchical (the default): the scope's memory.events already counts the child's 2 kills */
    cgroup_at(SCOPE_REL, "67108864\n", 2, 0, "");
    cgroup_at(SCOPE_REL "/container", "max\n", 2, 2, pid);
    assert_int_equal(
        resolve_and_climb(SCOPE "/container", "{}", "machine.slice:libpod:" CID, CID, "rw,nsdelegate", &cg),
        1);
    assert_false(cg.local_events);
    ng_memory_counters c;
    assert_int_equal(ng_cgroup_read_counters(&cg, &c), 0);
    assert_int_equal(c.oom_kills, 2);
    /* memory_localevents: the scope's memory.events has none of them; the subtree's .local has 2+1 */
    cgroup_at(SCOPE_REL, "67108864\n", 0, 0, "");
    cgroup_at(SCOPE_REL "/container/app", "max\n", 1, 1, "");
    assert_int_equal(resolve_and_climb(SCOPE "/container", "{}", "machine.slice:libpod:" CID, CID,
                                       "rw,nsdelegate,memory_localevents", &cg),
                     1);
    assert_true(cg.local_events);
    assert_int_equal(ng_cgroup_read_counters(&cg, &c), 0);
    assert_int_equal(c.oom_kills, 3);
    /* the processes of a climbed cgroup are in the cgroups below it */
    ng_proc_rss procs[4];
    size_t n = 0;
    assert_int_equal(ng_cgroup_snapshot(&cg, "/proc", procs, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(procs[0].pid, getpid());
    /* with its command line, as ps shows it (this test binary's path first) */
    assert_non_null(strstr(procs[0].command, "test_oom"));
    /* and the leaf's memory.events is watched too: a kill there wakes the watcher */
    int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    assert_true(ifd >= 0);
    assert_int_equal(ng_cgroup_v2_watch_more(&cg, ifd), 0);
    cgroup_at(SCOPE_REL "/container", "max\n", 3, 3, pid);
    char buf[4096];
    assert_true(read(ifd, buf, sizeof(buf)) > 0);
    close(ifd);
    cgroup_at(SCOPE_REL "/container/app", "max\n", 0, 0, "");
    cgroup_at(SCOPE_REL "/container", "max\n", 0, 0, "");
}

/* Rootless, only the container's own cgroup (or a runtime level below it) is watched: the path must
 * end in the scope its cgroupsPath names, by whole elements, and pid 1's cgroup must be below it. */
static void test_rootless_only_the_containers_own_cgroup(void **state)
{
    (void)state;
    ng_cgroup cg;
    ng_cgroup_levels levels = {.own = "libpod-" CID ".scope", .inner = "container"};
    assert_int_equal(resolve_and_climb(SCOPE "/container", "{}", "machine.slice:libpod:" CID, CID, "rw", &cg),
                     1);
    assert_true(ng_cgroup_is_containers(&cg, &levels));
    /* not climbed (the subgroup has a limit of its own): pid 1's cgroup, a level below the scope */
    ng_cgroup leaf = {.version = 2};
    snprintf(leaf.kernel_path, sizeof(leaf.kernel_path), "%s", SCOPE "/container");
    snprintf(leaf.dir, sizeof(leaf.dir), "%s%s/container", tree, SCOPE);
    assert_true(ng_cgroup_is_containers(&leaf, &levels));
    /* another container's scope, a name that merely ends the same, a level the runtime did not make */
    ng_cgroup other = leaf;
    snprintf(other.kernel_path, sizeof(other.kernel_path), "/machine.slice/libpod-%064d.scope/container", 0);
    assert_false(ng_cgroup_is_containers(&other, &levels));
    snprintf(other.kernel_path, sizeof(other.kernel_path), "/machine.slice/xlibpod-" CID ".scope");
    assert_false(ng_cgroup_is_containers(&other, &levels));
    snprintf(other.kernel_path, sizeof(other.kernel_path), "%s", SCOPE "/container/evil");
    assert_false(ng_cgroup_is_containers(&other, &levels));
    snprintf(other.kernel_path, sizeof(other.kernel_path), "/machine.slice");
    assert_false(ng_cgroup_is_containers(&other, &levels));
    /* no levels (no cgroupsPath naming the container): whose it is is not known */
    ng_cgroup_levels none = {.own = "", .inner = ""};
    assert_false(ng_cgroup_is_containers(&cg, &none));
    assert_false(ng_cgroup_is_containers(&cg, NULL));
    /* pid 1's cgroup must be below the watched one */
    ng_cgroup moved = cg;
    snprintf(moved.leaf_dir, sizeof(moved.leaf_dir), "%s/machine.slice/elsewhere", tree);
    assert_false(ng_cgroup_is_containers(&moved, &levels));
}

/* Ownership is judged on the open directory: a directory that is not on cgroup2 (the simulated tree
 * is plain files) is refused whoever owns it, and so is a path that is a symlink or is missing. */
static void test_rootless_open_owned_refuses(void **state)
{
    (void)state;
    char dir[PATH_MAX], link[PATH_MAX];
    ng_error *err = NULL;
    snprintf(dir, sizeof(dir), "%s%s", tree, SCOPE);
    assert_int_equal(ng_cgroup_open_owned(dir, geteuid(), &err), -EPERM);
    assert_non_null(strstr(ng_error_msg(err), "not a cgroup2 directory"));
    ng_error_free(err);
    err = NULL;
    snprintf(link, sizeof(link), "%s/link-to-scope", tree);
    assert_int_equal(symlink(dir, link), 0);
    assert_true(ng_cgroup_open_owned(link, geteuid(), NULL) < 0);
    snprintf(link, sizeof(link), "%s/missing", tree);
    assert_int_equal(ng_cgroup_open_owned(link, geteuid(), NULL), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_v1),
        cmocka_unit_test(test_resolve_namespaced_root),
        cmocka_unit_test(test_resolve_v2),
        cmocka_unit_test(test_kmsg_oom_kill_line),
        cmocka_unit_test(test_kmsg_commas_in_names),
        cmocka_unit_test(test_kmsg_killed_process),
        cmocka_unit_test(test_kmsg_hostile_names),
        cmocka_unit_test(test_kmsg_other_and_malformed),
        cmocka_unit_test(test_spawn_armed),
        cmocka_unit_test(test_spawn_ended_before_armed),
        cmocka_unit_test(test_spawn_late),
        cmocka_unit_test(test_spawn_late_before_start),
        cmocka_unit_test(test_kmsg_usage_line),
        cmocka_unit_test(test_kmsg_usage_goes_to_its_kill),
        cmocka_unit_test(test_kmsg_group_members),
        cmocka_unit_test(test_kmsg_quoted_user_input),
        cmocka_unit_test(test_kmsg_group_ends),
        cmocka_unit_test(test_engine_exit_file_age),
        cmocka_unit_test(test_climb_to_the_scope_with_the_limit),
        cmocka_unit_test(test_climb_only_from_an_unlimited_level),
        cmocka_unit_test(test_climb_subgroup_and_delegate_annotations),
        cmocka_unit_test(test_climb_never_out_of_the_container),
        cmocka_unit_test(test_localevents_kills_below),
        cmocka_unit_test(test_rootless_only_the_containers_own_cgroup),
        cmocka_unit_test(test_rootless_open_owned_refuses),
    };
    return cmocka_run_group_tests_name("oom", tests, tree_setup, tree_teardown);
}
