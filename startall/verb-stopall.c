/* stopall: every defined guest in reverse order groups: shutdown, then a forced stop. */
#include "plan.h"
#include "session.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"

int verb_stopall(struct ctx *c) {
        struct guest_set set = {};
        struct nodeconf node;
        struct session s;
        struct task *tasks;
        size_t n;
        int exit = session_open_run(&s, c, PLAN_STOP, "stopall", &set, &node, &tasks, &n);
        if (exit || n == 0)
                return exit;
        session_run_begin(&s, n, 0);
        struct engine e = { .tasks = tasks, .n = n, .parallel = c->parallel, .sigfd = c->sigfd, .step = stop_step,
                            .userdata = &s };
        int r = engine_run(&e);
        if (r < 0)
                log_error("launcher failure: %s", strerror(-r));
        if (e.interrupted) {
                log_error("interrupted by signal %d: no further guest is stopped", e.signo);
                session_log_unreached(&s, tasks, n, "shutdown");
        }
        struct counts k = session_count(tasks, n);
        if (c->dry_run)
                printf("stopall: %zu planned (dry run)\n", n);
        else
                printf("stopall: %u stopped (%u forced), %u failed in %.1f s\n", k.ok + k.forced, k.forced,
                       k.failed + k.timeout, (double)(mono_ms() - s.mono0) / 1000.0);
        if (!c->dry_run && (k.skipped || k.interrupted))
                printf("stopall: %u skipped (not running), %u interrupted\n", k.skipped, k.interrupted);
        for (size_t i = 0; i < n; i++)
                if (tasks[i].outcome == OUTCOME_TIMEOUT || tasks[i].outcome == OUTCOME_FAILED)
                        log_error("%s %u (%s) may still be running (%s)", guest_type_word(tasks[i].g->type),
                                  tasks[i].g->id, tasks[i].g->name, outcome_name(tasks[i].outcome));
        exit = session_run_end(&s, &k, &e);
        if (r < 0)
                exit = EXIT_IO;
        session_close_run(&s, tasks, n, &set);
        return exit;
}
