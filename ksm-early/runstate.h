/* The run directory (spec §6, §7 step 3): its lock and this boot's state file. */
#pragma once
#include <stdbool.h>
#include "report.h"
#include "state.h"

/* Exclusive flock on the directory itself (no lock file to create or leave behind). Waits up to
 * 10 s for a concurrent run; -EBUSY after that. */
int run_dir_lock(int dirfd);
/* Reads <dirfd>/state.json for this boot. Absent: empty state. Corrupt, unknown version or
 * another boot: a warning (E16) and an empty, unmanaged state. dirfd -1: no directory yet. */
int run_state_load(int dirfd, const char *run_dir, const char *boot_id, struct ksm_state *ret, struct report *rep);
