#include <string.h>
#include <sys/stat.h>
#include "helpers.h"
#include "nodeguard/trust.h"

static struct stat st_of(mode_t mode, uid_t uid, nlink_t nlink)
{
    struct stat st;
    memset(&st, 0, sizeof(st));
    st.st_mode = mode;
    st.st_uid = uid;
    st.st_nlink = nlink;
    return st;
}

static void test_user_dir(void **state)
{
    (void)state;
    char buf[96];
    struct stat st = st_of(S_IFDIR | 0700, 1001, 2);
    assert_null(ng_user_dir_problem(&st, 1001, buf, sizeof(buf)));
    st = st_of(S_IFDIR | 0755, 1001, 2); /* readable by others is the user's choice */
    assert_null(ng_user_dir_problem(&st, 1001, buf, sizeof(buf)));
    /* Pre-created by another user for the victim, as /tmp/nodeguard-UID was. */
    st = st_of(S_IFDIR | 0777, 1002, 2);
    assert_string_equal(ng_user_dir_problem(&st, 1001, buf, sizeof(buf)),
                        "belongs to uid 1002, not to uid 1001");
    st = st_of(S_IFDIR | 0777, 1001, 2);
    assert_string_equal(ng_user_dir_problem(&st, 1001, buf, sizeof(buf)),
                        "can be written by other users (mode 0777)");
    st = st_of(S_IFDIR | 01777, 1001, 2); /* sticky: others can still create the names we use */
    assert_non_null(ng_user_dir_problem(&st, 1001, buf, sizeof(buf)));
    st = st_of(S_IFDIR | 0770, 1001, 2);
    assert_non_null(ng_user_dir_problem(&st, 1001, buf, sizeof(buf)));
    st = st_of(S_IFREG | 0700, 1001, 1);
    assert_string_equal(ng_user_dir_problem(&st, 1001, buf, sizeof(buf)), "is not a directory");
}

static void test_log_file(void **state)
{
    (void)state;
    char buf[96];
    struct stat st = st_of(S_IFREG | 0600, 1001, 1);
    assert_null(ng_log_file_problem(&st, 1001, true, buf, sizeof(buf)));
    st = st_of(S_IFREG | 0640, 0, 1); /* root's log read by a group */
    assert_null(ng_log_file_problem(&st, 0, true, buf, sizeof(buf)));
    /* Another user's 0666 file where the victim's log goes. */
    st = st_of(S_IFREG | 0666, 1002, 1);
    assert_string_equal(ng_log_file_problem(&st, 1001, true, buf, sizeof(buf)),
                        "belongs to uid 1002, not to uid 1001");
    assert_null(ng_log_file_problem(&st, 1001, false, buf, sizeof(buf))); /* a shared log is the operator's */
    st = st_of(S_IFREG | 0666, 1001, 1);
    assert_string_equal(ng_log_file_problem(&st, 1001, true, buf, sizeof(buf)),
                        "can be written by other users (mode 0666)");
    /* A hard link to a file of the victim's (or to /etc/... under root): refused for every log. */
    st = st_of(S_IFREG | 0600, 1001, 2);
    assert_string_equal(ng_log_file_problem(&st, 1001, true, buf, sizeof(buf)),
                        "has 2 names (a hard link), so it may be another file");
    assert_non_null(ng_log_file_problem(&st, 1001, false, buf, sizeof(buf)));
    st = st_of(S_IFIFO | 0666, 1001, 1);
    assert_string_equal(ng_log_file_problem(&st, 1001, false, buf, sizeof(buf)), "is not a regular file");
    st = st_of(S_IFCHR | 0666, 0, 1);
    assert_non_null(ng_log_file_problem(&st, 0, false, buf, sizeof(buf)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_dir),
        cmocka_unit_test(test_log_file),
    };
    return cmocka_run_group_tests_name("trust", tests, NULL, NULL);
}
