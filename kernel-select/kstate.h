/* Everything one run needs to know about kernels: configuration, pins, inventory and the
 * resulting selection, loaded once. kernel-select's verbs and espctl's refresh share it. */
#pragma once
#include "inventory.h"
#include "kconfig.h"
#include "selection.h"

struct kernel_state {
        struct toolkit_conf conf;
        strv manual;
        char *pinned;
        char *next_boot, *next_boot_id;
        char *boot_id;            /* current boot id, NULL when unknown */
        struct inventory inv;
        struct selection sel;
        strv warnings;            /* configuration warnings (file:line) */
};

/* Errors: -EINVAL with *ret_error set for an invalid espctl.conf (exit 2); other -errno. */
int kernel_state_load(const struct paths *p, const strv *installing, const strv *removing,
                      struct kernel_state *ret, char **ret_error);
void kernel_state_free(struct kernel_state *st);
/* Current boot id from <proc>/sys/kernel/random/boot_id, NULL when unreadable. */
char *boot_id_read(const struct paths *p);

/* The lock espctl and kernel-select share (<run>/espctl.lock, lib/lock.h flags), waiting up to
 * wait_sec. Reports a failure itself; returns 0 or the exit code (EXIT_BUSY when held). */
int toolkit_lock(const struct paths *p, unsigned flags, unsigned wait_sec, int *ret_fd);
