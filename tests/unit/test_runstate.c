/* Sweeping leftover state directories (ng_state_sweep, src/host/runstate.c): only a finished
 * watcher's directory, unlocked, whose cgroup is gone, past the grace, is removed; nothing is
 * followed out of the state root; one call does a bounded amount of work. A temporary directory
 * stands in for STATE_DIR, and one beside it for the cgroup file system. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/runstate.h"
#include "nodeguard/util.h"

#define OLD_MS   ((int64_t)NG_STATE_SWEEP_GRACE_MS + 60 * 1000)
#define YOUNG_MS ((int64_t)NG_STATE_SWEEP_GRACE_MS - 60 * 1000)

typedef struct sweep_fixture {
    char root[64];    /* STATE_DIR */
    char outside[64]; /* cgroups, and targets of links planted in the root */
    char cgroup[96];  /* a cgroup that exists */
    char gone[96];    /* one that does not */
    int64_t now_ms;
} sweep_fixture;

static int fixture_setup(void **state)
{
    sweep_fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    snprintf(f->root, sizeof(f->root), "/tmp/ng-sweep-XXXXXX");
    snprintf(f->outside, sizeof(f->outside), "/tmp/ng-sweep-out-XXXXXX");
    assert_non_null(mkdtemp(f->root));
    assert_non_null(mkdtemp(f->outside));
    snprintf(f->cgroup, sizeof(f->cgroup), "%s/cgroup", f->outside);
    snprintf(f->gone, sizeof(f->gone), "%s/gone", f->outside);
    assert_int_equal(mkdir(f->cgroup, 0700), 0);
    f->now_ms = ng_now_ms();
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    sweep_fixture *f = *state;
    char cmd[192];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", f->root, f->outside);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static void set_age(const char *dir, const char *name, int64_t now_ms, int64_t age_ms)
{
    char path[PATH_MAX];
    int64_t t = now_ms - age_ms;
    struct timespec times[2] = {{.tv_sec = t / 1000, .tv_nsec = (t % 1000) * 1000000},
                                {.tv_sec = t / 1000, .tv_nsec = (t % 1000) * 1000000}};
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_int_equal(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), 0);
}

/* A state directory in parent as createRuntime and the watcher leave it: container.json naming
 * cgroup_dir, watcher.json (final or not), watcher.lock; both JSON files age_ms old. */
static void plant_in(const sweep_fixture *f, const char *parent, const char *id, bool final, int64_t age_ms,
                     const char *cgroup_dir)
{
    char dir[PATH_MAX], lock[PATH_MAX + 16];
    snprintf(dir, sizeof(dir), "%s/%s", parent, id);
    ng_container_state cs = {.pid = 4242, .cgroup = {.version = 2}, .heap_mib = -1};
    snprintf(cs.id, sizeof(cs.id), "%s", id);
    snprintf(cs.cgroup.dir, sizeof(cs.cgroup.dir), "%s", cgroup_dir);
    assert_int_equal(ng_container_state_write(dir, &cs, NULL), 0);
    ng_watcher_state ws = {.watcher_pid = 4243, .armed = true, .final = final, .peak_bytes = -1};
    assert_int_equal(ng_watcher_state_write(dir, &ws, NULL), 0);
    snprintf(lock, sizeof(lock), "%s/watcher.lock", dir);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    set_age(dir, "container.json", f->now_ms, age_ms);
    set_age(dir, "watcher.json", f->now_ms, age_ms);
}

static void plant(const sweep_fixture *f, const char *id, bool final, int64_t age_ms, const char *cgroup_dir)
{
    plant_in(f, f->root, id, final, age_ms, cgroup_dir);
}

static bool exists_in(const char *parent, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", parent, name);
    return lstat(path, &st) == 0;
}

static int sweep(const sweep_fixture *f, const char *keep_id)
{
    return ng_state_sweep(f->root, keep_id, f->now_ms, NG_STATE_SWEEP_EXAMINE_MAX, NG_STATE_SWEEP_REMOVE_MAX);
}

static void test_finished_old_cgroup_gone_removed(void **state)
{
    sweep_fixture *f = *state;
    plant(f, "leftover", true, OLD_MS, f->gone);
    /* a watcher killed mid-write leaves write_atomic's temporary behind */
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s/leftover/.watcher.json.77", f->root);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(sweep(f, "other"), 1);
    assert_false(exists_in(f->root, "leftover"));
}

static void test_not_final_kept(void **state)
{
    sweep_fixture *f = *state;
    plant(f, "running", false, OLD_MS, f->gone);
    assert_int_equal(sweep(f, NULL), 0);
    assert_true(exists_in(f->root, "running/watcher.json"));
}

/* poststop of a container that just exited must still find its watcher's last word */
static void test_younger_than_grace_kept(void **state)
{
    sweep_fixture *f = *state;
    plant(f, "recent", true, YOUNG_MS, f->gone);
    assert_int_equal(sweep(f, NULL), 0);
    assert_true(exists_in(f->root, "recent/watcher.json"));
    /* an old watcher.json with a container.json rewritten lately (the id started again) */
    plant(f, "restarted", true, OLD_MS, f->gone);
    set_age(f->root, "restarted/container.json", f->now_ms, 1000);
    assert_int_equal(sweep(f, NULL), 0);
    assert_true(exists_in(f->root, "restarted/container.json"));
}

static void test_cgroup_still_there_kept(void **state)
{
    sweep_fixture *f = *state;
    plant(f, "alive", true, OLD_MS, f->cgroup);
    assert_int_equal(sweep(f, NULL), 0);
    assert_true(exists_in(f->root, "alive/container.json"));
}

static void test_locked_kept(void **state)
{
    sweep_fixture *f = *state;
    plant(f, "locked", true, OLD_MS, f->gone);
    char lock[PATH_MAX];
    snprintf(lock, sizeof(lock), "%s/locked/watcher.lock", f->root);
    /* held as the watcher holds it: flock on a description of its own */
    int fd = open(lock, O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    assert_int_equal(sweep(f, NULL), 0);
    assert_true(exists_in(f->root, "locked/watcher.lock"));
    close(fd);
    assert_int_equal(sweep(f, NULL), 1); /* let go: a leftover like any other */
    assert_false(exists_in(f->root, "locked"));
}

/* A lock file that cannot be opened is no watcher's: the final word decides. */
static void test_missing_lock_file_removed(void **state)
{
    sweep_fixture *f = *state;
    plant(f, "nolock", true, OLD_MS, f->gone);
    char lock[PATH_MAX];
    snprintf(lock, sizeof(lock), "%s/nolock/watcher.lock", f->root);
    assert_int_equal(unlink(lock), 0);
    assert_int_equal(sweep(f, NULL), 1);
    assert_false(exists_in(f->root, "nolock"));
}

static void test_links_not_followed(void **state)
{
    sweep_fixture *f = *state;
    /* a directory outside the root that would be removed if it were in it */
    plant_in(f, f->outside, "target", true, OLD_MS, f->gone);
    char target[PATH_MAX], link[PATH_MAX], file[PATH_MAX];
    snprintf(target, sizeof(target), "%s/target", f->outside);
    snprintf(link, sizeof(link), "%s/link", f->root);
    assert_int_equal(symlink(target, link), 0);
    /* and a leftover whose files are links to files elsewhere */
    plant(f, "filelinks", true, OLD_MS, f->gone);
    snprintf(file, sizeof(file), "%s/filelinks/watcher.json", f->root);
    char watcher_json[PATH_MAX];
    snprintf(watcher_json, sizeof(watcher_json), "%s/watcher.json", target);
    assert_int_equal(unlink(file), 0);
    assert_int_equal(symlink(watcher_json, file), 0);
    /* and a plain file, which is no state directory */
    snprintf(file, sizeof(file), "%s/not-a-dir", f->root);
    int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);

    assert_int_equal(sweep(f, NULL), 0);
    assert_true(exists_in(f->root, "link"));
    assert_true(exists_in(f->root, "filelinks/watcher.json"));
    assert_true(exists_in(f->root, "not-a-dir"));
    assert_true(exists_in(f->outside, "target/container.json"));
    assert_true(exists_in(f->outside, "target/watcher.json"));
    assert_true(exists_in(f->outside, "target/watcher.lock"));
    /* a root that is itself a link is not swept at all */
    snprintf(link, sizeof(link), "%s/rootlink", f->outside);
    assert_int_equal(symlink(f->outside, link), 0);
    assert_true(ng_state_sweep(link, NULL, f->now_ms, 64, 8) < 0);
    assert_true(exists_in(f->outside, "target/watcher.json"));
}

static void test_keep_id_kept(void **state)
{
    sweep_fixture *f = *state;
    plant(f, "mine", true, OLD_MS, f->gone);
    assert_int_equal(sweep(f, "mine"), 0);
    assert_true(exists_in(f->root, "mine/watcher.json"));
}

static void test_bounded_per_call(void **state)
{
    sweep_fixture *f = *state;
    char id[32];
    for (int i = 0; i < 12; i++) {
        snprintf(id, sizeof(id), "leftover-%02d", i);
        plant(f, id, true, OLD_MS, f->gone);
    }
    /* at most max_removed removed */
    assert_int_equal(sweep(f, NULL), NG_STATE_SWEEP_REMOVE_MAX);
    assert_int_equal(sweep(f, NULL), 12 - NG_STATE_SWEEP_REMOVE_MAX);
    assert_int_equal(sweep(f, NULL), 0);
    /* at most max_examined looked at, kept ones included */
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof(id), "running-%02d", i);
        plant(f, id, false, OLD_MS, f->gone);
        snprintf(id, sizeof(id), "leftover-%02d", i);
        plant(f, id, true, OLD_MS, f->gone);
    }
    int removed = 0;
    for (int call = 0; call < 6; call++) {
        int r = ng_state_sweep(f->root, NULL, f->now_ms + call, 2, 8);
        assert_in_range(r, 0, 2);
        removed += r;
    }
    /* the start moves with the clock: every leftover is reached by some call */
    for (int call = 0; call < 100 && removed < 6; call++)
        removed += ng_state_sweep(f->root, NULL, f->now_ms + 17 * call, 2, 8);
    assert_int_equal(removed, 6);
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof(id), "running-%02d", i);
        assert_true(exists_in(f->root, id));
    }
}

/* At most one sweep an interval: the first start stamps root's .last-sweep, the starts within the
 * interval skip, the first after it sweeps again; a stamp that is not a plain file stops it. */
static void test_sweep_due_once_an_interval(void **state)
{
    sweep_fixture *f = *state;
    assert_true(ng_state_sweep_due(f->root, f->now_ms));
    assert_false(ng_state_sweep_due(f->root, f->now_ms + 1));
    assert_false(ng_state_sweep_due(f->root, f->now_ms + NG_STATE_SWEEP_INTERVAL_MS - 1));
    assert_true(ng_state_sweep_due(f->root, f->now_ms + NG_STATE_SWEEP_INTERVAL_MS));
    assert_false(ng_state_sweep_due(f->root, f->now_ms + NG_STATE_SWEEP_INTERVAL_MS + 1));
    /* the clock set back an hour: the stamp is in the future, and sweeping goes on */
    assert_true(ng_state_sweep_due(f->root, f->now_ms - 3600 * 1000));
    char stamp[128], target[128];
    snprintf(stamp, sizeof(stamp), "%s/.last-sweep", f->root);
    snprintf(target, sizeof(target), "%s/stamp-target", f->outside);
    assert_int_equal(unlink(stamp), 0);
    assert_int_equal(symlink(target, stamp), 0);
    assert_false(ng_state_sweep_due(f->root, f->now_ms + 10 * NG_STATE_SWEEP_INTERVAL_MS));
    assert_int_equal(access(target, F_OK), -1); /* the link was not followed */
    assert_int_equal(unlink(stamp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_finished_old_cgroup_gone_removed, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_not_final_kept, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_younger_than_grace_kept, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_cgroup_still_there_kept, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_locked_kept, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_missing_lock_file_removed, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_links_not_followed, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_keep_id_kept, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bounded_per_call, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_due_once_an_interval, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("runstate", tests, NULL, NULL);
}
