/* espctl boot-complete: run once per boot after boot-complete.target. Blesses the booted entry
 * (drops its boot counter on every ESP), removes a spent or legacy next-boot pin, then
 * refreshes, which is a no-op on an ordinary boot (spec §6 boot-complete). */
#include "espctl.h"
#include "espset.h"
#include "oneshot.h"
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

/* Before the refresh: bless the booted entry on every ESP, drop a spent or legacy pin. */
static int boot_complete_before(struct esp_ctx *c, struct refresh_run *run, struct esp_list *l, void *userdata) {
        (void)userdata;
        int code = 0;
        _cleanup_free_ char *version = booted_counted_version(c, run->in.prefix);
        for (size_t i = 0; version && i < l->n; i++) {
                if (l->v[i].fd < 0)
                        continue;
                int r = 0;
                if (c->dry_run)
                        printf("%s: bless %s\n", l->v[i].esp.name, version);
                else if ((r = esp_make_writable(c, &l->v[i])) >= 0)
                        r = entry_bless_on_esp(l->v[i].fd, run->in.prefix, version);
                if (r < 0) {
                        log_error("ESP %s: blessing %s failed: %s", l->v[i].esp.name, version, strerror(-r));
                        code = code ? code : EXIT_IO;
                } else if (r > 0)
                        log_notice("ESP %s: %s marked good", l->v[i].esp.name, version);
        }
        /* A spent or legacy next-boot pin has done its job: the loader consumed the one-shot (or
         * the boot never got that far). Our leftovers go before the file that caused them; the
         * refresh after it clears next_entry on grub ESPs and a file fallback in loader.conf. */
        const struct selection *s = &run->ks.sel;
        if (s->next_boot && (s->next_boot_state == NEXT_BOOT_SPENT || s->next_boot_state == NEXT_BOOT_LEGACY)) {
                int r = oneshot_delete_ours(c->paths.efivars, run->in.prefix, c->dry_run);
                if (r < 0)
                        log_warning("deleting %s failed: %s", EFIVAR_LOADER_ENTRY_ONESHOT, strerror(-r));
                _cleanup_free_ char *path = paths_root(&c->paths, PATH_NEXT_BOOT_PIN);
                if (c->dry_run)
                        printf("would delete %s\n", path);
                else if (path && (r = atomic_unlink(path)) < 0) {
                        log_error("deleting %s failed: %s", path, strerror(-r));
                        code = code ? code : EXIT_IO;
                } else if (path)
                        log_notice("next-boot pin %s removed (%s)", s->next_boot, next_boot_state_name(s->next_boot_state));
                if (!c->dry_run) { /* a dry run keeps the pin file, so it keeps this run too */
                        refresh_run_free(run);
                        code = code ? code : refresh_prepare(c, run);
                }
        }
        return code;
}

int verb_boot_complete(struct esp_ctx *c) { return refresh_verb(c, boot_complete_before, NULL, NULL); }
