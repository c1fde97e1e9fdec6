/* boot/bls.c: entry rendering against the golden file, lenient parsing (any order, CRLF, tabs,
 * comments, quotes, unknown keys) with name:line errors, exact entry-name parsing and the glob. */
#include "golden.h"
#include "boot/bls.h"

static const struct bls_entry example = {
        .title = "Proxmox Virtual Environment",
        .version = "6.8.12-4-pve",
        .sort_key = "proxmox",
        .options = "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet",
        .kernel = "/EFI/proxmox/6.8.12-4-pve/vmlinuz-6.8.12-4-pve",
        .initrd = "/EFI/proxmox/6.8.12-4-pve/initrd.img-6.8.12-4-pve",
};

static void assert_entry_equal(const struct bls_entry *a, const struct bls_entry *b) {
        assert_string_equal(a->title, b->title);
        assert_string_equal(a->version, b->version);
        assert_string_equal(a->sort_key, b->sort_key);
        assert_string_equal(a->options, b->options);
        assert_string_equal(a->kernel, b->kernel);
        assert_string_equal(a->initrd, b->initrd);
}

static void test_render(void **state) {
        (void)state;
        _cleanup_free_ char *out = NULL;
        assert_int_equal(bls_entry_render(&example, &out), 0);
        golden_compare("entry-proxmox.conf", out, strlen(out));

        struct bls_entry e = example;
        e.sort_key = NULL;
        e.initrd = NULL;
        _cleanup_free_ char *out2 = NULL;
        assert_int_equal(bls_entry_render(&e, &out2), 0);
        assert_null(strstr(out2, "sort-key"));
        assert_null(strstr(out2, "initrd"));

        char *bad = NULL;
        e = example;
        e.options = "quiet\nlinux /evil";
        assert_int_equal(bls_entry_render(&e, &bad), -EINVAL);
        e = example;
        e.kernel = NULL;
        assert_int_equal(bls_entry_render(&e, &bad), -EINVAL);
        e = example;
        e.title = "";
        assert_int_equal(bls_entry_render(&e, &bad), -EINVAL);
        assert_null(bad);
}

static void test_parse_round_trip(void **state) {
        (void)state;
        size_t len;
        _cleanup_free_ char *buf = golden_read("entry-proxmox.conf", &len);
        struct bls_entry e;
        assert_int_equal(bls_entry_parse(buf, len, "entry-proxmox.conf", &e), 0);
        assert_entry_equal(&e, &example);
        assert_null(e.error);
        bls_entry_free(&e);
}

/* Values with surrounding blanks or a leading quote are written in double quotes, so that they
 * read back unchanged (found by fuzz-bls: options "  " x...). */
static void test_render_quotes(void **state) {
        (void)state;
        const char *values[] = { "  root=x", "quiet  ", "\"a b\"", "'single'", "\"", "a \"mid\" b", "plain x" };
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                struct bls_entry e = { .kernel = (char *)"/k", .options = (char *)values[i] }, back;
                _cleanup_free_ char *out = NULL;
                assert_int_equal(bls_entry_render(&e, &out), 0);
                assert_int_equal(bls_entry_parse(out, strlen(out), "r.conf", &back), 0);
                assert_string_equal(back.options, values[i]);
                bls_entry_free(&back);
        }
        struct bls_entry e = { .kernel = (char *)"/k", .options = (char *)"plain x" };
        _cleanup_free_ char *out = NULL;
        assert_int_equal(bls_entry_render(&e, &out), 0);
        assert_string_equal(out, "options  plain x\nlinux    /k\n"); /* no quotes where none are needed */
}

static void test_parse_messy(void **state) {
        (void)state;
        size_t len;
        _cleanup_free_ char *buf = golden_read("entry-messy.conf", &len);
        struct bls_entry e;
        assert_int_equal(bls_entry_parse(buf, len, "entry-messy.conf", &e), 0);
        assert_entry_equal(&e, &example); /* the first initrd is kept */
        bls_entry_free(&e);

        /* lone CR line ends, single quotes, last repeated key wins */
        const char *cr = "title a\rtitle 'b c'\rlinux /k";
        assert_int_equal(bls_entry_parse(cr, strlen(cr), "cr.conf", &e), 0);
        assert_string_equal(e.title, "b c");
        assert_string_equal(e.kernel, "/k");
        assert_null(e.options);
        bls_entry_free(&e);
}

static void test_parse_errors(void **state) {
        (void)state;
        struct bls_entry e;
        const char *nokey = "title x\n# c\nversion\nlinux /k\n";
        assert_int_equal(bls_entry_parse(nokey, strlen(nokey), "loader/entries/a.conf", &e), -EBADMSG);
        assert_string_equal(e.error, "loader/entries/a.conf:3: expected \"key value\", got 'version'");
        assert_null(e.title);
        bls_entry_free(&e);

        const char *quote = "title \"x\nlinux /k\n";
        assert_int_equal(bls_entry_parse(quote, strlen(quote), "b.conf", &e), -EBADMSG);
        assert_string_equal(e.error, "b.conf:1: expected a closing quote, got '\"x'");
        bls_entry_free(&e);

        const char nul[] = "title x\0\nlinux /k\n";
        assert_int_equal(bls_entry_parse(nul, sizeof nul - 1, "c.conf", &e), -EBADMSG);
        assert_non_null(e.error);
        bls_entry_free(&e);

        assert_int_equal(bls_entry_parse("", 0, "empty.conf", &e), 0);
        assert_null(e.kernel);
        bls_entry_free(&e);
}

static void test_names(void **state) {
        (void)state;
        static const struct {
                const char *name;
                int ours;
                const char *version;
                int left, done;
        } cases[] = {
                { "proxmox-6.8.12-4-pve.conf", 1, "6.8.12-4-pve", -1, -1 },
                { "proxmox-6.8.12-4-pve+3.conf", 1, "6.8.12-4-pve", 3, 0 },
                { "proxmox-6.8.12-4-pve+1-2.conf", 1, "6.8.12-4-pve", 1, 2 },
                { "proxmox-6.8.12-4-pve+0-3.conf", 1, "6.8.12-4-pve", 0, 3 },
                { "proxmox-6.6.0+.conf", 1, "6.6.0+", -1, -1 },
                { "proxmox-6.6.0++3.conf", 1, "6.6.0+", 3, 0 },
                { "proxmox-6.8.12-4.conf", 1, "6.8.12-4", -1, -1 },
                { "proxmox-6.8.12-4-pve.conf~", 0, NULL, 0, 0 },
                { "proxmox-6.8.12-4-pve", 0, NULL, 0, 0 },
                { "acme-6.8.12-4-pve.conf", 0, NULL, 0, 0 },
                { "proxmoxx-6.8.12-4-pve.conf", 0, NULL, 0, 0 },
                { "xproxmox-6.8.12-4-pve.conf", 0, NULL, 0, 0 },
                { "proxmox-.conf", 0, NULL, 0, 0 },
                { "proxmox-+3.conf", 0, NULL, 0, 0 },
                { "proxmox-../x.conf", 0, NULL, 0, 0 },
                { "proxmox-a b.conf", 0, NULL, 0, 0 },
                { "memtest86+.conf", 0, NULL, 0, 0 },
                { "proxmox.conf", 0, NULL, 0, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *v = NULL;
                int left = 99, done = 99;
                int r = bls_entry_name_parse(cases[i].name, "proxmox", &v, &left, &done);
                if (r != cases[i].ours)
                        fail_msg("%s: got %d, expected %d", cases[i].name, r, cases[i].ours);
                if (r == 1) {
                        assert_string_equal(v, cases[i].version);
                        assert_int_equal(left, cases[i].left);
                        assert_int_equal(done, cases[i].done);
                } else
                        assert_null(v);
                free(v);
        }
        _cleanup_free_ char *a = bls_entry_name("proxmox", "6.8.12-4-pve", 0);
        _cleanup_free_ char *b = bls_entry_name("proxmox", "6.8.12-4-pve", 3);
        _cleanup_free_ char *c = bls_entry_id("proxmox", "6.8.12-4-pve");
        assert_string_equal(a, "proxmox-6.8.12-4-pve.conf");
        assert_string_equal(b, "proxmox-6.8.12-4-pve+3.conf");
        assert_string_equal(c, "proxmox-6.8.12-4-pve");
}

static void test_glob(void **state) {
        (void)state;
        assert_true(bls_glob_match("proxmox-*", "proxmox-6.8.12-4-pve.conf"));
        assert_true(bls_glob_match("PROXMOX-*", "proxmox-6.8.12-4-pve+3.conf"));
        assert_true(bls_glob_match("proxmox-6.8.12-4-pve+*", "proxmox-6.8.12-4-pve+3-1.conf"));
        assert_false(bls_glob_match("proxmox-6.8.12-4-pve+*", "proxmox-6.8.12-4-pve.conf"));
        assert_true(bls_glob_match("proxmox-6.6.0+*", "proxmox-6.6.0+.conf")); /* the ambiguous case */
        assert_true(bls_glob_match("proxmox-6.8.12-4-pve.conf", "proxmox-6.8.12-4-pve.conf"));
        assert_false(bls_glob_match("proxmox-6.8.12-4-pve.conf", "proxmox-6.8.12-4-pve.confx"));
        assert_false(bls_glob_match("proxmox-6.8.12-4", "proxmox-6.8.12-4-pve"));
        assert_true(bls_glob_match("p?oxmox-*.conf", "proxmox-1.conf"));
        assert_true(bls_glob_match("proxmox-[0-9]*", "proxmox-6.conf"));
        assert_false(bls_glob_match("proxmox-[!0-9]*", "proxmox-6.conf"));
        assert_true(bls_glob_match("proxmox-[a-z]*", "proxmox-X.conf"));
        assert_true(bls_glob_match("a[b", "a[b"));
        assert_true(bls_glob_match("*", ""));
        assert_false(bls_glob_match("?", ""));
        assert_true(bls_glob_match("**.conf", "x.conf"));
        assert_true(bls_glob_match("*a*b*c", "xxaxxbxxc"));
        assert_false(bls_glob_match("*a*b*c", "xxaxxcxxb"));
        assert_true(bls_glob_match("a*[0-9]", "abc7"));
        /* many stars against a long non-matching name: the old recursive matcher took minutes
         * (tests/fuzz/crashes/bls-glob-exponential); this must simply return */
        char name[201];
        memset(name, 'a', 200);
        name[200] = 0;
        assert_false(bls_glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*b", name));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_render),       cmocka_unit_test(test_render_quotes),
                cmocka_unit_test(test_parse_round_trip),
                cmocka_unit_test(test_parse_messy),  cmocka_unit_test(test_parse_errors),
                cmocka_unit_test(test_names),        cmocka_unit_test(test_glob),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
