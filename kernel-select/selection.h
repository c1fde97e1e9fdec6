/* Which kernels go to the ESPs (spec §5.3): a pure function of the inventory and the
 * administrator's files, so unit tests feed it directly. */
#pragma once
#include <stdbool.h>
#include "inventory.h"
#include "kconfig.h"

enum kernel_reason {
        REASON_RUNNING = 1 << 0,
        REASON_NEWEST = 1 << 1,
        REASON_PREVIOUS_SERIES = 1 << 2,
        REASON_MANUAL = 1 << 3,
        REASON_PINNED = 1 << 4,
        REASON_NEXT_BOOT = 1 << 5,
        REASON_INSTALLING = 1 << 6,
};
#define REASON_COUNT 7
const char *kernel_reason_name(unsigned bit_index); /* "running", "newest", ... */

struct selection_input {
        const struct inventory *inv;
        const char *flavour;        /* "auto", "none" or a substring */
        const strv *manual;
        const char *pinned;         /* permanent pin or NULL */
        const char *next_boot;      /* next-boot pin or NULL */
        enum next_boot_state next_boot_state;
        const strv *installing;
        const strv *removing;
};

struct kernel_entry {
        char *version;
        bool image, initrd, modules;
        bool selected, synced;
        unsigned reasons;           /* enum kernel_reason bits */
};

struct selection {
        struct kernel_entry *kernels; /* every known version, newest first */
        size_t n_kernels;
        char *flavour;              /* effective flavour, NULL for none */
        strv synced;                /* synced versions, newest first */
        char *pinned, *next_boot;   /* as given (may not be installed) */
        enum next_boot_state next_boot_state;
        char *effective_pin;        /* E (§8) when synced: legacy next-boot pin, else permanent pin */
        char *default_version;      /* E, else newest synced; NULL when nothing is synced */
        strv warnings;              /* selected but not synced, pins on removed kernels */
};

int kernel_select(const struct selection_input *in, struct selection *ret);
void selection_free(struct selection *s);
const struct kernel_entry *selection_find(const struct selection *s, const char *version);
