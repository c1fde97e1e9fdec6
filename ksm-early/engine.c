/* See engine.h. */
#include "engine.h"
#include "lib/exitcode.h"
#include "lib/macro.h"
#include "lib/names.h"
#include <stdio.h>
#include <time.h>

static void msleep(unsigned ms) {
        nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L }, NULL);
}

static void snap_knob(struct ksm_sysfs *sys, struct ksm_snapshot *s, enum knob k) {
        _cleanup_free_ char *raw = NULL, *norm = NULL;
        if (s->present[k] || ksm_sysfs_read(sys, knob_table[k].file, &raw) < 0)
                return;
        if (knob_value_normalize(k, raw, &norm) < 0)
                return;
        s->present[k] = true;
        snprintf(s->value[k], sizeof s->value[k], "%s", norm);
}

int ksm_snapshot_read(struct ksm_sysfs *sys, const struct policy *pol, struct ksm_snapshot *ret) {
        *ret = (struct ksm_snapshot){ .ksm_dir = sys->dirfd >= 0 };
        if (!ret->ksm_dir)
                return 0;
        _cleanup_free_ char *run = NULL;
        if (ksm_sysfs_read(sys, "run", &run) >= 0) {
                snprintf(ret->run_raw, sizeof ret->run_raw, "%s", run);
                ret->available = streq(run, "0") || streq(run, "1") || streq(run, "2");
                if (ret->available) {
                        ret->present[KNOB_RUN] = true;
                        snprintf(ret->value[KNOB_RUN], KNOB_TEXT_MAX, "%s", run);
                }
        }
        bool busy = false;
        for (enum knob k = 0; k < _KNOB_TUNING_MAX; k++)
                if (pol->tuning_set[k]) {
                        snap_knob(sys, ret, k);
                        busy = busy || knob_table[k].busy_when_shared;
                }
        if (pol->tuning_set[KNOB_PAGES_TO_SCAN] || pol->tuning_set[KNOB_ADVISOR_MODE]) {
                snap_knob(sys, ret, KNOB_ADVISOR_MODE);
                snap_knob(sys, ret, KNOB_PAGES_TO_SCAN);
        }
        if (pol->tuning_set[KNOB_ADVISOR_MIN_PAGES_TO_SCAN] || pol->tuning_set[KNOB_ADVISOR_MAX_PAGES_TO_SCAN]) {
                snap_knob(sys, ret, KNOB_ADVISOR_MIN_PAGES_TO_SCAN);
                snap_knob(sys, ret, KNOB_ADVISOR_MAX_PAGES_TO_SCAN);
        }
        if (busy) {
                _cleanup_free_ char *v = NULL;
                if (ksm_sysfs_read(sys, "pages_shared", &v) >= 0)
                        ret->pages_shared = strtoll(v, NULL, 10);
        }
        return 0;
}

static void add_action(struct plan *p, enum knob k, const char *from, const char *to) {
        struct action *a = &p->actions[p->n_actions++];
        a->knob = k;
        snprintf(a->from, sizeof a->from, "%s", from);
        snprintf(a->to, sizeof a->to, "%s", to);
}

/* previous keeps the value before ksm-early FIRST wrote a knob this boot: never overwritten. */
static int remember_previous(struct plan *p, const char *file, const char *value) {
        if (labels_get(&p->state.previous, file))
                return 0;
        return labels_set(&p->state.previous, file, value);
}

void plan_free(struct plan *p) {
        ksm_state_free(&p->state);
        *p = (struct plan){};
}

const char *plan_owner(const struct plan *p) {
        if (!p->final_set[KNOB_RUN] || !streq(p->final[KNOB_RUN], "1"))
                return "none";
        return p->managed_after ? "ksm-early" : "external";
}

/* The eligible row of §7 step 4 with §8.3 step 0: tuning, refusals, run. */
static int plan_eligible(const struct ksm_config *cfg, const struct ksm_snapshot *snap, struct plan *p,
                         struct report *rep) {
        const struct policy *pol = &cfg->policy;
        const char *cur_run = snap->value[KNOB_RUN];
        const char *mode_now = snap->present[KNOB_ADVISOR_MODE] ? snap->value[KNOB_ADVISOR_MODE] : "none";
        bool mode_change = pol->tuning_set[KNOB_ADVISOR_MODE] && snap->present[KNOB_ADVISOR_MODE] &&
                           !streq(mode_now, pol->tuning[KNOB_ADVISOR_MODE]);
        const char *mode_after = mode_change ? pol->tuning[KNOB_ADVISOR_MODE] : mode_now;

        struct action tuning[_KNOB_TUNING_MAX];
        size_t n_tuning = 0;
        bool busy_change = false;
        for (enum knob k = 0; k < _KNOB_TUNING_MAX; k++) {
                if (!pol->tuning_set[k])
                        continue;
                const char *file = knob_table[k].file;
                if (!snap->present[k]) {
                        if (pol->strict_knobs) {
                                report_error(rep, "E15", EXIT_IO,
                                             "knob missing on this kernel: %s/%s: expected the file (strictKnobs), got none",
                                             SYSFS_KSM_DIR, file);
                                return -1;
                        }
                        report_warning(rep, "knob %s (%s) does not exist on this kernel, skipped", file,
                                       knob_table[k].member);
                        continue;
                }
                const char *cur = snap->value[k];
                if (k == KNOB_PAGES_TO_SCAN) {
                        if (streq(mode_after, "scan-time")) {
                                report_error(rep, "E12", EXIT_IO,
                                             "cannot set %s to %s: advisor_mode stays \"scan-time\", where the kernel answers EINVAL",
                                             file, pol->tuning[k]);
                                return -1;
                        }
                        if (mode_change)
                                cur = "100"; /* the mode change resets it (to 100 for "none") */
                }
                if (streq(cur, pol->tuning[k]))
                        continue;
                struct action *a = &tuning[n_tuning++];
                a->knob = k;
                snprintf(a->from, sizeof a->from, "%s", k == KNOB_PAGES_TO_SCAN ? snap->value[k] : cur);
                snprintf(a->to, sizeof a->to, "%s", pol->tuning[k]);
                busy_change = busy_change || knob_table[k].busy_when_shared;
        }

        /* A lone advisor bound must fit the kernel's other one (E6). */
        bool has_min = pol->tuning_set[KNOB_ADVISOR_MIN_PAGES_TO_SCAN], has_max = pol->tuning_set[KNOB_ADVISOR_MAX_PAGES_TO_SCAN];
        if (has_min != has_max) {
                enum knob mine = has_min ? KNOB_ADVISOR_MIN_PAGES_TO_SCAN : KNOB_ADVISOR_MAX_PAGES_TO_SCAN;
                enum knob other = has_min ? KNOB_ADVISOR_MAX_PAGES_TO_SCAN : KNOB_ADVISOR_MIN_PAGES_TO_SCAN;
                if (snap->present[other] && snap->present[mine]) {
                        long long v = strtoll(pol->tuning[mine], NULL, 10), o = strtoll(snap->value[other], NULL, 10);
                        if (has_min ? v > o : v < o) {
                                report_error(rep, "E6", EXIT_INVALID,
                                             "invalid policy: %s: .ksmConfiguration.tuning.%s: expected %s the kernel's %s (%lld), got %lld",
                                             cfg->policy_path, knob_table[mine].member, has_min ? "<=" : ">=",
                                             knob_table[other].file, o, v);
                                return -1;
                        }
                }
        }

        if (busy_change && snap->pages_shared > 0) {
                if (!pol->allow_unmerge_for_reconfigure) {
                        report_error(rep, "E13", EXIT_IO,
                                     "cannot change merge_across_nodes/max_page_sharing: pages_shared is %lld "
                                     "(the kernel answers EBUSY); set allowUnmergeForReconfigure to unmerge first",
                                     snap->pages_shared);
                        return -1;
                }
                p->reconfigure = true;
        }

        bool run_one = pol->activation == ACTIVATION_ALWAYS && !streq(cur_run, "1");
        p->managed_after = p->managed_before || run_one;

        if (p->reconfigure)
                add_action(p, KNOB_RUN, cur_run, "2");
        for (size_t i = 0; i < n_tuning; i++)
                p->actions[p->n_actions++] = tuning[i];
        const char *run_target = pol->activation == ACTIVATION_ALWAYS ? "1" : cur_run;
        if (p->reconfigure && !streq(run_target, "2"))
                add_action(p, KNOB_RUN, "2", run_target); /* an external owner's KSM stays external */
        else if (!p->reconfigure && run_one)
                add_action(p, KNOB_RUN, cur_run, "1");

        if (mode_change && snap->present[KNOB_PAGES_TO_SCAN]) {
                p->mode_resets_pages = true;
                snprintf(p->pages_before, sizeof p->pages_before, "%s", snap->value[KNOB_PAGES_TO_SCAN]);
                if (remember_previous(p, "pages_to_scan", snap->value[KNOB_PAGES_TO_SCAN]) < 0)
                        return -1;
        }
        p->persist_first = true;
        return 0;
}

int plan_build(const struct ksm_config *cfg, const struct ksm_snapshot *snap, const struct ksm_state *old,
               struct plan *p, struct report *rep) {
        *p = (struct plan){ .matched = cfg->matched, .available = snap->available };
        const struct policy *pol = &cfg->policy;
        if (ksm_state_copy(old, &p->state) < 0)
                return -1;
        free(p->state.boot_id);
        free(p->state.policy_sha256);
        p->state.boot_id = strdup(cfg->boot_id);
        p->state.policy_sha256 = cfg->policy_present ? strdup(cfg->policy_sha256) : NULL;
        if (!p->state.boot_id || (cfg->policy_present && !p->state.policy_sha256))
                return -1;
        p->managed_before = old->managed;
        p->eligible = p->available && p->matched;

        if (!p->available) {
                if (!snap->ksm_dir)
                        report_warning(rep, "KSM is not available: %s/%s does not exist (CONFIG_KSM=n?)",
                                       cfg->paths.sysfs, SYSFS_KSM_DIR);
                else
                        report_warning(rep, "KSM is not available: %s/%s/run holds \"%s\", expected 0, 1 or 2",
                                       cfg->paths.sysfs, SYSFS_KSM_DIR, snap->run_raw);
                if (pol->require_ksm && p->matched) {
                        report_error(rep, snap->ksm_dir ? "E10" : "E9", EXIT_ENV,
                                     "KSM required by the policy (requireKSM) on this matched node: expected %s/%s/run, got none",
                                     cfg->paths.sysfs, SYSFS_KSM_DIR);
                        return -1;
                }
                p->managed_after = false;
        } else if (p->eligible) {
                if (plan_eligible(cfg, snap, p, rep) < 0)
                        return -1;
        } else {
                const char *cur = snap->value[KNOB_RUN];
                if (p->managed_before) {
                        if (pol->disable_action == DISABLE_STOP && streq(cur, "1"))
                                add_action(p, KNOB_RUN, cur, "0");
                        else if (pol->disable_action == DISABLE_UNMERGE && !streq(cur, "2"))
                                add_action(p, KNOB_RUN, cur, "2");
                }
                p->managed_after = false; /* E18: an external owner keeps KSM */
        }

        for (size_t i = 0; i < p->n_actions; i++)
                if (remember_previous(p, knob_table[p->actions[i].knob].file, p->actions[i].from) < 0)
                        return -1;
        p->state.managed = p->managed_after;

        /* Values after this run, for status.json: run and the knobs the policy sets. */
        for (enum knob k = 0; k < _KNOB_MAX; k++)
                if (snap->present[k] && (k == KNOB_RUN || pol->tuning_set[k])) {
                        p->final_set[k] = true;
                        snprintf(p->final[k], KNOB_TEXT_MAX, "%s", snap->value[k]);
                }
        for (size_t i = 0; i < p->n_actions; i++) {
                p->final_set[p->actions[i].knob] = true;
                snprintf(p->final[p->actions[i].knob], KNOB_TEXT_MAX, "%s", p->actions[i].to);
        }
        return 0;
}

/* Kernel answers by name in messages ("EBUSY"), as the spec's error table writes them. */
static const char *err_name(int e) {
        const char *n = errno_name(e);
        return n ? n : "errno";
}

/* §8.3 step 2: after run=2, wait until nothing is merged any more (10 ms steps, at most 5 s). */
static int wait_unmerged(struct ksm_sysfs *sys) {
        for (unsigned waited = 0;; waited += 10) {
                long long sum = 0;
                for (const char *const *c = (const char *const[]){ "pages_shared", "pages_sharing", "pages_unshared", NULL };
                     *c; c++) {
                        _cleanup_free_ char *v = NULL;
                        if (ksm_sysfs_read(sys, *c, &v) >= 0)
                                sum += strtoll(v, NULL, 10);
                }
                if (sum == 0)
                        return 0;
                if (waited >= 5000)
                        return -ETIMEDOUT;
                msleep(10);
        }
}

int plan_write_knobs(struct ksm_sysfs *sys, struct plan *p, size_t *ret_done, struct report *rep) {
        *ret_done = 0;
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                const char *file = knob_table[a->knob].file;
                int r = ksm_sysfs_write(sys, file, a->to);
                if (r == -EBUSY && knob_table[a->knob].busy_when_shared) {
                        msleep(100); /* ksmd may still hold a stable node; one retry (§8.3 step 3) */
                        r = ksm_sysfs_write(sys, file, a->to);
                }
                if (r < 0 && a->knob == KNOB_RUN && streq(a->to, "2") && (r == -ENOMEM || r == -EINTR)) {
                        /* E14: the kernel has set run=0 itself; nothing of ours is left running. */
                        report_error(rep, "E14", EXIT_IO, "unmerge failed: %s/%s: writing 2 gave %s; the kernel set run=0",
                                     SYSFS_KSM_DIR, file, err_name(-r));
                        p->managed_after = p->state.managed = false;
                        snprintf(p->final[KNOB_RUN], KNOB_TEXT_MAX, "0");
                        for (size_t j = i + 1; j < p->n_actions; j++)
                                if (p->actions[j].knob != KNOB_RUN) {
                                        /* memmove: the compiler cannot prove `from` is not this buffer */
                                        char *dst = p->final[p->actions[j].knob];
                                        size_t n = strnlen(p->actions[j].from, KNOB_TEXT_MAX - 1);
                                        memmove(dst, p->actions[j].from, n);
                                        dst[n] = 0;
                                }
                        return -2;
                }
                if (r < 0) {
                        const char *code = r == -EBUSY ? "E13" : (r == -EINVAL || r == -ERANGE) ? "E12" : "E11";
                        report_error(rep, code, EXIT_IO, "kernel refused a write: %s/%s: writing %s gave %s (%s)",
                                     SYSFS_KSM_DIR, file, a->to, err_name(-r), strerror(-r));
                        return -1;
                }
                *ret_done = i + 1;
                if (a->knob == KNOB_RUN && streq(a->to, "2") && p->reconfigure && i == 0) {
                        r = wait_unmerged(sys);
                        if (r < 0) {
                                report_error(rep, "E13", EXIT_IO,
                                             "unmerge for reconfiguration did not finish: %s: pages still merged after 5 s",
                                             SYSFS_KSM_DIR);
                                return -1;
                        }
                }
        }
        return 0;
}

void plan_rollback_knobs(struct ksm_sysfs *sys, const struct plan *p, size_t done, struct report *rep) {
        while (done > 0) {
                const struct action *a = &p->actions[--done];
                const char *file = knob_table[a->knob].file;
                int r = ksm_sysfs_write(sys, file, a->from);
                if (r < 0)
                        report_warning(rep, "rollback failed: %s/%s: %s", SYSFS_KSM_DIR, file, err_name(-r));
                if (a->knob == KNOB_ADVISOR_MODE && p->mode_resets_pages && r >= 0) {
                        /* Switching the mode back reset pages_to_scan once more. */
                        _cleanup_free_ char *now = NULL;
                        if (ksm_sysfs_read(sys, "pages_to_scan", &now) >= 0 && !streq(now, p->pages_before) &&
                            ksm_sysfs_write(sys, "pages_to_scan", p->pages_before) < 0)
                                report_warning(rep, "rollback failed: %s/pages_to_scan: could not restore %s",
                                               SYSFS_KSM_DIR, p->pages_before);
                }
        }
}
