/* startall: the onboot guests in order groups, with the node's onboot delay under --boot. */
#include "plan.h"
#include "session.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"

static void on_wait(struct engine *e, const struct task *t, uint32_t seconds, bool serial) {
        struct session *s = e->userdata;
        if (s->c->quiet)
                return;
        if (serial)
                printf("Waiting %u s (startup delay of %s %u) before the next guest\n", seconds,
                       guest_type_word(t->g->type), t->g->id);
        else
                printf("Waiting %u s (largest startup delay of the group, %s %u) before the next group\n", seconds,
                       guest_type_word(t->g->type), t->g->id);
        fflush(stdout);
}

/* An interrupted boot start: systemd will not run ExecStop for a start that never completed, so
 * the guests started so far are stopped again, in stop order. */
static void undo_boot_start(struct session *s, struct task *tasks, size_t n) {
        size_t k = 0;
        _cleanup_free_ struct task *undo = calloc(n + 1, sizeof *undo);
        if (!undo)
                return;
        for (size_t i = n; i-- > 0;)
                if (tasks[i].started)
                        undo[k++] = (struct task){ .g = tasks[i].g };
        if (k == 0)
                return;
        if (!s->c->quiet)
                printf("Interrupted during boot: stopping the %zu guest%s started so far\n", k, k == 1 ? "" : "s");
        const char *verb = s->verb;
        s->verb = "stopall";
        struct engine e = { .tasks = undo, .n = k, .parallel = 1, .sigfd = -1, .step = stop_step, .userdata = s };
        engine_run(&e);
        s->verb = verb;
        for (size_t i = 0; i < k; i++)
                task_done(&undo[i]);
}

int verb_startall(struct ctx *c) {
        struct guest_set set = {};
        struct nodeconf node;
        struct session s;
        struct task *tasks;
        size_t n;
        int exit = session_open_run(&s, c, PLAN_START, "startall", &set, &node, &tasks, &n);
        if (exit || n == 0)
                return exit;
        uint32_t delay = c->boot ? node.onboot_delay : 0;
        session_run_begin(&s, n, delay);

        struct engine e = { .tasks = tasks, .n = n, .parallel = c->parallel, .delays = true, .sigfd = c->sigfd,
                            .step = start_step, .on_wait = on_wait, .userdata = &s };
        if (delay > 0) {
                if (!c->quiet)
                        printf("%s %u s (startall-onboot-delay) before the first guest\n",
                               c->dry_run ? "Would wait" : "Waiting", delay);
                fflush(stdout);
                int signo = 0;
                if (!c->dry_run && runner_sleep_until(s.mono0 + (uint64_t)delay * 1000u, c->sigfd, &signo) == -EINTR) {
                        e.interrupted = true;
                        e.signo = signo;
                        for (size_t i = 0; i < n; i++)
                                tasks[i].outcome = OUTCOME_INTERRUPTED;
                }
        }
        int r = e.interrupted ? 0 : engine_run(&e);
        if (r < 0)
                log_error("launcher failure: %s", strerror(-r));
        if (e.interrupted) {
                log_error("interrupted by signal %d: no further guest is started", e.signo);
                session_log_unreached(&s, tasks, n, "start");
                if (c->boot)
                        undo_boot_start(&s, tasks, n);
        }
        struct counts k = session_count(tasks, n);
        if (c->dry_run)
                printf("startall: %zu planned (dry run)\n", n);
        else
                printf("startall: %u started, %u failed in %.1f s\n", k.ok, k.failed + k.timeout,
                       (double)(mono_ms() - s.mono0) / 1000.0);
        if (!c->dry_run && (k.skipped || k.interrupted))
                printf("startall: %u skipped (already running), %u interrupted\n", k.skipped, k.interrupted);
        exit = session_run_end(&s, &k, &e);
        if (r < 0)
                exit = EXIT_IO;
        session_close_run(&s, tasks, n, &set);
        return exit;
}
