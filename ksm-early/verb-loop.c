/* ksm-early loop (spec §12): the optional adaptive mode, KubeVirt virt-handler's pressure rule.
 * Each tick is an apply with activation "OnPressure" (same plan, same order, same rollback, same
 * outputs) plus the pages_to_scan / sleep_millisecs / run writes the rule of loop.c computes from
 * /proc/meminfo. A tick holds the run directory's lock; the wait between ticks does not. SIGHUP
 * ticks at once, SIGTERM/SIGINT end the loop between ticks (never inside one), KSM left as is. */
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
        int run_fd, nfd_fd;
        bool run_dir_created;
        struct file_txn txn;
        size_t knobs_done;
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

static int open_nfd_and_run_dir(struct tick *t) {
        const struct ksm_config *cfg = &t->lr->cfg;
        if (cfg->nfd_dir) {
                t->nfd_fd = open(cfg->nfd_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (t->nfd_fd < 0 || faccessat(t->nfd_fd, ".", W_OK, AT_EACCESS) < 0) {
                        report_error(&t->rep, "E17", EXIT_BUSY, "NFD directory not writable: %s: %s", cfg->nfd_dir,
                                     strerror(errno));
                        return -1;
                }
        }
        t->run_fd = open(cfg->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (t->run_fd < 0 && errno == ENOENT) {
                /* Made now and removed again if this tick ends up writing nothing (E21, refusals). */
                _cleanup_free_ char *d = strdup(cfg->run_dir), *b = strdup(cfg->run_dir);
                _cleanup_close_ int pfd = d && b ? open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
                int r = pfd < 0 ? negerrno() : fs_mkdirat(pfd, basename(b), 0755);
                if (r < 0 && r != -EEXIST) {
                        report_error(&t->rep, "E17", EXIT_BUSY, "cannot create run directory: %s: %s", cfg->run_dir,
                                     strerror(-r));
                        return -1;
                }
                if (r >= 0) {
                        t->run_dir_created = true;
                        (void)fchmodat(pfd, basename(b), 0755, 0); /* whatever the umask */
                        fs_fsync(pfd);
                }
                t->run_fd = open(cfg->run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (t->run_fd < 0 || faccessat(t->run_fd, ".", W_OK, AT_EACCESS) < 0) {
                report_error(&t->rep, "E17", EXIT_BUSY, "run directory not writable: %s: %s", cfg->run_dir, strerror(errno));
                return -1;
        }
        int r = run_dir_lock(t->run_fd);
        if (r < 0) {
                report_error(&t->rep, "E17", EXIT_BUSY, "cannot lock run directory: %s: %s", cfg->run_dir,
                             r == -EBUSY ? "held by another run" : strerror(-r));
                return -1;
        }
        return 0;
}

static void remove_created_run_dir(struct tick *t) {
        if (!t->run_dir_created)
                return;
        const char *dir = t->lr->cfg.run_dir;
        _cleanup_free_ char *d = strdup(dir), *b = strdup(dir);
        _cleanup_close_ int pfd = d && b ? open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (pfd < 0 || fs_unlinkat(pfd, basename(b), AT_REMOVEDIR) < 0 || fs_fsync(pfd) < 0)
                report_warning(&t->rep, "rollback failed: %s: could not remove the directory", dir);
        t->run_dir_created = false;
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
                /* managed: true reaches the disk before run=1 (tick_write), as in apply. */
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
        int r = run_state_load(t->run_fd, cfg->run_dir, cfg->boot_id, &old, &t->rep);
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

/* Writes one file of the tick through the transaction; text is consumed. */
static int publish_file(struct tick *t, int dirfd, const char *dir, const char *name, char *text) {
        _cleanup_free_ char *owned = text;
        int r = owned ? file_txn_write(&t->txn, dirfd, name, owned, strlen(owned), 0644) : -ENOMEM;
        if (r < 0)
                report_error(&t->rep, "E17", EXIT_BUSY, "cannot write output: %s/%s: %s", dir, name, strerror(-r));
        return r;
}

static char *state_text(const struct ksm_state *s) {
        char *text = NULL;
        size_t len;
        return ksm_state_render(s, &text, &len) < 0 ? NULL : text;
}

/* §9 outputs, then the final state, as apply writes them. */
static int publish(struct tick *t) {
        const struct ksm_config *cfg = &t->lr->cfg;
        const struct policy *pol = &cfg->policy;
        const struct plan *p = &t->plan;
        json_t *status = output_status_json(cfg, p);
        struct { int fd; const char *dir, *name; char *text; } files[] = {
                { t->run_fd, cfg->run_dir, OUT_NODE_LABELS, output_node_labels(pol, p->eligible) },
                { t->run_fd, cfg->run_dir, OUT_NODE_ANNOTATIONS, output_node_annotations(pol, p->managed_after) },
                { t->run_fd, cfg->run_dir, OUT_KUBELET_ENV, output_kubelet_env(pol, p->eligible) },
                { t->nfd_fd, cfg->nfd_dir, OUT_NFD_FILE, t->nfd_fd < 0 ? NULL : output_nfd(pol, p->eligible, p->managed_after) },
                { t->run_fd, cfg->run_dir, OUT_STATUS_JSON, output_json_text(status) },
                { t->run_fd, cfg->run_dir, STATE_FILE, state_text(&p->state) },
        };
        json_decref(status);
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (r >= 0 && files[i].fd >= 0)
                        r = publish_file(t, files[i].fd, files[i].dir, files[i].name, TAKE_PTR(files[i].text));
                else
                        free(files[i].text);
        return r < 0 ? -1 : 0;
}

static void rollback(struct tick *t) {
        plan_rollback_knobs(&t->sys, &t->plan, t->knobs_done, &t->rep);
        file_txn_rollback(&t->txn, &t->rep);
        remove_created_run_dir(t);
}

static int tick_write(struct tick *t) {
        struct plan *p = &t->plan;
        if (p->persist_first && p->n_actions > 0) {
                /* Never under-claim (§6): while writes are pending, the state says managed if
                 * either the old or the new decision does. */
                bool after = p->state.managed;
                p->state.managed = p->managed_before || after;
                int r = publish_file(t, t->run_fd, t->lr->cfg.run_dir, STATE_FILE, state_text(&p->state));
                p->state.managed = after;
                if (r < 0) {
                        rollback(t);
                        return -1;
                }
        }
        int r = plan_write_knobs(&t->sys, p, &t->knobs_done, &t->rep);
        if (r == -1) {
                rollback(t);
                return -1;
        }
        for (size_t i = 0; i < t->knobs_done; i++)
                log_info("%s: %s -> %s", knob_table[p->actions[i].knob].file, p->actions[i].from, p->actions[i].to);
        if (publish(t) < 0) {
                rollback(t);
                return -1;
        }
        return 0;
}

static void print_dry_run(const struct tick *t) {
        const struct plan *p = &t->plan;
        for (size_t i = 0; i < p->n_actions; i++)
                printf("write %s: %s -> %s\n", knob_table[p->actions[i].knob].file, p->actions[i].from, p->actions[i].to);
        if (p->n_actions == 0)
                printf("no kernel writes\n");
        if (t->ruled && !t->skipped)
                printf("pressure %s: pages_to_scan %" PRIu64 ", sleep_millisecs %" PRIu64 ", %s\n",
                       t->res.pressure ? "yes" : "no", t->res.pages, t->res.sleep_ms, t->res.running ? "running" : "stopped");
        printf("label %s=%s\n", t->lr->cfg.policy.enabled_label, p->eligible ? "true" : "false");
        printf("annotation %s=%s\n", t->lr->cfg.policy.managed_annotation, p->managed_after ? "true" : "false");
}

static json_t *tick_json(const struct tick *t, size_t n_actions) {
        /* After a rolled-back failure the plan's values are not the truth: error only. */
        bool show = t->have_plan && !t->skipped && (!t->rep.code || streq(t->rep.code, "E14"));
        json_t *o = show ? output_status_json(&t->lr->cfg, &t->plan) : json_pack("{s:i}", "version", 1);
        json_t *actions = json_array(), *warnings = json_array();
        for (size_t i = 0; show && i < n_actions; i++)
                json_array_append_new(actions, json_pack("{s:s, s:s, s:s}", "file", knob_table[t->plan.actions[i].knob].file,
                                                         "from", t->plan.actions[i].from, "to", t->plan.actions[i].to));
        for (size_t i = 0; i < t->rep.warnings.n; i++)
                json_array_append_new(warnings, json_string(t->rep.warnings.v[i]));
        json_t *loop = json_pack("{s:b}", "skipped", t->skipped);
        if (t->ruled)
                json_object_update_new(loop, json_pack("{s:I, s:I}", "memTotal", (json_int_t)t->mem_total,
                                                       "memAvailable", (json_int_t)t->mem_available));
        if (t->ruled && !t->skipped)
                json_object_update_new(loop, json_pack("{s:b, s:b, s:I, s:I}", "pressure", t->res.pressure,
                                                       "running", t->res.running, "pagesToScan", (json_int_t)t->res.pages,
                                                       "sleepMillisecs", (json_int_t)t->res.sleep_ms));
        json_object_set_new(o, "loop", loop);
        json_object_set_new(o, "actions", actions);
        json_object_set_new(o, "warnings", warnings);
        json_object_set_new(o, "error", !t->rep.code ? json_null() :
                            json_pack("{s:s, s:i, s:s}", "code", t->rep.code, "exit", t->rep.exit, "message",
                                      t->rep.errors.n ? t->rep.errors.v[0] : ""));
        if (t->lr->ctx->dry_run)
                json_object_set_new(o, "dryRun", json_true());
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
        struct tick t = { .lr = lr, .run_fd = -1, .nfd_fd = -1, .sys = { .dirfd = -1 } };
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
                t.run_fd = open(lr->cfg.run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (tick_plan(&t) >= 0 && !t.skipped) {
                        if (!lr->ctx->json)
                                print_dry_run(&t);
                        shown = t.plan.n_actions;
                }
                goto out;
        }
        if (open_nfd_and_run_dir(&t) < 0 || tick_plan(&t) < 0 || t.skipped) {
                remove_created_run_dir(&t);
                goto out;
        }
        tick_write(&t);
        shown = t.knobs_done;
out:;
        int rc = tick_finish(&t, shown);
        file_txn_free(&t.txn);
        if (t.have_plan)
                plan_free(&t.plan);
        ksm_sysfs_close(&t.sys);
        if (t.run_fd >= 0)
                close(t.run_fd); /* releases the lock until the next tick */
        if (t.nfd_fd >= 0)
                close(t.nfd_fd);
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
