/* See loop.h. The numbers follow KubeVirt's virt-handler, whose tests (T33, T34) are the oracle. */
#include "loop.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include <stdlib.h>
#include <stdio.h>

int loop_tick_compute(const struct loop_params *lp, uint64_t mem_total, uint64_t mem_available, uint64_t pages,
                      bool running, struct loop_result *ret) {
        if (mem_available >= mem_total)
                return -EDOM;
        /* baseline <= u32 max times 2^24 fits in 64 bits; a 16 GiB host sleeps `baseline` ms. */
        uint64_t baseline = (uint64_t)lp->sleep_ms_baseline;
        uint64_t sleep = baseline * 16777216u / (mem_total - mem_available);
        uint64_t floor = baseline / 10 > 0 ? baseline / 10 : 1;
        if (sleep < floor)
                sleep = floor;
        if (sleep > UINT32_MAX)
                sleep = UINT32_MAX;

        /* Single precision on purpose: KubeVirt compares float32 values, and near the threshold
         * double precision would decide differently. */
        float available = (float)mem_available;
        float threshold = (float)mem_total * (float)lp->free_percent;
        bool pressure = !(available > threshold);

        int64_t p = (int64_t)(pages > UINT32_MAX ? UINT32_MAX : pages);
        if (pressure && running)
                p = p + lp->pages_boost > lp->pages_max ? lp->pages_max : p + lp->pages_boost;
        else if (pressure) {
                running = true;
                p = lp->pages_init;
        } else if (running) {
                p += lp->pages_decay;
                if (p < lp->pages_min) {
                        p = lp->pages_min;
                        running = false;
                }
        }
        *ret = (struct loop_result){ .pressure = pressure, .running = running, .pages = (uint64_t)p, .sleep_ms = sleep };
        return 0;
}

struct meminfo_fields {
        uint64_t total, available;
        bool has_total, has_available, bad;
};

/* "MemTotal:       65680332 kB" */
static int meminfo_line(char *line, unsigned lineno, void *userdata) {
        (void)lineno;
        struct meminfo_fields *m = userdata;
        char *colon = strchr(line, ':');
        if (!colon)
                return 0;
        *colon = 0;
        bool total = streq(line, "MemTotal"), available = streq(line, "MemAvailable");
        if (!total && !available)
                return 0;
        char *value = str_trim(colon + 1);
        char *unit = strchr(value, ' ');
        if (unit) {
                *unit++ = 0;
                if (!streq(str_trim(unit), "kB"))
                        m->bad = true;
        }
        /* Digits only (no sign, no blank), at most 19 so that it fits in 64 bits. */
        size_t n = strspn(value, "0123456789");
        if (n == 0 || n > 19 || value[n]) {
                m->bad = true;
                return 0;
        }
        uint64_t v = strtoull(value, NULL, 10);
        if (total) {
                m->total = v;
                m->has_total = true;
        } else {
                m->available = v;
                m->has_available = true;
        }
        return 0;
}

int meminfo_parse(const char *buf, size_t len, uint64_t *ret_total, uint64_t *ret_available) {
        struct meminfo_fields m = {};
        int r = lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, meminfo_line, &m);
        if (r < 0)
                return r;
        if (m.bad || !m.has_total || !m.has_available)
                return -EINVAL;
        *ret_total = m.total;
        *ret_available = m.available;
        return 0;
}

static int add_error(strv *errors, const char *display, const char *member, const char *text) {
        char *msg = NULL;
        if (asprintf(&msg, "%s: .ksmConfiguration.%s: %s", display, member, text) < 0)
                return -ENOMEM;
        return strv_push_take(errors, msg);
}

int loop_policy_check(const struct policy *p, const char *display, strv *errors) {
        if (p->selector.is_null)
                return 0;
        bool bad = false;
        int r;
        if (p->activation != ACTIVATION_ON_PRESSURE) {
                r = add_error(errors, display, "activation",
                              "loop needs \"OnPressure\", got \"Always\" (with \"Always\", apply starts KSM at once)");
                if (r < 0)
                        return r;
                bad = true;
        }
        if (p->tuning_set[KNOB_ADVISOR_MODE] && streq(p->tuning[KNOB_ADVISOR_MODE], "scan-time")) {
                r = add_error(errors, display, "tuning.advisor.mode",
                              "loop needs \"none\", got \"scan-time\" (the kernel refuses pages_to_scan then)");
                if (r < 0)
                        return r;
                bad = true;
        }
        return bad ? -EINVAL : 0;
}
