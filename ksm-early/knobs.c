/* The knob table (spec §4 tuning, §8) and reading a knob's value the way §8.1 compares it. */
#include "knobs.h"
#include "lib/macro.h"
#include "lib/parse.h"

#define U32_MAX_ 4294967295LL

const struct knob_info knob_table[_KNOB_MAX] = {
        [KNOB_MERGE_ACROSS_NODES] = { "merge_across_nodes", "mergeAcrossNodes", KNOB_BOOL, 0, 1, true },
        [KNOB_MAX_PAGE_SHARING] = { "max_page_sharing", "maxPageSharing", KNOB_RANGE, 2, 2147483647LL, true },
        [KNOB_ADVISOR_MIN_PAGES_TO_SCAN] = { "advisor_min_pages_to_scan", "advisor.minPagesToScan", KNOB_U32, 0, U32_MAX_, false },
        [KNOB_ADVISOR_MAX_PAGES_TO_SCAN] = { "advisor_max_pages_to_scan", "advisor.maxPagesToScan", KNOB_U32, 0, U32_MAX_, false },
        [KNOB_ADVISOR_TARGET_SCAN_TIME] = { "advisor_target_scan_time", "advisor.targetScanTime", KNOB_RANGE, 1, U32_MAX_, false },
        [KNOB_ADVISOR_MAX_CPU] = { "advisor_max_cpu", "advisor.maxCpu", KNOB_RANGE, 10, 100, false },
        [KNOB_ADVISOR_MODE] = { "advisor_mode", "advisor.mode", KNOB_MODE, 0, 0, false },
        [KNOB_PAGES_TO_SCAN] = { "pages_to_scan", "pagesToScan", KNOB_U32, 0, U32_MAX_, false },
        [KNOB_SLEEP_MILLISECS] = { "sleep_millisecs", "sleepMillisecs", KNOB_U32, 0, U32_MAX_, false },
        [KNOB_USE_ZERO_PAGES] = { "use_zero_pages", "useZeroPages", KNOB_BOOL, 0, 1, false },
        [KNOB_SMART_SCAN] = { "smart_scan", "smartScan", KNOB_BOOL, 0, 1, false },
        [KNOB_STABLE_NODE_CHAINS_PRUNE_MILLISECS] = { "stable_node_chains_prune_millisecs",
                                                      "stableNodeChainsPruneMillisecs", KNOB_U32, 0, U32_MAX_, false },
        [KNOB_RUN] = { "run", NULL, KNOB_RANGE, 0, 2, false },
};

const char *const ksm_counters[] = {
        "full_scans", "general_profit", "ksm_zero_pages", "pages_scanned", "pages_shared",
        "pages_sharing", "pages_skipped", "pages_unshared", "pages_volatile",
        "stable_node_chains", "stable_node_dups",
};
const unsigned ksm_counters_n = ELEMENTSOF(ksm_counters);

int knob_value_normalize(enum knob k, const char *raw, char **ret) {
        _cleanup_free_ char *copy = strdup(raw);
        if (!copy)
                return -ENOMEM;
        char *s = str_trim(copy);
        if (k == KNOB_ADVISOR_MODE) {
                char *open = strchr(s, '['), *close = open ? strchr(open, ']') : NULL;
                if (!open || !close)
                        return -EINVAL;
                *close = 0;
                s = open + 1;
        }
        char *r = strdup(s);
        if (!r)
                return -ENOMEM;
        *ret = r;
        return 0;
}
