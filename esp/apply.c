/* See apply.h. */
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <sys/stat.h>
#include "apply.h"
#include "lib/atomic.h"
#include "lib/crc.h"
#include "lib/fsops.h"
#include "lib/macro.h"
#include <zlib.h>

int esp_mkdirs(int espfd, const char *rel) {
        _cleanup_free_ char *path = strdup(rel);
        if (!path)
                return -ENOMEM;
        for (char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                struct stat st;
                if (fstatat(espfd, path, &st, 0) < 0) {
                        int r = fs_mkdirat(espfd, path, 0755);
                        if (r < 0 && r != -EEXIST)
                                return r;
                        _cleanup_free_ char *base = NULL;
                        _cleanup_close_ int pfd = open_parent_at(espfd, path, &base);
                        if (pfd < 0)
                                return pfd;
                        if ((r = fs_fsync(pfd)) < 0)
                                return r;
                } else if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                *s = '/';
        }
        return 0;
}

int esp_write_rel(int espfd, const char *rel, const char *content, size_t len) {
        int r = esp_mkdirs(espfd, rel);
        if (r < 0)
                return r;
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dfd = open_parent_at(espfd, rel, &base);
        if (dfd < 0)
                return dfd;
        r = atomic_write_at(dfd, base, content, len, 0644);
        return r < 0 ? r : 0;
}

static int remove_rel(int espfd, const char *rel, bool dir) {
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dfd = open_parent_at(espfd, rel, &base);
        if (dfd < 0)
                return dfd == -ENOENT ? 0 : dfd;
        int r = fs_unlinkat(dfd, base, dir ? AT_REMOVEDIR : 0);
        if (r == -ENOENT || (dir && (r == -ENOTEMPTY || r == -EEXIST)))
                return 0; /* gone already, or holds foreign files: left alone */
        return r < 0 ? r : fs_fsync(dfd);
}

/* Stream src into a temp beside rel, checking the crc the plan expects; rename into place. */
static int copy_rel(int espfd, const struct action *a) {
        int r = esp_mkdirs(espfd, a->path);
        if (r < 0)
                return r;
        _cleanup_free_ char *base = NULL, *tmp = NULL;
        _cleanup_close_ int dfd = open_parent_at(espfd, a->path, &base);
        if (dfd < 0)
                return dfd;
        _cleanup_close_ int src = open(a->src, O_RDONLY | O_CLOEXEC);
        if (src < 0)
                return negerrno();
        if (asprintf(&tmp, ".%s" ATOMIC_TMP_SUFFIX, base) < 0)
                return -ENOMEM;
        (void)unlinkat(dfd, tmp, 0); /* a leftover of a crashed run */
        _cleanup_close_ int out = fs_openat_write(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (out < 0)
                return out;
        static __thread char buf[1 << 20];
        uLong crc = crc32(0L, Z_NULL, 0);
        uint64_t total = 0;
        for (;;) {
                ssize_t n = read(src, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = negerrno();
                        break;
                }
                if (n == 0)
                        break;
                crc = crc32(crc, (const Bytef *)buf, (uInt)n);
                total += (uint64_t)n;
                if ((r = fs_write_all(out, buf, (size_t)n)) < 0)
                        break;
        }
        if (r >= 0 && ((uint32_t)crc != a->crc || total != a->size))
                r = -ESTALE; /* the source changed since the plan: the manifest would lie */
        if (r >= 0)
                r = fs_fsync(out);
        if (r >= 0)
                r = fs_renameat(dfd, tmp, dfd, base);
        if (r < 0) {
                unlinkat(dfd, tmp, 0);
                return r;
        }
        return fs_fsync(dfd);
}

static int rename_rel(int espfd, const char *from, const char *to) {
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dfd = open_parent_at(espfd, to, &base);
        if (dfd < 0)
                return dfd;
        int r = fs_renameat(espfd, from, espfd, to);
        return r < 0 ? r : fs_fsync(dfd);
}

int esp_plan_apply(const struct esp_plan *p, int espfd, struct crc_cache *cache, char **ret_error) {
        *ret_error = NULL;
        for (size_t i = 0; i < p->n; i++) {
                const struct action *a = &p->a[i];
                if (a->unchanged)
                        continue;
                int r;
                switch (a->kind) {
                case ACT_DELETE_TEMP:
                case ACT_REMOVE_ENTRY:
                case ACT_REMOVE_FILE:
                        r = remove_rel(espfd, a->path, false);
                        break;
                case ACT_REMOVE_DIR:
                        r = remove_rel(espfd, a->path, true);
                        break;
                case ACT_COPY:
                        r = copy_rel(espfd, a);
                        if (r >= 0 && cache)
                                (void)crc_cache_note_esp(cache, p->esp_name, espfd, a->path, a->crc);
                        break;
                case ACT_BLESS:
                        r = rename_rel(espfd, a->path, a->path2);
                        break;
                default:
                        r = esp_write_rel(espfd, a->path, a->content, a->len);
                        break;
                }
                if (r < 0) {
                        if (asprintf(ret_error, "ESP %s: %s %s failed: %s", p->esp_name,
                                     a->kind == ACT_COPY ? "copying to" : a->kind <= ACT_REMOVE_DIR && a->kind != ACT_INTERIM_CONFIG &&
                                     a->kind != ACT_INTERIM_GRUBCFG ? "removing" : "writing",
                                     a->path, r == -ESTALE ? "the source changed during the copy" : strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }
        if (syncfs(espfd) < 0) {
                int r = negerrno();
                if (asprintf(ret_error, "ESP %s: syncfs failed: %s", p->esp_name, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        return 0;
}
