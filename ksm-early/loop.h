/* The arithmetic of one `loop` tick (spec §12): KubeVirt virt-handler's pressure rule (from oVirt
 * MOM) on MemTotal/MemAvailable, and what `loop` requires of a policy. Pure functions on values
 * and buffers, no I/O, so the unit tests check the numbers directly. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "policy.h"
#include "lib/strv.h"

struct loop_result {
        bool pressure;        /* (float)A > (float)T * freePercent does not hold */
        bool running;         /* KSM should run after this tick */
        uint64_t pages;       /* pages_to_scan to write while running */
        uint64_t sleep_ms;    /* sleep_millisecs to write while running */
};

/* One tick from MemTotal and MemAvailable (kB), the current pages_to_scan and whether KSM runs.
 * 0, or -EDOM when mem_available >= mem_total (E21: KubeVirt would divide by zero; the caller
 * skips the tick and writes nothing). */
int loop_tick_compute(const struct loop_params *lp, uint64_t mem_total, uint64_t mem_available, uint64_t pages,
                      bool running, struct loop_result *ret);

/* MemTotal and MemAvailable (kB) from the text of /proc/meminfo. -EINVAL when either is missing
 * or malformed. */
int meminfo_parse(const char *buf, size_t len, uint64_t *ret_total, uint64_t *ret_available);

/* The combinations §12 excludes (E6): a policy that can select a node must use activation
 * "OnPressure", and tuning.advisor.mode must not be "scan-time" (pages_to_scan is then refused
 * by the kernel). A policy that selects no node (no ksmConfiguration or selector) is accepted:
 * the loop then only stops a KSM it manages. -EINVAL with "DISPLAY: .member: text" lines. */
int loop_policy_check(const struct policy *p, const char *display, strv *errors);

/* The range of --interval and intervalSeconds. */
#define LOOP_INTERVAL_MIN 1
#define LOOP_INTERVAL_MAX 86400
