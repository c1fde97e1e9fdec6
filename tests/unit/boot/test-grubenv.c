/* lib/grubenv.c against blocks written by grub-editenv (GRUB 2.06, Debian 12): parsing, edits
 * that give grub-editenv's bytes, escaping, and "full"/"bad signature" leaving input unchanged. */
#include "golden.h"
#include "lib/grubenv.h"

static void test_parse_golden(void **state) {
        (void)state;
        size_t len;
        _cleanup_free_ char *buf = golden_read("escape.grubenv", &len);
        assert_int_equal(len, GRUBENV_SIZE);
        struct grubenv env;
        assert_int_equal(grubenv_parse(buf, len, &env), 0);
        assert_string_equal(grubenv_get(&env, "a"), "back\\slash");
        assert_string_equal(grubenv_get(&env, "b"), "line1\nline2");
        assert_string_equal(grubenv_get(&env, "c"), "x=y#z");
        assert_null(grubenv_get(&env, "d"));
        assert_int_equal(env.size, 1024);
        /* Rendering what we parsed gives the same bytes (the WARNING comment line kept). */
        _cleanup_free_ char *out = NULL;
        size_t out_len;
        assert_int_equal(grubenv_render(&env, &out, &out_len), 0);
        assert_int_equal(out_len, len);
        assert_memory_equal(out, buf, len);
        grubenv_free(&env);
}

/* Our set/unset on grub-editenv's file gives grub-editenv's result, byte for byte. */
static void test_edits_like_grub_editenv(void **state) {
        (void)state;
        size_t len, elen, mlen, m2len, slen;
        _cleanup_free_ char *empty = golden_read("empty.grubenv", &elen);
        _cleanup_free_ char *saved = golden_read("saved.grubenv", &slen);
        _cleanup_free_ char *multi = golden_read("multi.grubenv", &mlen);
        _cleanup_free_ char *multi2 = golden_read("multi-edited.grubenv", &m2len);
        _cleanup_free_ char *escape = golden_read("escape.grubenv", &len);
        _cleanup_free_ char *out = NULL;
        size_t out_len;

        const char *n1[] = { "saved_entry" }, *v1[] = { "proxmox-6.8.12-4-pve" };
        assert_int_equal(grubenv_edit(empty, elen, n1, v1, 1, &out, &out_len), 1);
        assert_int_equal(out_len, slen);
        assert_memory_equal(out, saved, slen);
        free(TAKE_PTR(out));

        /* Same value again: identical bytes, reported unchanged. */
        assert_int_equal(grubenv_edit(saved, slen, n1, v1, 1, &out, &out_len), 0);
        assert_memory_equal(out, saved, slen);
        free(TAKE_PTR(out));

        const char *n2[] = { "foo", "saved_entry", "next_entry" };
        const char *v2[] = { "1", "proxmox-6.8.12-2-pve", "proxmox-6.8.12-4-pve" };
        assert_int_equal(grubenv_edit(empty, elen, n2, v2, 3, &out, &out_len), 1);
        assert_memory_equal(out, multi, mlen);
        free(TAKE_PTR(out));

        const char *n3[] = { "foo", "saved_entry", "bar" };
        const char *v3[] = { NULL, "proxmox-6.8.12-10-pve", "2" };
        assert_int_equal(grubenv_edit(multi, mlen, n3, v3, 3, &out, &out_len), 1);
        assert_memory_equal(out, multi2, m2len);
        free(TAKE_PTR(out));

        const char *n4[] = { "a", "b", "c" };
        const char *v4[] = { "back\\slash", "line1\nline2", "x=y#z" };
        assert_int_equal(grubenv_edit(empty, elen, n4, v4, 3, &out, &out_len), 1);
        assert_memory_equal(out, escape, len);
        free(TAKE_PTR(out));
}

static void test_new_block(void **state) {
        (void)state;
        struct grubenv env;
        grubenv_init_empty(&env);
        assert_int_equal(grubenv_set(&env, "next_entry", "proxmox-6.8.12-4-pve"), 1);
        assert_int_equal(grubenv_set(&env, "next_entry", "proxmox-6.8.12-4-pve"), 0);
        assert_int_equal(grubenv_set(&env, "bad-name", "x"), -EINVAL);
        assert_int_equal(grubenv_set(&env, "", "x"), -EINVAL);
        _cleanup_free_ char *out = NULL;
        size_t out_len;
        assert_int_equal(grubenv_render(&env, &out, &out_len), 0);
        assert_int_equal(out_len, 1024);
        const char *head = "# GRUB Environment Block\nnext_entry=proxmox-6.8.12-4-pve\n#";
        assert_memory_equal(out, head, strlen(head));
        for (size_t i = strlen(head); i < 1024; i++)
                assert_int_equal(out[i], '#');
        assert_int_equal(grubenv_unset(&env, "next_entry"), 1);
        assert_int_equal(grubenv_unset(&env, "next_entry"), 0);
        grubenv_free(&env);
}

static void test_bad_signature(void **state) {
        (void)state;
        size_t len;
        _cleanup_free_ char *buf = golden_read("saved.grubenv", &len);
        buf[2] = 'g';
        _cleanup_free_ char *copy = malloc(len);
        memcpy(copy, buf, len);
        struct grubenv env;
        assert_int_equal(grubenv_parse(buf, len, &env), -EBADMSG);
        assert_int_equal(env.n_lines, 0);
        char *out = NULL;
        size_t out_len;
        const char *n[] = { "saved_entry" }, *v[] = { "x" };
        assert_int_equal(grubenv_edit(buf, len, n, v, 1, &out, &out_len), -EBADMSG);
        assert_null(out);
        assert_memory_equal(buf, copy, len);
        assert_int_equal(grubenv_parse("# GRUB", 6, &env), -EBADMSG);
        assert_int_equal(grubenv_parse("", 0, &env), -EBADMSG);
}

/* grub-editenv refuses to add 60 more bytes to full.grubenv ("environment block too small"). */
static void test_full(void **state) {
        (void)state;
        size_t len;
        _cleanup_free_ char *buf = golden_read("full.grubenv", &len);
        _cleanup_free_ char *copy = malloc(len);
        memcpy(copy, buf, len);
        char more[61];
        memset(more, 'y', 60);
        more[60] = 0;
        char *out = NULL;
        size_t out_len;
        const char *n[] = { "more" }, *v[] = { more };
        assert_int_equal(grubenv_edit(buf, len, n, v, 1, &out, &out_len), -E2BIG);
        assert_null(out);
        assert_memory_equal(buf, copy, len);
        /* A short one still fits, and the size is kept. */
        const char *v2[] = { "y" };
        assert_int_equal(grubenv_edit(buf, len, n, v2, 1, &out, &out_len), 1);
        assert_int_equal(out_len, 1024);
        free(out);
}

/* Padding goes to the OLD size, whatever it is. */
static void test_old_size_kept(void **state) {
        (void)state;
        char small[64];
        memcpy(small, GRUBENV_SIGNATURE, GRUBENV_SIGNATURE_LEN);
        memset(small + GRUBENV_SIGNATURE_LEN, '#', sizeof small - GRUBENV_SIGNATURE_LEN);
        const char *n[] = { "k" }, *v[] = { "v" };
        _cleanup_free_ char *out = NULL;
        size_t out_len;
        assert_int_equal(grubenv_edit(small, sizeof small, n, v, 1, &out, &out_len), 1);
        assert_int_equal(out_len, 64);
        assert_memory_equal(out + GRUBENV_SIGNATURE_LEN, "k=v\n##", 6);
        const char *v2[] = { "0123456789012345678901234567890123456789" };
        char *out2 = NULL;
        assert_int_equal(grubenv_edit(small, sizeof small, n, v2, 1, &out2, &out_len), -E2BIG);
        assert_null(out2);
}

/* Duplicates: get returns the first, set keeps the first in place and drops the rest. */
static void test_duplicates(void **state) {
        (void)state;
        char blk[128];
        int n = snprintf(blk, sizeof blk, "%sx=1\ny=2\nx=3\n", GRUBENV_SIGNATURE);
        memset(blk + n, '#', sizeof blk - (size_t)n);
        struct grubenv env;
        assert_int_equal(grubenv_parse(blk, sizeof blk, &env), 0);
        assert_string_equal(grubenv_get(&env, "x"), "1");
        assert_int_equal(grubenv_set(&env, "x", "1"), 1);
        _cleanup_free_ char *out = NULL;
        assert_int_equal(grubenv_render(&env, &out, NULL), 0);
        assert_memory_equal(out + GRUBENV_SIGNATURE_LEN, "x=1\ny=2\n#", 9);
        grubenv_free(&env);
}

/* A name that starts with (or holds) a NUL byte is text, not a variable: as a variable it would be
 * written back as "=..." and an escaped newline in its value would turn into a real next_entry
 * line (fuzz-grubenv finding). */
static void test_nul_in_name(void **state) {
        (void)state;
        char blk[128];
        int n = snprintf(blk, sizeof blk, "%s", GRUBENV_SIGNATURE);
        static const char line[] = "\0x=a\\\nnext_entry=b\n";
        memcpy(blk + n, line, sizeof line - 1);
        n += (int)sizeof line - 1;
        memset(blk + n, '#', sizeof blk - (size_t)n);
        const char *names[] = { "next_entry" }, *values[] = { NULL };
        _cleanup_free_ char *out = NULL;
        size_t out_len;
        assert_true(grubenv_edit(blk, sizeof blk, names, values, 1, &out, &out_len) >= 0);
        struct grubenv back;
        assert_int_equal(grubenv_parse(out, out_len, &back), 0);
        assert_null(grubenv_get(&back, "next_entry"));
        assert_null(grubenv_get(&back, ""));
        grubenv_free(&back);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_golden),  cmocka_unit_test(test_edits_like_grub_editenv),
                cmocka_unit_test(test_new_block),     cmocka_unit_test(test_bad_signature),
                cmocka_unit_test(test_full),          cmocka_unit_test(test_old_size_kept),
                cmocka_unit_test(test_duplicates),    cmocka_unit_test(test_nul_in_name),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
