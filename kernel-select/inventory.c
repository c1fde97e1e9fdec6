/* See inventory.h. */
#include "inventory.h"
#include "kconfig.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include "lib/version.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#define DPKG_STATUS_MAX (256u * 1024 * 1024)

char *kernel_package_version(const char *pkg) {
        static const char *const prefixes[] = { "proxmox-kernel-", "pve-kernel-", "linux-image-" };
        const char *rest = NULL;
        for (size_t i = 0; i < ELEMENTSOF(prefixes) && !rest; i++)
                if (startswith(pkg, prefixes[i]))
                        rest = pkg + strlen(prefixes[i]);
        /* "<digits>." must follow: linux-image-amd64 is a meta package, not a kernel. */
        if (!rest || !isdigit((unsigned char)rest[0]))
                return NULL;
        const char *p = rest;
        while (isdigit((unsigned char)*p))
                p++;
        if (*p != '.' || endswith(pkg, "-dbg") || endswith(pkg, "-dbgsym"))
                return NULL;
        size_t n = strlen(rest);
        if (endswith(rest, "-signed"))
                n -= strlen("-signed");
        else if (endswith(rest, "-unsigned"))
                n -= strlen("-unsigned");
        char *v = strndup(rest, n);
        if (v && !version_is_valid(v)) {
                free(v);
                return NULL;
        }
        return v;
}

/* Status "want flag state": want install or hold, state not not-installed/config-files. */
static bool dpkg_status_installed(const char *status) {
        char want[32] = "", flag[32] = "", state[32] = "";
        if (sscanf(status, "%31s %31s %31s", want, flag, state) != 3)
                return false;
        if (!streq(want, "install") && !streq(want, "hold"))
                return false;
        return !streq(state, "not-installed") && !streq(state, "config-files");
}

struct dpkg_state {
        char *package, *status;
        strv *versions, *series;
};

static int dpkg_flush(struct dpkg_state *st) {
        int r = 0;
        if (st->package && st->status && dpkg_status_installed(st->status)) {
                _cleanup_free_ char *v = kernel_package_version(st->package);
                if (v)
                        r = strv_push_unique(version_is_series(v) ? st->series : st->versions, v);
        }
        free(st->package);
        free(st->status);
        st->package = st->status = NULL;
        return r;
}

static int dpkg_line(char *line, unsigned lineno, void *userdata) {
        struct dpkg_state *st = userdata;
        (void)lineno;
        if (line[0] == 0)
                return dpkg_flush(st);
        if (line[0] == ' ' || line[0] == '\t')
                return 0; /* continuation of a multi-line field */
        char **field = startswith(line, "Package:") ? &st->package : startswith(line, "Status:") ? &st->status : NULL;
        if (!field)
                return 0;
        free(*field);
        *field = strdup(str_trim(strchr(line, ':') + 1));
        return *field ? 0 : -ENOMEM;
}

int dpkg_status_parse(const char *buf, size_t len, strv *ret_versions, strv *ret_series) {
        struct dpkg_state st = { .versions = ret_versions, .series = ret_series };
        int r = lines_foreach(buf, len, LINES_NO_TRIM, dpkg_line, &st);
        int k = dpkg_flush(&st);
        return r < 0 ? r : k;
}

char *boot_file_version(const char *name, const char *stem) {
        size_t n = strlen(stem);
        if (strncmp(name, stem, n) != 0 || name[n] != '-')
                return NULL;
        if (strstr(name, ".dpkg-") || endswith(name, ".bak") || endswith(name, ".old") ||
            endswith(name, ".sig") || endswith(name, "~"))
                return NULL;
        const char *v = name + n + 1;
        return version_is_valid(v) ? strdup(v) : NULL;
}

static int scan_boot(const char *dir, struct inventory *inv) {
        _cleanup_(closedirp) DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : negerrno();
        struct dirent *de;
        while ((de = readdir(d))) {
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                char *v;
                strv *into = NULL;
                if ((v = boot_file_version(de->d_name, "vmlinuz")))
                        into = &inv->images;
                else if ((v = boot_file_version(de->d_name, "initrd.img")))
                        into = &inv->initrds;
                if (into) {
                        int r = strv_push_take(into, v);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int scan_modules(const char *dir, struct inventory *inv) {
        _cleanup_(closedirp) DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : negerrno();
        struct dirent *de;
        while ((de = readdir(d))) {
                struct stat st;
                if (!version_is_valid(de->d_name) || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISDIR(st.st_mode))
                        continue;
                int r = strv_push(&inv->modules, de->d_name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_running(const struct paths *p, struct inventory *inv) {
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        if (sde && *sde)
                return 0; /* a reproducible build: the build host's kernel means nothing */
        _cleanup_free_ char *path = paths_proc(p, PROC_OSRELEASE), *rel = NULL;
        if (!path)
                return -ENOMEM;
        if (read_first_line(path, 4096, &rel) < 0)
                return 0;
        for (char *c = rel; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        if (version_is_valid(rel) && inventory_has_image(inv, rel))
                inv->running = TAKE_PTR(rel);
        return 0;
}

int inventory_load(const struct paths *p, struct inventory *inv) {
        *inv = (struct inventory){};
        _cleanup_free_ char *boot = paths_root(p, PATH_BOOT_DIR), *mods = paths_root(p, PATH_MODULES_DIR),
                            *dpkg = paths_root(p, PATH_DPKG_STATUS), *buf = NULL;
        if (!boot || !mods || !dpkg)
                return -ENOMEM;
        int r = scan_boot(boot, inv);
        if (r >= 0)
                r = scan_modules(mods, inv);
        size_t len;
        if (r >= 0) {
                int k = read_file_max(dpkg, DPKG_STATUS_MAX, &buf, &len);
                if (k >= 0) {
                        inv->have_dpkg = true;
                        r = dpkg_status_parse(buf, len, &inv->pkg_versions, &inv->pkg_series);
                } else if (k != -ENOENT)
                        r = k;
        }
        if (r >= 0)
                r = load_running(p, inv);
        if (r < 0) {
                inventory_free(inv);
                return r;
        }
        strv_sort(&inv->images, version_compare_newest_first);
        strv_sort(&inv->modules, version_compare_newest_first);
        strv_sort(&inv->pkg_versions, version_compare_newest_first);
        strv_sort(&inv->pkg_series, version_compare_newest_first);
        return 0;
}

void inventory_free(struct inventory *inv) {
        strv_free(&inv->images);
        strv_free(&inv->initrds);
        strv_free(&inv->modules);
        strv_free(&inv->pkg_versions);
        strv_free(&inv->pkg_series);
        free(inv->running);
        *inv = (struct inventory){};
}

bool inventory_has_image(const struct inventory *inv, const char *v) { return strv_contains(&inv->images, v); }
bool inventory_has_initrd(const struct inventory *inv, const char *v) { return strv_contains(&inv->initrds, v); }
