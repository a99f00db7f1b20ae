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

/* node 20's heap_size_limit in a memory cgroup of each size (real node, measured): the default, and
 * with --max-old-space-size=100 (100 + the young generation). The odd sizes are where V8's byte-exact
 * arithmetic shows: 1025 MiB gives old space 512.5 and a 4.0039 MiB semi-space, rounded to 8. */
static void test_v8_model_matches_node_at_every_limit(void **state)
{
    (void)state;
    static const struct {
        int64_t limit, heap, heap_at_100;
    } m[] = {
        {128, 259, 103},   {256, 259, 103},    {512, 259, 103},    {513, 269, 112},
        {768, 396, 112},   {1000, 512, 112},   {1024, 524, 112},   {1025, 537, 124},
        {1536, 792, 124},  {2048, 1048, 124},  {2049, 1073, 148},  {3072, 1584, 148},
        {4096, 2096, 148}, {15360, 2096, 148}, {15871, 2096, 148}, {15872, 4144, 148},
    };
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        int64_t young = ng_node_default_young_mib(m[i].limit);
        assert_int_equal(ng_node_default_old_space_mib(m[i].limit) + young, m[i].heap);
        assert_int_equal(100 + young, m[i].heap_at_100);
    }
}

/* --max-semi-space-size=N is rounded up to a power of two like the default (measured: =3 gives
 * 256 + 12 in 512 MiB); 0 means the default. */
static void test_semi_space_flag_rounds_to_power_of_two(void **state)
{
    (void)state;
    assert_int_equal(ng_node_young_mib(512, 3), 12);
    assert_int_equal(ng_node_young_mib(512, 100), 384);
    assert_int_equal(ng_node_young_mib(512, 64), 192);
    assert_int_equal(ng_node_young_mib(2048, 0), 24);
    assert_int_equal(ng_node_young_mib(2048, -1), 24);
    ng_sizing_params p;
    ng_conn_params c;
    ng_sizing_params_default(&p);
    ng_conn_params_default(&c);
    ng_plan out;
    ng_plan_compute(&p, &c, 1024 * (uint64_t)NG_MIB, 1, 0, 5, 0, &out);
    assert_int_equal(out.young_mib, 24);
    ng_plan_compute(&p, &c, 1024 * (uint64_t)NG_MIB, 1, 0, 0, 0, &out);
    assert_int_equal(out.young_mib, 12);
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

/* The heap grows with the limit, except by what V8's young generation takes when its semi-space
 * rounds up to the next power of two (1024 -> 1025 MiB: 12 -> 24 MiB young): then it may drop by
 * that step and no more. */
static void test_heap_grows_with_limit(void **state)
{
    (void)state;
    int64_t last = 0, last_young = 0;
    for (int64_t mib = 100; mib <= 8192; mib++) {
        ng_plan p = plan_for(mib, 1, 0, 0);
        if (p.young_mib == last_young)
            assert_true(p.heap_mib >= last);
        else
            assert_true(p.heap_mib >= last - (p.young_mib - last_young));
        last = p.heap_mib;
        last_young = p.young_mib;
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
        cmocka_unit_test(test_v8_model_matches_node_at_every_limit),
        cmocka_unit_test(test_semi_space_flag_rounds_to_power_of_two),
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
