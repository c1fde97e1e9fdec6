/* The ESPs of one run (spec §1.2): the registered serials, each reached through its stand-in
 * directory (--esp-dir SERIAL=DIR) or its device mounted in our private namespace; or exactly the
 * plain --esp-dir directories. */
#pragma once
#include "espctl.h"
#include "registration.h"

struct esp_open {
        struct esp esp;
        int fd;            /* directory descriptor, -1 when missing/unmountable */
        int state_exit;    /* exit code of the failure to reach it (3 missing, 4 unmountable) */
        char *error;
};

struct esp_list {
        struct esp_open *v;
        size_t n;
        struct registration reg;
        char *reg_path;
        bool have_reg_file;
};

/* Exit code: 0, EXIT_USAGE (mixed --esp-dir forms), EXIT_ENV (nothing registered; the caller
 * applies --graceful), EXIT_IO. Unreachable ESPs are listed with their error, not a failure here. */
int esp_list_open(struct esp_ctx *c, struct esp_list *ret);
/* Remount read-write before the first write (a no-op for stand-in directories). */
int esp_make_writable(struct esp_ctx *c, struct esp_open *e);
void esp_list_close(struct esp_list *l);
/* esp_list_open plus the registration warnings and the "no ESP registered" outcome: returns the
 * exit code, or -1 for "nothing registered" under --graceful (the caller exits 0). */
int espctl_open_esps(struct esp_ctx *c, struct esp_list *l);
/* Platform: uefi iff <sysfs>/firmware/efi is a directory (spec §4.7). */
bool esp_platform_is_uefi(const struct paths *p);
