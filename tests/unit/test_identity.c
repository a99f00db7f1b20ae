#include <string.h>
#include "helpers.h"
#include "nodeguard/identity.h"

static void test_uid_map(void **state)
{
    (void)state;
    const char *rootless = "         0       1001          1\n         1     100000      65536\n";
    assert_int_equal(ng_host_uid_from_map(rootless, 0), 1001);   /* podman's "root" is the user */
    assert_int_equal(ng_host_uid_from_map(rootless, 1), 100000); /* subordinate ids */
    assert_int_equal(ng_host_uid_from_map(rootless, 65536), 165535);
    assert_int_equal(ng_host_uid_from_map(rootless, 65537), (uid_t)-1); /* unmapped */
    assert_int_equal(ng_host_uid_from_map("0 0 4294967295\n", 0), 0);
    assert_int_equal(ng_host_uid_from_map("0 0 4294967295\n", 1000), 1000);
    assert_int_equal(ng_host_uid_from_map("", 0), (uid_t)-1);
    assert_int_equal(ng_host_uid_from_map("garbage\n0 4294967295 5\n", 3), (uid_t)-1); /* past uid_t */
}

static void test_passwd_home(void **state)
{
    (void)state;
    const char *passwd = "root:x:0:0:root:/root:/bin/bash\n"
                         "broken line without fields\n"
                         "x10:x:10a:0::/nope:/bin/sh\n"
                         "relative:x:11:0::home/rel:/bin/sh\n"
                         "ngrootless:x:1001:1001::/home/ngrootless:/bin/bash\n"
                         "last:x:1002:1002::/home/last:/bin/sh";
    char home[64];
    assert_true(ng_passwd_home(passwd, 1001, home, sizeof(home)));
    assert_string_equal(home, "/home/ngrootless");
    assert_true(ng_passwd_home(passwd, 0, home, sizeof(home)));
    assert_string_equal(home, "/root");
    assert_true(ng_passwd_home(passwd, 1002, home, sizeof(home))); /* no trailing newline */
    assert_string_equal(home, "/home/last");
    assert_false(ng_passwd_home(passwd, 10, home, sizeof(home))); /* "10a" is not 10 */
    assert_false(ng_passwd_home(passwd, 11, home, sizeof(home))); /* not absolute */
    assert_false(ng_passwd_home(passwd, 4242, home, sizeof(home)));
    char tiny[8];
    assert_false(ng_passwd_home(passwd, 1001, tiny, sizeof(tiny))); /* would not fit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uid_map),
        cmocka_unit_test(test_passwd_home),
    };
    return cmocka_run_group_tests_name("identity", tests, NULL, NULL);
}
