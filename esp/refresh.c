/* See refresh.h. */
#include <inttypes.h>
#include "refresh.h"
#include "apply.h"
#include "oneshot.h"
#include "boot/bls.h"
#include "lib/names.h"
#include "lib/efivarfs.h"
#include "lib/exitcode.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/version.h"

int espctl_lock(struct esp_ctx *c, bool shared, int *ret_fd) {
        *ret_fd = -1;
        if (c->lock_fd >= 0)
                return 0; /* kernel-select holds it for us */
        unsigned flags = shared || c->dry_run ? LOCK_FLAG_SHARED | LOCK_FLAG_NO_CREATE : 0;
        return toolkit_lock(&c->paths, flags, c->wait_sec, ret_fd);
}

int refresh_prepare(struct esp_ctx *c, struct refresh_run *run) {
        *run = (struct refresh_run){};
        const strv *lists[] = { &c->installing, &c->removing };
        for (size_t l = 0; l < 2; l++)
                for (size_t i = 0; i < lists[l]->n; i++)
                        if (!version_is_valid(lists[l]->v[i])) {
                                log_error("invalid version: --%s '%s': expected a kernel release such as 6.8.12-4-pve",
                                          l == 0 ? "installing" : "removing", lists[l]->v[i]);
                                return EXIT_INVALID;
                        }
        _cleanup_free_ char *error = NULL;
        int r = kernel_state_load(&c->paths, &c->installing, &c->removing, &run->ks, &error);
        if (r == -EINVAL && error) {
                log_error("invalid configuration: %s", error);
                return EXIT_INVALID;
        }
        if (r < 0) {
                log_error("reading the kernel inventory failed: %s", strerror(-r));
                return EXIT_IO;
        }
        for (size_t i = 0; i < run->ks.warnings.n; i++)
                log_warning("%s", run->ks.warnings.v[i]);
        for (size_t i = 0; i < run->ks.sel.warnings.n; i++)
                log_warning("%s", run->ks.sel.warnings.v[i]);

        r = cmdline_load(&c->paths, c->no_root_check, &run->cmd);
        if (r == -EDESTADDRREQ) {
                log_error("kernel command line: %s%s: expected a root= parameter", run->cmd.source,
                          run->cmd.from_proc ? "" : ":1");
                return EXIT_INVALID;
        }
        if (r == -EINVAL) {
                log_error("kernel command line: %s:1: expected one line of at most 4095 bytes without control characters",
                          run->cmd.source);
                return EXIT_INVALID;
        }
        if (r == -ENOENT) {
                log_error("kernel command line: not found");
                return EXIT_ENV;
        }
        if (r < 0) {
                log_error("kernel command line: %s: %s", run->cmd.source, strerror(-r));
                return EXIT_IO;
        }
        if (run->cmd.from_proc)
                log_notice("no %s; using the running command line", PATH_KERNEL_CMDLINE);

        run->title = run->ks.conf.title ? strdup(run->ks.conf.title) : conf_default_title(&c->paths);
        run->cache_path = paths_run(&c->paths, RUN_ESPCTL_CACHE);
        if (!run->title || !run->cache_path)
                return EXIT_IO;
        crc_cache_load(run->cache_path, &run->cache);

        const struct selection *s = &run->ks.sel;
        /* An active next-boot pin is armed through LoaderEntryOneShot when the loader offers it;
         * otherwise the systemd-boot ESPs carry it in loader.conf until the next boot (§8). */
        bool active = s->next_boot && s->next_boot_state == NEXT_BOOT_ACTIVE && strv_contains(&s->synced, s->next_boot);
        if (active) {
                r = oneshot_detect(&c->paths, &run->oneshot_reason);
                if (r < 0) {
                        log_error("detecting the boot loader failed: %s", strerror(-r));
                        return EXIT_IO;
                }
                run->oneshot_usable = r > 0;
        }
        run->in = (struct refresh_input){
                .root = c->paths.root,
                .prefix = run->ks.conf.prefix,
                .title = run->title,
                .cmdline = run->cmd.cmdline,
                .timeout = run->ks.conf.timeout,
                .timeout_set = run->ks.conf.timeout_set,
                .tries = run->ks.conf.tries,
                .synced = &s->synced,
                .pin_sd = active && !run->oneshot_usable ? s->next_boot : s->effective_pin,
                .pin_grub = s->effective_pin,
                .next_boot_active = active ? s->next_boot : NULL,
                .force = c->force,
                .verify = c->verify,
                .cache = &run->cache,
        };
        return 0;
}

static void human_bytes(uint64_t b, char *buf, size_t size) {
        if (b >= 1000 * 1000)
                snprintf(buf, size, "%.1f MB", (double)b / 1e6);
        else
                snprintf(buf, size, "%.1f kB", (double)b / 1e3);
}

int refresh_one(struct esp_ctx *c, struct refresh_run *run, struct esp_open *e, char **ret_summary, char **ret_plan) {
        *ret_summary = *ret_plan = NULL;
        if (!run->step0_done) {
                run->step0_done = true;
                const struct selection *s = &run->ks.sel;
                oneshot_step0(c->paths.efivars, run->in.prefix, run->in.synced,
                              s->pinned && strv_contains(&s->synced, s->pinned) ? s->pinned : NULL, c->dry_run);
        }
        if (e->fd < 0) {
                log_error("%s", e->error);
                return e->state_exit;
        }
        _cleanup_free_ char *error = NULL; /* before any goto: cleanup runs at every exit */
        struct esp_scan scan;
        int r = esp_scan(e->fd, run->in.prefix, &scan);
        if (r == -EPROTONOSUPPORT) {
                log_error("ESP %s: manifest format %u is newer than this espctl", e->esp.name, scan.manifest_format);
                return EXIT_INVALID;
        }
        if (r < 0) {
                log_error("ESP %s: reading it failed: %s", e->esp.name, strerror(-r));
                return EXIT_IO;
        }
        int code = 0;
        if (run->second_pass && scan.mode != MODE_SYSTEMD_BOOT)
                goto out; /* the file fallback concerns systemd-boot ESPs only */
        if (scan.mode == MODE_NONE) {
                log_error("ESP %s: not initialised (run espctl init)", e->esp.name);
                code = EXIT_INVALID;
                goto out;
        }
        if (!scan.have_manifest && scan.manifest_bad_line)
                log_warning("ESP %s: %s:%u: invalid manifest; checking every file", e->esp.name, MANIFEST_NAME,
                            scan.manifest_bad_line);
        if (scan.mode == MODE_GRUB && run->in.tries > 0)
                log_warning("ESP %s: grub mode has no boot counting; tries=%u ignored", e->esp.name, run->in.tries);
        if (scan.mode == MODE_SYSTEMD_BOOT && run->in.next_boot_active && !run->oneshot_usable && !run->sd_fallback_warned) {
                run->sd_fallback_warned = true;
                log_warning("next-boot: EFI variable one-shot not usable (%s); %s-%s.conf is the default until the next boot",
                            run->oneshot_reason ? run->oneshot_reason : "unknown", run->in.prefix, run->in.next_boot_active);
        }
        struct esp_plan plan;
        r = esp_plan_build(&run->in, e->fd, e->esp.name, &scan, &plan);
        if (r < 0) {
                if (r == -ENOSPC && plan.error)
                        log_error("%s", plan.error);
                else if (plan.error)
                        log_error("ESP %s: %s", e->esp.name, plan.error);
                else
                        log_error("ESP %s: planning failed: %s", e->esp.name, strerror(-r));
                code = r == -EBADMSG || r == -E2BIG ? EXIT_INVALID : EXIT_IO;
                esp_plan_free(&plan);
                goto out;
        }
        FILE *f;
        size_t flen;
        char *planbuf = NULL;
        if ((f = open_memstream(&planbuf, &flen))) {
                esp_plan_print(&plan, f);
                fclose(f);
        }
        *ret_plan = planbuf;
        if (c->dry_run || !esp_plan_writes(&plan)) {
                if (!esp_plan_writes(&plan) && asprintf(ret_summary, "%s: up to date", e->esp.name) < 0)
                        *ret_summary = NULL;
                esp_plan_free(&plan);
                goto out;
        }
        r = esp_make_writable(c, e);
        if (r >= 0)
                r = esp_plan_apply(&plan, e->fd, &run->cache, &error);
        if (r < 0) {
                log_error("%s", error ? error : strerror(-r));
                code = EXIT_IO;
        } else {
                char bytes[32];
                human_bytes(plan.copy_bytes, bytes, sizeof bytes);
                if (asprintf(ret_summary, "%s ok: %u file%s copied (%s), %u version%s removed, %u entr%s", e->esp.name,
                             plan.copies, plan.copies == 1 ? "" : "s", bytes, plan.removed_versions,
                             plan.removed_versions == 1 ? "" : "s", plan.entries, plan.entries == 1 ? "y" : "ies") < 0)
                        *ret_summary = NULL;
        }
        esp_plan_free(&plan);
out:
        if (!run->second_pass && scan.mode != MODE_NONE) {
                struct refresh_visit *v = realloc(run->visits, (run->n_visits + 1) * sizeof *v);
                if (v) {
                        run->visits = v;
                        v[run->n_visits++] = (struct refresh_visit){ e, scan.mode == MODE_SYSTEMD_BOOT, code };
                }
        }
        esp_scan_free(&scan);
        return code;
}

/* Second pass (§7.3 step 11): the one-shot was refused, so the systemd-boot ESPs get the
 * next-boot version as their loader.conf default. */
static int refresh_fallback_pass(struct esp_ctx *c, struct refresh_run *run) {
        run->second_pass = true;
        run->in.pin_sd = run->in.next_boot_active;
        int code = 0;
        for (size_t i = 0; i < run->n_visits; i++) {
                if (!run->visits[i].systemd_boot)
                        continue;
                _cleanup_free_ char *summary = NULL, *plan = NULL;
                int r = refresh_one(c, run, run->visits[i].e, &summary, &plan);
                if (c->dry_run && plan)
                        fputs(plan, stdout);
                else if (summary)
                        printf("%s\n", summary);
                if (r && !code)
                        code = r;
        }
        return code;
}

/* Step 11: LoaderEntryOneShot = Q(V) once V's entry exists on the systemd-boot ESPs. */
static int refresh_arm_oneshot(struct esp_ctx *c, struct refresh_run *run) {
        const char *v = run->in.next_boot_active;
        if (!v || !run->oneshot_usable || run->second_pass)
                return 0;
        _cleanup_free_ struct esp_open **sd = calloc(run->n_visits + 1, sizeof *sd);
        if (!sd)
                return EXIT_IO;
        size_t n = 0;
        for (size_t i = 0; i < run->n_visits; i++)
                if (run->visits[i].systemd_boot && run->visits[i].code == 0)
                        sd[n++] = run->visits[i].e;
        if (n == 0)
                return 0; /* no systemd-boot ESP served: nothing the variable could name */
        _cleanup_free_ char *name = NULL;
        int r = oneshot_entry_name(c, sd, n, run->in.prefix, v, &name);
        if (r == -ENOENT && c->dry_run) {
                name = bls_entry_name(run->in.prefix, v, 0); /* the entry comes with the real run */
                r = name ? 0 : -ENOMEM;
        }
        if (r == -ENOENT) {
                log_warning("next-boot: no entry for %s on the systemd-boot ESPs; the one-shot is not armed", v);
                return 0;
        }
        if (r < 0)
                return EXIT_IO;
        r = oneshot_arm(c->paths.efivars, name, c->dry_run);
        if (r > 0)
                log_notice("next-boot: %s set to %s", EFIVAR_LOADER_ENTRY_ONESHOT, name);
        if (r >= 0)
                return 0;
        int code = 0;
        if (efivar_error_is_not_writable(r))
                log_warning("next-boot: EFI variables not writable (%s); %s-%s.conf is the default until the next boot",
                            errno_name(-r) ? errno_name(-r) : strerror(-r), run->in.prefix, v);
        else {
                log_error("next-boot: writing %s failed: %s; %s-%s.conf is the default until the next boot",
                          EFIVAR_LOADER_ENTRY_ONESHOT, strerror(-r), run->in.prefix, v);
                code = EXIT_IO;
        }
        int r2 = refresh_fallback_pass(c, run);
        return code ? code : r2;
}

int refresh_finish(struct esp_ctx *c, struct refresh_run *run) {
        int code = refresh_arm_oneshot(c, run);
        if (c->dry_run || !run->cache_path)
                return code;
        int r = crc_cache_save(&run->cache, run->cache_path);
        if (r < 0)
                log_debug("saving the crc cache %s failed: %s", run->cache_path, strerror(-r));
        return code;
}

void refresh_run_free(struct refresh_run *run) {
        kernel_state_free(&run->ks);
        cmdline_result_free(&run->cmd);
        free(run->title);
        crc_cache_free(&run->cache);
        free(run->cache_path);
        free(run->oneshot_reason);
        free(run->visits);
        *run = (struct refresh_run){};
}

void refresh_report(struct esp_ctx *c, const char *summary, const char *plan) {
        if (c->dry_run && plan)
                fputs(plan, stdout);
        else if (summary && !c->quiet)
                printf("%s\n", summary);
}

int refresh_verb(struct esp_ctx *c, refresh_all_hook before_all, refresh_each_hook before_each, void *userdata) {
        int lock_fd = -1, code;
        struct esp_list l = {};
        struct refresh_run run = {};
        if ((code = espctl_lock(c, false, &lock_fd)))
                return code;
        code = espctl_open_esps(c, &l);
        if (code) {
                code = code < 0 ? 0 : code; /* -1: nothing registered under --graceful */
                goto out;
        }
        if ((code = refresh_prepare(c, &run)))
                goto out;
        if (before_all && (code = before_all(c, &run, &l, userdata)))
                goto out;
        for (size_t i = 0; i < l.n; i++) {
                _cleanup_free_ char *summary = NULL, *plan = NULL;
                int r = before_each ? before_each(c, &run, &l.v[i], userdata) : 0;
                if (!r) {
                        r = refresh_one(c, &run, &l.v[i], &summary, &plan);
                        refresh_report(c, summary, plan);
                }
                code = code ? code : r;
        }
        int r = refresh_finish(c, &run);
        code = code ? code : r;
out:
        refresh_run_free(&run);
        esp_list_close(&l);
        if (lock_fd >= 0)
                close(lock_fd);
        return code;
}
