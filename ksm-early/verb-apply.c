/* ksm-early apply (the default verb): decide once per boot, write what differs, publish.
 * Order (spec §7, §8.3): validate everything; plan from reads; refuse before any write; persist
 * the state before run=1; knobs in order; outputs; the final state. Any failure after the first
 * write is undone (§8.4) so the tree is either fully applied or as it was. */
#include "engine.h"
#include "ksm-early.h"
#include "outputs.h"
#include "runstate.h"
#include "lib/exitcode.h"
#include "lib/fsops.h"
#include "lib/log.h"
#include "lib/macro.h"
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>

struct apply_run {
        const struct ksm_ctx *ctx;
        struct ksm_config cfg;
        struct report rep;
        struct ksm_sysfs sys;
        struct plan plan;
        bool have_plan;
        int run_fd, nfd_fd;
        bool run_dir_created;
        struct file_txn txn;
        size_t knobs_done;
};

static json_t *actions_json(const struct plan *p, size_t n) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "file", knob_table[p->actions[i].knob].file,
                                                   "from", p->actions[i].from, "to", p->actions[i].to));
        return a;
}

/* Prints the result (--json on stdout, errors on stderr) and gives the exit code. */
static int finish(struct apply_run *a, size_t n_actions) {
        report_print_errors(&a->rep);
        if (a->ctx->json) {
                /* After a rolled-back failure the plan's values are not the truth: error only. */
                bool show = a->have_plan && (!a->rep.code || streq(a->rep.code, "E14"));
                json_t *o = show ? output_status_json(&a->cfg, &a->plan) : json_pack("{s:i}", "version", 1);
                json_t *w = json_array();
                for (size_t i = 0; i < a->rep.warnings.n; i++)
                        json_array_append_new(w, json_string(a->rep.warnings.v[i]));
                json_object_set_new(o, "actions", show ? actions_json(&a->plan, n_actions) : json_array());
                json_object_set_new(o, "warnings", w);
                json_object_set_new(o, "error", !a->rep.code ? json_null() :
                        json_pack("{s:s, s:i, s:s}", "code", a->rep.code, "exit", a->rep.exit, "message",
                                  a->rep.errors.n ? a->rep.errors.v[0] : ""));
                if (a->ctx->dry_run)
                        json_object_set_new(o, "dryRun", json_true());
                _cleanup_free_ char *text = output_json_text(o);
                json_decref(o);
                if (text)
                        fputs(text, stdout);
        }
        return a->rep.code ? a->rep.exit : EXIT_OK;
}

static int plan_now(struct apply_run *a, struct report *rep) {
        struct ksm_state old;
        int r = run_state_load(a->run_fd, a->cfg.run_dir, a->cfg.boot_id, &old, rep);
        if (r < 0)
                return r;
        struct ksm_snapshot snap;
        ksm_snapshot_read(&a->sys, &a->cfg.policy, &snap);
        if (a->have_plan)
                plan_free(&a->plan);
        r = plan_build(&a->cfg, &snap, &old, &a->plan, rep);
        ksm_state_free(&old);
        a->have_plan = r >= 0;
        if (r < 0)
                plan_free(&a->plan);
        return r;
}

static void print_dry_run(struct apply_run *a) {
        if (a->ctx->json)
                return;
        const struct plan *p = &a->plan;
        for (size_t i = 0; i < p->n_actions; i++)
                printf("write %s: %s -> %s\n", knob_table[p->actions[i].knob].file, p->actions[i].from, p->actions[i].to);
        if (p->n_actions == 0)
                printf("no kernel writes\n");
        printf("label %s=%s\n", a->cfg.policy.enabled_label, p->eligible ? "true" : "false");
        printf("annotation %s=%s\n", a->cfg.policy.managed_annotation, p->managed_after ? "true" : "false");
}

static void remove_created_run_dir(struct apply_run *a) {
        if (!a->run_dir_created)
                return;
        _cleanup_free_ char *d = strdup(a->cfg.run_dir), *b = strdup(a->cfg.run_dir);
        if (!d || !b)
                return;
        _cleanup_close_ int pfd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0 || fs_unlinkat(pfd, basename(b), AT_REMOVEDIR) < 0 || fs_fsync(pfd) < 0)
                report_warning(&a->rep, "rollback failed: %s: could not remove the directory", a->cfg.run_dir);
}

/* §8.4: knobs in reverse order, files back to their old bytes, a directory we made removed. */
static void rollback(struct apply_run *a) {
        plan_rollback_knobs(&a->sys, &a->plan, a->knobs_done, &a->rep);
        file_txn_rollback(&a->txn, &a->rep);
        remove_created_run_dir(a);
}

static int write_file(struct apply_run *a, int dirfd, const char *dir, const char *name, char *text) {
        _cleanup_free_ char *t = text;
        int r = t ? file_txn_write(&a->txn, dirfd, name, t, strlen(t), 0644) : -ENOMEM;
        if (r < 0)
                report_error(&a->rep, "E17", EXIT_BUSY, "cannot write output: %s/%s: %s", dir, name, strerror(-r));
        return r;
}

static int write_state(struct apply_run *a) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = ksm_state_render(&a->plan.state, &text, &len);
        if (r < 0)
                return r;
        return write_file(a, a->run_fd, a->cfg.run_dir, STATE_FILE, TAKE_PTR(text));
}

static int write_outputs(struct apply_run *a) {
        const struct policy *pol = &a->cfg.policy;
        const struct plan *p = &a->plan;
        const char *dir = a->cfg.run_dir;
        if (write_file(a, a->run_fd, dir, OUT_NODE_LABELS, output_node_labels(pol, p->eligible)) < 0 ||
            write_file(a, a->run_fd, dir, OUT_NODE_ANNOTATIONS, output_node_annotations(pol, p->managed_after)) < 0 ||
            write_file(a, a->run_fd, dir, OUT_KUBELET_ENV, output_kubelet_env(pol, p->eligible)) < 0)
                return -1;
        if (a->nfd_fd >= 0 &&
            write_file(a, a->nfd_fd, a->cfg.nfd_dir, OUT_NFD_FILE, output_nfd(pol, p->eligible, p->managed_after)) < 0)
                return -1;
        json_t *st = output_status_json(&a->cfg, p);
        char *text = output_json_text(st);
        json_decref(st);
        if (write_file(a, a->run_fd, dir, OUT_STATUS_JSON, text) < 0)
                return -1;
        return write_state(a) < 0 ? -1 : 0;
}

static int open_dirs(struct apply_run *a) {
        if (a->cfg.nfd_dir) {
                a->nfd_fd = open(a->cfg.nfd_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (a->nfd_fd < 0 || faccessat(a->nfd_fd, ".", W_OK, AT_EACCESS) < 0) {
                        report_error(&a->rep, "E17", EXIT_BUSY, "NFD directory not writable: %s: %s", a->cfg.nfd_dir,
                                     strerror(errno));
                        return -1;
                }
        }
        a->run_fd = open(a->cfg.run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (a->run_fd < 0 && errno == ENOENT) {
                /* Refusals must not leave a new directory behind: plan once before creating it.
                 * Its warnings come again from the plan made under the lock. */
                struct report pre = {};
                int r = plan_now(a, &pre);
                if (r < 0) {
                        report_errors(&a->rep, pre.code ? pre.code : "E17", pre.code ? pre.exit : EXIT_BUSY, &pre.errors);
                        for (size_t i = 0; i < pre.warnings.n; i++)
                                strv_push(&a->rep.warnings, pre.warnings.v[i]);
                        report_free(&pre);
                        return -1;
                }
                report_free(&pre);
                _cleanup_free_ char *d = strdup(a->cfg.run_dir), *b = strdup(a->cfg.run_dir);
                if (!d || !b)
                        return -1;
                _cleanup_close_ int pfd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = pfd < 0 ? negerrno() : fs_mkdirat(pfd, basename(b), 0755);
                if (r >= 0) {
                        a->run_dir_created = true;
                        (void)fchmodat(pfd, basename(b), 0755, 0); /* whatever the umask */
                        fs_fsync(pfd);
                } else if (r != -EEXIST) {
                        report_error(&a->rep, "E17", EXIT_BUSY, "cannot create run directory: %s: %s", a->cfg.run_dir,
                                     strerror(-r));
                        return -1;
                }
                a->run_fd = open(a->cfg.run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (a->run_fd < 0) {
                report_error(&a->rep, "E17", EXIT_BUSY, "run directory not usable: %s: %s", a->cfg.run_dir, strerror(errno));
                return -1;
        }
        if (faccessat(a->run_fd, ".", W_OK, AT_EACCESS) < 0) {
                report_error(&a->rep, "E17", EXIT_BUSY, "run directory not writable: %s: %s", a->cfg.run_dir, strerror(errno));
                return -1;
        }
        int r = run_dir_lock(a->run_fd);
        if (r < 0) {
                report_error(&a->rep, "E17", EXIT_BUSY, "cannot lock run directory: %s: %s", a->cfg.run_dir,
                             r == -EBUSY ? "held by another run" : strerror(-r));
                return -1;
        }
        return 0;
}

static int apply_locked(struct apply_run *a) {
        /* The authoritative plan, under the lock (a concurrent run may just have finished). */
        if (plan_now(a, &a->rep) < 0)
                return -1;
        struct plan *p = &a->plan;
        if (p->persist_first && p->n_actions > 0 && write_state(a) < 0) /* never under-claim (§6) */
                return -1;
        int r = plan_write_knobs(&a->sys, p, &a->knobs_done, &a->rep);
        if (r == -1) {
                rollback(a);
                return -1;
        }
        for (size_t i = 0; i < a->knobs_done; i++)
                log_info("%s: %s -> %s", knob_table[p->actions[i].knob].file, p->actions[i].from, p->actions[i].to);
        /* E14 still publishes: the kernel stopped KSM, so "not managed" is the truth now. */
        if (write_outputs(a) < 0) {
                rollback(a);
                return -1;
        }
        return r;
}

int verb_apply(const struct ksm_ctx *ctx) {
        struct apply_run a = { .ctx = ctx, .run_fd = -1, .nfd_fd = -1, .sys = { .dirfd = -1 } };
        size_t shown = 0;
        if (ksm_config_load(ctx, &a.cfg, &a.rep) < 0)
                goto out;
        int r = ksm_sysfs_open(a.cfg.paths.sysfs, &a.sys);
        if (r < 0 && r != -ENOENT && r != -ENOTDIR) {
                report_error(&a.rep, "E8", EXIT_ENV, "cannot open %s/%s: %s", a.cfg.paths.sysfs, SYSFS_KSM_DIR, strerror(-r));
                goto out;
        }
        if (ctx->dry_run) {
                /* No lock, no directory, no write: read what is there and say what would happen. */
                a.run_fd = open(a.cfg.run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (plan_now(&a, &a.rep) >= 0) {
                        print_dry_run(&a);
                        shown = a.plan.n_actions;
                }
                goto out;
        }
        if (open_dirs(&a) >= 0) {
                apply_locked(&a);
                if (a.have_plan)
                        shown = a.knobs_done;
        }
out:;
        int rc = finish(&a, shown);
        file_txn_free(&a.txn);
        if (a.have_plan)
                plan_free(&a.plan);
        ksm_sysfs_close(&a.sys);
        if (a.run_fd >= 0)
                close(a.run_fd);
        if (a.nfd_fd >= 0)
                close(a.nfd_fd);
        ksm_config_free(&a.cfg);
        report_free(&a.rep);
        return rc;
}
