/* The KSM knobs ksm-early may write: their sysfs file, policy member and allowed range. The enum
 * order IS the write order of spec §8.3 steps 3-5 (run is written separately, first or last). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum knob {
        KNOB_MERGE_ACROSS_NODES,
        KNOB_MAX_PAGE_SHARING,
        KNOB_ADVISOR_MIN_PAGES_TO_SCAN,
        KNOB_ADVISOR_MAX_PAGES_TO_SCAN,
        KNOB_ADVISOR_TARGET_SCAN_TIME,
        KNOB_ADVISOR_MAX_CPU,
        KNOB_ADVISOR_MODE,
        KNOB_PAGES_TO_SCAN,
        KNOB_SLEEP_MILLISECS,
        KNOB_USE_ZERO_PAGES,
        KNOB_SMART_SCAN,
        KNOB_STABLE_NODE_CHAINS_PRUNE_MILLISECS,
        KNOB_RUN,
        _KNOB_MAX,
        _KNOB_TUNING_MAX = KNOB_RUN, /* knobs a policy's tuning may set */
};

enum knob_type { KNOB_U32, KNOB_BOOL, KNOB_RANGE, KNOB_MODE };

struct knob_info {
        const char *file;     /* under <sysfs>/kernel/mm/ksm */
        const char *member;   /* policy member path below .ksmConfiguration.tuning */
        enum knob_type type;
        int64_t min, max;     /* KNOB_U32 / KNOB_RANGE */
        bool busy_when_shared; /* the kernel answers EBUSY to a change while pages_shared > 0 */
};

extern const struct knob_info knob_table[_KNOB_MAX];

/* Read-only counters shown by status and polled after run=2. */
extern const char *const ksm_counters[];
extern const unsigned ksm_counters_n;

/* The selected word of "[none] scan-time"; the trimmed text for every other knob. */
int knob_value_normalize(enum knob k, const char *raw, char **ret);
