/* See oneshot.h. */
#include <dirent.h>
#include <fcntl.h>
#include "oneshot.h"
#include "boot/bls.h"
#include "boot/detect.h"
#include "lib/efivarfs.h"
#include "lib/fsops.h"
#include "lib/log.h"
#include "lib/macro.h"

int oneshot_detect(const struct paths *p, char **ret_reason) {
        *ret_reason = NULL;
        struct boot_info info;
        int r = boot_detect(p, &info);
        if (r < 0 && r != -ENOMEDIUM) {
                boot_info_free(&info);
                return r;
        }
        for (size_t i = 0; i < info.warnings.n; i++)
                log_debug("%s", info.warnings.v[i]);
        const char *why = NULL;
        if (info.platform != BOOT_PLATFORM_UEFI)
                why = "not booted through UEFI";
        else if (!info.efivars)
                why = "EFI variables not available";
        else if (info.loader != BOOT_LOADER_SYSTEMD_BOOT)
                why = info.loader_info ? "the loader is not systemd-boot" : "no systemd-boot LoaderInfo";
        else if (!boot_oneshot_usable(&info))
                why = "systemd-boot lacks the entry-oneshot feature";
        boot_info_free(&info);
        if (!why)
                return 1;
        *ret_reason = strdup(why);
        return *ret_reason ? 0 : -ENOMEM;
}

/* Version named by an EFI variable of ours: 1 with *ret_version, 0 absent or not ours. */
static int read_ours(const char *efivars, const char *name, const char *prefix, char **ret_value, char **ret_version) {
        *ret_value = *ret_version = NULL;
        int r = efivar_read_string(efivars, EFI_GUID_LOADER, name, ret_value);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                log_warning("%s: %s", name, r == -EBADMSG ? "malformed variable; left alone" : strerror(-r));
                return 0;
        }
        r = bls_entry_value_parse(*ret_value, prefix, ret_version);
        return r < 0 ? r : r > 0 && *ret_version;
}

static void delete_var(const char *efivars, const char *name, const char *value, const char *why, bool dry_run) {
        if (dry_run) {
                printf("efi: delete %s %s\n", name, value);
                return;
        }
        int r = efivar_delete(efivars, EFI_GUID_LOADER, name);
        if (r < 0)
                log_warning("%s=%s %s, but deleting it failed: %s", name, value, why, strerror(-r));
        else if (r > 0)
                log_notice("deleted %s=%s (%s)", name, value, why);
}

void oneshot_step0(const char *efivars, const char *prefix, const strv *synced, const char *pinned, bool dry_run) {
        static const char *const names[] = { EFIVAR_LOADER_ENTRY_ONESHOT, EFIVAR_LOADER_ENTRY_DEFAULT };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *value = NULL, *version = NULL;
                int r = read_ours(efivars, names[i], prefix, &value, &version);
                if (r > 0 && !strv_contains(synced, version))
                        delete_var(efivars, names[i], value, "its version leaves the selection", dry_run);
                else if (value && i == 1 && (r == 0 || !pinned || !streq(version, pinned)))
                        log_warning("%s=%s overrides the loader.conf default (kernel-select pin or unpin deletes it)",
                                    names[i], value);
        }
}

int entry_bless_on_esp(int espfd, const char *prefix, const char *version) {
        _cleanup_close_ int dfd = openat(espfd, "loader/entries", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return 0;
        _cleanup_free_ char *plain = bls_entry_name(prefix, version, 0);
        int dup_fd = dup(dfd);
        _cleanup_(closedirp) DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        if (!d || !plain) {
                if (dup_fd >= 0 && !d)
                        close(dup_fd);
                return -ENOMEM;
        }
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

/* How V stands on one ESP: its entries, and entries of other names matching "P-V+*". */
struct entry_census {
        unsigned plain, counted, other_matches;
};

static int census_esp(int espfd, const char *prefix, const char *version, const char *pattern, struct entry_census *c) {
        _cleanup_close_ int dfd = openat(espfd, "loader/entries", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return 0;
        _cleanup_(closedirp) DIR *d = fdopendir(dfd);
        if (!d)
                return negerrno(); /* dfd still ours: closed by its cleanup */
        dfd = -1;                  /* owned by d now */
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *v = NULL;
                int left, r = bls_entry_name_parse(de->d_name, prefix, &v, &left, NULL);
                if (r < 0)
                        return r;
                if (r > 0 && streq(v, version)) {
                        if (left >= 0)
                                c->counted++;
                        else
                                c->plain++;
                } else if (bls_glob_match(pattern, de->d_name))
                        c->other_matches++;
        }
        return 0;
}

int oneshot_entry_name(struct esp_ctx *c, struct esp_open *const *sd, size_t n, const char *prefix,
                       const char *version, char **ret_name) {
        *ret_name = NULL;
        _cleanup_free_ char *pattern = NULL;
        if (asprintf(&pattern, "%s-%s+*", prefix, version) < 0)
                return -ENOMEM;
        bool any = false, all_counted = true, any_counted = false, clash = false;
        for (size_t i = 0; i < n; i++) {
                struct entry_census k = {};
                int r = census_esp(sd[i]->fd, prefix, version, pattern, &k);
                if (r < 0)
                        return r;
                clash |= k.other_matches > 0;
                if (!k.plain && !k.counted)
                        continue;
                any = true;
                any_counted |= k.counted > 0;
                /* a plain name beside a counted one (a crashed blessing) counts as mixed */
                all_counted &= k.counted > 0 && !k.plain;
        }
        if (!any)
                return -ENOENT;
        if (any_counted && all_counted && !clash) {
                *ret_name = TAKE_PTR(pattern);
                return 0;
        }
        /* Mixed or ambiguous: bless V everywhere so the plain name resolves on every ESP. */
        for (size_t i = 0; any_counted && i < n; i++) {
                if (c->dry_run) {
                        printf("%s: bless %s for the one-shot\n", sd[i]->esp.name, version);
                        continue;
                }
                int r = esp_make_writable(c, sd[i]);
                if (r >= 0)
                        r = entry_bless_on_esp(sd[i]->fd, prefix, version);
                if (r < 0) {
                        log_error("ESP %s: blessing %s failed: %s", sd[i]->esp.name, version, strerror(-r));
                        return r;
                }
                if (r > 0)
                        log_notice("ESP %s: %s marked good (the one-shot names it)", sd[i]->esp.name, version);
        }
        *ret_name = bls_entry_name(prefix, version, 0);
        return *ret_name ? 0 : -ENOMEM;
}

int oneshot_arm(const char *efivars, const char *value, bool dry_run) {
        if (dry_run) {
                _cleanup_free_ char *old = NULL;
                if (efivar_read_string(efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_ONESHOT, &old) < 0 || !streq(old, value))
                        printf("efi: set %s %s\n", EFIVAR_LOADER_ENTRY_ONESHOT, value);
                return 0;
        }
        return efivar_write_string(efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_ONESHOT, value);
}

int oneshot_delete_ours(const char *efivars, const char *prefix, bool dry_run) {
        _cleanup_free_ char *value = NULL, *version = NULL;
        int r = read_ours(efivars, EFIVAR_LOADER_ENTRY_ONESHOT, prefix, &value, &version);
        if (r <= 0)
                return r;
        if (dry_run) {
                printf("efi: delete %s %s\n", EFIVAR_LOADER_ENTRY_ONESHOT, value);
                return 0;
        }
        r = efivar_delete(efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_ONESHOT);
        if (r > 0)
                log_notice("deleted %s=%s", EFIVAR_LOADER_ENTRY_ONESHOT, value);
        return r;
}
