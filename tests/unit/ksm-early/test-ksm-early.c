/* Unit tests of the ksm-early modules on buffers: selector semantics and canonical strings
 * (§4.1, T7, T8), label syntax and sources (§5), policy validation (§4, T9), the state file
 * (§6), the decision table of §7 (plan_build, no I/O) and the sysfs magic check (T11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "config.h"
#include "engine.h"
#include "labels.h"
#include "policy.h"
#include "selector.h"
#include "sha256.h"
#include "state.h"
#include "sysfs.h"
#include "lib/exitcode.h"

static void parse_ok(const char *json, struct policy *p) {
        strv errors = {};
        const char *code = NULL;
        int r = policy_parse(json, strlen(json), "p.json", p, &errors, &code);
        if (r < 0)
                for (size_t i = 0; i < errors.n; i++)
                        print_message("%s\n", errors.v[i]);
        assert_int_equal(r, 0);
        strv_free(&errors);
}

/* Returns the first error line; code checked. */
static char *parse_bad(const char *json, const char *want_code) {
        struct policy p;
        strv errors = {};
        const char *code = NULL;
        assert_int_equal(policy_parse(json, strlen(json), "p.json", &p, &errors, &code), -EINVAL);
        assert_string_equal(code, want_code);
        assert_true(errors.n >= 1);
        char *first = strdup(errors.v[0]);
        strv_free(&errors);
        policy_free(&p);
        return first;
}

#define API "\"apiVersion\":\"ksm-early/v1alpha1\""

static void test_canonical(void **state) {
        (void)state;
        static const struct { const char *sel, *want; } cases[] = {
                { "{\"matchLabels\":{\"foo\":\"bar\"}}", "foo=bar" },
                { "{\"matchExpressions\":[{\"key\":\"baz\",\"operator\":\"In\",\"values\":[\"qux\",\"norf\"]}]}", "baz in (norf,qux)" },
                { "{\"matchLabels\":{\"foo\":\"bar\"},\"matchExpressions\":[{\"key\":\"baz\",\"operator\":\"In\",\"values\":[\"qux\",\"norf\"]}]}",
                  "baz in (norf,qux),foo=bar" },
                { "{}", "" },
                { "null", "null" },
                { "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[\"y\",\"x\",\"y\"]},{\"key\":\"a\",\"operator\":\"Exists\"}]}",
                  "a,a notin (x,y)" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char json[1024];
                snprintf(json, sizeof json, "{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":%s}}", cases[i].sel);
                struct policy p;
                parse_ok(json, &p);
                char *c = selector_canonical(&p.selector);
                assert_string_equal(c, cases[i].want);
                free(c);
                policy_free(&p);
        }
}

static bool matches(const char *exprs, const char *key, const char *value) {
        char json[1024];
        snprintf(json, sizeof json, "{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":{\"matchExpressions\":[%s]}}}", exprs);
        struct policy p;
        parse_ok(json, &p);
        struct labels l = {};
        if (key)
                assert_int_equal(labels_set(&l, key, value), 0);
        bool m = selector_matches(&p.selector, &l);
        labels_free(&l);
        policy_free(&p);
        return m;
}

static void test_match_table(void **state) {
        (void)state;
        const char *in = "{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x\"]}";
        const char *notin = "{\"key\":\"a\",\"operator\":\"NotIn\",\"values\":[\"x\"]}";
        const char *ex = "{\"key\":\"a\",\"operator\":\"Exists\"}";
        const char *dne = "{\"key\":\"a\",\"operator\":\"DoesNotExist\"}";
        assert_false(matches(in, NULL, NULL));
        assert_true(matches(in, "a", "x"));
        assert_false(matches(in, "a", "y"));
        assert_true(matches(notin, NULL, NULL));
        assert_false(matches(notin, "a", "x"));
        assert_true(matches(notin, "a", "y"));
        assert_false(matches(ex, NULL, NULL));
        assert_true(matches(ex, "a", ""));
        assert_true(matches(dne, NULL, NULL));
        assert_false(matches(dne, "a", "x"));
        assert_false(matches(in, "b", "x")); /* another key does not count */
}

static void test_label_syntax(void **state) {
        (void)state;
        const char *why;
        assert_true(label_key_valid("kubernetes.io/hostname", &why));
        assert_true(label_key_valid("a", &why));
        assert_true(label_key_valid("example.com/A_b.c-9", &why));
        assert_false(label_key_valid("a/b/c", &why));
        assert_false(label_key_valid("Example.com/x", &why));
        assert_false(label_key_valid("/x", &why));
        assert_false(label_key_valid("a-.com/x", &why));
        assert_false(label_key_valid("x/", &why));
        assert_false(label_key_valid("-x", &why));
        char n64[65];
        memset(n64, 'a', 64), n64[64] = 0;
        assert_false(label_key_valid(n64, &why));
        n64[63] = 0;
        assert_true(label_key_valid(n64, &why));
        assert_true(label_value_valid("", &why));
        assert_true(label_value_valid("true", &why));
        assert_false(label_value_valid("-x", &why));
        assert_false(label_value_valid("a b", &why));
        assert_string_equal(label_goarch("x86_64"), "amd64");
        assert_string_equal(label_goarch("aarch64"), "arm64");
        assert_string_equal(label_goarch("i686"), "386");
        assert_string_equal(label_goarch("riscv64"), "riscv64");
}

static void test_label_sources(void **state) {
        (void)state;
        struct labels l = {};
        strv errors = {};
        const char *buf = "# c\n\n  a = 1 \r\nb=\nc=x.y\n";
        assert_int_equal(labels_parse_file(&l, buf, strlen(buf), "f", &errors), 0);
        assert_string_equal(labels_get(&l, "a"), "1");
        assert_string_equal(labels_get(&l, "b"), "");
        assert_string_equal(labels_get(&l, "c"), "x.y");
        const char *bad = "a=1\nnoeq\na=2\n";
        struct labels l2 = {};
        assert_int_equal(labels_parse_file(&l2, bad, strlen(bad), "f", &errors), -EINVAL);
        assert_int_equal(errors.n, 2);
        assert_string_equal(errors.v[0], "f:2: expected key=value, got \"noeq\"");
        assert_string_equal(errors.v[1], "f:3: label a: expected each key once in this source, got it again");
        labels_free(&l2);
        labels_free(&l);
        strv_free(&errors);

        struct cmdline_params cp;
        assert_int_equal(cmdline_parse("quiet ksm_early.labels=a=1,b=2 \"ksm_early.policy=/x y.json\" ksm_early.labels=c=3\n", &cp), 0);
        assert_string_equal(cp.policy, "/x y.json");
        assert_int_equal(cp.labels.n, 2);
        assert_string_equal(cp.labels.v[1], "c=3");
        cmdline_params_free(&cp);
}

static void test_policy_errors(void **state) {
        (void)state;
        char *m;
        m = parse_bad("{" API ",\"ksmConfiguration\":{\"nodeLabelSelecter\":{}}}", "E4");
        assert_string_equal(m, "p.json: .ksmConfiguration.nodeLabelSelecter: unknown member (a typo must never mean \"absent\")");
        free(m);
        m = parse_bad("{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[\"x\"]},{\"key\":\"a\",\"operator\":\"in\",\"values\":[\"x\"]}]}}}", "E5");
        assert_string_equal(m, "p.json: .ksmConfiguration.nodeLabelSelector.matchExpressions[1].operator: \"in\" is not a valid operator (In, NotIn, Exists, DoesNotExist)");
        free(m);
        m = parse_bad("{" API ",\"a\":1,\"a\":2}", "E4");
        assert_non_null(strstr(m, "p.json:1:"));
        assert_non_null(strstr(m, "duplicate object key"));
        free(m);
        free(parse_bad("{" API ",\"ksmConfiguration\":{\"tuning\":{\"pagesToScan\":100.0}}}", "E4"));
        free(parse_bad("{" API ",\"ksmConfiguration\":{\"tuning\":{\"mergeAcrossNodes\":1}}}", "E4"));
        free(parse_bad("{" API ",\"ksmConfiguration\":{\"tuning\":{\"advisor\":{\"mode\":\"fast\"}}}}", "E6"));
        free(parse_bad("{" API ",\"ksmConfiguration\":{\"tuning\":{\"advisor\":{\"targetScanTime\":0}}}}", "E6"));
        free(parse_bad("{" API ",\"ksmConfiguration\":{\"activation\":\"always\"}}", "E6"));
        free(parse_bad("{" API ",\"requireKSM\":\"yes\"}", "E4"));
        free(parse_bad("{" API ",\"ksmConfiguration\":{\"loop\":{\"freePercent\":1.5}}}", "E6"));
        free(parse_bad("{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":{\"matchLabels\":{\"a\":null}}}}", "E4"));

        struct policy p;
        parse_ok("{" API ",\"ksmConfiguration\":{\"disableAction\":\"Unmerge\",\"tuning\":{\"sleepMillisecs\":0,"
                 "\"mergeAcrossNodes\":false,\"maxPageSharing\":2147483647,\"advisor\":{\"mode\":\"scan-time\","
                 "\"maxCpu\":100}},\"loop\":{\"freePercent\":1}},\"publish\":{\"enabledLabel\":\"e.com/k\"}}", &p);
        assert_int_equal(p.disable_action, DISABLE_UNMERGE);
        assert_string_equal(p.tuning[KNOB_SLEEP_MILLISECS], "0");
        assert_string_equal(p.tuning[KNOB_MERGE_ACROSS_NODES], "0");
        assert_string_equal(p.tuning[KNOB_MAX_PAGE_SHARING], "2147483647");
        assert_string_equal(p.tuning[KNOB_ADVISOR_MODE], "scan-time");
        assert_false(p.tuning_set[KNOB_PAGES_TO_SCAN]);
        assert_true(p.selector.is_null); /* no nodeLabelSelector: no node */
        assert_string_equal(p.enabled_label, "e.com/k");
        assert_string_equal(p.managed_annotation, DEFAULT_MANAGED_ANNOTATION);
        policy_free(&p);
}

static void test_state_roundtrip(void **state) {
        (void)state;
        struct ksm_state s = { .managed = true, .boot_id = strdup("b1"), .policy_sha256 = strdup("ab") };
        assert_int_equal(labels_set(&s.previous, "run", "0"), 0);
        char *text;
        size_t len;
        assert_int_equal(ksm_state_render(&s, &text, &len), 0);
        assert_string_equal(text, "{\n  \"bootId\": \"b1\",\n  \"managed\": true,\n  \"policySha256\": \"ab\",\n"
                                  "  \"previous\": {\n    \"run\": \"0\"\n  },\n  \"version\": 1\n}\n");
        struct ksm_state back;
        const char *why;
        assert_int_equal(ksm_state_parse(text, len, "b1", &back, &why), 0);
        assert_true(back.managed);
        assert_string_equal(labels_get(&back.previous, "run"), "0");
        ksm_state_free(&back);
        assert_int_equal(ksm_state_parse(text, len, "b2", &back, &why), -ESTALE);
        assert_int_equal(ksm_state_parse("{\"version\":2}", 13, "b1", &back, &why), -EINVAL);
        assert_int_equal(ksm_state_parse("{", 1, "b1", &back, &why), -EINVAL);
        free(text);
        ksm_state_free(&s);
}

/* plan_build on a hand-made config and snapshot: the rows of §7 step 4. */
struct fixture {
        struct ksm_config cfg;
        struct ksm_snapshot snap;
        struct ksm_state old;
        struct plan plan;
        struct report rep;
};

static void fx_init(struct fixture *f, const char *policy_json, bool matched, const char *run, bool managed) {
        memset(f, 0, sizeof *f);
        parse_ok(policy_json, &f->cfg.policy);
        f->cfg.matched = matched && !f->cfg.policy.selector.is_null;
        f->cfg.boot_id = strdup("boot");
        f->cfg.policy_path = strdup("p.json");
        f->cfg.paths.sysfs = strdup("/sys");
        f->snap.ksm_dir = true;
        f->snap.available = run != NULL;
        if (run) {
                f->snap.present[KNOB_RUN] = true;
                strcpy(f->snap.value[KNOB_RUN], run);
        }
        static const char *defaults[_KNOB_TUNING_MAX] = { "1", "256", "500", "30000", "200", "70", "none", "100", "20", "0", "1", "2000" };
        for (enum knob k = 0; k < _KNOB_TUNING_MAX; k++) {
                f->snap.present[k] = true;
                strcpy(f->snap.value[k], defaults[k]);
        }
        f->old.managed = managed;
}

static int fx_plan(struct fixture *f) { return plan_build(&f->cfg, &f->snap, &f->old, &f->plan, &f->rep); }

static void fx_free(struct fixture *f) {
        plan_free(&f->plan);
        report_free(&f->rep);
        ksm_state_free(&f->old);
        ksm_config_free(&f->cfg);
}

static const char *actions(const struct plan *p) {
        static char buf[512];
        buf[0] = 0;
        for (size_t i = 0; i < p->n_actions; i++)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s=%s", i ? " " : "",
                         knob_table[p->actions[i].knob].file, p->actions[i].to);
        return buf;
}

#define ALL "{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":{}}}"
#define ALL_T(t) "{" API ",\"ksmConfiguration\":{\"nodeLabelSelector\":{},\"tuning\":" t "}}"

static void test_plan_rows(void **state) {
        (void)state;
        struct fixture f;
        /* eligible, run 0 -> managed, run=1 */
        fx_init(&f, ALL, true, "0", false);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "run=1");
        assert_true(f.plan.managed_after && f.plan.persist_first);
        assert_string_equal(plan_owner(&f.plan), "ksm-early");
        fx_free(&f);
        /* E19: eligible, unmanaged run=1: not adopted, tuning applied */
        fx_init(&f, ALL_T("{\"sleepMillisecs\":50}"), true, "1", false);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "sleep_millisecs=50");
        assert_false(f.plan.managed_after);
        assert_string_equal(plan_owner(&f.plan), "external");
        fx_free(&f);
        /* not eligible, managed: Stop writes 0 only when run=1 */
        fx_init(&f, "{" API "}", false, "1", true);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "run=0");
        assert_false(f.plan.managed_after);
        fx_free(&f);
        fx_init(&f, "{" API "}", false, "2", true);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), ""); /* 2 counts as stopped */
        fx_free(&f);
        /* Unmerge writes 2 unless already 2 */
        fx_init(&f, "{" API ",\"ksmConfiguration\":{\"disableAction\":\"Unmerge\"}}", false, "0", true);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "run=2");
        fx_free(&f);
        /* E18: not eligible, unmanaged run=1: nothing */
        fx_init(&f, "{" API "}", false, "1", false);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "");
        assert_string_equal(plan_owner(&f.plan), "external");
        fx_free(&f);
        /* OnPressure: tuning only, run untouched */
        fx_init(&f, "{" API ",\"ksmConfiguration\":{\"activation\":\"OnPressure\",\"nodeLabelSelector\":{},\"tuning\":{\"useZeroPages\":true}}}",
                true, "0", false);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "use_zero_pages=1");
        fx_free(&f);
        /* not available: no write; requireKSM on a matched node refuses */
        fx_init(&f, ALL, true, NULL, true);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "");
        assert_false(f.plan.managed_after);
        fx_free(&f);
        fx_init(&f, "{" API ",\"requireKSM\":true,\"ksmConfiguration\":{\"nodeLabelSelector\":{}}}", true, NULL, false);
        assert_int_equal(fx_plan(&f), -1);
        assert_int_equal(f.rep.exit, EXIT_ENV);
        fx_free(&f);
}

static void test_plan_order_and_refusals(void **state) {
        (void)state;
        struct fixture f;
        /* write order of §8.3; equal values skipped */
        fx_init(&f, ALL_T("{\"stableNodeChainsPruneMillisecs\":1,\"smartScan\":false,\"useZeroPages\":true,\"sleepMillisecs\":20,"
                          "\"pagesToScan\":300,\"maxPageSharing\":512,\"mergeAcrossNodes\":false,\"advisor\":{\"maxCpu\":40,"
                          "\"targetScanTime\":100,\"maxPagesToScan\":40000,\"minPagesToScan\":600,\"mode\":\"none\"}}"),
                true, "0", false);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan),
                            "merge_across_nodes=0 max_page_sharing=512 advisor_min_pages_to_scan=600 advisor_max_pages_to_scan=40000 "
                            "advisor_target_scan_time=100 advisor_max_cpu=40 pages_to_scan=300 use_zero_pages=1 smart_scan=0 "
                            "stable_node_chains_prune_millisecs=1 run=1");
        assert_string_equal(labels_get(&f.plan.state.previous, "max_page_sharing"), "256");
        fx_free(&f);
        /* E13: busy change refused without permission, reconfigure with it */
        fx_init(&f, ALL_T("{\"maxPageSharing\":512}"), true, "1", true);
        f.snap.pages_shared = 3;
        assert_int_equal(fx_plan(&f), -1);
        assert_string_equal(f.rep.code, "E13");
        fx_free(&f);
        fx_init(&f, "{" API ",\"ksmConfiguration\":{\"allowUnmergeForReconfigure\":true,\"nodeLabelSelector\":{},\"tuning\":{\"maxPageSharing\":512}}}",
                true, "1", true);
        f.snap.pages_shared = 3;
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "run=2 max_page_sharing=512 run=1");
        assert_true(f.plan.reconfigure);
        fx_free(&f);
        /* E12: pagesToScan while the kernel stays in scan-time */
        fx_init(&f, ALL_T("{\"pagesToScan\":300}"), true, "0", false);
        strcpy(f.snap.value[KNOB_ADVISOR_MODE], "scan-time");
        assert_int_equal(fx_plan(&f), -1);
        assert_string_equal(f.rep.code, "E12");
        fx_free(&f);
        /* scan-time -> none: pages_to_scan compared with the value the reset gives (100) */
        fx_init(&f, ALL_T("{\"pagesToScan\":100,\"advisor\":{\"mode\":\"none\"}}"), true, "1", true);
        strcpy(f.snap.value[KNOB_ADVISOR_MODE], "scan-time");
        strcpy(f.snap.value[KNOB_PAGES_TO_SCAN], "500");
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(actions(&f.plan), "advisor_mode=none");
        assert_string_equal(labels_get(&f.plan.state.previous, "pages_to_scan"), "500");
        fx_free(&f);
        /* E15: missing knob warned, or refused under strictKnobs */
        fx_init(&f, ALL_T("{\"smartScan\":false}"), true, "1", true);
        f.snap.present[KNOB_SMART_SCAN] = false;
        assert_int_equal(fx_plan(&f), 0);
        assert_int_equal(f.rep.warnings.n, 1);
        fx_free(&f);
        fx_init(&f, "{" API ",\"strictKnobs\":true,\"ksmConfiguration\":{\"nodeLabelSelector\":{},\"tuning\":{\"smartScan\":false}}}",
                true, "1", true);
        f.snap.present[KNOB_SMART_SCAN] = false;
        assert_int_equal(fx_plan(&f), -1);
        assert_string_equal(f.rep.code, "E15");
        fx_free(&f);
        /* previous is never overwritten */
        fx_init(&f, ALL, true, "0", false);
        assert_int_equal(labels_set(&f.old.previous, "run", "2"), 0);
        assert_int_equal(fx_plan(&f), 0);
        assert_string_equal(labels_get(&f.plan.state.previous, "run"), "2");
        fx_free(&f);
}

static void test_sysfs_magic(void **state) {
        (void)state;
        /* T11: a directory that is not sysfs is rejected; /sys itself (when mounted) passes. */
        assert_int_equal(sysfs_check_magic("/"), 0);
        assert_true(sysfs_check_magic("/nonexistent-dir") < 0);
        if (access("/sys/kernel", F_OK) == 0)
                assert_int_equal(sysfs_check_magic("/sys"), 1);
}

static void test_sha256(void **state) {
        (void)state;
        char hex[65];
        sha256_hex("abc", 3, hex);
        assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        sha256_hex("", 0, hex);
        assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        sha256_hex(m, strlen(m), hex);
        assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_canonical),       cmocka_unit_test(test_match_table),
                cmocka_unit_test(test_label_syntax),    cmocka_unit_test(test_label_sources),
                cmocka_unit_test(test_policy_errors),   cmocka_unit_test(test_state_roundtrip),
                cmocka_unit_test(test_plan_rows),       cmocka_unit_test(test_plan_order_and_refusals),
                cmocka_unit_test(test_sysfs_magic),     cmocka_unit_test(test_sha256),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
