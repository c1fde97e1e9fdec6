/* kernel-select pin/unpin: the permanent pin (/etc/kernel/proxmox-boot-pin) and the next-boot
 * pin (/etc/kernel/next-boot-pin, tied to this boot's id so a reboot spends it). The files are
 * written before the refresh that applies them and deleted before the refresh that undoes them.
 * The refresh (espctl) arms LoaderEntryOneShot; here we handle what only pin/unpin may touch
 * (spec §5.4, §8): LoaderEntryDefault, which overrides loader.conf (deleted and named, or set with
 * --efi-default), and our LoaderEntryOneShot on unpin. A variable that cannot be written only
 * warns: loader.conf carries the pin. */
#include "ks.h"
#include "boot/bls.h"
#include "boot/detect.h"
#include "lib/efivarfs.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "lib/version.h"

static const char *errname(int r) {
        const char *n = errno_name(-r);
        return n ? n : strerror(-r);
}

/* LoaderEntryDefault would override loader.conf: delete it, naming it. why: shown with it. */
static void efi_default_delete(struct ks_ctx *c, const char *why) {
        _cleanup_free_ char *old = NULL;
        int r = efivar_read_string(c->paths.efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_DEFAULT, &old);
        if (r == -ENOENT)
                return;
        const char *shown = r >= 0 ? old : "(malformed)";
        if (c->dry_run) {
                printf("would delete %s=%s\n", EFIVAR_LOADER_ENTRY_DEFAULT, shown);
                return;
        }
        r = efivar_delete(c->paths.efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_DEFAULT);
        if (r < 0)
                log_warning("%s=%s %s, but deleting it failed (%s)", EFIVAR_LOADER_ENTRY_DEFAULT, shown, why, errname(r));
        else if (r > 0)
                log_notice("deleted %s=%s (%s)", EFIVAR_LOADER_ENTRY_DEFAULT, shown, why);
}

/* --efi-default: LoaderEntryDefault = Q(V). A permanent pin is always blessed by the refresh, so
 * Q(V) is the plain name. */
static void efi_default_set(struct ks_ctx *c, const char *prefix, const char *v) {
        _cleanup_free_ char *name = bls_entry_name(prefix, v, 0), *old = NULL;
        if (!name)
                return;
        if (c->dry_run) {
                printf("would set %s=%s\n", EFIVAR_LOADER_ENTRY_DEFAULT, name);
                return;
        }
        struct boot_info info;
        int r = boot_detect(&c->paths, &info);
        bool efi = r >= 0 && info.platform == BOOT_PLATFORM_UEFI && info.efivars;
        boot_info_free(&info);
        if (!efi) {
                log_warning("--efi-default: EFI variables not available; the loader.conf default %s carries the pin", name);
                return;
        }
        (void)efivar_read_string(c->paths.efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_DEFAULT, &old);
        r = efivar_write_string(c->paths.efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_DEFAULT, name);
        if (r < 0)
                log_warning("--efi-default: EFI variables not writable (%s); the loader.conf default %s carries the pin",
                            errname(r), name);
        else if (r > 0 && old && !streq(old, name))
                log_notice("%s set to %s (replacing %s)", EFIVAR_LOADER_ENTRY_DEFAULT, name, old);
        else if (r > 0)
                log_notice("%s set to %s", EFIVAR_LOADER_ENTRY_DEFAULT, name);
}

/* Our LoaderEntryOneShot (any version of ours): the next-boot pin it came from goes. */
static void efi_oneshot_delete_ours(struct ks_ctx *c, const char *prefix) {
        _cleanup_free_ char *old = NULL;
        if (efivar_read_string(c->paths.efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_ONESHOT, &old) < 0 ||
            bls_entry_value_parse(old, prefix, NULL) <= 0)
                return;
        if (c->dry_run) {
                printf("would delete %s=%s\n", EFIVAR_LOADER_ENTRY_ONESHOT, old);
                return;
        }
        int r = efivar_delete(c->paths.efivars, EFI_GUID_LOADER, EFIVAR_LOADER_ENTRY_ONESHOT);
        if (r < 0)
                log_warning("deleting %s=%s failed (%s): the next boot still starts that entry once",
                            EFIVAR_LOADER_ENTRY_ONESHOT, old, errname(r));
        else if (r > 0)
                log_notice("deleted %s=%s", EFIVAR_LOADER_ENTRY_ONESHOT, old);
}

int verb_pin(struct ks_ctx *c) {
        const char *v = c->args[0];
        int r = ks_check_version_arg(v);
        if (r)
                return r;
        int lock_fd = -1;
        if ((r = ks_lock(c, &lock_fd)))
                return r;
        struct kernel_state st = {};
        _cleanup_free_ char *content = NULL;
        if ((r = ks_load(c, &st)))
                goto out;
        bool image = inventory_has_image(&st.inv, v), initrd = inventory_has_initrd(&st.inv, v);
        if (!image || !initrd) {
                log_error("cannot pin %s: /boot/%s-%s not found", v, image ? "initrd.img" : "vmlinuz", v);
                ks_print_installed(&st);
                r = EXIT_INVALID;
                goto out;
        }
        if (c->next_boot) {
                if (!st.boot_id)
                        log_warning("no boot id readable; the next-boot pin stays until boot-complete removes it");
                if (next_boot_pin_render(v, st.boot_id, &content) < 0) {
                        r = EXIT_IO;
                        goto out;
                }
                if ((r = ks_write_file(c, PATH_NEXT_BOOT_PIN, content, NULL)))
                        goto out;
                if (!c->dry_run)
                        log_notice("%s pinned for the next boot", v);
        } else {
                if (asprintf(&content, "%s\n", v) < 0) {
                        r = EXIT_IO;
                        goto out;
                }
                if ((r = ks_write_file(c, PATH_PIN, content, NULL)))
                        goto out;
                if (!c->dry_run) {
                        if (st.pinned && !streq(st.pinned, v))
                                log_notice("%s pinned (replacing %s)", v, st.pinned);
                        else
                                log_notice("%s pinned", v);
                }
        }
        r = ks_refresh(c, lock_fd);
        if (r == 0 && !c->no_refresh && !c->next_boot) {
                if (c->efi_default)
                        efi_default_set(c, st.conf.prefix, v);
                else
                        efi_default_delete(c, "it would override the pin");
        }
out:
        kernel_state_free(&st);
        if (lock_fd >= 0)
                close(lock_fd);
        return r;
}

int verb_unpin(struct ks_ctx *c) {
        int lock_fd = -1;
        int r = ks_lock(c, &lock_fd);
        if (r)
                return r;
        struct kernel_state st = {};
        if ((r = ks_load(c, &st)))
                goto out;
        bool changed = false, any = false;
        /* the variable before the file that caused it (spec §8) */
        efi_oneshot_delete_ours(c, st.conf.prefix);
        if ((r = ks_write_file(c, PATH_NEXT_BOOT_PIN, NULL, &changed)))
                goto out;
        any |= changed;
        if (!c->next_boot) {
                if ((r = ks_write_file(c, PATH_PIN, NULL, &changed)))
                        goto out;
                any |= changed;
        }
        if (!c->dry_run)
                log_notice(any ? "pin removed" : "no pin was set");
        r = ks_refresh(c, lock_fd);
        if (r == 0 && !c->no_refresh && !c->next_boot)
                efi_default_delete(c, "it would override the loader.conf default");
out:
        kernel_state_free(&st);
        if (lock_fd >= 0)
                close(lock_fd);
        return r;
}
