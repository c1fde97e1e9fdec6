/* Walking the selected guests group by group (spec §6.2-6.4, §6.8): at most `parallel` guests of a
 * group in flight, the next group after the whole group (plus its delay), signals stopping new
 * work. The per-guest steps (status, start, shutdown, stop) are the verb's. */
#pragma once
#include "guest.h"
#include "runner.h"
#include "tasklog.h"

enum outcome {
        OUTCOME_NONE,
        OUTCOME_OK,
        OUTCOME_FORCED,
        OUTCOME_FAILED,
        OUTCOME_TIMEOUT,
        OUTCOME_SKIPPED_RUNNING,
        OUTCOME_SKIPPED_STOPPED,
        OUTCOME_INTERRUPTED,
        OUTCOME_PLANNED,
};
const char *outcome_name(enum outcome o);

struct task {
        struct guest *g;
        int step;            /* the verb's state */
        strv argv, env;      /* of the current job */
        struct job job;
        enum outcome outcome;
        uint32_t wait_after; /* seconds wanted before the next group */
        bool started;        /* a start ended ok (to undo an interrupted boot) */
};

struct engine;
/* Called with job_done false before the task's first command, then after each of its commands
 * ended. Returns 1 after starting a command (job_start), 0 when the task is finished (outcome
 * set), <0 on a launcher failure. */
typedef int (*engine_step_fn)(struct engine *e, struct task *t, bool job_done);
typedef void (*engine_wait_fn)(struct engine *e, const struct task *t, uint32_t seconds, bool serial);

struct engine {
        struct task *tasks;
        size_t n;
        unsigned parallel;
        bool delays; /* apply wait_after between groups (startall) */
        int sigfd;
        engine_step_fn step;
        engine_wait_fn on_wait;
        void *userdata;
        /* out */
        bool interrupted;
        int signo;
};

/* Runs every task; returns 0 or a launcher failure (-errno). */
int engine_run(struct engine *e);

/* Builds the job of t from argv (copied into t->argv) and the fixed environment, and starts it. */
int task_start_job(struct task *t, char *const *argv, const char *action, uint64_t limit_ms, bool capture);

/* One "action" line of the task log. */
int tasklog_action(struct tasklog *log, const char *verb, const char *action, const struct task *t,
                   const struct job *j, enum outcome status, uint64_t wait_ms, const char *message);

void task_done(struct task *t);
