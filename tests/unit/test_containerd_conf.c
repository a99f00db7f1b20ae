/* The containerd config reader behind `nodeguard doctor`: the handler keys however they are spelt
 * (table headers, dotted keys, quotes, the three config versions), and "too complex" instead of a
 * guess wherever it cannot follow the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "nodeguard/containerd_conf.h"

static ng_ctrd_conf *scan(const char *text)
{
    ng_ctrd_conf *c = malloc(sizeof(*c));
    assert_non_null(c);
    ng_ctrd_conf_scan(text, strlen(text), c);
    return c;
}

static const ng_ctrd_handler *find(const ng_ctrd_conf *c, const char *name)
{
    for (size_t i = 0; i < c->n_handlers; i++)
        if (strcmp(c->handlers[i].name, name) == 0)
            return &c->handlers[i];
    return NULL;
}

static void test_shipped_shape(void **state)
{
    (void)state;
    ng_ctrd_conf *c = scan("# comment\nversion = 2\n\n"
                           "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
                           "  runtime_type = \"io.containerd.runc.v2\" # the shim\n"
                           "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
                           "    BinaryName = \"/usr/bin/nodeguard-runtime\"\n"
                           "    SystemdCgroup = true\n");
    assert_string_equal(c->too_complex, "");
    assert_int_equal(c->version, 2);
    assert_string_equal(c->cri_table, "plugins.\"io.containerd.grpc.v1.cri\"");
    const ng_ctrd_handler *h = find(c, "runc");
    assert_non_null(h);
    assert_true(h->has_runtime_type);
    assert_string_equal(h->runtime_type, "io.containerd.runc.v2");
    assert_true(h->has_binary_name);
    assert_string_equal(h->binary_name, "/usr/bin/nodeguard-runtime");
    assert_int_equal(h->line, 5);
    free(c);
}

static void test_empty_and_missing_runtime_type(void **state)
{
    (void)state;
    ng_ctrd_conf *c = scan("[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
                           "BinaryName = '/usr/bin/nodeguard-runtime'\n"
                           "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.other]\n"
                           "runtime_type = \"\"\n");
    assert_string_equal(c->too_complex, "");
    assert_int_equal(c->version, 0);
    const ng_ctrd_handler *runc = find(c, "runc"), *other = find(c, "other");
    assert_non_null(runc);
    assert_false(runc->has_runtime_type);
    assert_string_equal(runc->binary_name, "/usr/bin/nodeguard-runtime");
    assert_non_null(other);
    assert_true(other->has_runtime_type);
    assert_string_equal(other->runtime_type, "");
    assert_false(other->has_binary_name);
    free(c);
}

static void test_dotted_keys_and_versions(void **state)
{
    (void)state;
    /* Version 3 (containerd 2.x) with dotted keys and spaces around the dots; version 1's "cri". */
    ng_ctrd_conf *c = scan("version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd]\n"
                           "default_runtime_name = \"ng\"\n"
                           "runtimes.ng.runtime_type = \"io.containerd.runc.v2\"\n"
                           "runtimes . ng . options . BinaryName = \"/opt/nodeguard-runtime\"\n");
    assert_string_equal(c->too_complex, "");
    assert_int_equal(c->version, 3);
    assert_string_equal(c->default_runtime, "ng");
    const ng_ctrd_handler *h = find(c, "ng");
    assert_non_null(h);
    assert_string_equal(h->runtime_type, "io.containerd.runc.v2");
    assert_string_equal(h->binary_name, "/opt/nodeguard-runtime");
    free(c);
    c = scan("[plugins.cri.containerd.runtimes.runc]\nruntime_type = \"io.containerd.runc.v1\"\n");
    assert_string_equal(c->cri_table, "plugins.cri");
    assert_non_null(find(c, "runc"));
    free(c);
}

static void test_unrelated_keys_ignored(void **state)
{
    (void)state;
    /* Other plugins' keys, multi-line arrays (with brackets in strings), keys of the same names
     * elsewhere: none of them is a handler. */
    ng_ctrd_conf *c = scan("imports = [\"/etc/containerd/conf.d/*.toml\"]\n"
                           "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"/opt\"\n"
                           "[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                           "  mirrors = [\n    \"a]\", # ]\n    'b[',\n  ]\n"
                           "  runtimes = { runc = 1 }\n"
                           "[other.containerd.runtimes.runc.options]\nBinaryName = \"/x\"\n");
    assert_string_equal(c->too_complex, "");
    assert_true(c->has_imports);
    assert_int_equal(c->n_handlers, 0);
    free(c);
}

static void test_too_complex(void **state)
{
    (void)state;
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes]\nrunc = { runtime_type = \"x\" }\n",
         "line 2: an inline table"},
        {"[plugins.\"io.containerd.grpc.v1.cri\".containerd]\nruntimes.runc = {}\n",
         "line 2: an inline table"},
        {"[[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes]]\n", "line 1: an array of tables"},
        {"[plugins.cri.containerd.runtimes.runc]\nruntime_type = \"\"\"\nio.containerd.runc.v2\"\"\"\n",
         "line 2: a multi-line string"},
        {"[plugins.cri.containerd.runtimes.runc]\nruntime_type = \"a\"\nruntime_type = \"b\"\n",
         "line 3: runtime_type set twice"},
        {"[plugins.cri.containerd.runtimes.runc.options]\nBinaryName = \"\\u002fx\"\n", "line 2: a string"},
        {"x = [\n1,\n", "an array that is never closed"},
        {"[plugins.cri\n", "line 1: a table header"},
        {"just words\n", "line 1: a line this reader does not take"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ng_ctrd_conf *c = scan(cases[i].text);
        if (!strstr(c->too_complex, cases[i].why))
            fail_msg("case %zu: want \"%s\" in \"%s\"", i, cases[i].why, c->too_complex);
        free(c);
    }
}

static void test_bounds(void **state)
{
    (void)state;
    /* More handlers than the reader keeps, a line past the limit: both said, neither overflows. */
    size_t size = 64 * (NG_CTRD_MAX_HANDLERS + 2) + 8192;
    char *text = calloc(1, size);
    assert_non_null(text);
    size_t n = 0;
    for (int i = 0; i < NG_CTRD_MAX_HANDLERS + 1; i++)
        n += (size_t)snprintf(text + n, size - n,
                              "[plugins.cri.containerd.runtimes.h%d]\nruntime_type = \"t\"\n", i);
    ng_ctrd_conf *c = scan(text);
    assert_non_null(strstr(c->too_complex, "more than 16 runtime handlers"));
    free(c);
    memset(text, 'a', 5000);
    text[5000] = '\0';
    c = scan(text);
    assert_non_null(strstr(c->too_complex, "a line longer than"));
    free(c);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_shape),
        cmocka_unit_test(test_empty_and_missing_runtime_type),
        cmocka_unit_test(test_dotted_keys_and_versions),
        cmocka_unit_test(test_unrelated_keys_ignored),
        cmocka_unit_test(test_too_complex),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests_name("containerd_conf", tests, NULL, NULL);
}
