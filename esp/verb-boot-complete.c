/* espctl boot-complete: run once per boot after boot-complete.target. Blesses the booted entry
 * (drops its boot counter on every ESP), removes a spent or legacy next-boot pin, then
 * refreshes, which is a no-op on an ordinary boot (spec §6 boot-complete). */
#include <dirent.h>
#include <fcntl.h>
#include "espctl.h"
#include "espset.h"
#include "refresh.h"
#include "boot/bls.h"
#include "lib/atomic.h"
#include "lib/efivarfs.h"
#include "lib/exitcode.h"
#include "lib/fsops.h"
#include "lib/log.h"
#include "lib/macro.h"

/* The version of the entry the loader booted, if it is one of our counted entries. */
static char *booted_counted_version(struct esp_ctx *c, const char *prefix) {
        static const char *const vars[] = { EFIVAR_LOADER_BOOT_COUNT_PATH, EFIVAR_LOADER_ENTRY_SELECTED };
        for (size_t i = 0; i < ELEMENTSOF(vars); i++) {
                _cleanup_free_ char *s = NULL;
                if (efivar_read_string(c->paths.efivars, EFI_GUID_LOADER, vars[i], &s) < 0 || !s)
                        continue;
                const char *base = strrchr(s, '\\') ? strrchr(s, '\\') + 1 : strrchr(s, '/') ? strrchr(s, '/') + 1 : s;
                char *v = NULL;
                int left;
                if (bls_entry_name_parse(base, prefix, &v, &left, NULL) > 0 && left >= 0)
                        return v;
                free(v);
        }
        return NULL;
}

/* Rename every counted entry of version to the plain name on this ESP. */
static int bless_on_esp(int espfd, const char *prefix, const char *version) {
        _cleanup_close_ int dfd = openat(espfd, "loader/entries", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return 0;
        _cleanup_free_ char *plain = bls_entry_name(prefix, version, 0);
        _cleanup_(closedirp) DIR *d = fdopendir(dup(dfd));
        if (!d || !plain)
                return -ENOMEM;
        struct dirent *de;
        int r = 0, changed = 0;
        while ((de = readdir(d)) && r >= 0) {
                _cleanup_free_ char *v = NULL;
                int left;
                if (bls_entry_name_parse(de->d_name, prefix, &v, &left, NULL) <= 0 || left < 0 || !streq(v, version))
                        continue;
                r = faccessat(dfd, plain, F_OK, AT_SYMLINK_NOFOLLOW) == 0 ? fs_unlinkat(dfd, de->d_name, 0)
                                                                        : fs_renameat(dfd, de->d_name, dfd, plain);
                changed++;
        }
        if (r >= 0 && changed)
                r = fs_fsync(dfd);
        return r < 0 ? r : changed;
}

int verb_boot_complete(struct esp_ctx *c) {
        int lock_fd = -1, code;
        if ((code = espctl_lock(c, false, &lock_fd)))
                return code;
        struct esp_list l = {};
        struct refresh_run run = {};
        code = espctl_open_esps(c, &l);
        if (code) {
                code = code < 0 ? 0 : code;
                goto out;
        }
        if ((code = refresh_prepare(c, &run)))
                goto out;
        _cleanup_free_ char *version = booted_counted_version(c, run.in.prefix);
        for (size_t i = 0; version && i < l.n; i++) {
                if (l.v[i].fd < 0)
                        continue;
                int r = c->dry_run ? 0 : bless_on_esp(l.v[i].fd, run.in.prefix, version);
                if (r < 0) {
                        log_error("ESP %s: blessing %s failed: %s", l.v[i].esp.name, version, strerror(-r));
                        code = code ? code : EXIT_IO;
                } else if (r > 0)
                        log_notice("ESP %s: %s marked good", l.v[i].esp.name, version);
        }
        /* A spent or legacy next-boot pin has done its job: the loader consumed the one-shot. */
        const struct selection *s = &run.ks.sel;
        if (s->next_boot && (s->next_boot_state == NEXT_BOOT_SPENT || s->next_boot_state == NEXT_BOOT_LEGACY)) {
                _cleanup_free_ char *path = paths_root(&c->paths, PATH_NEXT_BOOT_PIN);
                if (c->dry_run)
                        printf("would delete %s\n", path);
                else if (path && atomic_unlink(path) < 0)
                        code = code ? code : EXIT_IO;
                refresh_run_free(&run);
                if (!c->dry_run && (code = code ? code : refresh_prepare(c, &run)))
                        goto out;
        }
        for (size_t i = 0; i < l.n; i++) {
                _cleanup_free_ char *summary = NULL, *plan = NULL;
                int r = refresh_one(c, &run, &l.v[i], &summary, &plan);
                if (c->dry_run && plan)
                        fputs(plan, stdout);
                else if (summary && !c->quiet)
                        printf("%s\n", summary);
                if (r && !code)
                        code = r;
        }
        refresh_finish(c, &run);
out:
        refresh_run_free(&run);
        esp_list_close(&l);
        if (lock_fd >= 0)
                close(lock_fd);
        return code;
}
