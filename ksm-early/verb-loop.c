/* ksm-early loop (spec §12): the optional adaptive mode, KubeVirt virt-handler's pressure rule.
 * Each tick is an apply with activation "OnPressure" (same plan, same order, same rollback, same
 * outputs) plus the pages_to_scan / sleep_millisecs / run writes the rule of loop.c computes from
 * /proc/meminfo. A tick holds the run directory's lock; the wait between ticks does not. SIGHUP
 * ticks at once, SIGTERM/SIGINT end the loop between ticks (never inside one), KSM left as is. */
#include "commit.h"
#include "engine.h"
#include "ksm-early.h"
#include "loop.h"
#include "outputs.h"
#include "runstate.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/fsops.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "lib/parse.h"
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

/* What lasts from one tick to the next. */
struct loop_run {
        const struct ksm_ctx *ctx;
        struct ksm_config cfg;  /* the last good policy and labels (§12 step 1) */
        bool have_cfg;
        strv last_warnings;     /* a warning is repeated only when the previous tick did not give it */
};

struct tick {
        struct loop_run *lr;
        struct report rep;
        struct ksm_sysfs sys;
        struct plan plan;
        bool have_plan;
        struct ksm_commit k;
        bool ruled;             /* the pressure rule ran (eligible, not an external owner) */
        bool skipped;           /* E21 */
        uint64_t mem_total, mem_available;
        struct loop_result res;
};

/* §12 step 1. The first load decides the exit code; later a bad policy or label set is logged
 * and the last good one kept, so a typo never stops or starts KSM. */
static int reload_config(struct loop_run *lr, struct report *rep) {
        struct ksm_config cfg;
        struct report r = {};
        int ok = ksm_config_load(lr->ctx, &cfg, &r);
        if (ok >= 0) {
                _cleanup_strv_ strv errors = {};
                int k = loop_policy_check(&cfg.policy, cfg.policy_path ? cfg.policy_path : "policy", &errors);
                for (size_t i = 0; i < errors.n; i++)
                        report_error(&r, "E6", EXIT_INVALID, "invalid policy: %s", errors.v[i]);
                if (k == -ENOMEM)
                        report_error(&r, "E8", EXIT_ENV, "out of memory");
                ok = k < 0 ? -1 : 0;
        }
        if (ok < 0 && !lr->have_cfg) {
                report_errors(rep, r.code, r.exit, &r.errors);
                for (size_t i = 0; i < r.warnings.n; i++)
                        strv_push(&rep->warnings, r.warnings.v[i]);
                report_free(&r);
                ksm_config_free(&cfg);
                return -1;
        }
        if (ok < 0) {
                for (size_t i = 0; i < r.errors.n; i++)
                        log_error("%s", r.errors.v[i]);
                report_warning(rep, "policy or labels invalid (%s): keeping the last good ones", r.code);
                ksm_config_free(&cfg);
        } else {
                if (lr->have_cfg)
                        ksm_config_free(&lr->cfg);
                lr->cfg = cfg;
                lr->have_cfg = true;
        }
        for (size_t i = 0; i < r.warnings.n; i++)
                strv_push(&rep->warnings, r.warnings.v[i]);
        report_free(&r);
        return 0;
}

/* Sets knob k to `to` after this tick. A knob the plan writes already (run, restored after a
 * reconfiguration's run=2) has that write retargeted, so no knob is written twice (§8.1). */
static int plan_set_knob(struct plan *p, enum knob k, const char *from_text, const char *to) {
        char from[KNOB_TEXT_MAX];
        snprintf(from, sizeof from, "%s", from_text); /* it may be p->final[k] itself */
        p->final_set[k] = true;
        snprintf(p->final[k], KNOB_TEXT_MAX, "%s", to);
        for (size_t i = p->n_actions; i-- > 0;)
                if (p->actions[i].knob == k) {
                        snprintf(p->actions[i].to, KNOB_TEXT_MAX, "%s", to);
                        return 0;
                }
        if (streq(from, to))
                return 0;
        if (p->n_actions == ELEMENTSOF(p->actions))
                return -ENOSPC;
        struct action *a = &p->actions[p->n_actions++];
        *a = (struct action){ .knob = k };
        snprintf(a->from, KNOB_TEXT_MAX, "%s", from);
        snprintf(a->to, KNOB_TEXT_MAX, "%s", to);
        /* previous: the value before ksm-early first wrote the knob this boot, never overwritten */
        if (labels_get(&p->state.previous, knob_table[k].file))
                return 0;
        return labels_set(&p->state.previous, knob_table[k].file, from);
}

/* The current value of a knob the rule needs, as a u32; E15 when the kernel lacks it. */
static int read_u32_knob(struct tick *t, enum knob k, char text[KNOB_TEXT_MAX], uint32_t *ret) {
        _cleanup_free_ char *v = NULL;
        int r = ksm_sysfs_read(&t->sys, knob_table[k].file, &v);
        if (r >= 0)
                r = parse_uint_bounded(v, UINT32_MAX, ret);
        if (r < 0) {
                const char *got = v ? v : errno_name(-r);
                report_error(&t->rep, "E15", EXIT_IO, "cannot read %s/%s: expected a number, got %s", SYSFS_KSM_DIR,
                             knob_table[k].file, got ? got : "an error");
                return -1;
        }
        snprintf(text, KNOB_TEXT_MAX, "%s", v);
        return 0;
}

static int read_meminfo(struct tick *t) {
        const struct ksm_config *cfg = &t->lr->cfg;
        _cleanup_free_ char *path = paths_proc(&cfg->paths, PROC_MEMINFO), *buf = NULL;
        size_t len = 0;
        int r = path ? read_file_max(path, 256 * 1024, &buf, &len) : -ENOMEM;
        if (r >= 0 && meminfo_parse(buf, len, &t->mem_total, &t->mem_available) < 0) {
                report_error(&t->rep, "E8", EXIT_ENV,
                             "cannot read memory sizes: %s: expected MemTotal and MemAvailable in kB, got neither or not both",
                             path);
                return -1;
        }
        if (r < 0)
                report_error(&t->rep, "E8", EXIT_ENV, "cannot read memory sizes: %s: %s", path ? path : PROC_MEMINFO,
                             strerror(-r));
        return r < 0 ? -1 : 0;
}

/* §12 steps 2-7 on top of the plan apply would make: who owns KSM, the rule, the writes. */
static int rule_step(struct tick *t, const struct ksm_snapshot *snap) {
        struct plan *p = &t->plan;
        const char *run_now = snap->value[KNOB_RUN];
        if (!p->eligible || (streq(run_now, "1") && !p->managed_before))
                return 0; /* ineligible: the plan stops a managed KSM; external owner (E19): the tick ends */
        if (read_meminfo(t) < 0)
                return -1;
        t->ruled = true;
        char pages_text[KNOB_TEXT_MAX], sleep_text[KNOB_TEXT_MAX];
        uint32_t pages, sleep_now;
        if (read_u32_knob(t, KNOB_PAGES_TO_SCAN, pages_text, &pages) < 0 ||
            read_u32_knob(t, KNOB_SLEEP_MILLISECS, sleep_text, &sleep_now) < 0)
                return -1;
        if (p->mode_resets_pages) {
                pages = 100; /* the plan's advisor_mode write resets it first */
                snprintf(pages_text, sizeof pages_text, "100");
        }
        bool running = streq(run_now, "1");
        if (loop_tick_compute(&t->lr->cfg.policy.loop, t->mem_total, t->mem_available, pages, running, &t->res) == -EDOM) {
                t->skipped = true;
                report_warning(&t->rep, "tick skipped (E21): MemAvailable %" PRIu64 " kB >= MemTotal %" PRIu64
                               " kB in %s/%s; nothing written", t->mem_available, t->mem_total,
                               t->lr->cfg.paths.proc, PROC_MEMINFO);
                return 0;
        }
        char want_pages[KNOB_TEXT_MAX], want_sleep[KNOB_TEXT_MAX];
        snprintf(want_pages, sizeof want_pages, "%" PRIu64, t->res.pages);
        snprintf(want_sleep, sizeof want_sleep, "%" PRIu64, t->res.sleep_ms);
        const char *run_planned = p->final_set[KNOB_RUN] ? p->final[KNOB_RUN] : run_now;
        int r = 0;
        if (t->res.running) {
                _cleanup_free_ char *raw = NULL, *mode = NULL;
                const char *policy_mode = t->lr->cfg.policy.tuning_set[KNOB_ADVISOR_MODE] ?
                                          t->lr->cfg.policy.tuning[KNOB_ADVISOR_MODE] : NULL;
                if (!policy_mode && ksm_sysfs_read(&t->sys, "advisor_mode", &raw) >= 0 &&
                    knob_value_normalize(KNOB_ADVISOR_MODE, raw, &mode) >= 0 && streq(mode, "scan-time")) {
                        report_error(&t->rep, "E12", EXIT_IO,
                                     "cannot set pages_to_scan to %s: advisor_mode is \"scan-time\", where the kernel "
                                     "answers EINVAL; set tuning.advisor.mode \"none\"", want_pages);
                        return -1;
                }
                /* managed: true reaches the disk before run=1 (commit_write), as in apply. */
                p->managed_after = p->state.managed = true;
                p->persist_first = true;
                r = plan_set_knob(p, KNOB_SLEEP_MILLISECS, sleep_text, want_sleep);
                if (r >= 0)
                        r = plan_set_knob(p, KNOB_PAGES_TO_SCAN, pages_text, want_pages);
                if (r >= 0)
                        r = plan_set_knob(p, KNOB_RUN, run_planned, "1");
        } else {
                /* Decayed to the floor: only run=0; managed: false once that write landed. */
                if (running)
                        r = plan_set_knob(p, KNOB_RUN, run_planned, "0");
                p->managed_after = p->state.managed = false;
        }
        if (r < 0)
                report_error(&t->rep, "E8", EXIT_ENV, "out of memory");
        return r < 0 ? -1 : 0;
}

static int tick_plan(struct tick *t) {
        const struct ksm_config *cfg = &t->lr->cfg;
        struct ksm_state old;
        int r = run_state_load(t->k.run_fd, cfg->run_dir, cfg->boot_id, &old, &t->rep);
        struct ksm_snapshot snap;
        if (r >= 0) {
                ksm_snapshot_read(&t->sys, &cfg->policy, &snap);
                r = plan_build(cfg, &snap, &old, &t->plan, &t->rep);
                ksm_state_free(&old);
                t->have_plan = true;
        }
        if (r >= 0)
                r = rule_step(t, &snap);
        if (r < 0 && !t->rep.code)
                report_error(&t->rep, "E8", EXIT_ENV, "out of memory");
        return r < 0 ? -1 : 0;
}

static void print_dry_run(const struct tick *t) {
        char line[160];
        if (t->ruled && !t->skipped)
                snprintf(line, sizeof line, "pressure %s: pages_to_scan %" PRIu64 ", sleep_millisecs %" PRIu64 ", %s",
                         t->res.pressure ? "yes" : "no", t->res.pages, t->res.sleep_ms, t->res.running ? "running" : "stopped");
        commit_print_dry_run(&t->lr->cfg, &t->plan, t->ruled && !t->skipped ? line : NULL);
}

static json_t *tick_json(const struct tick *t, size_t n_actions) {
        /* After a rolled-back failure the plan's values are not the truth: error only. */
        bool show = t->have_plan && !t->skipped && (!t->rep.code || streq(t->rep.code, "E14"));
        json_t *o = commit_result_json(&t->lr->cfg, &t->plan, show, n_actions, &t->rep, t->lr->ctx->dry_run);
        json_t *loop = json_pack("{s:b}", "skipped", t->skipped);
        if (t->ruled)
                json_object_update_new(loop, json_pack("{s:I, s:I}", "memTotal", (json_int_t)t->mem_total,
                                                       "memAvailable", (json_int_t)t->mem_available));
        if (t->ruled && !t->skipped)
                json_object_update_new(loop, json_pack("{s:b, s:b, s:I, s:I}", "pressure", t->res.pressure,
                                                       "running", t->res.running, "pagesToScan", (json_int_t)t->res.pages,
                                                       "sleepMillisecs", (json_int_t)t->res.sleep_ms));
        json_object_set_new(o, "loop", loop);
        return o;
}

/* Messages of the tick (a warning the previous tick gave already is not repeated), --json. */
static int tick_finish(struct tick *t, size_t n_actions) {
        struct loop_run *lr = t->lr;
        for (size_t i = 0; i < t->rep.warnings.n; i++)
                if (!strv_contains(&lr->last_warnings, t->rep.warnings.v[i]))
                        log_warning("%s", t->rep.warnings.v[i]);
        for (size_t i = 0; i < t->rep.errors.n; i++)
                log_error("%s", t->rep.errors.v[i]);
        strv_free(&lr->last_warnings);
        lr->last_warnings = t->rep.warnings;
        t->rep.warnings = (strv){};
        if (t->ruled && !t->skipped && !t->rep.code)
                log_info("tick: MemAvailable %" PRIu64 " of %" PRIu64 " kB, pressure %s: %s, pages_to_scan %" PRIu64
                         ", sleep_millisecs %" PRIu64, t->mem_available, t->mem_total, t->res.pressure ? "yes" : "no",
                         t->res.running ? "running" : "stopped", t->res.pages, t->res.sleep_ms);
        if (lr->ctx->json) {
                json_t *o = tick_json(t, n_actions);
                _cleanup_free_ char *text = output_json_text(o);
                json_decref(o);
                if (text) {
                        fputs(text, stdout);
                        fflush(stdout);
                }
        }
        return t->rep.code ? t->rep.exit : EXIT_OK;
}

static int tick(struct loop_run *lr) {
        struct tick t = { .lr = lr, .sys = { .dirfd = -1 } };
        t.k = (struct ksm_commit){ .cfg = &lr->cfg, .rep = &t.rep, .sys = &t.sys, .plan = &t.plan, .run_fd = -1, .nfd_fd = -1 };
        size_t shown = 0;
        if (reload_config(lr, &t.rep) < 0)
                goto out;
        int r = ksm_sysfs_open(lr->cfg.paths.sysfs, &t.sys);
        if (r < 0 && r != -ENOENT && r != -ENOTDIR) {
                report_error(&t.rep, "E8", EXIT_ENV, "cannot open %s/%s: %s", lr->cfg.paths.sysfs, SYSFS_KSM_DIR,
                             strerror(-r));
                goto out;
        }
        if (lr->ctx->dry_run) {
                /* No lock, no directory, no write: read what is there and say what would happen. */
                t.k.run_fd = open(lr->cfg.run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (tick_plan(&t) >= 0 && !t.skipped) {
                        if (!lr->ctx->json)
                                print_dry_run(&t);
                        shown = t.plan.n_actions;
                }
                goto out;
        }
        if (commit_open_dirs(&t.k, NULL, NULL) < 0 || tick_plan(&t) < 0 || t.skipped) {
                commit_remove_created_run_dir(&t.k); /* made for this tick, which writes nothing */
                goto out;
        }
        commit_write(&t.k);
        shown = t.k.knobs_done;
out:;
        int rc = tick_finish(&t, shown);
        commit_free(&t.k); /* releases the lock until the next tick */
        if (t.have_plan)
                plan_free(&t.plan);
        ksm_sysfs_close(&t.sys);
        report_free(&t.rep);
        return rc;
}

/* Waits up to `seconds` for SIGHUP, SIGTERM or SIGINT (blocked, so one arriving during a tick
 * waits here). The signal, or 0 when the interval passed. */
static int wait_next_tick(const sigset_t *sigs, unsigned seconds) {
        struct timespec now, end;
        clock_gettime(CLOCK_MONOTONIC, &end);
        end.tv_sec += seconds;
        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                struct timespec left = { .tv_sec = end.tv_sec - now.tv_sec, .tv_nsec = end.tv_nsec - now.tv_nsec };
                if (left.tv_nsec < 0) {
                        left.tv_sec--;
                        left.tv_nsec += 1000000000L;
                }
                if (left.tv_sec < 0)
                        return 0;
                int sig = sigtimedwait(sigs, NULL, &left);
                if (sig > 0)
                        return sig;
                if (errno == EAGAIN)
                        return 0;
        }
}

int verb_loop(const struct ksm_ctx *ctx) {
        if (ctx->interval_set && (ctx->interval < LOOP_INTERVAL_MIN || ctx->interval > LOOP_INTERVAL_MAX)) {
                log_error("invalid --interval: expected %d..%d seconds, got %u", LOOP_INTERVAL_MIN, LOOP_INTERVAL_MAX,
                          ctx->interval);
                return EXIT_INVALID;
        }
        sigset_t sigs;
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGHUP);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        if (!ctx->once && sigprocmask(SIG_BLOCK, &sigs, NULL) < 0) {
                log_error("cannot block signals: %s", strerror(errno));
                return EXIT_ENV;
        }
        struct loop_run lr = { .ctx = ctx };
        int rc = tick(&lr);
        /* A policy that is bad from the start ends the loop (exit 2, nothing written); any
         * later failure is logged and the next tick tries again. */
        while (!ctx->once && lr.have_cfg) {
                unsigned interval = ctx->interval_set ? ctx->interval : (unsigned)lr.cfg.policy.loop.interval_seconds;
                int sig = wait_next_tick(&sigs, interval);
                if (sig == SIGTERM || sig == SIGINT) {
                        log_notice("%s: loop ends, KSM left as it is", signal_name(sig) ? signal_name(sig) : "signal");
                        rc = EXIT_OK;
                        break;
                }
                rc = tick(&lr);
        }
        strv_free(&lr.last_warnings);
        if (lr.have_cfg)
                ksm_config_free(&lr.cfg);
        return rc;
}
