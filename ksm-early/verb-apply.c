/* ksm-early apply (the default verb): decide once per boot, write what differs, publish.
 * Order (spec §7, §8.3): validate everything; plan from reads; refuse before any write; persist
 * the state before run=1; knobs in order; outputs; the final state. Any failure after the first
 * write is undone (§8.4) so the tree is either fully applied or as it was. */
#include "commit.h"
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
        struct ksm_commit k;
};

/* Prints the result (--json on stdout, errors on stderr) and gives the exit code. */
static int finish(struct apply_run *a, size_t n_actions) {
        report_print_errors(&a->rep);
        if (a->ctx->json) {
                /* After a rolled-back failure the plan's values are not the truth: error only. */
                bool show = a->have_plan && (!a->rep.code || streq(a->rep.code, "E14"));
                json_t *o = commit_result_json(&a->cfg, &a->plan, show, n_actions, &a->rep, a->ctx->dry_run);
                _cleanup_free_ char *text = output_json_text(o);
                json_decref(o);
                if (text)
                        fputs(text, stdout);
        }
        return a->rep.code ? a->rep.exit : EXIT_OK;
}

static int plan_now(struct apply_run *a, struct report *rep) {
        struct ksm_state old;
        int r = run_state_load(a->k.run_fd, a->cfg.run_dir, a->cfg.boot_id, &old, rep);
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

/* Refusals must not leave a new run directory behind: plan once before creating it. Its
 * warnings come again from the plan made under the lock. */
static int plan_before_create(void *userdata) {
        struct apply_run *a = userdata;
        struct report pre = {};
        int r = plan_now(a, &pre);
        if (r < 0) {
                report_errors(&a->rep, pre.code ? pre.code : "E17", pre.code ? pre.exit : EXIT_BUSY, &pre.errors);
                for (size_t i = 0; i < pre.warnings.n; i++)
                        strv_push(&a->rep.warnings, pre.warnings.v[i]);
        }
        report_free(&pre);
        return r < 0 ? -1 : 0;
}

static int apply_locked(struct apply_run *a) {
        /* The authoritative plan, under the lock (a concurrent run may just have finished). */
        if (plan_now(a, &a->rep) < 0)
                return -1;
        return commit_write(&a->k);
}

int verb_apply(const struct ksm_ctx *ctx) {
        struct apply_run a = { .ctx = ctx, .sys = { .dirfd = -1 } };
        a.k = (struct ksm_commit){ .cfg = &a.cfg, .rep = &a.rep, .sys = &a.sys, .plan = &a.plan, .run_fd = -1, .nfd_fd = -1 };
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
                a.k.run_fd = open(a.cfg.run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (plan_now(&a, &a.rep) >= 0) {
                        if (!ctx->json)
                                commit_print_dry_run(&a.cfg, &a.plan, NULL);
                        shown = a.plan.n_actions;
                }
                goto out;
        }
        if (commit_open_dirs(&a.k, plan_before_create, &a) >= 0) {
                apply_locked(&a);
                if (a.have_plan)
                        shown = a.k.knobs_done;
        }
out:;
        int rc = finish(&a, shown);
        commit_free(&a.k);
        if (a.have_plan)
                plan_free(&a.plan);
        ksm_sysfs_close(&a.sys);
        ksm_config_free(&a.cfg);
        report_free(&a.rep);
        return rc;
}
