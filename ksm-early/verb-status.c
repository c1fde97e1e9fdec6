/* ksm-early status: read-only view of KSM on this host (spec §10): run and its owner, the boot
 * id, the selector and decision, every knob (marked where ksm-early changed it this boot),
 * counters as signed 64-bit and the memory saved. Takes no lock and writes nothing. */
#include "engine.h"
#include "ksm-early.h"
#include "outputs.h"
#include "runstate.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include <fcntl.h>
#include <inttypes.h>

int verb_status(const struct ksm_ctx *ctx) {
        struct report rep = {};
        struct ksm_config cfg;
        struct ksm_sysfs sys = { .dirfd = -1 };
        struct ksm_state st = {};
        int rc = EXIT_OK;
        _cleanup_close_ int run_fd = -1;
        _cleanup_free_ char *run = NULL, *sel = NULL;
        if (ksm_config_load(ctx, &cfg, &rep) < 0) {
                report_print_errors(&rep);
                rc = rep.exit;
                goto out;
        }
        ksm_sysfs_open(cfg.paths.sysfs, &sys);
        run_fd = open(cfg.run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        run_state_load(run_fd, cfg.run_dir, cfg.boot_id, &st, &rep);

        bool available = ksm_sysfs_read(&sys, "run", &run) >= 0 &&
                         (streq(run, "0") || streq(run, "1") || streq(run, "2"));
        bool eligible = available && cfg.matched;
        bool managed = st.managed;
        const char *owner = available && streq(run, "1") ? (managed ? "ksm-early" : "external") : "none";
        sel = selector_canonical(&cfg.policy.selector);

        json_t *knobs = json_object(), *changed = json_object(), *counters = json_object();
        for (enum knob k = 0; k < _KNOB_MAX; k++) {
                _cleanup_free_ char *raw = NULL, *v = NULL;
                if (ksm_sysfs_read(&sys, knob_table[k].file, &raw) < 0 || knob_value_normalize(k, raw, &v) < 0)
                        continue;
                json_object_set_new(knobs, knob_table[k].file, json_string(v));
                const char *prev = labels_get(&st.previous, knob_table[k].file);
                if (prev && !streq(prev, v))
                        json_object_set_new(changed, knob_table[k].file, json_string(prev));
        }
        int64_t sharing = 0, zero = 0;
        for (unsigned i = 0; i < ksm_counters_n; i++) {
                _cleanup_free_ char *v = NULL;
                if (ksm_sysfs_read(&sys, ksm_counters[i], &v) < 0)
                        continue;
                int64_t n = strtoll(v, NULL, 10);
                json_object_set_new(counters, ksm_counters[i], json_integer(n));
                if (streq(ksm_counters[i], "pages_sharing"))
                        sharing = n;
                if (streq(ksm_counters[i], "ksm_zero_pages"))
                        zero = n;
        }
        long page = sysconf(_SC_PAGESIZE);
        int64_t saved = (sharing + zero) * (int64_t)(page > 0 ? page : 4096);

        report_print_errors(&rep);
        if (ctx->json) {
                json_t *o = json_pack("{s:i, s:b, s:b, s:b, s:b, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:I}",
                                      "version", 1, "available", available, "matched", cfg.matched,
                                      "eligible", eligible, "managed", managed, "owner", owner, "bootId", cfg.boot_id,
                                      "policy", cfg.policy_present ? cfg.policy_path : NULL,
                                      "policySha256", cfg.policy_present ? cfg.policy_sha256 : NULL,
                                      "selector", sel && !streq(sel, "null") ? sel : NULL,
                                      "run", available ? run : NULL, "knobs", knobs, "previous", changed,
                                      "counters", counters, "savedBytes", (json_int_t)saved);
                _cleanup_free_ char *text = output_json_text(o);
                json_decref(o);
                if (text)
                        fputs(text, stdout);
                goto out;
        }
        printf("run:       %s\n", available ? run : "unavailable");
        printf("owner:     %s\n", owner);
        printf("boot id:   %s\n", cfg.boot_id);
        printf("policy:    %s\n", cfg.policy_present ? cfg.policy_path : "(none)");
        printf("selector:  %s\n", sel ? (*sel ? sel : "(every node)") : "?");
        printf("decision:  %s (matched %s, available %s)\n", eligible ? "eligible" : "not eligible",
               cfg.matched ? "yes" : "no", available ? "yes" : "no");
        printf("knobs:\n");
        const char *key;
        json_t *v;
        json_object_foreach(knobs, key, v) {
                json_t *prev = json_object_get(changed, key);
                printf("  %-36s %s%s%s%s\n", key, json_string_value(v), prev ? "  * was " : "",
                       prev ? json_string_value(prev) : "", "");
        }
        printf("counters:\n");
        json_object_foreach(counters, key, v)
                printf("  %-36s %" PRId64 "\n", key, (int64_t)json_integer_value(v));
        printf("saved:     %" PRId64 " bytes\n", saved);
        json_decref(knobs);
        json_decref(changed);
        json_decref(counters);
out:
        ksm_state_free(&st);
        ksm_sysfs_close(&sys);
        ksm_config_free(&cfg);
        report_free(&rep);
        return rc;
}
