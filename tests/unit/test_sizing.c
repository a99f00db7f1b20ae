#include <string.h>
#include "helpers.h"
#include "nodeguard/sizing.h"
#include "nodeguard/util.h"

static ng_plan plan_for(int64_t mib, int processes, int launchers, double cpus)
{
    ng_sizing_params p;
    ng_conn_params c;
    ng_sizing_params_default(&p);
    ng_conn_params_default(&c);
    ng_plan out;
    ng_plan_compute(&p, &c, (uint64_t)mib * NG_MIB, processes, launchers, -1, cpus, &out);
    return out;
}

/* Node 20's own heap_size_limit, measured in the project notes. */
static void test_node_defaults_match_measurements(void **state)
{
    (void)state;
    static const int64_t limit[] = {128, 256, 512, 1024, 2048, 4096, 24576};
    static const int64_t heap[] = {259, 259, 259, 524, 1048, 2096, 4144};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(ng_node_default_old_space_mib(limit[i]) + ng_node_default_young_mib(limit[i]),
                         heap[i]);
}

/* The table in docs/sizing-model.md. */
static void test_sizing_table(void **state)
{
    (void)state;
    static const int64_t limit[] = {128, 256, 512, 1024, 2048};
    static const int64_t heap[] = {86, 188, 390, 788, 1589};
    for (size_t i = 0; i < 5; i++) {
        ng_plan p = plan_for(limit[i], 1, 0, 0);
        assert_int_equal(p.verdict, NG_VERDICT_FITS);
        assert_int_equal(p.heap_mib, heap[i]);
        /* What the model promises: everything it counts stays within the limit minus the reserve. */
        assert_true(p.reserve_mib + p.base_mib + p.young_mib + p.heap_overhead_mib + p.heap_mib <=
                    p.limit_mib);
    }
}

static void test_heap_grows_with_limit(void **state)
{
    (void)state;
    int64_t last = 0;
    for (int64_t mib = 100; mib <= 8192; mib += 7) {
        ng_plan p = plan_for(mib, 1, 0, 0);
        assert_true(p.heap_mib >= last);
        last = p.heap_mib;
    }
}

static void test_processes_share(void **state)
{
    (void)state;
    ng_plan one = plan_for(1024, 1, 0, 0), two = plan_for(1024, 2, 0, 0), npm = plan_for(1024, 1, 1, 0);
    assert_true(two.heap_mib < one.heap_mib / 2 + 1);
    assert_true(npm.heap_mib < one.heap_mib && npm.heap_mib > two.heap_mib);
    assert_int_equal(npm.launcher_mib, 15);
}

static void test_too_small_and_unlimited(void **state)
{
    (void)state;
    ng_plan tiny = plan_for(48, 1, 0, 0);
    assert_int_equal(tiny.verdict, NG_VERDICT_DOES_NOT_FIT);
    assert_int_equal(tiny.heap_mib, 0);
    ng_plan none = plan_for(0, 1, 0, 0);
    assert_int_equal(none.verdict, NG_VERDICT_UNLIMITED);
    assert_int_equal(none.conn_limit, -1);
}

static void test_min_limit_is_the_inverse(void **state)
{
    (void)state;
    ng_sizing_params p;
    ng_conn_params c = {0};
    ng_sizing_params_default(&p);
    for (int64_t heap = 32; heap <= 4096; heap += 61)
        for (int procs = 1; procs <= 3; procs++) {
            int64_t limit = ng_plan_min_limit_mib(&p, heap, procs, 0, -1);
            ng_plan at, below;
            ng_plan_compute(&p, &c, (uint64_t)limit * NG_MIB, procs, 0, -1, 0, &at);
            ng_plan_compute(&p, &c, (uint64_t)(limit - 1) * NG_MIB, procs, 0, -1, 0, &below);
            assert_true(at.heap_mib >= heap);
            assert_true(below.heap_mib < heap);
        }
}

static void test_connection_limit(void **state)
{
    (void)state;
    assert_int_equal(plan_for(512, 1, 0, 0).conn_limit, 5);
    assert_int_equal(plan_for(128, 1, 0, 0).conn_limit, 2);      /* floor */
    assert_int_equal(plan_for(1 << 20, 1, 0, 0).conn_limit, 50); /* ceiling */
    assert_int_equal(plan_for(2048, 1, 0, 1).conn_limit, 3);     /* one CPU: 2 x 1 + 1 */
    assert_int_equal(plan_for(0, 1, 0, 2).conn_limit, 5);        /* no memory limit, 2 CPUs */
}

static void test_explanation_shows_arithmetic(void **state)
{
    (void)state;
    ng_plan p = plan_for(512, 1, 0, 0);
    assert_non_null(strstr(p.explanation, "512 MiB limit - 25 reserve"));
    assert_non_null(strstr(p.explanation, "= 390 MiB heap"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_defaults_match_measurements),
        cmocka_unit_test(test_sizing_table),
        cmocka_unit_test(test_heap_grows_with_limit),
        cmocka_unit_test(test_processes_share),
        cmocka_unit_test(test_too_small_and_unlimited),
        cmocka_unit_test(test_min_limit_is_the_inverse),
        cmocka_unit_test(test_connection_limit),
        cmocka_unit_test(test_explanation_shows_arithmetic),
    };
    return cmocka_run_group_tests_name("sizing", tests, NULL, NULL);
}
