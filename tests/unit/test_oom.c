#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/cgroup.h"
#include "nodeguard/kmsg.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_v1),           cmocka_unit_test(test_resolve_namespaced_root),
        cmocka_unit_test(test_resolve_v2),           cmocka_unit_test(test_kmsg_oom_kill_line),
        cmocka_unit_test(test_kmsg_commas_in_names), cmocka_unit_test(test_kmsg_killed_process),
        cmocka_unit_test(test_kmsg_hostile_names),   cmocka_unit_test(test_kmsg_other_and_malformed),
    };
    return cmocka_run_group_tests_name("oom", tests, NULL, NULL);
}
