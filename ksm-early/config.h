/* Everything apply and status decide from, loaded and validated before anything is written:
 * paths, kernel command line, policy (§4), node labels (§5), boot id. */
#pragma once
#include <stdbool.h>
#include "ksm-early.h"
#include "labels.h"
#include "policy.h"
#include "report.h"
#include "sha256.h"
#include "lib/paths.h"

struct ksm_config {
        struct paths paths;
        char *run_dir, *nfd_dir;
        char *policy_path;          /* as used (display name); NULL when the default is absent */
        bool policy_present;
        char policy_sha256[SHA256_HEX_LEN + 1];
        struct policy policy;
        struct labels labels;
        bool hostname_known;
        bool matched;
        char *boot_id;
        bool default_sysfs;         /* neither --root nor --sysfs-root: /sys must be sysfs */
};

/* Returns 0, or -1 with rep holding the error (E2-E8 as the spec numbers them). */
int ksm_config_load(const struct ksm_ctx *ctx, struct ksm_config *cfg, struct report *rep);
void ksm_config_free(struct ksm_config *cfg);
