/* kernel-select/selection.c: spec §5.3 rules over hand-built inventories. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "kernel-select/selection.h"
#include "lib/macro.h"

/* Build an inventory: images (with initrds unless listed in no_initrd), packages, series. */
struct fixture {
        struct inventory inv;
        strv manual, installing, removing;
        struct selection sel;
};

static void add_all(strv *s, const char *const *list) {
        for (; list && *list; list++)
                assert_int_equal(strv_push(s, *list), 0);
}

static void fx_init(struct fixture *f, const char *const *images, const char *const *no_initrd,
                    const char *const *pkgs, const char *const *series, const char *running) {
        *f = (struct fixture){};
        add_all(&f->inv.images, images);
        for (const char *const *i = images; i && *i; i++) {
                bool skip = false;
                for (const char *const *n = no_initrd; n && *n; n++)
                        skip |= streq(*i, *n);
                if (!skip)
                        assert_int_equal(strv_push(&f->inv.initrds, *i), 0);
        }
        add_all(&f->inv.pkg_versions, pkgs);
        add_all(&f->inv.pkg_series, series);
        f->inv.have_dpkg = pkgs != NULL;
        if (running)
                f->inv.running = strdup(running);
}

static void fx_select(struct fixture *f, const char *flavour, const char *pinned, const char *next_boot,
                      enum next_boot_state nbs) {
        struct selection_input in = {
                .inv = &f->inv, .flavour = flavour, .manual = &f->manual, .pinned = pinned,
                .next_boot = next_boot, .next_boot_state = nbs, .installing = &f->installing,
                .removing = &f->removing,
        };
        assert_int_equal(kernel_select(&in, &f->sel), 0);
}

static void fx_free(struct fixture *f) {
        inventory_free(&f->inv);
        strv_free(&f->manual);
        strv_free(&f->installing);
        strv_free(&f->removing);
        selection_free(&f->sel);
}

/* The synced set, joined by spaces, newest first. */
static const char *synced(const struct fixture *f) {
        static char buf[1024];
        buf[0] = 0;
        for (size_t i = 0; i < f->sel.synced.n; i++) {
                size_t l = strlen(buf);
                snprintf(buf + l, sizeof buf - l, "%s%s", l ? " " : "", f->sel.synced.v[i]);
        }
        return buf;
}

static unsigned reasons(const struct fixture *f, const char *v) {
        const struct kernel_entry *k = selection_find(&f->sel, v);
        assert_non_null(k);
        return k->reasons;
}

static const char *const pve_images[] = { "6.5.13-6-pve", "6.5.11-8-pve", "6.8.4-2-pve", "6.8.12-2-pve",
                                          "6.8.12-4-pve", "6.8.12-10-pve", NULL };

static void test_images_only(void **state) {
        (void)state;
        struct fixture f;
        fx_init(&f, pve_images, NULL, NULL, NULL, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        /* two newest by strverscmp (10 > 4), newest of the previous series 6.5 */
        assert_string_equal(synced(&f), "6.8.12-10-pve 6.8.12-4-pve 6.5.13-6-pve");
        assert_int_equal(reasons(&f, "6.8.12-10-pve"), REASON_NEWEST);
        assert_int_equal(reasons(&f, "6.5.13-6-pve"), REASON_PREVIOUS_SERIES);
        assert_string_equal(f.sel.default_version, "6.8.12-10-pve");
        assert_string_equal(f.sel.flavour, "-pve");
        fx_free(&f);
}

static void test_one_series(void **state) {
        (void)state;
        static const char *const imgs[] = { "6.8.12-2-pve", "6.8.12-4-pve", "6.8.4-2-pve", NULL };
        struct fixture f;
        fx_init(&f, imgs, NULL, NULL, NULL, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        /* one series: the "previous" series is that series, whose newest is already selected */
        assert_string_equal(synced(&f), "6.8.12-4-pve 6.8.12-2-pve");
        assert_int_equal(reasons(&f, "6.8.12-4-pve"), REASON_NEWEST | REASON_PREVIOUS_SERIES);
        fx_free(&f);
}

static void test_no_pve(void **state) {
        (void)state;
        static const char *const imgs[] = { "6.1.0-9-amd64", "6.1.0-13-amd64", "6.1.0-18-amd64", "5.10.0-28-amd64",
                                            "5.10.0-30-amd64", NULL };
        struct fixture f;
        fx_init(&f, imgs, NULL, NULL, NULL, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        assert_null(f.sel.flavour);
        assert_string_equal(synced(&f), "6.1.0-18-amd64 6.1.0-13-amd64 5.10.0-30-amd64");
        fx_free(&f);
}

static void test_flavour_filter(void **state) {
        (void)state;
        static const char *const imgs[] = { "6.8.12-4-pve", "6.9.0-custom", "6.1.0-13-amd64", NULL };
        struct fixture f;
        fx_init(&f, imgs, NULL, NULL, NULL, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        /* non -pve kernels are not candidates; one -pve series only */
        assert_string_equal(synced(&f), "6.8.12-4-pve");
        selection_free(&f.sel);
        fx_select(&f, "none", NULL, NULL, NEXT_BOOT_NONE);
        assert_string_equal(synced(&f), "6.9.0-custom 6.8.12-4-pve");
        fx_free(&f);
}

static void test_running(void **state) {
        (void)state;
        struct fixture f;
        fx_init(&f, pve_images, NULL, NULL, NULL, "6.8.4-2-pve");
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        assert_string_equal(synced(&f), "6.8.12-10-pve 6.8.12-4-pve 6.8.4-2-pve 6.5.13-6-pve");
        assert_int_equal(reasons(&f, "6.8.4-2-pve"), REASON_RUNNING);
        fx_free(&f);
}

static void test_running_missing_image(void **state) {
        (void)state;
        /* inventory_load drops a running kernel without image; a NULL running is what results */
        struct fixture f;
        fx_init(&f, pve_images, NULL, NULL, NULL, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        assert_null(selection_find(&f.sel, "6.8.0-1-pve"));
        for (size_t i = 0; i < f.sel.n_kernels; i++)
                assert_false(f.sel.kernels[i].reasons & REASON_RUNNING);
        fx_free(&f);
}

static void test_packages(void **state) {
        (void)state;
        static const char *const pkgs[] = { "6.8.12-4-pve", "6.8.12-2-pve", "6.5.13-6-pve", NULL };
        static const char *const series[] = { "6.8", "6.5", NULL };
        struct fixture f;
        /* an image without package (a leftover) is not a candidate when package data exists */
        static const char *const imgs[] = { "6.8.12-4-pve", "6.8.12-2-pve", "6.5.13-6-pve", "6.11.0-1-pve", NULL };
        fx_init(&f, imgs, NULL, pkgs, series, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        assert_string_equal(synced(&f), "6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve");
        fx_free(&f);
}

static void test_packages_without_series(void **state) {
        (void)state;
        static const char *const pkgs[] = { "6.8.12-4-pve", "6.8.12-2-pve", "6.5.13-6-pve", NULL };
        struct fixture f;
        fx_init(&f, pkgs, NULL, pkgs, NULL, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        /* as in p-b-t: package data without series packages selects no previous series */
        assert_string_equal(synced(&f), "6.8.12-4-pve 6.8.12-2-pve");
        fx_free(&f);
}

static void test_manual_and_series_name(void **state) {
        (void)state;
        struct fixture f;
        fx_init(&f, pve_images, NULL, NULL, NULL, NULL);
        add_all(&f.manual, (const char *const[]){ "6.5.11-8-pve", "6.8", "6.2.16-20-pve", NULL });
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        assert_string_equal(synced(&f), "6.8.12-10-pve 6.8.12-4-pve 6.5.13-6-pve 6.5.11-8-pve");
        /* a series name in the manual list is never selected */
        const struct kernel_entry *k = selection_find(&f.sel, "6.8");
        assert_non_null(k);
        assert_false(k->selected);
        /* a manual kernel that is no longer installed is reported, selected, not synced, warned */
        k = selection_find(&f.sel, "6.2.16-20-pve");
        assert_non_null(k);
        assert_true(k->selected);
        assert_false(k->synced);
        assert_int_equal(f.sel.warnings.n, 1);
        assert_non_null(strstr(f.sel.warnings.v[0], "6.2.16-20-pve selected (manual) but /boot/vmlinuz-6.2.16-20-pve is missing; not synced"));
        fx_free(&f);
}

static void test_missing_initrd(void **state) {
        (void)state;
        struct fixture f;
        fx_init(&f, pve_images, (const char *const[]){ "6.8.12-10-pve", NULL }, NULL, NULL, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        assert_string_equal(synced(&f), "6.8.12-4-pve 6.5.13-6-pve");
        assert_string_equal(f.sel.default_version, "6.8.12-4-pve");
        assert_non_null(strstr(f.sel.warnings.v[0], "6.8.12-10-pve selected (newest) but /boot/initrd.img-6.8.12-10-pve is missing"));
        fx_free(&f);
}

static void test_pins(void **state) {
        (void)state;
        struct fixture f;
        fx_init(&f, pve_images, NULL, NULL, NULL, NULL);
        fx_select(&f, "auto", "6.8.4-2-pve", "6.5.11-8-pve", NEXT_BOOT_ACTIVE);
        assert_string_equal(synced(&f), "6.8.12-10-pve 6.8.12-4-pve 6.8.4-2-pve 6.5.13-6-pve 6.5.11-8-pve");
        assert_int_equal(reasons(&f, "6.8.4-2-pve"), REASON_PINNED);
        assert_int_equal(reasons(&f, "6.5.11-8-pve"), REASON_NEXT_BOOT);
        /* an active next-boot pin is a one-shot, not the default */
        assert_string_equal(f.sel.default_version, "6.8.4-2-pve");
        selection_free(&f.sel);
        /* a legacy next-boot pin is the default until boot-complete */
        fx_select(&f, "auto", "6.8.4-2-pve", "6.5.11-8-pve", NEXT_BOOT_LEGACY);
        assert_string_equal(f.sel.default_version, "6.5.11-8-pve");
        selection_free(&f.sel);
        /* a spent one stays selected but is neither default nor armed */
        fx_select(&f, "auto", NULL, "6.5.11-8-pve", NEXT_BOOT_SPENT);
        assert_string_equal(f.sel.default_version, "6.8.12-10-pve");
        assert_true(selection_find(&f.sel, "6.5.11-8-pve")->synced);
        fx_free(&f);
}

static void test_pin_on_removed_kernel(void **state) {
        (void)state;
        struct fixture f;
        fx_init(&f, pve_images, NULL, NULL, NULL, NULL);
        fx_select(&f, "auto", "6.2.16-20-pve", NULL, NEXT_BOOT_NONE);
        assert_string_equal(f.sel.default_version, "6.8.12-10-pve");
        assert_null(f.sel.effective_pin);
        assert_string_equal(f.sel.pinned, "6.2.16-20-pve");
        bool warned = false;
        for (size_t i = 0; i < f.sel.warnings.n; i++)
                warned |= strstr(f.sel.warnings.v[i], "pinned version 6.2.16-20-pve is not available") != NULL;
        assert_true(warned);
        fx_free(&f);
}

static void test_installing_removing(void **state) {
        (void)state;
        struct fixture f;
        fx_init(&f, pve_images, NULL, NULL, NULL, NULL);
        /* the version a hook installs stays even though it is older than the two newest */
        add_all(&f.installing, (const char *const[]){ "6.5.11-8-pve", NULL });
        add_all(&f.removing, (const char *const[]){ "6.8.12-10-pve", NULL });
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        assert_string_equal(synced(&f), "6.8.12-4-pve 6.5.13-6-pve 6.5.11-8-pve");
        assert_int_equal(reasons(&f, "6.5.11-8-pve"), REASON_INSTALLING);
        assert_string_equal(f.sel.default_version, "6.8.12-4-pve");
        fx_free(&f);
}

static void test_empty(void **state) {
        (void)state;
        struct fixture f;
        fx_init(&f, NULL, NULL, NULL, NULL, NULL);
        fx_select(&f, "auto", NULL, NULL, NEXT_BOOT_NONE);
        assert_int_equal(f.sel.synced.n, 0);
        assert_null(f.sel.default_version);
        fx_free(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_images_only),
                cmocka_unit_test(test_one_series),
                cmocka_unit_test(test_no_pve),
                cmocka_unit_test(test_flavour_filter),
                cmocka_unit_test(test_running),
                cmocka_unit_test(test_running_missing_image),
                cmocka_unit_test(test_packages),
                cmocka_unit_test(test_packages_without_series),
                cmocka_unit_test(test_manual_and_series_name),
                cmocka_unit_test(test_missing_initrd),
                cmocka_unit_test(test_pins),
                cmocka_unit_test(test_pin_on_removed_kernel),
                cmocka_unit_test(test_installing_removing),
                cmocka_unit_test(test_empty),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
