/* Plumbing shared by kernel-select's verbs: loading state, the run lock, writing the
 * administrator's files atomically (or printing the plan), and handing over to espctl. */
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include "ks.h"
#include "lib/atomic.h"
#include "lib/exitcode.h"
#include "lib/fsops.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/spawn.h"
#include "lib/version.h"

void ks_print_warnings(const struct kernel_state *st) {
        for (size_t i = 0; i < st->warnings.n; i++)
                log_warning("%s", st->warnings.v[i]);
        for (size_t i = 0; i < st->sel.warnings.n; i++)
                log_warning("%s", st->sel.warnings.v[i]);
}

int ks_load(struct ks_ctx *c, struct kernel_state *st) {
        _cleanup_free_ char *error = NULL;
        int r = kernel_state_load(&c->paths, &c->installing, &c->removing, st, &error);
        if (r == -EINVAL && error) {
                log_error("invalid configuration: %s", error);
                return EXIT_INVALID;
        }
        if (r < 0) {
                log_error("reading the kernel inventory under %s failed: %s", c->paths.root, strerror(-r));
                return EXIT_IO;
        }
        return 0;
}

int ks_lock(struct ks_ctx *c, int *ret_fd) {
        return toolkit_lock(&c->paths, c->dry_run ? LOCK_FLAG_SHARED | LOCK_FLAG_NO_CREATE : 0, c->wait_sec, ret_fd);
}

/* /etc/kernel may be missing on a fresh system: create that one directory. */
static int ensure_parent(const char *path) {
        _cleanup_free_ char *d = strdup(path);
        if (!d)
                return -ENOMEM;
        char *dir = dirname(d);
        struct stat st;
        if (stat(dir, &st) == 0)
                return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
        int r = fs_mkdirat(AT_FDCWD, dir, 0755);
        return r == -EEXIST ? 0 : r;
}

int ks_write_file(struct ks_ctx *c, const char *abs, const char *content, bool *ret_changed) {
        _cleanup_free_ char *path = paths_root(&c->paths, abs);
        if (!path)
                return EXIT_IO;
        if (ret_changed)
                *ret_changed = false;
        if (c->dry_run) {
                if (content)
                        printf("would write %s: %.*s\n", path, (int)strcspn(content, "\n"), content);
                else if (access(path, F_OK) == 0)
                        printf("would delete %s\n", path);
                return 0;
        }
        int r = content ? ensure_parent(path) : 0;
        if (r >= 0)
                r = content ? atomic_write(path, content, strlen(content), 0644) : atomic_unlink(path);
        if (r < 0) {
                log_error("%s %s failed: %s", content ? "writing" : "deleting", path, strerror(-r));
                return EXIT_IO;
        }
        if (ret_changed)
                *ret_changed = r > 0;
        return 0;
}

/* espctl next to our own executable, in the build tree's esp/ beside us, then /usr/sbin. */
static char *find_espctl(void) {
        char *p = path_beside_self((const char *const[]){ "espctl", "../esp/espctl", NULL });
        if (p)
                return p;
        p = path_join(PATH_SBIN_FALLBACK, "espctl");
        if (p && access(p, X_OK) != 0) {
                free(p);
                p = NULL;
        }
        return p;
}

int ks_refresh(struct ks_ctx *c, int lock_fd) {
        if (c->no_refresh || c->dry_run) {
                if (c->dry_run)
                        printf("would run espctl refresh\n");
                return 0;
        }
        _cleanup_free_ char *espctl = find_espctl();
        if (!espctl) {
                log_error("espctl not installed: the files are changed but no ESP was refreshed; run espctl refresh");
                return EXIT_ENV;
        }
        char fdbuf[16];
        snprintf(fdbuf, sizeof fdbuf, "%d", lock_fd);
        const char *argv[64];
        size_t n = 0;
        argv[n++] = espctl;
        const struct { const char *opt, *val; } pass[] = {
                { "--root", c->root }, { "--sysfs-root", c->sysfs }, { "--proc-dir", c->proc },
                { "--run-dir", c->run }, { "--efivars-dir", c->efivars },
        };
        for (size_t i = 0; i < ELEMENTSOF(pass); i++)
                if (pass[i].val) {
                        argv[n++] = pass[i].opt;
                        argv[n++] = pass[i].val;
                }
        for (size_t i = 0; i < c->esp_dirs.n && n < ELEMENTSOF(argv) - 10; i++) {
                argv[n++] = "--esp-dir";
                argv[n++] = c->esp_dirs.v[i];
        }
        if (c->quiet)
                argv[n++] = "--quiet";
        if (c->verbose)
                argv[n++] = "--verbose";
        if (c->no_root_check)
                argv[n++] = "--no-root-check";
        if (lock_fd >= 0) {
                argv[n++] = "--lock-fd";
                argv[n++] = fdbuf;
        }
        argv[n++] = "refresh";
        argv[n] = NULL;
        struct spawn_opts o = { .keep_fds = &lock_fd, .n_keep_fds = lock_fd >= 0 ? 1 : 0 };
        int status;
        int r = spawn_run((char *const *)argv, &o, &status);
        if (r == -ENOENT) {
                log_error("espctl not installed: %s", espctl);
                return EXIT_ENV;
        }
        if (r < 0) {
                log_error("running %s failed: %s", espctl, strerror(-r));
                return EXIT_CHILD;
        }
        int code = spawn_exit_code(status);
        if (code == 0)
                return 0;
        if (code >= 1 && code <= 5)
                return code; /* espctl already said what failed */
        log_error("espctl refresh failed: exit status %d", code);
        return EXIT_CHILD;
}

/* Rejects what can never be a kernel version before anything is read. */
int ks_check_version_arg(const char *v) {
        if (version_is_valid(v) && !version_is_series(v))
                return 0;
        log_error("invalid version: '%s': expected a kernel release such as 6.8.12-4-pve%s", v,
                  version_is_series(v) ? " (a series name is not a kernel)" : "");
        return EXIT_INVALID;
}

void ks_print_installed(const struct kernel_state *st) {
        char buf[2048] = "";
        for (size_t i = 0; i < st->inv.images.n; i++) {
                size_t l = strlen(buf);
                snprintf(buf + l, sizeof buf - l, "%s%s", l ? " " : "", st->inv.images.v[i]);
        }
        log_error("installed kernels: %s", buf[0] ? buf : "none");
}

