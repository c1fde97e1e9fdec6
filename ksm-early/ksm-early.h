/* The parsed command line of ksm-early, handed by main.c to one verb, and the verbs. */
#pragma once
#include <stdbool.h>
#include "lib/strv.h"

struct ksm_ctx {
        const char *verb;
        const char *policy, *labels_file, *root, *sysfs_root, *proc_dir, *run_dir, *nfd_dir;
        strv labels;        /* --label K=V, in order */
        bool dry_run, json;
        /* exec */
        bool merge, best_effort;
        char **exec_argv;
        /* loop */
        unsigned interval;  /* 0: the policy's intervalSeconds */
        bool interval_set;  /* --interval given (0 included, which is out of range) */
        bool once;
};

int verb_apply(const struct ksm_ctx *ctx);
int verb_status(const struct ksm_ctx *ctx);
int verb_exec(const struct ksm_ctx *ctx);
int verb_loop(const struct ksm_ctx *ctx);
