/* See cache.h. Keys are whole lines minus the crc, so matching is a string compare. */
#include "cache.h"
#include "lib/atomic.h"
#include "lib/crc.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>

static int cache_add(struct crc_cache *c, char *key, uint32_t crc) {
        struct crc_cache_entry *e = realloc(c->e, (c->n + 1) * sizeof *e);
        if (!e) {
                free(key);
                return -ENOMEM;
        }
        c->e = e;
        c->e[c->n++] = (struct crc_cache_entry){ key, crc };
        return 0;
}

void crc_cache_parse(const char *buf, size_t len, struct crc_cache *ret) {
        *ret = (struct crc_cache){};
        const char *p = buf, *end = buf + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                if (!nl)
                        break;
                const char *sp = nl;
                while (sp > p && sp[-1] != ' ')
                        sp--;
                if (sp > p && nl - sp == 8 && (startswith(p, "src ") || startswith(p, "esp "))) {
                        char crc[9];
                        memcpy(crc, sp, 8);
                        crc[8] = 0;
                        if (strspn(crc, "0123456789abcdef") == 8) {
                                char *key = strndup(p, (size_t)(sp - 1 - p));
                                if (!key || cache_add(ret, key, (uint32_t)strtoul(crc, NULL, 16)) < 0)
                                        break;
                        }
                }
                p = nl + 1;
        }
}

int crc_cache_load(const char *path, struct crc_cache *ret) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        if (read_file_max(path, 16 * 1024 * 1024, &buf, &len) < 0) {
                *ret = (struct crc_cache){};
                return 0;
        }
        crc_cache_parse(buf, len, ret);
        return 0;
}

int crc_cache_save(struct crc_cache *c, const char *path) {
        if (!c->dirty)
                return 0;
        size_t cap = 1, o = 0;
        for (size_t i = 0; i < c->n; i++)
                cap += strlen(c->e[i].key) + 10;
        _cleanup_free_ char *out = malloc(cap);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < c->n; i++)
                o += (size_t)sprintf(out + o, "%s %08x\n", c->e[i].key, c->e[i].crc);
        _cleanup_free_ char *d = strdup(path);
        if (!d)
                return -ENOMEM;
        if (mkdir(dirname(d), 0700) < 0 && errno != EEXIST)
                return negerrno();
        return atomic_write(path, out, o, 0600);
}

void crc_cache_free(struct crc_cache *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->e[i].key);
        free(c->e);
        *c = (struct crc_cache){};
}

static struct crc_cache_entry *cache_find(struct crc_cache *c, const char *key) {
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->e[i].key, key))
                        return &c->e[i];
        return NULL;
}

/* Drop entries of the same file (same identity prefix) with other stats: they can never match. */
static void cache_forget(struct crc_cache *c, const char *key, size_t ident_len) {
        size_t j = 0;
        for (size_t i = 0; i < c->n; i++) {
                if (strncmp(c->e[i].key, key, ident_len) == 0 && !streq(c->e[i].key, key)) {
                        free(c->e[i].key);
                        c->dirty = true;
                } else
                        c->e[j++] = c->e[i];
        }
        c->n = j;
}

/* Length of "src <path> " or "esp <name> <rel> ": the file's identity within a key. */
static size_t ident_len(const char *key, int fields) {
        const char *p = key;
        for (int i = 0; i < fields && p; i++) {
                p = strchr(p, ' ');
                if (p)
                        p++;
        }
        return p ? (size_t)(p - key) : strlen(key);
}

static int cache_lookup_or_read(struct crc_cache *c, char *key, int fd, bool ignore, uint32_t *ret_crc) {
        struct crc_cache_entry *e = cache_find(c, key);
        if (e && !ignore) {
                *ret_crc = e->crc;
                free(key);
                return 0;
        }
        int r = crc32_fd(fd, ret_crc, NULL);
        if (r < 0) {
                free(key);
                return r;
        }
        if (e) {
                free(key);
                if (e->crc != *ret_crc)
                        c->dirty = true;
                e->crc = *ret_crc;
                return 0;
        }
        cache_forget(c, key, ident_len(key, startswith(key, "src ") ? 2 : 3));
        c->dirty = true;
        return cache_add(c, key, *ret_crc);
}

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

int crc_cache_source(struct crc_cache *c, const char *path, uint32_t *ret_crc, uint64_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return negerrno();
        char *key;
        if (asprintf(&key, "src %s %ju %ju %jd %lld %lld", path, (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
                     (intmax_t)st.st_size, ns(st.st_mtim), ns(st.st_ctim)) < 0)
                return -ENOMEM;
        *ret_size = (uint64_t)st.st_size;
        return cache_lookup_or_read(c, key, fd, false, ret_crc);
}

static int esp_key(const char *esp_name, const char *rel, const struct stat *st, char **ret) {
        return asprintf(ret, "esp %s %s %jd %lld", esp_name, rel, (intmax_t)st->st_size, ns(st->st_mtim)) < 0 ? -ENOMEM : 0;
}

int crc_cache_esp(struct crc_cache *c, const char *esp_name, int dirfd, const char *rel, bool ignore_cache,
                  uint32_t *ret_crc, uint64_t *ret_size) {
        _cleanup_close_ int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return negerrno();
        if (!S_ISREG(st.st_mode))
                return -EISDIR;
        char *key;
        if (esp_key(esp_name, rel, &st, &key) < 0)
                return -ENOMEM;
        *ret_size = (uint64_t)st.st_size;
        return cache_lookup_or_read(c, key, fd, ignore_cache, ret_crc);
}

int crc_cache_note_esp(struct crc_cache *c, const char *esp_name, int dirfd, const char *rel, uint32_t crc) {
        struct stat st;
        if (fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negerrno();
        char *key;
        if (esp_key(esp_name, rel, &st, &key) < 0)
                return -ENOMEM;
        struct crc_cache_entry *e = cache_find(c, key);
        c->dirty = true;
        if (e) {
                free(key);
                e->crc = crc;
                return 0;
        }
        cache_forget(c, key, ident_len(key, 3));
        return cache_add(c, key, crc);
}
