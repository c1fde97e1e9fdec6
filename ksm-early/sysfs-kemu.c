/* Test-only backend of ksm_sysfs_write() (binary ksm-early-kemu, never installed): a kernel
 * emulator on a fake tree. It enforces the rules of spec §8.2 (EINVAL for bad values, EBUSY for
 * merge_across_nodes/max_page_sharing changes while pages_shared > 0, pages_to_scan refused in
 * scan-time, advisor_mode resetting pages_to_scan, run=2 zeroing the counters), answers an
 * injected errno from <sysfs>/.kemu/fail/<file> ("EBUSY" = always, "EBUSY 2" = the first two
 * writes of this process), and appends "file=value" (or "file=value ERRNO") to <sysfs>/.kemu/log.
 * An injected ENOMEM/EINTR on run=2 sets run=0 first, as the kernel does. */
#include "sysfs.h"
#include "lib/fileio.h"
#include "lib/fsops.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "lib/parse.h"
#include "lib/paths.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

const char ksm_sysfs_backend_name[] = "kemu";

#define KEMU_MAX_FILES 32

struct kemu {
        char files[KEMU_MAX_FILES][64];
        unsigned used[KEMU_MAX_FILES];
        unsigned n;
};

static unsigned *kemu_counter(struct ksm_sysfs *s, const char *file) {
        if (!s->backend && !(s->backend = calloc(1, sizeof(struct kemu))))
                return NULL;
        struct kemu *k = s->backend;
        for (unsigned i = 0; i < k->n; i++)
                if (streq(k->files[i], file))
                        return &k->used[i];
        if (k->n == KEMU_MAX_FILES)
                return NULL;
        snprintf(k->files[k->n], sizeof k->files[0], "%s", file);
        return &k->used[k->n++];
}

/* The errno to inject for this write, or 0. */
static int kemu_injected(struct ksm_sysfs *s, const char *file) {
        _cleanup_free_ char *rel = NULL, *path = NULL, *buf = NULL;
        if (asprintf(&rel, ".kemu/fail/%s", file) < 0 || !(path = path_join(s->sysfs_root, rel)))
                return 0;
        if (read_file_max(path, 256, &buf, NULL) < 0)
                return 0;
        char name[32] = "";
        unsigned count = 0;
        int k = sscanf(buf, "%31s %u", name, &count);
        if (k < 1)
                return 0;
        unsigned *used = kemu_counter(s, file);
        if (k == 2 && used && (*used)++ >= count)
                return 0;
        return errno_from_name(name);
}

static void kemu_log(struct ksm_sysfs *s, const char *file, const char *value, int err) {
        _cleanup_free_ char *path = path_join(s->sysfs_root, ".kemu/log");
        if (!path)
                return;
        _cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        char line[160];
        int n = snprintf(line, sizeof line, "%s=%s%s%s\n", file, value, err ? " " : "", err ? (errno_name(-err) ?: "E?") : "");
        if (n > 0)
                (void)!write(fd, line, (size_t)n);
}

static int raw_write(struct ksm_sysfs *s, const char *file, const char *text) {
        _cleanup_close_ int fd = openat(s->dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0)
                return negerrno();
        size_t n = strlen(text);
        return write(fd, text, n) == (ssize_t)n ? 0 : -EIO;
}

static long long read_num(struct ksm_sysfs *s, const char *file, long long dflt) {
        _cleanup_free_ char *v = NULL;
        if (ksm_sysfs_read(s, file, &v) < 0)
                return dflt;
        return strtoll(v, NULL, 10);
}

static bool parse_num(const char *v, long long *ret) {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (!*v || *end || errno)
                return false;
        *ret = n;
        return true;
}

/* The kernel's own rules; 0 to go on with the plain write. */
static int kemu_rules(struct ksm_sysfs *s, const char *file, const char *value) {
        struct stat st;
        if (fstatat(s->dirfd, file, &st, 0) < 0)
                return negerrno();
        if (!(st.st_mode & 0222))
                return -EACCES; /* a counter */
        _cleanup_free_ char *cur = NULL;
        if (ksm_sysfs_read(s, file, &cur) < 0)
                return -EIO;
        if (streq(file, "advisor_mode")) {
                if (!streq(value, "none") && !streq(value, "scan-time"))
                        return -EINVAL;
                bool was_scan = strstr(cur, "[scan-time]") != NULL, to_scan = streq(value, "scan-time");
                if (was_scan == to_scan)
                        return 0;
                char pages[32];
                snprintf(pages, sizeof pages, "%lld\n", to_scan ? read_num(s, "advisor_min_pages_to_scan", 500) : 100);
                int r = raw_write(s, "advisor_mode", to_scan ? "none [scan-time]\n" : "[none] scan-time\n");
                return r < 0 ? r : raw_write(s, "pages_to_scan", pages) < 0 ? -EIO : 1;
        }
        long long n, old = strtoll(cur, NULL, 10);
        if (!parse_num(value, &n) || n < 0)
                return -EINVAL;
        if (streq(file, "run")) {
                if (n > 2)
                        return -EINVAL;
                if (n == 2)
                        for (const char *const *c = (const char *const[]){ "pages_shared", "pages_sharing",
                                                                           "pages_unshared", NULL }; *c; c++)
                                raw_write(s, *c, "0\n");
        } else if (streq(file, "pages_to_scan")) {
                _cleanup_free_ char *mode = NULL;
                if (ksm_sysfs_read(s, "advisor_mode", &mode) >= 0 && strstr(mode, "[scan-time]"))
                        return -EINVAL;
        } else if (streq(file, "merge_across_nodes") || streq(file, "max_page_sharing")) {
                if (streq(file, "merge_across_nodes") ? n > 1 : n < 2)
                        return -EINVAL;
                if (n != old && read_num(s, "pages_shared", 0) > 0)
                        return -EBUSY;
        } else if (streq(file, "advisor_target_scan_time") && n == 0)
                return -EINVAL;
        else if (n > 4294967295LL)
                return -ERANGE;
        return 0;
}

int ksm_sysfs_write(struct ksm_sysfs *s, const char *file, const char *value) {
        if (s->dirfd < 0)
                return -ENOENT;
        int err = kemu_injected(s, file);
        int r;
        if (err) {
                if (streq(file, "run") && streq(value, "2") && (err == ENOMEM || err == EINTR))
                        raw_write(s, "run", "0\n");
                r = -err;
        } else {
                r = kemu_rules(s, file, value);
                if (r == 0) {
                        /* The same write points as production, so crash injection counts alike; but
                         * as on sysfs, opening does not empty the value: it is replaced by the write. */
                        char buf[64];
                        snprintf(buf, sizeof buf, "%s\n", value);
                        _cleanup_close_ int fd = fs_openat_write(s->dirfd, file, O_WRONLY, 0);
                        r = fd < 0 ? fd : fs_write_once(fd, buf, strlen(buf));
                        if (r >= 0 && ftruncate(fd, (off_t)strlen(buf)) < 0)
                                r = negerrno();
                } else if (r > 0)
                        r = 0;
        }
        kemu_log(s, file, value, r);
        return r;
}
