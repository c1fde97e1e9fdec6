/* lib/utf16.c and lib/efivarfs.c: UTF-16 edge cases, variable files (short, bad attributes), no
 * write at all for an unchanged value, the immutable flag cleared and restored, ENOTTY tolerated
 * (ramfs), typed values and Boot#### load options with every truncation. */
#include "golden.h"
#include "lib/efivarfs.h"
#include "lib/fault.h"
#include "lib/paths.h"
#include "lib/utf16.h"
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define GUID EFI_GUID_LOADER

static void test_utf16_round_trip(void **state) {
        (void)state;
        /* a, a-umlaut, euro sign, U+1F600 (a surrogate pair) */
        const char *s = "a\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80";
        const uint8_t expect[] = { 'a', 0, 0xe4, 0, 0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde, 0, 0 };
        _cleanup_free_ void *u = NULL;
        size_t len;
        assert_int_equal(utf8_to_utf16le(s, &u, &len), 0);
        assert_int_equal(len, sizeof expect);
        assert_memory_equal(u, expect, sizeof expect);
        _cleanup_free_ char *back = NULL;
        assert_int_equal(utf16le_to_utf8(u, len, &back), 0);
        assert_string_equal(back, s);
        _cleanup_free_ void *e = NULL;
        assert_int_equal(utf8_to_utf16le("", &e, &len), 0);
        assert_int_equal(len, 2);
}

static void test_utf16_decode_lenient(void **state) {
        (void)state;
        char *s;
        /* no NUL: accepted */
        assert_int_equal(utf16le_to_utf8("a\0b\0", 4, &s), 0);
        assert_string_equal(s, "ab");
        free(s);
        /* odd length */
        assert_int_equal(utf16le_to_utf8("a\0b", 3, &s), -EBADMSG);
        /* lone high surrogate at the end, lone low surrogate, high followed by a non-low */
        const uint8_t lone[] = { 0x3d, 0xd8, 'x', 0, 0x00, 0xde, 0x3d, 0xd8 };
        assert_int_equal(utf16le_to_utf8(lone, sizeof lone, &s), 0);
        assert_string_equal(s, "\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd");
        free(s);
        /* consumed: up to and including the first NUL */
        size_t used;
        assert_int_equal(utf16le_decode("a\0\0\0b\0", 6, &s, &used), 0);
        assert_string_equal(s, "a");
        assert_int_equal(used, 4);
        free(s);
        assert_int_equal(utf16le_decode("", 0, &s, &used), 0);
        assert_string_equal(s, "");
        assert_int_equal(used, 0);
        free(s);
}

static void test_utf8_invalid(void **state) {
        (void)state;
        const char *bad[] = { "\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\xff", "a\x80" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                void *u = NULL;
                size_t len;
                assert_int_equal(utf8_to_utf16le(bad[i], &u, &len), -EINVAL);
                assert_null(u);
        }
}

static void test_parse_header(void **state) {
        (void)state;
        uint32_t attr;
        const void *d;
        size_t len;
        assert_int_equal(efivar_parse("\x07\0\0", 3, &attr, &d, &len), -EBADMSG);
        assert_int_equal(efivar_parse("", 0, &attr, &d, &len), -EBADMSG);
        assert_int_equal(efivar_parse("\x80\0\0\0", 4, &attr, &d, &len), -EBADMSG);
        assert_int_equal(efivar_parse("\x07\x01\0\0", 4, &attr, &d, &len), -EBADMSG);
        assert_int_equal(efivar_parse("\x07\0\0\x80x", 5, &attr, &d, &len), -EBADMSG);
        assert_int_equal(efivar_parse("\x7f\0\0\0x", 5, &attr, &d, &len), 0);
        assert_int_equal(attr, 0x7f);
        assert_int_equal(len, 1);
        assert_int_equal(efivar_parse("\x06\0\0\0", 4, &attr, &d, &len), 0);
        assert_int_equal(len, 0);
}

static char *make_dir(void) {
        char tmpl[] = "/tmp/test-efivarfs.XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        return strdup(tmpl);
}

static void remove_dir(const char *dir) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "chattr -R -i '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
        assert_int_equal(system(cmd), 0);
}

static void put_file(const char *dir, const char *name, const void *buf, size_t len) {
        _cleanup_free_ char *fn = efivar_file_name(GUID, name);
        _cleanup_free_ char *p = path_join(dir, fn);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, len, f), len);
        fclose(f);
}

static void get_file(const char *dir, const char *name, char **buf, size_t *len) {
        _cleanup_free_ char *fn = efivar_file_name(GUID, name);
        _cleanup_free_ char *p = path_join(dir, fn);
        assert_int_equal(read_file_max(p, 65536, buf, len), 0);
}

static struct stat stat_var(const char *dir, const char *name) {
        _cleanup_free_ char *fn = efivar_file_name(GUID, name);
        _cleanup_free_ char *p = path_join(dir, fn);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        return st;
}

static void test_read_malformed(void **state) {
        (void)state;
        _cleanup_free_ char *dir = make_dir();
        void *d = NULL;
        size_t len;
        uint32_t attr;
        assert_int_equal(efivar_read(dir, GUID, "Absent", &attr, &d, &len), -ENOENT);
        assert_int_equal(efivar_read("/nonexistent/dir", GUID, "Absent", &attr, &d, &len), -ENOENT);
        put_file(dir, "Short", "\x07\0\0", 3);
        assert_int_equal(efivar_read(dir, GUID, "Short", &attr, &d, &len), -EBADMSG);
        put_file(dir, "HighAttr", "\x87\0\0\0a\0\0\0", 8);
        assert_int_equal(efivar_read(dir, GUID, "HighAttr", &attr, &d, &len), -EBADMSG);
        put_file(dir, "Odd", "\x07\0\0\0a\0\0", 7);
        char *s = NULL;
        assert_int_equal(efivar_read_string(dir, GUID, "Odd", &s), -EBADMSG);
        assert_null(s);
        put_file(dir, "Good", "\x06\0\0\0h\0i\0\0\0", 10);
        assert_int_equal(efivar_read_string(dir, GUID, "Good", &s), 0);
        assert_string_equal(s, "hi");
        free(s);
        assert_null(d);
        remove_dir(dir);
}

static void test_write_and_unchanged(void **state) {
        (void)state;
        _cleanup_free_ char *dir = make_dir();
        assert_int_equal(efivar_write_string(dir, GUID, "LoaderEntryOneShot", "proxmox-6.8.12-4-pve.conf"), 1);
        _cleanup_free_ char *buf = NULL;
        size_t len;
        get_file(dir, "LoaderEntryOneShot", &buf, &len);
        assert_int_equal(len, 4 + 2 * 26);
        assert_memory_equal(buf, "\x07\0\0\0p\0r\0o\0", 10);
        assert_memory_equal(buf + len - 2, "\0\0", 2);

        struct stat a = stat_var(dir, "LoaderEntryOneShot");
        unsigned before = fault_points_seen();
        sleep(0); /* mtime granularity is ns on ext4/tmpfs; an unchanged write must not touch it */
        assert_int_equal(efivar_write_string(dir, GUID, "LoaderEntryOneShot", "proxmox-6.8.12-4-pve.conf"), 0);
        assert_int_equal(fault_points_seen(), before); /* no write-side call at all */
        struct stat b = stat_var(dir, "LoaderEntryOneShot");
        assert_int_equal(a.st_ino, b.st_ino);
        assert_int_equal(a.st_mtim.tv_sec, b.st_mtim.tv_sec);
        assert_int_equal(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
        assert_int_equal(a.st_ctim.tv_nsec, b.st_ctim.tv_nsec);

        /* A shorter value leaves no old bytes behind; the same attributes keep the inode. */
        assert_int_equal(efivar_write_string(dir, GUID, "LoaderEntryOneShot", "x"), 1);
        free(TAKE_PTR(buf));
        get_file(dir, "LoaderEntryOneShot", &buf, &len);
        assert_int_equal(len, 8);
        assert_memory_equal(buf, "\x07\0\0\0x\0\0\0", 8);
        assert_int_equal(stat_var(dir, "LoaderEntryOneShot").st_ino, a.st_ino);

        /* Other attributes (6) or a malformed file: replaced by attributes 7. */
        put_file(dir, "LoaderEntryDefault", "\x06\0\0\0x\0\0\0", 8);
        assert_int_equal(efivar_write_string(dir, GUID, "LoaderEntryDefault", "x"), 1);
        free(TAKE_PTR(buf));
        get_file(dir, "LoaderEntryDefault", &buf, &len);
        assert_memory_equal(buf, "\x07\0\0\0x\0\0\0", 8);
        put_file(dir, "Broken", "\x07\0", 2);
        assert_int_equal(efivar_write_string(dir, GUID, "Broken", "y"), 1);
        char *s;
        assert_int_equal(efivar_read_string(dir, GUID, "Broken", &s), 0);
        assert_string_equal(s, "y");
        free(s);

        assert_int_equal(efivar_write(dir, GUID, "Bad", 0x80, "x", 1), -EINVAL);
        assert_int_equal(efivar_write_string(dir, GUID, "Bad", "\xff"), -EINVAL);
        assert_int_equal(efivar_read(dir, GUID, "Bad", NULL, NULL, NULL), -ENOENT);

        assert_int_equal(efivar_delete(dir, GUID, "LoaderEntryOneShot"), 1);
        assert_int_equal(efivar_delete(dir, GUID, "LoaderEntryOneShot"), 0);
        assert_int_equal(efivar_read(dir, GUID, "LoaderEntryOneShot", NULL, NULL, NULL), -ENOENT);
        assert_int_equal(efivar_write_string("/nonexistent/dir", GUID, "X", "y"), -ENOENT);
        remove_dir(dir);
}

static int get_flags(const char *dir, const char *name, int *flags) {
        _cleanup_free_ char *fn = efivar_file_name(GUID, name);
        _cleanup_free_ char *p = path_join(dir, fn);
        _cleanup_close_ int fd = open(p, O_RDONLY);
        assert_true(fd >= 0);
        return ioctl(fd, FS_IOC_GETFLAGS, flags);
}

static int set_immutable(const char *dir, const char *name) {
        _cleanup_free_ char *fn = efivar_file_name(GUID, name);
        _cleanup_free_ char *p = path_join(dir, fn);
        _cleanup_close_ int fd = open(p, O_RDONLY);
        int flags;
        if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
                return -1;
        flags |= FS_IMMUTABLE_FL;
        return ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

static void test_immutable(void **state) {
        (void)state;
        _cleanup_free_ char *dir = make_dir();
        assert_int_equal(efivar_write_string(dir, GUID, "LoaderEntryDefault", "a.conf"), 1);
        if (set_immutable(dir, "LoaderEntryDefault") < 0) {
                remove_dir(dir);
                skip(); /* no CAP_LINUX_IMMUTABLE or no flag support here */
        }
        assert_int_equal(efivar_write_string(dir, GUID, "LoaderEntryDefault", "b.conf"), 1);
        char *s;
        assert_int_equal(efivar_read_string(dir, GUID, "LoaderEntryDefault", &s), 0);
        assert_string_equal(s, "b.conf");
        free(s);
        int flags;
        assert_int_equal(get_flags(dir, "LoaderEntryDefault", &flags), 0);
        assert_true(flags & FS_IMMUTABLE_FL); /* restored */
        assert_int_equal(efivar_delete(dir, GUID, "LoaderEntryDefault"), 1);
        assert_int_equal(efivar_read(dir, GUID, "LoaderEntryDefault", NULL, NULL, NULL), -ENOENT);
        remove_dir(dir);
}

/* ramfs has no FS_IOC_GETFLAGS: ENOTTY must be ignored. Needs a private mount namespace. */
static void test_enotty(void **state) {
        (void)state;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char tmpl[] = "/tmp/test-efivarfs-ramfs.XXXXXX";
                if (!mkdtemp(tmpl) || unshare(CLONE_NEWNS) < 0 ||
                    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 || mount("ramfs", tmpl, "ramfs", 0, NULL) < 0) {
                        if (*tmpl)
                                rmdir(tmpl);
                        _exit(77);
                }
                int flags, ok = 1;
                int fd = open(tmpl, O_RDONLY | O_DIRECTORY);
                if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 || errno != ENOTTY)
                        ok = 0; /* not the case we want to test */
                close(fd);
                int code = 77;
                if (ok) {
                        char *s = NULL;
                        code = efivar_write_string(tmpl, GUID, "LoaderEntryOneShot", "a.conf") == 1 &&
                                               efivar_write_string(tmpl, GUID, "LoaderEntryOneShot", "bb.conf") == 1 &&
                                               efivar_read_string(tmpl, GUID, "LoaderEntryOneShot", &s) == 0 &&
                                               streq(s, "bb.conf") && efivar_delete(tmpl, GUID, "LoaderEntryOneShot") == 1
                                       ? 0
                                       : 1;
                        free(s);
                }
                umount(tmpl);
                rmdir(tmpl);
                _exit(code);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                skip();
        assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_typed(void **state) {
        (void)state;
        uint16_t u16;
        uint64_t u64;
        uint8_t u8;
        assert_int_equal(efivar_data_to_u16("\x01\x02", 2, &u16), 0);
        assert_int_equal(u16, 0x0201);
        assert_int_equal(efivar_data_to_u16("\x01", 1, &u16), -EBADMSG);
        assert_int_equal(efivar_data_to_u16("\x01\x02\x03", 3, &u16), -EBADMSG);
        assert_int_equal(efivar_data_to_u64("\x18\0\0\0\0\0\0\x80", 8, &u64), 0);
        assert_true(u64 == 0x8000000000000018ULL);
        assert_int_equal(efivar_data_to_u64("\x18\0\0\0", 4, &u64), -EBADMSG);
        assert_int_equal(efivar_data_to_u8("\x01", 1, &u8), 0);
        assert_int_equal(u8, 1);
        assert_int_equal(efivar_data_to_u8("", 0, &u8), -EBADMSG);

        strv v = {};
        assert_int_equal(efivar_data_to_strv("a\0\0\0b\0c\0\0\0d\0", 12, &v), 0);
        assert_int_equal(v.n, 3);
        assert_string_equal(v.v[0], "a");
        assert_string_equal(v.v[1], "bc");
        assert_string_equal(v.v[2], "d");
        strv_free(&v);
        assert_int_equal(efivar_data_to_strv("", 0, &v), 0);
        assert_int_equal(v.n, 0);
        assert_int_equal(efivar_data_to_strv("a\0\0", 3, &v), -EBADMSG);
        strv_free(&v);
        assert_true(efivar_error_is_not_writable(-EROFS));
        assert_true(efivar_error_is_not_writable(-EPERM));
        assert_false(efivar_error_is_not_writable(-ENOENT));
        char name[9];
        efi_boot_option_name(0xab, name);
        assert_string_equal(name, "Boot00AB");
}

/* A Boot#### load option as firmware stores it: HD(1,GPT,guid) / File(\EFI\...) / End. */
static size_t build_load_option(uint8_t *b, size_t *ret_hd_end, size_t *ret_file_end, size_t *ret_desc_end) {
        size_t o = 0;
        const char *desc = "Linux Boot Manager";
        const char *file = "\\EFI\\systemd\\systemd-bootx64.efi";
        b[o++] = 1, b[o++] = 0, b[o++] = 0, b[o++] = 0; /* LOAD_OPTION_ACTIVE */
        size_t path_len_at = o;
        o += 2;
        for (const char *c = desc; *c; c++)
                b[o++] = (uint8_t)*c, b[o++] = 0;
        b[o++] = 0, b[o++] = 0;
        *ret_desc_end = o;
        size_t path_start = o;
        /* Hard Drive node: type 4, subtype 1, length 42 */
        b[o++] = 4, b[o++] = 1, b[o++] = 42, b[o++] = 0;
        b[o++] = 1, b[o++] = 0, b[o++] = 0, b[o++] = 0; /* partition number 1 */
        uint64_t start = 2048, size = 1048576;
        memcpy(b + o, &start, 8), o += 8;
        memcpy(b + o, &size, 8), o += 8;
        /* GUID 1b2c3d4e-5f60-4718-a9b0-c1d2e3f40516 in EFI byte order */
        const uint8_t g[16] = { 0x4e, 0x3d, 0x2c, 0x1b, 0x60, 0x5f, 0x18, 0x47,
                                0xa9, 0xb0, 0xc1, 0xd2, 0xe3, 0xf4, 0x05, 0x16 };
        memcpy(b + o, g, 16), o += 16;
        b[o++] = 2, b[o++] = 2; /* GPT, GUID signature */
        *ret_hd_end = o;
        size_t flen = 4 + 2 * (strlen(file) + 1);
        b[o++] = 4, b[o++] = 4, b[o++] = (uint8_t)flen, b[o++] = 0;
        for (const char *c = file; *c; c++)
                b[o++] = (uint8_t)*c, b[o++] = 0;
        b[o++] = 0, b[o++] = 0;
        *ret_file_end = o;
        b[o++] = 0x7f, b[o++] = 0xff, b[o++] = 4, b[o++] = 0;
        size_t path_len = o - path_start;
        b[path_len_at] = (uint8_t)path_len, b[path_len_at + 1] = (uint8_t)(path_len >> 8);
        b[o++] = 'X', b[o++] = 'Y'; /* optional data */
        return o;
}

static void test_load_option(void **state) {
        (void)state;
        uint8_t b[512];
        size_t hd_end, file_end, desc_end;
        size_t len = build_load_option(b, &hd_end, &file_end, &desc_end);
        struct efi_load_option o;
        assert_int_equal(efi_load_option_parse(b, len, &o), 0);
        assert_int_equal(o.attributes, 1);
        assert_string_equal(o.description, "Linux Boot Manager");
        assert_string_equal(o.part_guid, "1b2c3d4e-5f60-4718-a9b0-c1d2e3f40516");
        assert_int_equal(o.part_number, 1);
        assert_string_equal(o.file_path, "\\EFI\\systemd\\systemd-bootx64.efi");
        efi_load_option_free(&o);

        /* Every truncation: no crash, and the fields found are those wholly inside the buffer. */
        for (size_t l = 0; l < len; l++) {
                int r = efi_load_option_parse(b, l, &o);
                if (l < desc_end) {
                        assert_int_equal(r, -EBADMSG);
                        continue;
                }
                assert_int_equal(r, 0);
                assert_string_equal(o.description, "Linux Boot Manager");
                if (l >= hd_end)
                        assert_non_null(o.part_guid);
                else
                        assert_null(o.part_guid);
                if (l >= file_end)
                        assert_non_null(o.file_path);
                else
                        assert_null(o.file_path);
                efi_load_option_free(&o);
        }

        /* A node length below 4 stops the walk before the File node. */
        uint8_t c[512];
        memcpy(c, b, len);
        c[hd_end + 2] = 2;
        assert_int_equal(efi_load_option_parse(c, len, &o), 0);
        assert_non_null(o.part_guid);
        assert_null(o.file_path);
        efi_load_option_free(&o);

        /* An End node first: nothing after it is used. */
        memcpy(c, b, len);
        c[desc_end] = 0x7f, c[desc_end + 1] = 0xff;
        assert_int_equal(efi_load_option_parse(c, len, &o), 0);
        assert_null(o.part_guid);
        assert_null(o.file_path);
        efi_load_option_free(&o);

        /* The path length bounds the walk even when the buffer goes on. */
        memcpy(c, b, len);
        c[4] = 42, c[5] = 0;
        assert_int_equal(efi_load_option_parse(c, len, &o), 0);
        assert_non_null(o.part_guid);
        assert_null(o.file_path);
        efi_load_option_free(&o);

        /* An MBR Hard-Drive node (format 1) gives no GUID. */
        memcpy(c, b, len);
        c[hd_end - 2] = 1, c[hd_end - 1] = 1;
        assert_int_equal(efi_load_option_parse(c, len, &o), 0);
        assert_null(o.part_guid);
        assert_non_null(o.file_path);
        efi_load_option_free(&o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utf16_round_trip), cmocka_unit_test(test_utf16_decode_lenient),
                cmocka_unit_test(test_utf8_invalid),     cmocka_unit_test(test_parse_header),
                cmocka_unit_test(test_read_malformed),   cmocka_unit_test(test_write_and_unchanged),
                cmocka_unit_test(test_immutable),        cmocka_unit_test(test_enotty),
                cmocka_unit_test(test_typed),            cmocka_unit_test(test_load_option),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
