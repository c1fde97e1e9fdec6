/* What startall and stopall share around the guests: the run lock (holding our pid), the task
 * log with its run-begin/run-end lines, the per-guest steps and the summary counts. */
#pragma once
#include "engine.h"
#include "startall.h"

struct session {
        struct ctx *c;
        const char *verb;
        struct tasklog log;
        int lock_fd;
        uint64_t mono0;
        char *ksm_early;
        bool ksm_looked;
};

/* Takes the lock (stopall: after asking a running startall to give way) and opens the log.
 * Reports its own errors; returns an exit code (0 to go on). */
int session_begin(struct session *s, struct ctx *c, const char *verb);
void session_end(struct session *s);
int session_run_begin(struct session *s, size_t selected, uint32_t delay_s);

/* startall/stopall up to the first guest: configuration and selection (PLAN_START/PLAN_STOP),
 * "VERB: nothing to do", the session and one task per selected guest. Returns an exit code; 0 with
 * *ret_n == 0 is nothing to do. Only when *ret_n > 0 is anything left for session_close_run. */
int session_open_run(struct session *s, struct ctx *c, int plan, const char *verb, struct guest_set *set,
                     struct nodeconf *node, struct task **ret_tasks, size_t *ret_n);
/* Ends the session and frees the tasks and the guests. */
void session_close_run(struct session *s, struct task *tasks, size_t n, struct guest_set *set);

struct counts {
        unsigned ok, forced, failed, skipped, interrupted, timeout;
};
struct counts session_count(const struct task *tasks, size_t n);
/* Logs run-end and returns the exit code: 6 when any guest failed, 128+signal when
 * interrupted, else 0. */
int session_run_end(struct session *s, const struct counts *k, const struct engine *e);
/* Logs an action line for every task the run never reached. */
void session_log_unreached(struct session *s, const struct task *tasks, size_t n, const char *action);

int start_step(struct engine *e, struct task *t, bool job_done);
int stop_step(struct engine *e, struct task *t, bool job_done);
