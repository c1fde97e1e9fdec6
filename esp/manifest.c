/* See manifest.h. */
#include "manifest.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include <inttypes.h>

static const char *const kind_names[_MK_COUNT] = { "file", "entry", "config", "loader", "pending" };

const char *manifest_kind_name(enum manifest_kind k) { return k < _MK_COUNT ? kind_names[k] : NULL; }

int manifest_add(struct manifest *m, enum manifest_kind kind, const char *path, uint64_t size, uint32_t crc) {
        struct manifest_record *r = realloc(m->records, (m->n + 1) * sizeof *r);
        if (!r)
                return -ENOMEM;
        m->records = r;
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        m->records[m->n++] = (struct manifest_record){ kind, p, size, crc };
        return 0;
}

struct parse_state {
        struct manifest *m;
        unsigned *format, *bad_line;
        bool seen_magic;
};

static bool path_is_safe(const char *p) {
        return *p && *p != '/' && !strstr(p, "..") && !str_has_ctrl(p);
}

static int manifest_line(char *line, unsigned lineno, void *userdata) {
        struct parse_state *st = userdata;
        struct manifest *m = st->m;
        char a[64], b[4096];
        if (!st->seen_magic) {
                unsigned fmt;
                char tail;
                if (sscanf(line, "espctl-manifest %u%c", &fmt, &tail) != 1)
                        goto bad;
                *st->format = fmt;
                if (fmt > MANIFEST_FORMAT)
                        return -EPROTONOSUPPORT;
                if (fmt < 1)
                        goto bad;
                st->seen_magic = true;
                return 0;
        }
        if (sscanf(line, "prefix %63s", a) == 1 && !m->prefix) {
                m->prefix = strdup(a);
                return m->prefix ? 0 : -ENOMEM;
        }
        if (sscanf(line, "mode %63s", a) == 1 && !m->mode) {
                if (!streq(a, "systemd-boot") && !streq(a, "grub"))
                        goto bad;
                m->mode = strdup(a);
                return m->mode ? 0 : -ENOMEM;
        }
        uint64_t size;
        char crc[16];
        int used = 0;
        if (sscanf(line, "%63s %4095s %" SCNu64 " %15s%n", a, b, &size, crc, &used) != 4 || line[used] ||
            strlen(crc) != 8 || strspn(crc, "0123456789abcdef") != 8 || !path_is_safe(b))
                goto bad;
        for (int k = 0; k < _MK_COUNT; k++)
                if (streq(a, kind_names[k]))
                        return manifest_add(m, (enum manifest_kind)k, b, size, (uint32_t)strtoul(crc, NULL, 16));
bad:
        *st->bad_line = lineno;
        return -EBADMSG;
}

int manifest_parse(const char *buf, size_t len, struct manifest *ret, unsigned *ret_format, unsigned *ret_line) {
        *ret = (struct manifest){};
        unsigned fmt = 0, bad = 0;
        struct parse_state st = { ret, &fmt, &bad, false };
        int r = lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, manifest_line, &st);
        if (r >= 0 && (!st.seen_magic || !ret->prefix || !ret->mode)) {
                bad = bad ? bad : 1;
                r = -EBADMSG;
        }
        if (ret_format)
                *ret_format = fmt;
        if (ret_line)
                *ret_line = bad;
        if (r < 0)
                manifest_free(ret);
        return r;
}

static int cmp_record(const void *x, const void *y) {
        const struct manifest_record *a = x, *b = y;
        int r = strcmp(a->path, b->path);
        return r ? r : (int)a->kind - (int)b->kind;
}

int manifest_render(const struct manifest *m, char **ret) {
        struct manifest_record *sorted = malloc((m->n + 1) * sizeof *sorted);
        if (!sorted)
                return -ENOMEM;
        if (m->n > 0) { /* memcpy and qsort need non-NULL pointers even for zero bytes */
                memcpy(sorted, m->records, m->n * sizeof *sorted);
                qsort(sorted, m->n, sizeof *sorted, cmp_record);
        }
        size_t cap = 128 + m->n * 300, o = 0;
        char *out = malloc(cap);
        if (!out) {
                free(sorted);
                return -ENOMEM;
        }
        o += (size_t)snprintf(out + o, cap - o, "espctl-manifest %d\nprefix %s\nmode %s\n", MANIFEST_FORMAT,
                              m->prefix, m->mode);
        for (size_t i = 0; i < m->n; i++) {
                size_t need = strlen(sorted[i].path) + 64;
                if (o + need >= cap) {
                        cap = (cap + need) * 2;
                        char *n = realloc(out, cap);
                        if (!n) {
                                free(out);
                                free(sorted);
                                return -ENOMEM;
                        }
                        out = n;
                }
                o += (size_t)snprintf(out + o, cap - o, "%s %s %" PRIu64 " %08x\n", kind_names[sorted[i].kind],
                                      sorted[i].path, sorted[i].size, sorted[i].crc);
        }
        free(sorted);
        *ret = out;
        return 0;
}

const struct manifest_record *manifest_find(const struct manifest *m, const char *path, int kind) {
        for (size_t i = 0; i < m->n; i++)
                if ((kind < 0 || (int)m->records[i].kind == kind) && streq(m->records[i].path, path))
                        return &m->records[i];
        return NULL;
}

void manifest_remove_kind(struct manifest *m, enum manifest_kind kind) {
        size_t j = 0;
        for (size_t i = 0; i < m->n; i++) {
                if (m->records[i].kind == kind)
                        free(m->records[i].path);
                else
                        m->records[j++] = m->records[i];
        }
        m->n = j;
}

void manifest_remove_path(struct manifest *m, const char *path) {
        size_t j = 0;
        for (size_t i = 0; i < m->n; i++) {
                if (streq(m->records[i].path, path))
                        free(m->records[i].path);
                else
                        m->records[j++] = m->records[i];
        }
        m->n = j;
}

void manifest_free(struct manifest *m) {
        for (size_t i = 0; i < m->n; i++)
                free(m->records[i].path);
        free(m->records);
        free(m->prefix);
        free(m->mode);
        *m = (struct manifest){};
}
