/* One refresh run: everything computed once (selection, command line, title, pins, whether the
 * efivar one-shot is usable), then each ESP planned and applied independently, with the EFI
 * variable steps around them (spec §7.3 step 0 before the first ESP, step 11 after the last).
 * Shared by refresh, init, reinit and boot-complete. */
#pragma once
#include "cache.h"
#include "cmdline.h"
#include "espset.h"
#include "plan.h"

struct refresh_run {
        struct kernel_state ks;
        struct cmdline_result cmd;
        char *title;
        struct refresh_input in;
        struct crc_cache cache;
        char *cache_path;
        bool sd_fallback_warned;
        /* An active next-boot pin: armed through LoaderEntryOneShot when usable, else (or when
         * the write is refused) the file fallback puts it into loader.conf (spec §8). */
        bool oneshot_usable;
        char *oneshot_reason;     /* why not usable */
        bool step0_done;
        bool second_pass;         /* re-running the systemd-boot ESPs with the file fallback */
        struct refresh_visit { struct esp_open *e; bool systemd_boot; int code; } *visits;
        size_t n_visits;
};

/* Exit code: EXIT_INVALID (configuration, command line), EXIT_ENV (no command line), EXIT_IO. */
int refresh_prepare(struct esp_ctx *c, struct refresh_run *run);
/* Plan and apply (or print, with --dry-run) one ESP. Exit code of that ESP; *ret_summary is the
 * line for people ("2F7A-2067 ok: ..."), *ret_plan the plan lines. The first call does step 0
 * (our EFI variables naming a version that leaves the selection). e must stay valid until
 * refresh_finish(). */
int refresh_one(struct esp_ctx *c, struct refresh_run *run, struct esp_open *e, char **ret_summary, char **ret_plan);
/* Step 11: arms LoaderEntryOneShot for an active next-boot pin; when the write is refused, a
 * second pass over the systemd-boot ESPs puts the file fallback into loader.conf (its summary
 * or plan lines printed here). Then saves the crc cache (never in --dry-run). Exit code of that
 * step (0 for a refusal, which only warns). */
int refresh_finish(struct esp_ctx *c, struct refresh_run *run);
void refresh_run_free(struct refresh_run *run);
/* Print what refresh_one gave: the plan with --dry-run, else the summary (not with --quiet). */
void refresh_report(struct esp_ctx *c, const char *summary, const char *plan);

/* The frame of every verb that refreshes all registered ESPs (refresh, reinit, boot-complete):
 * lock, ESP set (--graceful), refresh_prepare, then before_all (may rebuild the run), then per
 * ESP before_each (its exit code skips that ESP's refresh) and refresh_one, then refresh_finish.
 * Hooks may be NULL. Returns the exit code: the first failure wins, ESPs stay independent. */
typedef int (*refresh_all_hook)(struct esp_ctx *c, struct refresh_run *run, struct esp_list *l, void *userdata);
typedef int (*refresh_each_hook)(struct esp_ctx *c, struct refresh_run *run, struct esp_open *e, void *userdata);
int refresh_verb(struct esp_ctx *c, refresh_all_hook before_all, refresh_each_hook before_each, void *userdata);

/* Lock for writing verbs: the inherited --lock-fd, or <run>/espctl.lock. Exit code. */
int espctl_lock(struct esp_ctx *c, bool shared, int *ret_fd);
