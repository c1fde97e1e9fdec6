/* See efivarfs.h. Writes follow the kernel's efivarfs rules: variables carry FS_IMMUTABLE_FL
 * against accidental deletion, so it is cleared around a write or unlink; a write replaces the
 * whole variable and is one write() of attributes + data (efivarfs rejects split writes). */
#include "efivarfs.h"
#include "fsops.h"
#include "macro.h"
#include "utf16.h"
#include "fileio.h"
#include "paths.h"
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#define EFIVARFS_MAGIC 0xde5e81e4

char *efivar_file_name(const char *guid, const char *name) {
        char *r;
        if (asprintf(&r, "%s-%s", name, guid) < 0)
                return NULL;
        return r;
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

int efivar_parse(const void *buf, size_t len, uint32_t *ret_attr, const void **ret_data, size_t *ret_len) {
        if (len < 4)
                return -EBADMSG;
        uint32_t attr = le32(buf);
        if (attr & ~EFI_VARIABLE_ATTR_MASK)
                return -EBADMSG;
        if (ret_attr)
                *ret_attr = attr;
        if (ret_data)
                *ret_data = (const uint8_t *)buf + 4;
        if (ret_len)
                *ret_len = len - 4;
        return 0;
}

int efivar_read(const char *dir, const char *guid, const char *name, uint32_t *ret_attr,
                void **ret_data, size_t *ret_len) {
        _cleanup_free_ char *fn = efivar_file_name(guid, name);
        if (!fn)
                return -ENOMEM;
        _cleanup_free_ char *path = path_join(dir, fn);
        if (!path)
                return -ENOMEM;
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r = read_file_max(path, EFIVAR_MAX_SIZE, &buf, &len);
        if (r == -ENOTDIR)
                r = -ENOENT;
        if (r < 0)
                return r;
        uint32_t attr;
        size_t dlen;
        r = efivar_parse(buf, len, &attr, NULL, &dlen);
        if (r < 0)
                return r;
        /* Move the data to the front; read_file_max left a NUL after it, which moves along. */
        memmove(buf, buf + 4, dlen + 1);
        if (ret_attr)
                *ret_attr = attr;
        if (ret_len)
                *ret_len = dlen;
        if (ret_data)
                *ret_data = TAKE_PTR(buf);
        return 0;
}

/* Clear FS_IMMUTABLE_FL on fd; *ret_was tells whether it was set. Test directories and other
 * filesystems answer ENOTTY/EOPNOTSUPP/EINVAL: nothing to clear there. */
static int immutable_clear(int fd, bool *ret_was) {
        int flags;
        *ret_was = false;
        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
                if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL)
                        return 0;
                return negerrno();
        }
        if (!(flags & FS_IMMUTABLE_FL))
                return 0;
        flags &= ~FS_IMMUTABLE_FL;
        if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0) {
                if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL)
                        return 0;
                return negerrno();
        }
        *ret_was = true;
        return 0;
}

static void immutable_restore(int fd) {
        int flags;
        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
                return;
        flags |= FS_IMMUTABLE_FL;
        (void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

int efivar_write(const char *dir, const char *guid, const char *name, uint32_t attr,
                 const void *data, size_t len) {
        if (attr & ~EFI_VARIABLE_ATTR_MASK)
                return -EINVAL;
        if (len > EFIVAR_MAX_SIZE)
                return -EFBIG;

        uint32_t old_attr = 0;
        _cleanup_free_ void *old = NULL;
        size_t old_len = 0;
        int r = efivar_read(dir, guid, name, &old_attr, &old, &old_len);
        bool exists = r >= 0 || r == -EBADMSG;
        if (r < 0 && r != -ENOENT && r != -EBADMSG)
                return r;
        if (r >= 0 && old_attr == attr && old_len == len && (len == 0 || memcmp(old, data, len) == 0))
                return 0; /* unchanged: no write-side call at all */
        bool same_attr = r >= 0 && old_attr == attr;

        _cleanup_free_ uint8_t *buf = malloc(4 + len);
        if (!buf)
                return -ENOMEM;
        buf[0] = attr & 0xff;
        buf[1] = (attr >> 8) & 0xff;
        buf[2] = (attr >> 16) & 0xff;
        buf[3] = (attr >> 24) & 0xff;
        if (len > 0)
                memcpy(buf + 4, data, len);

        _cleanup_free_ char *fn = efivar_file_name(guid, name);
        if (!fn)
                return -ENOMEM;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negerrno();
        /* On efivarfs a write replaces the variable; on a plain directory (tests) the file must be
         * truncated or a shorter value would leave old bytes behind. */
        struct statfs sfs;
        bool is_efivarfs = fstatfs(dfd, &sfs) == 0 && (unsigned long)sfs.f_type == EFIVARFS_MAGIC;

        bool was_immutable = false;
        _cleanup_close_ int fd = -1;
        if (exists) {
                _cleanup_close_ int ro = openat(dfd, fn, O_RDONLY | O_CLOEXEC);
                if (ro < 0 && errno != ENOENT)
                        return negerrno();
                if (ro >= 0) {
                        r = immutable_clear(ro, &was_immutable);
                        if (r < 0)
                                return r;
                }
                if (ro >= 0 && same_attr) {
                        fd = fs_openat_write(dfd, fn, O_WRONLY | (is_efivarfs ? 0 : O_TRUNC), 0);
                        if (fd < 0) {
                                r = fd;
                                if (was_immutable)
                                        immutable_restore(ro);
                                return r;
                        }
                } else if (ro >= 0) {
                        /* Other attributes: efivarfs would append or refuse; start over. */
                        r = fs_unlinkat(dfd, fn, 0);
                        if (r < 0 && r != -ENOENT) {
                                if (was_immutable)
                                        immutable_restore(ro);
                                return r;
                        }
                }
        }
        bool created = false;
        if (fd < 0) {
                fd = fs_openat_write(dfd, fn, O_WRONLY | O_CREAT | O_EXCL, 0644);
                if (fd < 0)
                        return fd;
                created = true;
                bool new_immutable;
                r = immutable_clear(fd, &new_immutable);
                if (r < 0)
                        return r;
        }
        r = fs_write_all(fd, buf, 4 + len);
        if (was_immutable && !created)
                immutable_restore(fd);
        if (r < 0) {
                if (created)
                        (void)unlinkat(dfd, fn, 0); /* no half-written variable file */
                return r;
        }
        return 1;
}

int efivar_delete(const char *dir, const char *guid, const char *name) {
        _cleanup_free_ char *fn = efivar_file_name(guid, name);
        if (!fn)
                return -ENOMEM;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : negerrno();
        _cleanup_close_ int ro = openat(dfd, fn, O_RDONLY | O_CLOEXEC);
        if (ro < 0)
                return errno == ENOENT ? 0 : negerrno();
        bool was_immutable;
        int r = immutable_clear(ro, &was_immutable);
        if (r < 0)
                return r;
        r = fs_unlinkat(dfd, fn, 0);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                if (was_immutable)
                        immutable_restore(ro);
                return r;
        }
        return 1;
}

bool efivar_error_is_not_writable(int r) {
        return r == -EROFS || r == -EPERM || r == -EACCES || r == -EIO || r == -ENOSPC || r == -EINVAL;
}

int efivar_data_to_string(const void *data, size_t len, char **ret) {
        return utf16le_to_utf8(data, len, ret);
}

int efivar_data_to_strv(const void *data, size_t len, strv *ret) {
        if (len % 2 != 0)
                return -EBADMSG;
        const uint8_t *p = data;
        while (len > 0) {
                char *s;
                size_t used;
                int r = utf16le_decode(p, len, &s, &used);
                if (r < 0)
                        return r;
                r = strv_push_take(ret, s);
                if (r < 0)
                        return r;
                p += used;
                len -= used;
        }
        return 0;
}

int efivar_data_to_u16(const void *data, size_t len, uint16_t *ret) {
        if (len != 2)
                return -EBADMSG;
        *ret = le16(data);
        return 0;
}

int efivar_data_to_u64(const void *data, size_t len, uint64_t *ret) {
        if (len != 8)
                return -EBADMSG;
        const uint8_t *p = data;
        *ret = (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
        return 0;
}

int efivar_data_to_u8(const void *data, size_t len, uint8_t *ret) {
        if (len != 1)
                return -EBADMSG;
        *ret = *(const uint8_t *)data;
        return 0;
}

#define DEFINE_READ_TYPED(suffix, type)                                                          \
        int efivar_read_##suffix(const char *dir, const char *guid, const char *name, type *ret) { \
                _cleanup_free_ void *d = NULL;                                                   \
                size_t l;                                                                        \
                int r = efivar_read(dir, guid, name, NULL, &d, &l);                              \
                if (r < 0)                                                                       \
                        return r;                                                                \
                return efivar_data_to_##suffix(d, l, ret);                                       \
        }
DEFINE_READ_TYPED(string, char *)
DEFINE_READ_TYPED(strv, strv)
DEFINE_READ_TYPED(u16, uint16_t)
DEFINE_READ_TYPED(u64, uint64_t)
DEFINE_READ_TYPED(u8, uint8_t)

int efivar_write_string(const char *dir, const char *guid, const char *name, const char *value) {
        _cleanup_free_ void *d = NULL;
        size_t l;
        int r = utf8_to_utf16le(value, &d, &l);
        if (r < 0)
                return r;
        return efivar_write(dir, guid, name, EFI_VARIABLE_ATTR_DEFAULT, d, l);
}

static char *guid_from_efi_bytes(const uint8_t *g) {
        char *r;
        if (asprintf(&r, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", le32(g), le16(g + 4),
                     le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]) < 0)
                return NULL;
        return r;
}

int efi_load_option_parse(const void *data, size_t len, struct efi_load_option *ret) {
        const uint8_t *b = data;
        *ret = (struct efi_load_option){};
        if (len < 6)
                return -EBADMSG;
        uint32_t attributes = le32(b);
        size_t path_len = le16(b + 4);
        size_t pos = 6, units = (len - 6) / 2, n = 0;
        while (n < units && (b[pos + 2 * n] | b[pos + 2 * n + 1]) != 0)
                n++;
        if (n == units)
                return -EBADMSG; /* description without its NUL: truncated */
        struct efi_load_option o = { .attributes = attributes };
        int r = utf16le_decode(b + pos, 2 * (n + 1), &o.description, NULL);
        if (r < 0)
                return r;
        pos += 2 * (n + 1);
        size_t end = pos + path_len < len ? pos + path_len : len;
        while (pos + 4 <= end) {
                uint8_t type = b[pos], subtype = b[pos + 1];
                size_t nlen = le16(b + pos + 2);
                if (type == 0x7f && subtype == 0xff)
                        break;
                if (nlen < 4 || pos + nlen > end)
                        break;
                if (type == 4 && subtype == 1 && nlen == 42 && !o.part_guid) {
                        /* number, start, size, signature[16], format (2 = GPT), type (2 = GUID) */
                        if (b[pos + 40] == 2 && b[pos + 41] == 2) {
                                o.part_guid = guid_from_efi_bytes(b + pos + 24);
                                if (!o.part_guid) {
                                        efi_load_option_free(&o);
                                        return -ENOMEM;
                                }
                                o.part_number = le32(b + pos + 4);
                        }
                } else if (type == 4 && subtype == 4 && !o.file_path && (nlen - 4) % 2 == 0) {
                        r = utf16le_decode(b + pos + 4, nlen - 4, &o.file_path, NULL);
                        if (r < 0) {
                                efi_load_option_free(&o);
                                return r;
                        }
                }
                pos += nlen;
        }
        *ret = o;
        return 0;
}

void efi_load_option_free(struct efi_load_option *o) {
        free(o->description);
        free(o->file_path);
        free(o->part_guid);
        *o = (struct efi_load_option){};
}

void efi_boot_option_name(uint16_t number, char buf[static 9]) {
        snprintf(buf, 9, "Boot%04X", number);
}
