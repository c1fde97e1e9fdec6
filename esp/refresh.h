/* One refresh run: everything computed once (selection, command line, title, pins), then each
 * ESP planned and applied independently. Shared by refresh, init, reinit and boot-complete. */
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
};

/* Exit code: EXIT_INVALID (configuration, command line), EXIT_ENV (no command line), EXIT_IO. */
int refresh_prepare(struct esp_ctx *c, struct refresh_run *run);
/* Plan and apply (or print, with --dry-run) one ESP. Exit code of that ESP; *ret_summary is the
 * line for people ("2F7A-2067 ok: ..."), *ret_plan the plan lines. */
int refresh_one(struct esp_ctx *c, struct refresh_run *run, struct esp_open *e, char **ret_summary, char **ret_plan);
/* Saves the crc cache (never in --dry-run). */
void refresh_finish(struct esp_ctx *c, struct refresh_run *run);
void refresh_run_free(struct refresh_run *run);
/* Lock for writing verbs: the inherited --lock-fd, or <run>/espctl.lock. Exit code. */
int espctl_lock(struct esp_ctx *c, bool shared, int *ret_fd);
