/* Group scheduler shared by startall and stopall. */
#include "engine.h"
#include "plan.h"
#include "lib/macro.h"
#include "lib/spawn.h"
#include <signal.h>

/* In-flight commands get this long after SIGTERM/SIGINT before their group is killed. */
#define ENGINE_INTERRUPT_GRACE_MS 30000u

const char *outcome_name(enum outcome o) {
        switch (o) {
        case OUTCOME_OK: return "ok";
        case OUTCOME_FORCED: return "forced";
        case OUTCOME_FAILED: return "failed";
        case OUTCOME_TIMEOUT: return "timeout";
        case OUTCOME_SKIPPED_RUNNING: return "skipped-running";
        case OUTCOME_SKIPPED_STOPPED: return "skipped-stopped";
        case OUTCOME_INTERRUPTED: return "interrupted";
        case OUTCOME_PLANNED: return "planned";
        default: return "none";
        }
}

void task_done(struct task *t) {
        strv_free(&t->argv);
        strv_free(&t->env);
}

static int env_push(strv *env, const char *key, const char *value) {
        char *s;
        if (asprintf(&s, "%s=%s", key, value) < 0)
                return -ENOMEM;
        return strv_push_take(env, s);
}

int task_start_job(struct task *t, char *const *argv, const char *action, uint64_t limit_ms, bool capture) {
        strv_free(&t->argv);
        strv_free(&t->env);
        int r = 0;
        for (char *const *a = argv; *a && r == 0; a++)
                r = strv_push(&t->argv, *a);
        char id[16], timeout[24];
        snprintf(id, sizeof id, "%u", t->g->id);
        snprintf(timeout, sizeof timeout, "%llu", (unsigned long long)(limit_ms / 1000));
        /* A fixed environment: nothing of the launcher's leaks into guests. */
        r = r ?: strv_push(&t->env, "PATH=" SPAWN_PATH);
        r = r ?: strv_push(&t->env, "LANG=C.UTF-8");
        r = r ?: env_push(&t->env, "GUEST_ID", id);
        r = r ?: env_push(&t->env, "GUEST_NAME", t->g->name);
        r = r ?: env_push(&t->env, "GUEST_TYPE", guest_type_key(t->g->type));
        r = r ?: env_push(&t->env, "GUEST_ACTION", action);
        r = r ?: env_push(&t->env, "GUEST_TIMEOUT", timeout);
        if (r < 0)
                return r;
        t->job = (struct job){ .argv = t->argv.v, .envp = t->env.v, .limit_ms = limit_ms, .capture = capture };
        return job_start(&t->job);
}

int tasklog_action(struct tasklog *log, const char *verb, const char *action, const struct task *t,
                   const struct job *j, enum outcome status, uint64_t wait_ms, const char *message) {
        if (log->fd < 0)
                return 0;
        const struct guest *g = t->g;
        json_t *o = json_object();
        if (!o)
                return -ENOMEM;
        char tb[32] = "", te[32] = "";
        uint64_t mb = 0, me = 0;
        bool ran = j && !j->spawn_error;
        if (j) {
                rfc3339_ms(&j->real_begin, tb);
                rfc3339_ms(&j->real_end, te);
                mb = j->mono_begin - log->mono0;
                me = j->mono_end - log->mono0;
        }
        int rc = j ? job_rc(j) : -1;
        const char *sig = j ? job_signal_name(j) : NULL;
        json_object_set_new(o, "verb", json_string(verb));
        json_object_set_new(o, "action", json_string(action));
        json_object_set_new(o, "id", json_integer(g->id));
        json_object_set_new(o, "name", json_string(g->name));
        json_object_set_new(o, "type", json_string(guest_type_key(g->type)));
        json_object_set_new(o, "order", g->has_order ? json_integer(g->order) : json_null());
        json_object_set_new(o, "status", json_string(outcome_name(status)));
        json_object_set_new(o, "rc", ran && rc >= 0 && !j->timed_out ? json_integer(rc) : json_null());
        json_object_set_new(o, "signal", sig ? json_string(sig) : json_null());
        json_object_set_new(o, "t_begin", j ? json_string(tb) : json_null());
        json_object_set_new(o, "t_end", j ? json_string(te) : json_null());
        json_object_set_new(o, "mono_begin_ms", j ? json_integer((json_int_t)mb) : json_null());
        json_object_set_new(o, "mono_end_ms", j ? json_integer((json_int_t)me) : json_null());
        json_object_set_new(o, "duration_ms", j ? json_integer((json_int_t)(j->mono_end - j->mono_begin)) : json_null());
        json_object_set_new(o, "limit_s", j ? json_integer((json_int_t)(j->limit_ms / 1000)) : json_null());
        json_object_set_new(o, "wait_ms", json_integer((json_int_t)wait_ms));
        json_object_set_new(o, "message", json_string(message ? message : ""));
        return tasklog_write(log, "action", o);
}

/* Steps a task until it either has a running command or is finished; a command that could not
 * be spawned ends at once and is handed straight back. */
static int advance(struct engine *e, struct task *t, bool job_done) {
        for (;;) {
                int r = e->step(e, t, job_done);
                if (r <= 0)
                        return r;
                if (t->job.running)
                        return 1;
                job_done = true;
        }
}

static void on_signal(struct engine *e, int signo, struct task **active, size_t n_active) {
        e->interrupted = true;
        e->signo = signo;
        for (size_t i = 0; i < n_active; i++)
                job_limit_remaining(&active[i]->job, ENGINE_INTERRUPT_GRACE_MS);
}

int engine_run(struct engine *e) {
        unsigned par = e->parallel ? e->parallel : 1;
        struct task *active[64];
        struct job *jobs[64];
        size_t begin = 0;
        while (begin < e->n) {
                size_t end = begin + 1;
                if (par > 1)
                        while (end < e->n && plan_same_group(e->tasks[begin].g, e->tasks[end].g))
                                end++;
                size_t next = begin, n_active = 0;
                while (next < end || n_active > 0) {
                        while (!e->interrupted && n_active < par && next < end) {
                                struct task *t = &e->tasks[next++];
                                int r = advance(e, t, false);
                                if (r < 0)
                                        return r;
                                if (r > 0)
                                        active[n_active++] = t;
                        }
                        if (n_active == 0)
                                break;
                        for (size_t i = 0; i < n_active; i++)
                                jobs[i] = &active[i]->job;
                        int signo = 0;
                        int idx = jobs_wait(jobs, n_active, e->sigfd, &signo);
                        if (idx == -EINTR) {
                                on_signal(e, signo, active, n_active);
                                continue;
                        }
                        if (idx < 0)
                                return idx;
                        struct task *t = active[idx];
                        int r = advance(e, t, true);
                        if (r < 0)
                                return r;
                        if (r == 0) {
                                active[idx] = active[--n_active];
                        }
                }
                if (e->interrupted)
                        break;
                /* The group's delay: the largest wanted by its tasks (serial: the one guest's). */
                const struct task *longest = NULL;
                for (size_t i = begin; i < end; i++)
                        if (e->tasks[i].wait_after > 0 && (!longest || e->tasks[i].wait_after > longest->wait_after))
                                longest = &e->tasks[i];
                if (e->delays && longest && end < e->n) {
                        if (e->on_wait)
                                e->on_wait(e, longest, longest->wait_after, par == 1);
                        int signo = 0;
                        if (runner_sleep_until(mono_ms() + (uint64_t)longest->wait_after * 1000u, e->sigfd, &signo) ==
                            -EINTR) {
                                e->interrupted = true;
                                e->signo = signo;
                                break;
                        }
                }
                begin = end;
        }
        for (size_t i = 0; i < e->n; i++)
                if (e->tasks[i].outcome == OUTCOME_NONE)
                        e->tasks[i].outcome = OUTCOME_INTERRUPTED;
        return 0;
}
