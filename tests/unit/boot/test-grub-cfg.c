/* boot/grub-cfg.c: rendering against golden files (the spec example, quoting of ', $ and ;, a
 * single version without fallback) and the verifying parser. */
#include "golden.h"
#include "boot/grub-cfg.h"

static void render_golden(const struct grub_cfg_params *p, const char *golden) {
        _cleanup_free_ char *out = NULL;
        assert_int_equal(grub_cfg_render(p, &out), 0);
        golden_compare(golden, out, strlen(out));
}

static void test_render(void **state) {
        (void)state;
        const char *two[] = { "6.8.12-4-pve", "6.8.12-2-pve" };
        struct grub_cfg_params p = {
                .title = "Proxmox Virtual Environment", .prefix = "proxmox", .timeout = 3,
                .versions = two, .n_versions = 2, .cmdline = "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet",
        };
        render_golden(&p, "grub-basic.cfg");
        p.default_version = "6.8.12-4-pve"; /* explicit newest: same bytes */
        render_golden(&p, "grub-basic.cfg");

        const char *quoting[] = { "6.8.0~rc3", "6.1.0-13-amd64" };
        struct grub_cfg_params q = {
                .title = "O'Brien's $HOST; Linux", .prefix = "acme", .timeout = 0,
                .default_version = "6.1.0-13-amd64", .versions = quoting, .n_versions = 2,
                .cmdline = "  root=/dev/sda1 init=/bin/sh;reboot x=$y a='b' dm=\"a b\"  quiet ",
        };
        render_golden(&q, "grub-quoting.cfg");

        const char *one[] = { "6.8.12-4-pve" };
        struct grub_cfg_params s = {
                .title = "Proxmox Virtual Environment", .prefix = "proxmox", .timeout = 3,
                .versions = one, .n_versions = 1, .cmdline = "root=UUID=0a1b",
        };
        render_golden(&s, "grub-single.cfg");
}

static void test_render_invalid(void **state) {
        (void)state;
        const char *one[] = { "6.8.12-4-pve" };
        const char *bad[] = { "../x" };
        struct grub_cfg_params p = {
                .title = "T", .prefix = "proxmox", .timeout = 3, .versions = one, .n_versions = 1, .cmdline = "",
        };
        char *out = NULL;
        struct grub_cfg_params q = p;
        q.n_versions = 0;
        assert_int_equal(grub_cfg_render(&q, &out), -EINVAL);
        q = p;
        q.default_version = "6.8.12-2-pve"; /* not among the versions */
        assert_int_equal(grub_cfg_render(&q, &out), -EINVAL);
        q = p;
        q.title = "a\nb";
        assert_int_equal(grub_cfg_render(&q, &out), -EINVAL);
        q = p;
        q.cmdline = "quiet\nmenuentry";
        assert_int_equal(grub_cfg_render(&q, &out), -EINVAL);
        q = p;
        q.versions = bad;
        assert_int_equal(grub_cfg_render(&q, &out), -EINVAL);
        assert_null(out);
        /* empty command line is fine */
        assert_int_equal(grub_cfg_render(&p, &out), 0);
        assert_non_null(strstr(out, "  linux /vmlinuz-6.8.12-4-pve\n"));
        free(out);
}

static void test_quote_word(void **state) {
        (void)state;
        const char *cases[][2] = {
                { "root=ZFS=rpool/ROOT/pve-1", "root=ZFS=rpool/ROOT/pve-1" },
                { "a@b%c,d:e+f", "a@b%c,d:e+f" },
                { "", "''" },
                { "$x", "'$x'" },
                { "a;b", "'a;b'" },
                { "it's", "'it'\\''s'" },
                { "a b", "'a b'" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *q = grub_quote_word(cases[i][0]);
                assert_string_equal(q, cases[i][1]);
        }
}

static void test_parse(void **state) {
        (void)state;
        size_t len;
        _cleanup_free_ char *buf = golden_read("grub-quoting.cfg", &len);
        struct grub_cfg_info info;
        assert_int_equal(grub_cfg_parse(buf, len, "grub/grub.cfg", &info), 0);
        assert_string_equal(info.default_id, "acme-6.1.0-13-amd64");
        assert_string_equal(info.fallback_id, "acme-6.8.0~rc3");
        assert_int_equal(info.n_ids, 2);
        assert_string_equal(info.ids[0], "acme-6.8.0~rc3");
        assert_string_equal(info.ids[1], "acme-6.1.0-13-amd64");
        assert_null(info.ids[2]);
        grub_cfg_info_free(&info);

        _cleanup_free_ char *single = golden_read("grub-single.cfg", &len);
        assert_int_equal(grub_cfg_parse(single, len, "grub/grub.cfg", &info), 0);
        assert_string_equal(info.default_id, "proxmox-6.8.12-4-pve");
        assert_null(info.fallback_id);
        assert_int_equal(info.n_ids, 1);
        grub_cfg_info_free(&info);

        /* A foreign grub.cfg (update-grub style): --id=..., submenu, comments, ';' separators. */
        const char *foreign =
                "# comment with 'quote\n"
                "set default=\"0\" ; set timeout=5\n"
                "menuentry \"Debian\" --class debian --id=gnulinux-simple-abc {\n"
                "  set default=inner\n"
                "}\n"
                "submenu 'Advanced' $menuentry_id_option 'adv-abc' {\n"
                "  menuentry 'x' --id 'x-1' {\n  }\n"
                "}\n";
        assert_int_equal(grub_cfg_parse(foreign, strlen(foreign), "old.cfg", &info), 0);
        assert_string_equal(info.default_id, "0");
        assert_int_equal(info.n_ids, 2);
        assert_string_equal(info.ids[0], "gnulinux-simple-abc");
        assert_string_equal(info.ids[1], "x-1");
        grub_cfg_info_free(&info);
}

static void test_parse_errors(void **state) {
        (void)state;
        struct grub_cfg_info info;
        const char *q = "set timeout=1\nmenuentry 'x --id y {\n}\n";
        assert_int_equal(grub_cfg_parse(q, strlen(q), "grub/grub.cfg", &info), -EBADMSG);
        assert_string_equal(info.error, "grub/grub.cfg:2: expected a closing quote, got end of file");
        assert_int_equal(info.n_ids, 0);
        grub_cfg_info_free(&info);
        const char *b = "\n\nmenuentry 'x' --id y\n";
        assert_int_equal(grub_cfg_parse(b, strlen(b), "g.cfg", &info), -EBADMSG);
        assert_string_equal(info.error, "g.cfg:3: expected '{' ending the menuentry line, got y");
        grub_cfg_info_free(&info);
        assert_int_equal(grub_cfg_parse("", 0, "e.cfg", &info), 0);
        assert_null(info.default_id);
        assert_int_equal(info.n_ids, 0);
        grub_cfg_info_free(&info);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_render),      cmocka_unit_test(test_render_invalid),
                cmocka_unit_test(test_quote_word),  cmocka_unit_test(test_parse),
                cmocka_unit_test(test_parse_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
