/* See refresh.h. */
#include <inttypes.h>
#include "refresh.h"
#include "apply.h"
#include "lib/exitcode.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/macro.h"

int espctl_lock(struct esp_ctx *c, bool shared, int *ret_fd) {
        *ret_fd = -1;
        if (c->lock_fd >= 0)
                return 0; /* kernel-select holds it for us */
        _cleanup_free_ char *path = paths_run(&c->paths, RUN_ESPCTL_LOCK);
        if (!path)
                return EXIT_IO;
        unsigned flags = (shared || c->dry_run ? LOCK_FLAG_SHARED : 0) | (c->dry_run || shared ? LOCK_FLAG_NO_CREATE : 0);
        int r = lock_acquire(path, flags, c->wait_sec * 1000, ret_fd);
        if (r == -EBUSY) {
                log_error("busy: %s is held by another run", path);
                return EXIT_BUSY;
        }
        if (r < 0) {
                log_error("cannot take the lock %s: %s", path, strerror(-r));
                return EXIT_IO;
        }
        return 0;
}

int refresh_prepare(struct esp_ctx *c, struct refresh_run *run) {
        *run = (struct refresh_run){};
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
        /* The efivar one-shot needs boot/detect (issue 5); until it is armed, an active
         * next-boot pin uses the file fallback on systemd-boot ESPs (spec §8). */
        bool active = s->next_boot && s->next_boot_state == NEXT_BOOT_ACTIVE && strv_contains(&s->synced, s->next_boot);
        run->in = (struct refresh_input){
                .root = c->paths.root,
                .prefix = run->ks.conf.prefix,
                .title = run->title,
                .cmdline = run->cmd.cmdline,
                .timeout = run->ks.conf.timeout,
                .timeout_set = run->ks.conf.timeout_set,
                .tries = run->ks.conf.tries,
                .synced = &s->synced,
                .pin_sd = active ? s->next_boot : s->effective_pin,
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
        if (scan.mode == MODE_SYSTEMD_BOOT && run->in.next_boot_active && !run->sd_fallback_warned) {
                run->sd_fallback_warned = true;
                log_warning("next-boot: EFI variable one-shot not available; %s-%s.conf is the default until the next boot",
                            run->in.prefix, run->in.next_boot_active);
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
        esp_scan_free(&scan);
        return code;
}

void refresh_finish(struct esp_ctx *c, struct refresh_run *run) {
        if (c->dry_run || !run->cache_path)
                return;
        int r = crc_cache_save(&run->cache, run->cache_path);
        if (r < 0)
                log_debug("saving the crc cache %s failed: %s", run->cache_path, strerror(-r));
}

void refresh_run_free(struct refresh_run *run) {
        kernel_state_free(&run->ks);
        cmdline_result_free(&run->cmd);
        free(run->title);
        crc_cache_free(&run->cache);
        free(run->cache_path);
        *run = (struct refresh_run){};
}
