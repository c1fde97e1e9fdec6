/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ovmf-vars: list, read and edit EFI variables in an OVMF vars flash file between two qemu boots
 * (spec images-e2e §7). A host test helper, not part of the toolkit: the guest reports volatile
 * variables itself; this reads what reached the flash (non-volatile ones) and presets variables.
 *
 *   ovmf-vars FILE list
 *   ovmf-vars FILE get NAME [GUID] [--str]
 *   ovmf-vars FILE set NAME GUID ATTRS (--str S | --hex H)
 *   ovmf-vars FILE delete NAME GUID
 *
 * Flash bits are only ever cleared: a record is deleted by clearing bit 0x02 of its state, and a new
 * value is appended after the last record. Exit: 0 ok, 1 usage, 2 not found or not a vars file,
 * 4 write failed or store full.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYSTEMD_BOOT_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
#define STORE_GUID "aaf32c78-947b-439a-a180-2e144ec37792"
#define STORE_HEADER_SIZE 28
#define RECORD_HEADER_SIZE 60
#define RECORD_MARKER 0x55AA
#define STATE_ADDED 0x3F
#define STATE_IN_DELETE 0x3E
#define STATE_DELETED_BIT 0x02
#define MAX_NAME 128

struct store {
        uint8_t *buf;
        size_t file_size;
        size_t begin; /* first record */
        size_t end;   /* end of the store */
};

struct record {
        size_t offset;
        uint8_t state;
        uint32_t attributes;
        uint32_t name_size, data_size;
        uint8_t guid[16];
        char name[MAX_NAME]; /* ASCII rendering of the UTF-16LE name */
        size_t next;
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* "aaf32c78-947b-439a-a180-2e144ec37792" <-> EFI byte order (first three fields little-endian). */
static int guid_parse(const char *s, uint8_t out[16]) {
        static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
        uint8_t raw[16];
        int n = 0;
        if (strlen(s) != 36)
                return -EINVAL;
        for (const char *p = s; *p && n < 16;) {
                if (*p == '-') {
                        p++;
                        continue;
                }
                unsigned v;
                if (sscanf(p, "%2x", &v) != 1)
                        return -EINVAL;
                raw[n++] = (uint8_t)v;
                p += 2;
        }
        if (n != 16)
                return -EINVAL;
        for (int i = 0; i < 16; i++)
                out[order[i]] = raw[i];
        return 0;
}

static void guid_format(const uint8_t g[16], char out[37]) {
        snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

static int store_load(const char *path, struct store *st) {
        FILE *f = fopen(path, "rb");
        if (!f)
                return -errno;
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        rewind(f);
        if (size < 64) {
                fclose(f);
                return -EBADMSG;
        }
        st->buf = malloc((size_t)size);
        if (!st->buf || fread(st->buf, 1, (size_t)size, f) != (size_t)size) {
                fclose(f);
                return -EIO;
        }
        fclose(f);
        st->file_size = (size_t)size;
        if (memcmp(st->buf + 40, "_FVH", 4) != 0)
                return -EBADMSG;
        size_t hdr = le16(st->buf + 48);
        uint8_t want[16];
        guid_parse(STORE_GUID, want);
        if (hdr + STORE_HEADER_SIZE > st->file_size || memcmp(st->buf + hdr, want, 16) != 0)
                return -EBADMSG;
        uint32_t store_size = le32(st->buf + hdr + 16);
        if (store_size < STORE_HEADER_SIZE || hdr + store_size > st->file_size)
                return -EBADMSG;
        st->begin = hdr + STORE_HEADER_SIZE;
        st->end = hdr + store_size;
        return 0;
}

/* Parses the record at offset; returns 1 when one is there, 0 at the end of the list. */
static int record_at(const struct store *st, size_t off, struct record *r) {
        if (off + RECORD_HEADER_SIZE > st->end || le16(st->buf + off) != RECORD_MARKER)
                return 0;
        const uint8_t *h = st->buf + off;
        memset(r, 0, sizeof(*r));
        r->offset = off;
        r->state = h[2];
        r->attributes = le32(h + 4);
        r->name_size = le32(h + 36);
        r->data_size = le32(h + 40);
        memcpy(r->guid, h + 44, 16);
        size_t after = off + RECORD_HEADER_SIZE + (size_t)r->name_size + r->data_size;
        if (after > st->end)
                return -EBADMSG;
        for (uint32_t i = 0; i + 1 < r->name_size && i / 2 < MAX_NAME - 1; i += 2) {
                uint16_t c = le16(h + RECORD_HEADER_SIZE + i);
                if (c == 0)
                        break;
                r->name[i / 2] = c < 0x80 ? (char)c : '?';
        }
        r->next = (after + 3) & ~(size_t)3;
        return 1;
}

static bool record_matches(const struct record *r, const char *name, const uint8_t guid[16]) {
        return strcmp(r->name, name) == 0 && memcmp(r->guid, guid, 16) == 0;
}

/* The live copy of a variable: state 0x3F, or 0x3E ("being replaced") when no 0x3F copy exists. */
static int find_live(const struct store *st, const char *name, const uint8_t guid[16], struct record *out) {
        struct record r;
        bool have_transition = false;
        int k;
        for (size_t off = st->begin; (k = record_at(st, off, &r)) > 0; off = r.next) {
                if (!record_matches(&r, name, guid))
                        continue;
                if (r.state == STATE_ADDED) {
                        *out = r;
                        return 1;
                }
                if (r.state == STATE_IN_DELETE) {
                        *out = r;
                        have_transition = true;
                }
        }
        return k < 0 ? k : have_transition;
}

static size_t list_end(const struct store *st) {
        struct record r;
        size_t off = st->begin;
        while (record_at(st, off, &r) > 0)
                off = r.next;
        return off;
}

static int store_save(const char *path, const struct store *st) {
        FILE *f = fopen(path, "r+b");
        if (!f)
                return -errno;
        /* Only the store's bytes can have changed. */
        if (fseek(f, (long)st->begin, SEEK_SET) != 0 ||
            fwrite(st->buf + st->begin, 1, st->end - st->begin, f) != st->end - st->begin) {
                fclose(f);
                return -EIO;
        }
        return fclose(f) == 0 ? 0 : -errno;
}

static void mark_deleted(struct store *st, const char *name, const uint8_t guid[16]) {
        struct record r;
        for (size_t off = st->begin; record_at(st, off, &r) > 0; off = r.next)
                if (record_matches(&r, name, guid) && !(r.state & 0x80) && (r.state & STATE_DELETED_BIT))
                        st->buf[off + 2] &= (uint8_t)~STATE_DELETED_BIT;
}

static int hex_decode(const char *s, uint8_t **out, size_t *len) {
        size_t n = strlen(s);
        if (n % 2)
                return -EINVAL;
        *out = malloc(n / 2 + 1);
        for (size_t i = 0; i < n / 2; i++) {
                unsigned v;
                if (sscanf(s + 2 * i, "%2x", &v) != 1)
                        return -EINVAL;
                (*out)[i] = (uint8_t)v;
        }
        *len = n / 2;
        return 0;
}

static int cmd_set(struct store *st, const char *name, const uint8_t guid[16], uint32_t attrs,
                   const uint8_t *data, size_t data_size) {
        size_t name_len = strlen(name);
        size_t name_size = 2 * (name_len + 1);
        size_t need = RECORD_HEADER_SIZE + name_size + data_size;
        size_t off = list_end(st);
        if (off + need > st->end) {
                fprintf(stderr, "ovmf-vars: store full: start from a fresh vars file\n");
                return 4;
        }
        for (size_t i = off; i < off + need; i++)
                if (st->buf[i] != 0xFF) {
                        fprintf(stderr, "ovmf-vars: store full: start from a fresh vars file\n");
                        return 4;
                }
        mark_deleted(st, name, guid);
        uint8_t *h = st->buf + off;
        memset(h, 0, RECORD_HEADER_SIZE);
        h[0] = RECORD_MARKER & 0xFF;
        h[1] = RECORD_MARKER >> 8;
        h[2] = STATE_ADDED;
        put32(h + 4, attrs);
        put32(h + 36, (uint32_t)name_size);
        put32(h + 40, (uint32_t)data_size);
        memcpy(h + 44, guid, 16);
        for (size_t i = 0; i <= name_len; i++) {
                h[RECORD_HEADER_SIZE + 2 * i] = (uint8_t)name[i];
                h[RECORD_HEADER_SIZE + 2 * i + 1] = 0;
        }
        memcpy(h + RECORD_HEADER_SIZE + name_size, data, data_size);
        return 0;
}

static int usage(void) {
        fprintf(stderr, "usage: ovmf-vars FILE list | get NAME [GUID] [--str] | "
                        "set NAME GUID ATTRS (--str S | --hex H) | delete NAME GUID\n");
        return 1;
}

int main(int argc, char **argv) {
        if (argc < 3)
                return usage();
        const char *path = argv[1], *verb = argv[2];
        struct store st = { 0 };
        int r = store_load(path, &st);
        if (r < 0) {
                fprintf(stderr, "ovmf-vars: %s: not an OVMF vars file: %s\n", path, strerror(-r));
                free(st.buf);
                return 2;
        }
        int rc = 0;
        uint8_t guid[16];
        if (strcmp(verb, "list") == 0 && argc == 3) {
                struct record rec;
                char g[37];
                int k;
                for (size_t off = st.begin; (k = record_at(&st, off, &rec)) > 0; off = rec.next) {
                        struct record live;
                        if (find_live(&st, rec.name, rec.guid, &live) <= 0 || live.offset != off)
                                continue;
                        guid_format(rec.guid, g);
                        printf("%s-%s attrs=0x%x size=%u\n", rec.name, g, rec.attributes, rec.data_size);
                }
                if (k < 0) {
                        fprintf(stderr, "ovmf-vars: %s: record overruns the store\n", path);
                        rc = 2;
                }
        } else if (strcmp(verb, "get") == 0 && argc >= 4 && argc <= 6) {
                bool as_str = strcmp(argv[argc - 1], "--str") == 0;
                int nargs = argc - (as_str ? 1 : 0);
                struct record rec;
                if (guid_parse(nargs >= 5 ? argv[4] : SYSTEMD_BOOT_GUID, guid) < 0 || nargs > 5)
                        rc = usage();
                else if (find_live(&st, argv[3], guid, &rec) <= 0)
                        rc = 2;
                else {
                        const uint8_t *d = st.buf + rec.offset + RECORD_HEADER_SIZE + rec.name_size;
                        for (uint32_t i = 0; i < rec.data_size; i += as_str ? 2 : 1) {
                                if (!as_str)
                                        printf("%02x", d[i]);
                                else if (i + 1 < rec.data_size && le16(d + i) != 0)
                                        putchar(le16(d + i) < 0x80 ? d[i] : '?');
                        }
                        putchar('\n');
                }
        } else if (strcmp(verb, "set") == 0 && argc == 8) {
                uint8_t *data = NULL;
                size_t len = 0;
                char *endp;
                unsigned long attrs = strtoul(argv[5], &endp, 0);
                if (guid_parse(argv[4], guid) < 0 || *endp || attrs > 0x7f)
                        rc = usage();
                else if (strcmp(argv[6], "--str") == 0) {
                        size_t n = strlen(argv[7]);
                        data = calloc(2 * (n + 1), 1);
                        for (size_t i = 0; i < n; i++)
                                data[2 * i] = (uint8_t)argv[7][i];
                        len = 2 * (n + 1);
                } else if (strcmp(argv[6], "--hex") != 0 || hex_decode(argv[7], &data, &len) < 0)
                        rc = usage();
                if (rc == 0) {
                        rc = cmd_set(&st, argv[3], guid, (uint32_t)attrs, data, len);
                        if (rc == 0 && store_save(path, &st) < 0) {
                                fprintf(stderr, "ovmf-vars: %s: write failed\n", path);
                                rc = 4;
                        }
                }
                free(data);
        } else if (strcmp(verb, "delete") == 0 && argc == 5) {
                struct record rec;
                if (guid_parse(argv[4], guid) < 0)
                        rc = usage();
                else if (find_live(&st, argv[3], guid, &rec) <= 0)
                        rc = 2;
                else {
                        mark_deleted(&st, argv[3], guid);
                        if (store_save(path, &st) < 0) {
                                fprintf(stderr, "ovmf-vars: %s: write failed\n", path);
                                rc = 4;
                        }
                }
        } else
                rc = usage();
        free(st.buf);
        return rc;
}
