/* What apply and a loop tick share once they have a plan (spec §8): the NFD and run directories
 * and the run lock, the write order (the state first when claiming, the knobs, the outputs with
 * the final state) in one file transaction, the rollback of all of it, and the result shown. */
#pragma once
#include "engine.h"
#include "ksm-early.h"
#include "outputs.h"
#include "runstate.h"
#include <jansson.h>

struct ksm_commit {
        const struct ksm_config *cfg;
        struct report *rep;
        struct ksm_sysfs *sys;
        struct plan *plan;
        int run_fd, nfd_fd;
        bool run_dir_created;
        struct file_txn txn;
        size_t knobs_done;
};

/* NFD directory writable; run directory opened, created when missing (after before_create, if
 * given, agreed: a refusal must not leave a new directory behind), writable and locked.
 * -1 with an error in rep. */
int commit_open_dirs(struct ksm_commit *k, int (*before_create)(void *userdata), void *userdata);
/* Removes the run directory this run created (a tick that ends up writing nothing). */
void commit_remove_created_run_dir(struct ksm_commit *k);
/* The writes of the plan; any failure undoes them all (§8.4). Returns plan_write_knobs' result
 * (E14 still publishes) or -1. */
int commit_write(struct ksm_commit *k);
void commit_free(struct ksm_commit *k);

/* --dry-run text: the knob writes, EXTRA (a line, or NULL), the label and the annotation. */
void commit_print_dry_run(const struct ksm_config *cfg, const struct plan *p, const char *extra);
/* The --json result: the status (when show), the first n_actions actions, warnings, error. */
json_t *commit_result_json(const struct ksm_config *cfg, const struct plan *p, bool show, size_t n_actions,
                           const struct report *rep, bool dry_run);
