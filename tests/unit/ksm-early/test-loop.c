/* Unit tests of ksm-early/loop.c, the arithmetic of a `loop` tick (spec §12): KubeVirt's
 * "adapt to memory pressure" (T33) and override (T34) sequences, the sleep floor and ceiling,
 * the pages bounds, decay to a stop, single precision at the threshold, E21, the meminfo parser
 * and the policy combinations loop refuses (E6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "loop.h"
#include "policy.h"

/* The figures of spec §15 (KubeVirt's test): kB. */
#define MEM_TOTAL 65680332u
#define MEM_PRESSURE 5183928u
#define MEM_CALM 39207804u

static struct loop_params defaults(void) {
        struct policy p;
        assert_int_equal(policy_init_default(&p), 0);
        struct loop_params lp = p.loop;
        policy_free(&p);
        return lp;
}

/* What the verb keeps between ticks: the kernel's pages_to_scan and whether run is 1. */
struct ksm_sim {
        uint64_t pages, sleep;
        bool running;
};

/* n ticks at `available`; the last tick's result. */
static struct loop_result steps(const struct loop_params *lp, struct ksm_sim *k, uint64_t available, int n) {
        struct loop_result r = {};
        for (int i = 0; i < n; i++) {
                assert_int_equal(loop_tick_compute(lp, MEM_TOTAL, available, k->pages, k->running, &r), 0);
                if (r.running) { /* written only while running; a stop writes run=0 alone */
                        k->pages = r.pages;
                        k->sleep = r.sleep_ms;
                }
                k->running = r.running;
        }
        return r;
}

static void expect_sim(const struct ksm_sim *k, bool running, uint64_t pages, uint64_t sleep) {
        assert_int_equal(k->running, running);
        assert_int_equal(k->pages, pages);
        assert_int_equal(k->sleep, sleep);
}

/* Ticks until KSM stops, at most limit; the count. pages never goes below pagesMin. */
static int ticks_to_stop(const struct loop_params *lp, struct ksm_sim *k, uint64_t available, int limit) {
        int n = 0;
        for (; k->running && n < limit; n++) {
                steps(lp, k, available, 1);
                assert_true(k->pages >= (uint64_t)lp->pages_min);
        }
        assert_false(k->running);
        return n;
}

static void test_t33_kubevirt_pressure(void **state) {
        (void)state;
        struct loop_params lp = defaults();
        struct ksm_sim k = { .pages = 100, .sleep = 20 }; /* Linux defaults, run 0 */
        assert_false(steps(&lp, &k, MEM_CALM, 1).pressure);
        expect_sim(&k, false, 100, 20);
        assert_true(steps(&lp, &k, MEM_PRESSURE, 1).pressure);
        expect_sim(&k, true, 100, 27);
        steps(&lp, &k, MEM_PRESSURE, 1);
        expect_sim(&k, true, 400, 27);
        steps(&lp, &k, MEM_PRESSURE, 3);
        expect_sim(&k, true, 1250, 27);
        assert_false(steps(&lp, &k, MEM_CALM, 1).pressure);
        expect_sim(&k, true, 1200, 63);
        steps(&lp, &k, MEM_CALM, 15);
        expect_sim(&k, true, 450, 63);
        /* 450 -> 100 in 7 steps of 50, then 50 < 64 stops: within the spec's 30. */
        assert_int_equal(ticks_to_stop(&lp, &k, MEM_CALM, 30), 8);
        /* The spec's note: with defaults, decay from cap to floor takes 24 ticks. */
        k = (struct ksm_sim){ .pages = 1250, .running = true };
        assert_int_equal(ticks_to_stop(&lp, &k, MEM_CALM, 100), 24);
}

static void test_t34_kubevirt_overrides(void **state) {
        (void)state;
        struct loop_params lp = { .pages_boost = 123, .pages_decay = -50, .pages_min = 166, .pages_max = 789,
                                  .pages_init = 166, .sleep_ms_baseline = 1213, .free_percent = 1.0,
                                  .interval_seconds = 180 };
        struct ksm_sim k = { .pages = 100, .sleep = 20 };
        assert_true(steps(&lp, &k, MEM_CALM, 1).pressure); /* freePercent 1.0: always pressure */
        expect_sim(&k, true, 166, 768);
        steps(&lp, &k, MEM_CALM, 1);
        expect_sim(&k, true, 289, 768);
        steps(&lp, &k, MEM_CALM, 5);
        expect_sim(&k, true, 789, 768);
        lp.free_percent = 0.1;
        assert_false(steps(&lp, &k, MEM_CALM, 1).pressure);
        expect_sim(&k, true, 739, 768);
        assert_int_equal(ticks_to_stop(&lp, &k, MEM_CALM, 16), 12);
        expect_sim(&k, false, 189, 768); /* the last value written; the stop writes run=0 only */
}

static void test_sleep_bounds(void **state) {
        (void)state;
        struct loop_params lp = defaults();
        struct loop_result r;
        /* A huge host: 100 * 2^24 / 2^40 is 0, the floor is baseline / 10. */
        assert_int_equal(loop_tick_compute(&lp, UINT64_C(1) << 40, 0, 100, false, &r), 0);
        assert_int_equal(r.sleep_ms, 10);
        /* baseline / 10 = 0: the floor is 1, the sleep is never 0. */
        lp.sleep_ms_baseline = 5;
        assert_int_equal(loop_tick_compute(&lp, UINT64_C(1) << 40, 0, 100, false, &r), 0);
        assert_int_equal(r.sleep_ms, 1);
        /* The largest baseline over 1 kB in use: the product fits 64 bits, the result is capped. */
        lp.sleep_ms_baseline = UINT32_MAX;
        assert_int_equal(loop_tick_compute(&lp, 1001, 1000, 100, false, &r), 0);
        assert_int_equal(r.sleep_ms, UINT32_MAX);
        /* Exactly 16 GiB in use sleeps the baseline. */
        lp.sleep_ms_baseline = 100;
        assert_int_equal(loop_tick_compute(&lp, 16777216 + 500, 500, 100, false, &r), 0);
        assert_int_equal(r.sleep_ms, 100);
}

static void test_pages_bounds(void **state) {
        (void)state;
        static const struct {
                const char *what;
                int64_t decay;
                uint64_t available, pages;
                bool running, want_running;
                uint64_t want_pages;
        } cases[] = {
                { "pressure, running: + boost, capped at pagesMax", -50, MEM_PRESSURE, 1200, true, true, 1250 },
                { "pressure, running, set above pagesMax: capped", -50, MEM_PRESSURE, 5000, true, true, 1250 },
                { "pressure, stopped: pagesInit whatever the kernel holds", -50, MEM_PRESSURE, 5000, false, true, 100 },
                { "decay onto pagesMin: keeps running", -50, MEM_CALM, 114, true, true, 64 },
                { "decay below pagesMin: stops at pagesMin", -50, MEM_CALM, 113, true, false, 64 },
                { "the largest decay cannot wrap", -(int64_t)UINT32_MAX, MEM_CALM, 10, true, false, 64 },
                { "calm, stopped: nothing changes", -50, MEM_CALM, 333, false, false, 333 },
                { "no decay: a calm host keeps running", 0, MEM_CALM, 64, true, true, 64 },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct loop_params lp = defaults();
                lp.pages_decay = cases[i].decay;
                struct loop_result r;
                print_message("%s\n", cases[i].what);
                assert_int_equal(loop_tick_compute(&lp, MEM_TOTAL, cases[i].available, cases[i].pages, cases[i].running, &r), 0);
                assert_int_equal(r.running, cases[i].want_running);
                assert_int_equal(r.pages, cases[i].want_pages);
        }
}

static void test_single_precision(void **state) {
        (void)state;
        struct loop_params lp = defaults(); /* freePercent 0.2 */
        struct loop_result r;
        /* In double precision 20000001 > 1e8 * 0.2 (no pressure); in float both sides round to
         * 20000000, so KubeVirt sees pressure. */
        assert_int_equal(loop_tick_compute(&lp, 100000000, 20000001, 100, false, &r), 0);
        assert_true(r.pressure);
        assert_int_equal(loop_tick_compute(&lp, 100000000, 20000003, 100, false, &r), 0);
        assert_false(r.pressure);
        /* freePercent 0: pressure only when nothing is available. */
        lp.free_percent = 0;
        assert_int_equal(loop_tick_compute(&lp, 1000, 0, 100, false, &r), 0);
        assert_true(r.pressure);
        assert_int_equal(loop_tick_compute(&lp, 1000, 1, 100, false, &r), 0);
        assert_false(r.pressure);
}

static void test_e21_skip(void **state) {
        (void)state;
        struct loop_params lp = defaults();
        struct loop_result r = { .pages = 4242 };
        assert_int_equal(loop_tick_compute(&lp, MEM_TOTAL, MEM_TOTAL, 100, true, &r), -EDOM);
        assert_int_equal(loop_tick_compute(&lp, MEM_TOTAL, MEM_TOTAL + 1, 100, false, &r), -EDOM);
        assert_int_equal(loop_tick_compute(&lp, 0, 0, 100, false, &r), -EDOM);
        assert_int_equal(r.pages, 4242); /* untouched */
        assert_int_equal(loop_tick_compute(&lp, MEM_TOTAL, MEM_TOTAL - 1, 100, false, &r), 0);
}

static void test_meminfo(void **state) {
        (void)state;
        static const char ok[] = "MemTotal:       65680332 kB\nMemFree:         1000 kB\n"
                                 "MemAvailable:   39207804 kB\nBuffers: 12 kB\n";
        uint64_t t = 0, a = 0;
        assert_int_equal(meminfo_parse(ok, strlen(ok), &t, &a), 0);
        assert_int_equal(t, 65680332);
        assert_int_equal(a, 39207804);
        static const char big[] = "MemAvailable: 1 kB\nMemTotal: 9000000000000 kB\n";
        assert_int_equal(meminfo_parse(big, strlen(big), &t, &a), 0);
        assert_int_equal(t, UINT64_C(9000000000000));
        assert_int_equal(a, 1);
        static const char *const bad[] = {
                "MemTotal: 100 kB\n",                              /* no MemAvailable (< 3.14) */
                "MemTotal: 100 kB\nMemAvailable: -5 kB\n",
                "MemTotal: 100 MB\nMemAvailable: 5 kB\n",
                "MemTotal: 1x0 kB\nMemAvailable: 5 kB\n",
                "MemTotal: 99999999999999999999 kB\nMemAvailable: 5 kB\n",
                "MemTotal:\nMemAvailable: 5 kB\n",
                "",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
                assert_int_equal(meminfo_parse(bad[i], strlen(bad[i]), &t, &a), -EINVAL);
}

static void parse(const char *json, struct policy *p) {
        strv errors = {};
        const char *code = NULL;
        assert_int_equal(policy_parse(json, strlen(json), "p.json", p, &errors, &code), 0);
        strv_free(&errors);
}

#define API "\"apiVersion\":\"ksm-early/v1alpha1\""

static void test_policy_check(void **state) {
        (void)state;
        struct policy p;
        strv errors = {};
        parse("{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":{},\"activation\":\"OnPressure\"}}", &p);
        assert_int_equal(loop_policy_check(&p, "p.json", &errors), 0);
        assert_int_equal(errors.n, 0);
        policy_free(&p);

        parse("{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":{}}}", &p); /* Always */
        assert_int_equal(loop_policy_check(&p, "p.json", &errors), -EINVAL);
        assert_int_equal(errors.n, 1);
        assert_string_equal(errors.v[0], "p.json: .ksmConfiguration.activation: loop needs \"OnPressure\", got "
                                         "\"Always\" (with \"Always\", apply starts KSM at once)");
        strv_free(&errors);
        policy_free(&p);

        parse("{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":{},\"activation\":\"OnPressure\","
              "\"tuning\":{\"advisor\":{\"mode\":\"scan-time\"}}}}", &p);
        assert_int_equal(loop_policy_check(&p, "p.json", &errors), -EINVAL);
        assert_int_equal(errors.n, 1);
        assert_non_null(strstr(errors.v[0], ".ksmConfiguration.tuning.advisor.mode: loop needs \"none\""));
        strv_free(&errors);
        policy_free(&p);

        /* Selecting no node: nothing for the rule to do, the loop only stops a managed KSM. */
        parse("{" API "}", &p);
        assert_int_equal(loop_policy_check(&p, "p.json", &errors), 0);
        policy_free(&p);
        parse("{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":null}}", &p);
        assert_int_equal(loop_policy_check(&p, "p.json", &errors), 0);
        assert_int_equal(errors.n, 0);
        policy_free(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_t33_kubevirt_pressure), cmocka_unit_test(test_t34_kubevirt_overrides),
                cmocka_unit_test(test_sleep_bounds),          cmocka_unit_test(test_pages_bounds),
                cmocka_unit_test(test_single_precision),      cmocka_unit_test(test_e21_skip),
                cmocka_unit_test(test_meminfo),               cmocka_unit_test(test_policy_check),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
