/* The decision procedure of spec §7 and the kernel writes of §8: read the KSM files once
 * (snapshot), decide from policy + labels + state (plan_build, pure: no I/O, unit-tested), then
 * write the knobs in the spec's order (plan_write_knobs) and undo them on failure
 * (plan_rollback_knobs). State and output files are the verb's business. */
#pragma once
#include <stdbool.h>
#include "config.h"
#include "knobs.h"
#include "report.h"
#include "state.h"
#include "sysfs.h"

#define KNOB_TEXT_MAX 32

struct ksm_snapshot {
        bool ksm_dir;        /* kernel/mm/ksm exists */
        bool available;      /* run readable, holding 0, 1 or 2 */
        char run_raw[KNOB_TEXT_MAX];
        bool present[_KNOB_MAX];
        char value[_KNOB_MAX][KNOB_TEXT_MAX]; /* normalized: trimmed, advisor_mode's selected word */
        long long pages_shared;
};

struct action {
        enum knob knob;
        char from[KNOB_TEXT_MAX], to[KNOB_TEXT_MAX];
};

struct plan {
        bool available, matched, eligible;
        bool managed_before, managed_after;
        bool reconfigure;               /* run=2 and wait for the counters first (§8.3 step 2) */
        struct action actions[_KNOB_MAX + 2];
        size_t n_actions;
        bool persist_first;             /* state goes to disk before the first sysfs write */
        bool mode_resets_pages;         /* advisor_mode changes, the kernel resets pages_to_scan */
        char pages_before[KNOB_TEXT_MAX];
        struct ksm_state state;         /* the state after this run */
        bool final_set[_KNOB_MAX];      /* run and the knobs the policy sets, after this run */
        char final[_KNOB_MAX][KNOB_TEXT_MAX];
};

/* Reads run and every knob the plan may touch. Never fails on a missing knob (present=false). */
int ksm_snapshot_read(struct ksm_sysfs *sys, const struct policy *pol, struct ksm_snapshot *ret);

/* old: this boot's valid state, or an empty one. 0, or -1 with the refusal in rep
 * (E6/E9/E10/E12/E13/E15); warnings (E9, E10, E15) go to rep as well. */
int plan_build(const struct ksm_config *cfg, const struct ksm_snapshot *snap, const struct ksm_state *old,
               struct plan *ret, struct report *rep);
void plan_free(struct plan *p);
const char *plan_owner(const struct plan *p);

/* Writes actions[0..n) in order; *ret_done is how many landed. On failure rep holds the error
 * (E11-E14) and the return is -1. E14 (run=2 failed, the kernel set run=0) is returned as -2:
 * nothing to roll back, the plan is adjusted (run 0, managed false). */
int plan_write_knobs(struct ksm_sysfs *sys, struct plan *p, size_t *ret_done, struct report *rep);
/* Reverts actions[0..done) in reverse order to their "from" values; failures are reported
 * ("rollback failed: FILE: ERRNO") as warnings, the first error's code stays. */
void plan_rollback_knobs(struct ksm_sysfs *sys, const struct plan *p, size_t done, struct report *rep);
