#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "helpers.h"
#include "nodeguard/auditlog.h"
#include "nodeguard/cleanup.h"
#include "nodeguard/json.h"
#include "nodeguard/util.h"

static void write_one(ng_log *log, int writer, int i)
{
    yajl_gen g = ng_record_begin(NG_EVENT_ERROR, "unit", NULL);
    assert_non_null(g);
    ng_gen_string(g, "writer");
    ng_gen_int(g, writer);
    ng_gen_string(g, "i");
    ng_gen_int(g, i);
    ng_gen_string(g, "pad");
    ng_gen_string(
        g, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    assert_int_equal(ng_record_write(log, g, NULL), 0);
    yajl_gen_free(g);
}

/* Counts the lines of every file named events.jsonl* in dir; each must parse; fills seen[writer][i]. */
static size_t count_lines(const char *dir, size_t *files, unsigned char seen[][1000], int writers)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t lines = 0;
    *files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "events.jsonl", 12) != 0 || strstr(e->d_name, ".lock"))
            continue;
        (*files)++;
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r");
        char line[4096];
        while (fgets(line, sizeof(line), f)) {
            yajl_val v = NULL;
            if (ng_json_parse(line, strlen(line), 8, &v, NULL) < 0)
                fail_msg("a torn or corrupt line in %s: %s", e->d_name, line);
            int64_t w = -1, i = -1;
            ng_json_get_int64(v, "writer", &w, NULL);
            ng_json_get_int64(v, "i", &i, NULL);
            assert_true(w >= 0 && w < writers && i >= 0 && i < 1000);
            seen[w][i]++;
            yajl_tree_free(v);
            lines++;
        }
        fclose(f);
    }
    closedir(d);
    return lines;
}

static void test_rotation_keeps_generations(void **state)
{
    (void)state;
    char dir[] = "/tmp/ng-rot-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    ng_log log;
    assert_int_equal(ng_log_open(path, &log, NULL), 0);
    ng_log_set_rotation(&log, 2000, 3);
    for (int i = 0; i < 100; i++)
        write_one(&log, 0, i);
    ng_log_close(&log);
    struct stat st;
    char gen[300];
    for (int g = 1; g <= 3; g++) {
        snprintf(gen, sizeof(gen), "%s.%d", path, g);
        assert_int_equal(stat(gen, &st), 0);
        assert_true(st.st_size <= 2000);
    }
    snprintf(gen, sizeof(gen), "%s.4", path);
    assert_int_equal(stat(gen, &st), -1);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size <= 2000);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_concurrent_writers_with_rotation(void **state)
{
    (void)state;
    enum { WRITERS = 8, RECORDS = 500 };
    char dir[] = "/tmp/ng-conc-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    for (int w = 0; w < WRITERS; w++) {
        pid_t pid = fork();
        if (pid == 0) {
            ng_log log;
            if (ng_log_open(path, &log, NULL) < 0)
                _exit(1);
            /* rotation every ~50 records, enough generations to keep all of them */
            ng_log_set_rotation(&log, 16 * 1024, 99);
            for (int i = 0; i < RECORDS; i++)
                write_one(&log, w, i);
            ng_log_close(&log);
            _exit(0);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status;
        wait(&status);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    static unsigned char seen[WRITERS][1000];
    memset(seen, 0, sizeof(seen));
    size_t files;
    size_t lines = count_lines(dir, &files, seen, WRITERS);
    assert_int_equal(lines, WRITERS * RECORDS);
    assert_true(files > 10); /* it really rotated while they wrote */
    for (int w = 0; w < WRITERS; w++)
        for (int i = 0; i < RECORDS; i++)
            if (seen[w][i] != 1)
                fail_msg("writer %d record %d seen %d times", w, i, seen[w][i]);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* A writer stuck holding LOG.lock (stopped, hung on a slow disk) delays a record by lock_wait_ms at
 * most; the record is still appended whole. */
static void test_stuck_lock_holder_is_waited_for_boundedly(void **state)
{
    (void)state;
    char dir[] = "/tmp/ng-lockwait-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[300], lock[310];
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    snprintf(lock, sizeof(lock), "%s.lock", path);
    ng_log log;
    assert_int_equal(ng_log_open(path, &log, NULL), 0);
    ng_log_set_lock_wait(&log, 150);
    int holder = open(lock, O_RDWR | O_CLOEXEC); /* its own open file description: flocks conflict */
    assert_true(holder >= 0);
    assert_int_equal(flock(holder, LOCK_EX), 0);
    int64_t t0 = ng_now_ms();
    write_one(&log, 0, 1);
    int64_t waited = ng_now_ms() - t0;
    assert_true(waited >= 150 && waited < 1000);
    flock(holder, LOCK_UN);
    t0 = ng_now_ms();
    write_one(&log, 0, 2); /* free again: no wait */
    assert_true(ng_now_ms() - t0 < 50);
    close(holder);
    ng_log_close(&log);
    size_t files = 0;
    static unsigned char seen[1][1000];
    assert_int_equal(count_lines(dir, &files, seen, 1), 2);
    assert_true(seen[0][1] == 1 && seen[0][2] == 1);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* The hand-rolled UTC formatter against glibc's gmtime_r, across leap days and centuries. */
static void test_timestamp_matches_gmtime(void **state)
{
    (void)state;
    static const time_t fixed[] = {0,          951782400 /* 2000-02-29 */,
                                   951868800,  4107542400 /* 2100-03-01 */,
                                   1795748616, 253402300799 /* 9999-12-31T23:59:59 */};
    srand(7);
    for (int i = 0; i < 20000; i++) {
        struct timespec ts = {
            .tv_sec =
                i < 6 ? fixed[i] : (time_t)(((uint64_t)rand() << 16 ^ (uint64_t)rand()) % 8000000000ULL),
            .tv_nsec = (long)(rand() % 1000000000)};
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        char want[64], got[64];
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
        ng_timestamp_format(&ts, got, sizeof(got));
        assert_string_equal(got, want);
    }
}

/* ng_log_open_as refuses PATH; nothing is created at the refused path. */
static void expect_refused(const char *path, ng_log_kind kind, const char *why)
{
    ng_log log;
    ng_error *err = NULL;
    assert_true(ng_log_open_as(path, kind, &log, &err) < 0);
    if (!strstr(ng_error_msg(err), why))
        fail_msg("opening %s: \"%s\" does not say \"%s\"", path, ng_error_msg(err), why);
    assert_int_equal(log.fd, -1);
    ng_error_free(err);
}

/* What another local user can plant where a user's own log goes (BASE/nodeguard/events.jsonl). */
static void test_user_log_refuses_what_others_planted(void **state)
{
    (void)state;
    char base[] = "/tmp/ng-user-XXXXXX", dir[256], path[256], other[256];
    assert_non_null(mkdtemp(base));
    snprintf(dir, sizeof(dir), "%s/nodeguard", base);
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    snprintf(other, sizeof(other), "%s/other", base);

    /* Fresh: the directory 0700 and the file 0600, the user's. */
    ng_log log;
    assert_int_equal(ng_log_open_as(path, NG_LOG_USER, &log, NULL), 0);
    assert_true(log.lock_fd >= 0);
    write_one(&log, 0, 0);
    ng_log_close(&log);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* The directory made writable by everyone, or the base itself. */
    chmod(dir, 0777);
    expect_refused(path, NG_LOG_USER, "can be written by other users (mode 0777)");
    chmod(dir, 0700);
    chmod(base, 01777);
    expect_refused(path, NG_LOG_USER, "can be written by other users (mode 1777)");
    chmod(base, 0700);

    /* The file writable by others; a symlink; a hard link; a FIFO (must not block). */
    chmod(path, 0666);
    expect_refused(path, NG_LOG_USER, "can be written by other users (mode 0666)");
    unlink(path);
    assert_int_equal(symlink(other, path), 0);
    expect_refused(path, NG_LOG_USER, "symlink");
    assert_int_equal(access(other, F_OK), -1);
    unlink(path);
    int fd = open(other, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    close(fd);
    assert_int_equal(link(other, path), 0);
    expect_refused(path, NG_LOG_USER, "hard link");
    expect_refused(path, NG_LOG_SYSTEM, "hard link");
    unlink(path);
    assert_int_equal(mkfifo(path, 0666), 0);
    expect_refused(path, NG_LOG_USER, path);
    unlink(path);

    /* The nodeguard directory a symlink to a directory of the user's: not followed. */
    char lock_path[300];
    snprintf(lock_path, sizeof(lock_path), "%s.lock", path);
    unlink(lock_path);
    assert_int_equal(rmdir(dir), 0);
    char elsewhere[256];
    snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", base);
    mkdir(elsewhere, 0700);
    assert_int_equal(symlink(elsewhere, dir), 0);
    expect_refused(path, NG_LOG_USER, "a symlink or not a directory");
    unlink(dir);

    /* Another user's directory and file (needs root to make them). */
    if (geteuid() == 0) {
        mkdir(dir, 0700);
        assert_int_equal(chown(dir, 65534, 65534), 0);
        expect_refused(path, NG_LOG_USER, "belongs to uid 65534");
        assert_int_equal(chown(dir, 0, 0), 0);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        close(fd);
        assert_int_equal(chown(path, 65534, 65534), 0);
        expect_refused(path, NG_LOG_USER, "belongs to uid 65534");
        assert_int_equal(chown(path, 0, 0), 0);
        /* A lock someone else could hold: not used, the record still written. */
        char lock[300];
        snprintf(lock, sizeof(lock), "%s.lock", path);
        fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        close(fd);
        assert_int_equal(chown(lock, 65534, 65534), 0);
        assert_int_equal(ng_log_open_as(path, NG_LOG_USER, &log, NULL), 0);
        assert_int_equal(log.lock_fd, -1);
        ng_log_close(&log);
    }

    /* A log shared by users is the operator's to create. */
    char shared[300];
    snprintf(shared, sizeof(shared), "%s/shared.jsonl", base);
    expect_refused(shared, NG_LOG_SHARED, "the operator creates it");
    assert_int_equal(access(shared, F_OK), -1);

    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotation_keeps_generations),
        cmocka_unit_test(test_concurrent_writers_with_rotation),
        cmocka_unit_test(test_stuck_lock_holder_is_waited_for_boundedly),
        cmocka_unit_test(test_timestamp_matches_gmtime),
        cmocka_unit_test(test_user_log_refuses_what_others_planted),
    };
    return cmocka_run_group_tests_name("auditlog", tests, NULL, NULL);
}
