/* espctl: the run context main.c builds, the ESP set, and the verbs. */
#pragma once
#include <stdbool.h>
#include "kernel-select/kstate.h"
#include "lib/paths.h"
#include "lib/strv.h"

struct esp_ctx {
        struct paths paths;
        strv esp_dirs;            /* --esp-dir values as given */
        bool json, dry_run, quiet, verbose, force, graceful, no_root_check, verify;
        bool no_boot_code;
        unsigned wait_sec;
        int lock_fd;              /* --lock-fd (inherited from kernel-select), else -1 */
        const char *mode;         /* init --mode / "grub" argument */
        strv installing, removing;
        char **args;
        int n_args;
};

/* One ESP of this run. */
enum esp_state {
        ESP_STATE_OK, ESP_STATE_MISSING, ESP_STATE_UNMOUNTABLE, ESP_STATE_UNINITIALISED,
        ESP_STATE_INCONSISTENT,
};
struct esp {
        char *serial;             /* "2F7A-2067", or NULL for a plain --esp-dir */
        char *name;               /* serial, or the directory for a plain --esp-dir */
        char *dir;                /* mounted directory (stand-in dir or our private mount) */
        char *device;             /* /dev/... for real ESPs, NULL for stand-ins */
        bool mounted_by_us;
        unsigned lineno;          /* registration line, 0 for plain --esp-dir */
};

struct esp_set {
        struct esp *esps;
        size_t n;
        bool registered;          /* came from the registration file */
        strv warnings;            /* invalid lines etc., "file:line: ..." */
        struct { unsigned line; char *text; } *invalid;
        size_t n_invalid;
};

int verb_refresh(struct esp_ctx *c);
int verb_status(struct esp_ctx *c);
int verb_init(struct esp_ctx *c);
int verb_reinit(struct esp_ctx *c);
int verb_clean(struct esp_ctx *c);
int verb_list(struct esp_ctx *c);
int verb_format(struct esp_ctx *c);
int verb_boot_complete(struct esp_ctx *c);
