/* kernel-select pin/unpin: the permanent pin (/etc/kernel/proxmox-boot-pin) and the next-boot
 * pin (/etc/kernel/next-boot-pin, tied to this boot's id so a reboot spends it). The files are
 * written before the refresh that applies them and deleted before the refresh that undoes them. */
#include "ks.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/version.h"

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
out:
        kernel_state_free(&st);
        if (lock_fd >= 0)
                close(lock_fd);
        return r;
}
