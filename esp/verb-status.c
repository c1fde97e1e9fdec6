/* espctl status: per ESP its state, mode, space, versions with entry, counter and default, and
 * whether it matches the current selection; read-only, cache included (spec §6 status). */
#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include "espctl.h"
#include "espset.h"
#include "scan.h"
#include "boot/bls.h"
#include "boot/detect.h"
#include "boot/grub-cfg.h"
#include "boot/loader-conf.h"
#include "lib/crc.h"
#include "lib/exitcode.h"
#include "lib/grubenv.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/version.h"
#include "refresh.h"

static const char *const state_names[] = { "ok", "missing", "unmountable", "uninitialised", "inconsistent" };
static const int state_exit[] = { 0, EXIT_ENV, EXIT_IO, EXIT_INVALID, EXIT_INVALID };

/* Do the manifest's records describe the files (size always, crc with --verify)? */
static bool manifest_consistent(int fd, const struct manifest *m, bool verify, const char *version, bool *any) {
        bool ok = true;
        *any = false;
        for (size_t i = 0; i < m->n; i++) {
                const struct manifest_record *r = &m->records[i];
                if (r->kind != MK_FILE && r->kind != MK_LOADER)
                        continue;
                if (version && (r->kind != MK_FILE || !strstr(r->path, version)))
                        continue;
                if (version) {
                        /* exact: the path's file name ends in -<version> */
                        const char *dash = strrchr(r->path, '/');
                        const char *base = dash ? dash + 1 : r->path;
                        const char *v = strchr(base, '-');
                        if (!v || !streq(v + 1, version))
                                continue;
                }
                *any = true;
                struct stat st;
                if (fstatat(fd, r->path, &st, AT_SYMLINK_NOFOLLOW) < 0 || (uint64_t)st.st_size != r->size) {
                        ok = false;
                        continue;
                }
                if (verify) {
                        _cleanup_close_ int f = openat(fd, r->path, O_RDONLY | O_CLOEXEC);
                        uint32_t crc;
                        if (f < 0 || crc32_fd(f, &crc, NULL) < 0 || crc != r->crc)
                                ok = false;
                }
        }
        return ok;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static int status_one(struct esp_ctx *c, const char *prefix, const strv *synced, struct esp_open *e, json_t *arr) {
        json_t *o = json_object();
        json_array_append_new(arr, o);
        json_object_set_new(o, "serial", str_or_null(e->esp.serial));
        json_object_set_new(o, "name", json_string(e->esp.name));
        json_object_set_new(o, "device", str_or_null(e->esp.device));
        enum { OK, MISSING, UNMOUNTABLE, UNINIT, INCONSISTENT } state = OK;
        if (e->fd < 0) {
                state = e->state_exit == EXIT_ENV ? MISSING : UNMOUNTABLE;
                json_object_set_new(o, "error", json_string(e->error));
                json_object_set_new(o, "state", json_string(state_names[state]));
                if (!c->quiet && !c->json)
                        printf("ESP %s: %s (%s)\n", e->esp.name, state_names[state], e->error);
                return state_exit[state];
        }
        struct esp_scan scan;
        int r = esp_scan(e->fd, prefix, &scan);
        if (r < 0) {
                json_object_set_new(o, "state", json_string(state_names[UNINIT]));
                json_object_set_new(o, "error", json_string(r == -EPROTONOSUPPORT ? "manifest format newer than this espctl" : strerror(-r)));
                if (!c->quiet && !c->json)
                        printf("ESP %s: %s\n", e->esp.name, r == -EPROTONOSUPPORT ? "manifest format newer than this espctl" : strerror(-r));
                return EXIT_INVALID;
        }
        struct statvfs sv;
        if (fstatvfs(e->fd, &sv) == 0) {
                json_object_set_new(o, "free_bytes", json_integer((json_int_t)((uint64_t)sv.f_bavail * sv.f_frsize)));
                json_object_set_new(o, "size_bytes", json_integer((json_int_t)((uint64_t)sv.f_blocks * sv.f_frsize)));
        }
        bool any;
        if (scan.mode == MODE_NONE)
                state = UNINIT;
        else if (scan.have_manifest && !manifest_consistent(e->fd, &scan.manifest, c->verify, NULL, &any))
                state = INCONSISTENT;
        json_object_set_new(o, "state", json_string(state_names[state]));
        json_object_set_new(o, "mode", scan.mode == MODE_NONE ? json_null() : json_string(esp_mode_name(scan.mode)));
        json_object_set_new(o, "platform", scan.mode == MODE_NONE ? json_null()
                                           : json_string(scan.mode == MODE_GRUB && !scan.uefi ? "bios" : "uefi"));

        /* Default and one-shot as the loader will see them. */
        _cleanup_free_ char *def = NULL;
        char *next = NULL;
        struct grub_cfg_info gi = {};
        if (scan.mode == MODE_SYSTEMD_BOOT && scan.loader_conf)
                (void)loader_conf_get(scan.loader_conf, scan.loader_conf_len, "default", &def);
        if (scan.mode == MODE_GRUB && scan.grub_cfg && grub_cfg_parse(scan.grub_cfg, scan.grub_cfg_len, "grub.cfg", &gi) >= 0 && gi.default_id)
                def = strdup(gi.default_id);
        grub_cfg_info_free(&gi);
        if (scan.mode == MODE_GRUB && scan.grubenv) {
                struct grubenv ge;
                if (grubenv_parse(scan.grubenv, scan.grubenv_len, &ge) >= 0) {
                        const char *n = grubenv_get(&ge, "next_entry"), *s = grubenv_get(&ge, "saved_entry");
                        next = n && *n ? strdup(n) : NULL;
                        if (s && *s) {
                                free(def);
                                def = strdup(s);
                        }
                        grubenv_free(&ge);
                }
        }
        json_object_set_new(o, "default", str_or_null(def));
        json_object_set_new(o, "next_entry", str_or_null(next));

        /* Versions, newest first: entries (systemd-boot) or kernel files (grub). */
        strv versions = {};
        for (size_t i = 0; i < scan.n_kernels; i++)
                if (!scan.kernels[i].prefix || streq(scan.kernels[i].prefix, prefix))
                        strv_push_unique(&versions, scan.kernels[i].version);
        for (size_t i = 0; i < scan.n_entries; i++)
                strv_push_unique(&versions, scan.entries[i].version);
        strv_sort(&versions, version_compare_newest_first);
        json_t *vs = json_array();
        bool in_sync = synced && versions.n == synced->n;
        bool default_found = false;
        if (!c->quiet && !c->json)
                printf("ESP %s: %s, %s (%s)\n", e->esp.name, state_names[state], esp_mode_name(scan.mode),
                       scan.mode == MODE_GRUB && !scan.uefi ? "bios" : "uefi");
        for (size_t i = 0; i < versions.n; i++) {
                const char *v = versions.v[i];
                const struct scan_entry *en = scan_find_entry(&scan, prefix, v);
                const char *counter = !en || en->left < 0 ? "good" : en->left > 0 ? "trying" : "bad";
                _cleanup_free_ char *id = NULL;
                bool is_default = false;
                if (asprintf(&id, "%s-%s", prefix, v) < 0)
                        id = NULL;
                if (def && !default_found && id) {
                        if (scan.mode == MODE_GRUB)
                                is_default = streq(def, id);
                        else if (en)
                                is_default = bls_glob_match(def, en->file) && !(en->left == 0);
                }
                default_found |= is_default;
                bool files_any;
                bool files_ok = !scan.have_manifest || manifest_consistent(e->fd, &scan.manifest, c->verify, v, &files_any);
                if (synced && !strv_contains(synced, v))
                        in_sync = false;
                json_array_append_new(vs, json_pack("{s:s, s:o, s:s, s:b, s:b}", "version", v, "entry",
                                                    str_or_null(en ? en->file : NULL), "counter", counter, "default",
                                                    is_default, "files_ok", files_ok));
                if (!c->quiet && !c->json)
                        printf("  %-24s %-36s %-8s%s%s\n", v, en ? en->file : "-", counter, is_default ? " default" : "",
                               files_ok ? "" : " FILES DIFFER");
        }
        json_object_set_new(o, "versions", vs);
        json_object_set_new(o, "in_sync", synced ? json_boolean(in_sync) : json_null());
        if (!c->quiet && !c->json) {
                if (next)
                        printf("  next boot: %s\n", next);
                if (synced)
                        printf("  %s\n", in_sync ? "in sync with the selection" : "not in sync with the selection (run espctl refresh)");
        }
        strv_free(&versions);
        free(next);
        esp_scan_free(&scan);
        return state_exit[state];
}

int verb_status(struct esp_ctx *c) {
        int lock_fd = -1, code = 0;
        if ((code = espctl_lock(c, true, &lock_fd)))
                return code;
        struct esp_list l = {};
        code = esp_list_open(c, &l);
        json_t *root = json_object(), *arr = json_array();
        json_object_set_new(root, "esps", arr);
        json_t *inv = json_array();
        for (size_t i = 0; i < l.reg.invalid_texts.n; i++)
                json_array_append_new(inv, json_pack("{s:i, s:s}", "line", l.reg.invalid_lines[i], "text", l.reg.invalid_texts.v[i]));
        json_object_set_new(root, "invalid_lines", inv);
        /* What the firmware and loader say: the variables that override loader.conf. */
        struct boot_info bi;
        (void)boot_detect(&c->paths, &bi);
        json_object_set_new(root, "platform", json_string(boot_platform_to_string(bi.platform)));
        json_object_set_new(root, "secure_boot", json_string(boot_secure_boot_to_string(bi.secure_boot)));
        json_object_set_new(root, "loader", json_string(boot_loader_to_string(bi.loader)));
        json_object_set_new(root, "entry_default_var", str_or_null(bi.entry_default));
        json_object_set_new(root, "entry_oneshot_var", str_or_null(bi.entry_oneshot));
        if (!c->quiet && !c->json) {
                printf("platform: %s, secure boot: %s, loader: %s\n", boot_platform_to_string(bi.platform),
                       boot_secure_boot_to_string(bi.secure_boot), boot_loader_to_string(bi.loader));
                if (bi.entry_oneshot)
                        printf("next boot (LoaderEntryOneShot): %s\n", bi.entry_oneshot);
        }
        if (bi.entry_default)
                log_warning("LoaderEntryDefault=%s overrides loader.conf (kernel-select pin or unpin removes it)",
                            bi.entry_default);
        boot_info_free(&bi);
        if (code == EXIT_ENV) {
                if (!c->quiet && !c->json)
                        printf("no ESP registered in %s\n", l.reg_path);
                code = c->graceful ? 0 : EXIT_ENV;
        } else if (code == 0) {
                struct kernel_state ks;
                _cleanup_free_ char *error = NULL;
                bool have_ks = kernel_state_load(&c->paths, NULL, NULL, &ks, &error) >= 0;
                const char *prefix = have_ks ? ks.conf.prefix : "proxmox";
                for (size_t i = 0; i < l.n; i++) {
                        int r = status_one(c, prefix, have_ks ? &ks.sel.synced : NULL, &l.v[i], arr);
                        if (r && !code)
                                code = r;
                }
                if (have_ks)
                        kernel_state_free(&ks);
        }
        if (c->json) {
                json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                printf("\n");
        }
        json_decref(root);
        esp_list_close(&l);
        if (lock_fd >= 0)
                close(lock_fd);
        return code;
}
