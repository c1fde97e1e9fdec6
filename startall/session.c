/* Lock, task log and the per-guest steps of startall/stopall (spec §6.2-6.8). */
#include "session.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "plan.h"
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/wait.h>

/* A stopall waits this long for a startall it asked to give way (which allows its in-flight
 * commands 30 s). */
#define STOPALL_TAKEOVER_WAIT_MS 60000u

static void say(const struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct ctx *c, const char *fmt, ...) {
        if (c->quiet)
                return;
        va_list ap;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
}

static long lock_holder(const char *path) {
        _cleanup_free_ char *line = NULL;
        if (read_first_line(path, 64, &line) < 0)
                return -1;
        char *end;
        long pid = strtol(line, &end, 10);
        return (*line && !*end && pid > 0) ? pid : -1;
}

/* True when pid is a guest-startall running the startall verb. */
static bool holder_is_startall(const struct ctx *c, long pid) {
        char rel[64];
        snprintf(rel, sizeof rel, "%ld/comm", pid);
        _cleanup_free_ char *comm_path = path_join(c->proc_dir, rel);
        _cleanup_free_ char *comm = NULL;
        if (!comm_path || read_first_line(comm_path, 64, &comm) < 0 || !streq(comm, "guest-startall"))
                return false;
        snprintf(rel, sizeof rel, "%ld/cmdline", pid);
        _cleanup_free_ char *cmd_path = path_join(c->proc_dir, rel);
        _cleanup_free_ char *cmd = NULL;
        size_t len;
        if (!cmd_path || read_file_max(cmd_path, 64 * 1024, &cmd, &len) < 0)
                return false;
        for (size_t i = 0; i < len; i += strlen(cmd + i) + 1)
                if (i > 0 && streq(cmd + i, "startall"))
                        return true;
        return false;
}

int session_begin(struct session *s, struct ctx *c, const char *verb) {
        *s = (struct session){ .c = c, .verb = verb, .lock_fd = -1, .mono0 = mono_ms() };
        s->log.fd = -1;
        if (c->dry_run) /* writes nothing, anywhere: no lock file, no log */
                return tasklog_open(&s->log, NULL, s->mono0) < 0 ? EXIT_IO : 0;
        int r = mkdir_parents(c->lock_path, 0755);
        if (r < 0) {
                log_error("cannot create the lock directory for %s: %s", c->lock_path, strerror(-r));
                return EXIT_IO;
        }
        r = lock_acquire(c->lock_path, 0, 0, &s->lock_fd);
        if (r == -EBUSY && streq(verb, "stopall")) {
                long pid = lock_holder(c->lock_path);
                if (pid > 0 && holder_is_startall(c, pid)) {
                        say(c, "Asking the running startall (pid %ld) to give way", pid);
                        kill((pid_t)pid, SIGTERM);
                }
                r = lock_acquire(c->lock_path, 0, STOPALL_TAKEOVER_WAIT_MS, &s->lock_fd);
        }
        if (r == -EBUSY) {
                long pid = lock_holder(c->lock_path);
                log_error("busy: %s is held by pid %ld", c->lock_path, pid);
                return EXIT_BUSY;
        }
        if (r < 0) {
                log_error("cannot take the lock %s: %s", c->lock_path, strerror(-r));
                return EXIT_IO;
        }
        char pid[24];
        int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
        if (ftruncate(s->lock_fd, 0) < 0 || pwrite(s->lock_fd, pid, (size_t)n, 0) != n)
                log_warning("cannot record our pid in %s: %m", c->lock_path);
        r = tasklog_open(&s->log, c->log_path, s->mono0);
        if (r < 0) {
                log_error("cannot open the task log %s: %s", c->log_path, strerror(-r));
                return EXIT_IO;
        }
        return 0;
}

void session_end(struct session *s) {
        int r = tasklog_close(&s->log);
        if (r < 0)
                log_warning("cannot sync the task log %s: %s", s->c->log_path, strerror(-r));
        if (s->lock_fd >= 0)
                close(s->lock_fd);
        s->lock_fd = -1;
        free(s->ksm_early);
        s->ksm_early = NULL;
}

int session_run_begin(struct session *s, size_t selected, uint32_t delay_s) {
        return tasklog_write(&s->log, "run-begin",
                             json_pack("{s:s, s:b, s:i, s:i, s:i, s:i}", "verb", s->verb, "boot", s->c->boot,
                                       "pid", (int)getpid(), "parallel", (int)s->c->parallel, "selected",
                                       (int)selected, "delay_s", (int)delay_s));
}

struct counts session_count(const struct task *tasks, size_t n) {
        struct counts k = {};
        for (size_t i = 0; i < n; i++)
                switch (tasks[i].outcome) {
                case OUTCOME_OK: k.ok++; break;
                case OUTCOME_FORCED: k.forced++; break;
                case OUTCOME_FAILED: k.failed++; break;
                case OUTCOME_TIMEOUT: k.timeout++; break;
                case OUTCOME_SKIPPED_RUNNING:
                case OUTCOME_SKIPPED_STOPPED: k.skipped++; break;
                case OUTCOME_INTERRUPTED: k.interrupted++; break;
                default: break;
                }
        return k;
}

int session_run_end(struct session *s, const struct counts *k, const struct engine *e) {
        int exit = EXIT_OK;
        if (k->failed || k->timeout)
                exit = EXIT_CHILD;
        if (e && e->interrupted)
                exit = 128 + e->signo;
        tasklog_write(&s->log, "run-end",
                      json_pack("{s:i, s:i, s:i, s:i, s:i, s:I, s:i}", "ok", (int)k->ok, "forced", (int)k->forced,
                                "failed", (int)(k->failed + k->timeout), "skipped", (int)k->skipped, "interrupted",
                                (int)k->interrupted, "duration_ms", (json_int_t)(mono_ms() - s->mono0), "exit", exit));
        return exit;
}

void session_log_unreached(struct session *s, const struct task *tasks, size_t n, const char *action) {
        for (size_t i = 0; i < n; i++)
                if (tasks[i].outcome == OUTCOME_INTERRUPTED && tasks[i].step == 0)
                        tasklog_action(&s->log, s->verb, action, &tasks[i], NULL, OUTCOME_INTERRUPTED, 0,
                                       "not reached: interrupted");
}

/* ---- per-guest steps ---------------------------------------------------------------------- */

enum { STEP_NONE, STEP_STATUS, STEP_START, STEP_SHUTDOWN, STEP_STOP };

static bool status_says_running(const struct task *t, bool *known) {
        const struct job *j = &t->job;
        *known = !j->spawn_error && !j->timed_out && WIFEXITED(j->wait_status);
        if (!*known || WEXITSTATUS(j->wait_status) != 0)
                return false;
        if (!t->g->compat)
                return true;
        /* qm/pct: only a first line of exactly "status: running" counts */
        const char *nl = strchr(j->out, '\n');
        size_t n = nl ? (size_t)(nl - j->out) : strlen(j->out);
        return n == 15 && memcmp(j->out, "status: running", 15) == 0;
}

static int launch_status(struct task *t) {
        t->step = STEP_STATUS;
        int r = task_start_job(t, t->g->status.v, "status", GUEST_STATUS_TIMEOUT * 1000u, true);
        return r < 0 ? r : 1;
}

static void describe_argv(char *const *argv, char *buf, size_t size) {
        size_t n = 0;
        buf[0] = 0;
        for (char *const *a = argv; a && *a && n < size; a++)
                n += (size_t)snprintf(buf + n, size - n, "%s%s", a == argv ? "" : " ", *a);
}

static bool in_last_group(const struct engine *e, const struct task *t) {
        size_t i = (size_t)(t - e->tasks);
        if (e->parallel <= 1)
                return i + 1 == e->n;
        for (size_t k = i + 1; k < e->n; k++)
                if (!plan_same_group(e->tasks[k].g, t->g))
                        return false;
        return true;
}

static int launch_start(struct engine *e, struct task *t) {
        struct session *s = e->userdata;
        struct guest *g = t->g;
        _cleanup_strv_ strv argv = {};
        int r = 0;
        if (g->ksm_merge) {
                if (!s->ksm_looked) {
                        s->ksm_early = config_find_ksm_early(s->c);
                        s->ksm_looked = true;
                }
                if (!s->ksm_early) {
                        log_error("Starting %s %u (%s) failed: ksm: merge is set but ksm-early was not found "
                                  "(--ksm-early, beside guest-startall, %s)", guest_type_word(g->type), g->id, g->name,
                                  PATH_KSM_EARLY);
                        t->outcome = OUTCOME_FAILED;
                        t->step = STEP_START;
                        tasklog_action(&s->log, s->verb, "start", t, NULL, OUTCOME_FAILED, 0, "ksm-early not found");
                        return 0;
                }
                r = r ?: strv_push(&argv, s->ksm_early);
                r = r ?: strv_push(&argv, "exec");
                r = r ?: strv_push(&argv, "--merge");
                r = r ?: strv_push(&argv, "--");
        }
        for (size_t i = 0; i < g->start.n && r == 0; i++)
                r = strv_push(&argv, g->start.v[i]);
        if (r < 0)
                return r;
        say(s->c, "Starting %s %u (%s)", guest_type_word(g->type), g->id, g->name);
        fflush(stdout);
        t->step = STEP_START;
        r = task_start_job(t, argv.v, "start", (uint64_t)g->start_timeout * 1000u, false);
        return r < 0 ? r : 1;
}

int start_step(struct engine *e, struct task *t, bool job_done) {
        struct session *s = e->userdata;
        struct guest *g = t->g;
        char msg[512];
        if (!job_done) {
                if (s->c->dry_run) {
                        describe_argv(g->start.v, msg, sizeof msg);
                        say(s->c, "Would start %s %u (%s)%s: %s", guest_type_word(g->type), g->id, g->name,
                            g->ksm_merge ? " through ksm-early exec --merge" : "", msg);
                        t->outcome = OUTCOME_PLANNED;
                        return 0;
                }
                return g->status.n ? launch_status(t) : launch_start(e, t);
        }
        if (t->step == STEP_STATUS) {
                bool known;
                bool running = status_says_running(t, &known);
                if (!known) {
                        job_describe(&t->job, msg, sizeof msg);
                        log_warning("status of %s %u (%s) unknown (%s); starting it anyway", guest_type_word(g->type),
                                    g->id, g->name, msg);
                }
                if (running) {
                        say(s->c, "%s %u (%s) is already running, skipped", guest_type_word(g->type), g->id, g->name);
                        t->outcome = OUTCOME_SKIPPED_RUNNING;
                        tasklog_action(&s->log, s->verb, "start", t, &t->job, OUTCOME_SKIPPED_RUNNING, 0,
                                       "already running");
                        return 0;
                }
                if (e->interrupted) {
                        t->outcome = OUTCOME_INTERRUPTED;
                        tasklog_action(&s->log, s->verb, "start", t, NULL, OUTCOME_INTERRUPTED, 0, "interrupted");
                        return 0;
                }
                return launch_start(e, t);
        }
        /* the start ended */
        job_describe(&t->job, msg, sizeof msg);
        if (job_ok(&t->job)) {
                t->outcome = OUTCOME_OK;
                t->started = true;
                t->wait_after = guest_up(g);
                uint64_t wait = in_last_group(e, t) ? 0 : (uint64_t)t->wait_after * 1000u;
                tasklog_action(&s->log, s->verb, "start", t, &t->job, OUTCOME_OK, wait, msg);
                return 0;
        }
        t->outcome = t->job.timed_out ? OUTCOME_TIMEOUT : OUTCOME_FAILED;
        log_error("Starting %s %u (%s) failed: %s", guest_type_word(g->type), g->id, g->name, msg);
        tasklog_action(&s->log, s->verb, "start", t, &t->job, t->outcome, 0, msg);
        return 0;
}

static int launch_stop(struct engine *e, struct task *t) {
        struct session *s = e->userdata;
        struct guest *g = t->g;
        if (g->stop.n == 0) {
                log_error("%s %u (%s) cannot be stopped: it has neither a shutdown nor a stop command",
                          guest_type_word(g->type), g->id, g->name);
                t->outcome = OUTCOME_FAILED;
                tasklog_action(&s->log, s->verb, "stop", t, NULL, OUTCOME_FAILED, 0, "no shutdown or stop command");
                return 0;
        }
        say(s->c, "Stopping %s %u (%s)", guest_type_word(g->type), g->id, g->name);
        fflush(stdout);
        t->step = STEP_STOP;
        int r = task_start_job(t, g->stop.v, "stop", (uint64_t)g->stop_timeout * 1000u, false);
        return r < 0 ? r : 1;
}

static int launch_shutdown(struct engine *e, struct task *t) {
        struct session *s = e->userdata;
        struct guest *g = t->g;
        if (g->shutdown.n == 0)
                return launch_stop(e, t);
        uint64_t limit = guest_down(g, s->c->timeout);
        if (g->compat)
                limit += GUEST_COMPAT_SHUTDOWN_GRACE;
        say(s->c, "Shutting down %s %u (%s)", guest_type_word(g->type), g->id, g->name);
        fflush(stdout);
        t->step = STEP_SHUTDOWN;
        int r = task_start_job(t, g->shutdown.v, "shutdown", limit * 1000u, false);
        return r < 0 ? r : 1;
}

int stop_step(struct engine *e, struct task *t, bool job_done) {
        struct session *s = e->userdata;
        struct guest *g = t->g;
        char msg[512];
        if (!job_done) {
                if (s->c->dry_run) {
                        describe_argv(g->shutdown.n ? g->shutdown.v : g->stop.v, msg, sizeof msg);
                        say(s->c, "Would %s %s %u (%s): %s", g->shutdown.n ? "shut down" : "stop",
                            guest_type_word(g->type), g->id, g->name, g->shutdown.n || g->stop.n ? msg : "(no command)");
                        t->outcome = OUTCOME_PLANNED;
                        return 0;
                }
                return g->status.n ? launch_status(t) : launch_shutdown(e, t);
        }
        if (t->step == STEP_STATUS) {
                bool known;
                bool running = status_says_running(t, &known);
                if (!known) {
                        job_describe(&t->job, msg, sizeof msg);
                        log_warning("status of %s %u (%s) unknown (%s); stopping it anyway", guest_type_word(g->type),
                                    g->id, g->name, msg);
                }
                if (known && !running) {
                        say(s->c, "%s %u (%s) is not running, skipped", guest_type_word(g->type), g->id, g->name);
                        t->outcome = OUTCOME_SKIPPED_STOPPED;
                        tasklog_action(&s->log, s->verb, "shutdown", t, &t->job, OUTCOME_SKIPPED_STOPPED, 0,
                                       "not running");
                        return 0;
                }
                if (e->interrupted) {
                        t->outcome = OUTCOME_INTERRUPTED;
                        tasklog_action(&s->log, s->verb, "shutdown", t, NULL, OUTCOME_INTERRUPTED, 0, "interrupted");
                        return 0;
                }
                return launch_shutdown(e, t);
        }
        job_describe(&t->job, msg, sizeof msg);
        if (t->step == STEP_SHUTDOWN) {
                if (job_ok(&t->job)) {
                        t->outcome = OUTCOME_OK;
                        tasklog_action(&s->log, s->verb, "shutdown", t, &t->job, OUTCOME_OK, 0, msg);
                        return 0;
                }
                enum outcome o = t->job.timed_out ? OUTCOME_TIMEOUT : OUTCOME_FAILED;
                tasklog_action(&s->log, s->verb, "shutdown", t, &t->job, o, 0, msg);
                char why[600];
                if (t->job.timed_out)
                        snprintf(why, sizeof why, "did not shut down within %llu s",
                                 (unsigned long long)(t->job.limit_ms / 1000));
                else
                        snprintf(why, sizeof why, "shutdown failed (%s)", msg);
                if (s->c->force_stop && g->stop.n && !e->interrupted) {
                        say(s->c, "%s %u (%s) %s, forcing stop", guest_type_word(g->type), g->id, g->name, why);
                        return launch_stop(e, t);
                }
                log_error("%s %u (%s) %s; left running", guest_type_word(g->type), g->id, g->name, why);
                t->outcome = o;
                return 0;
        }
        /* the stop ended */
        if (job_ok(&t->job)) {
                t->outcome = OUTCOME_FORCED;
                tasklog_action(&s->log, s->verb, "stop", t, &t->job, OUTCOME_OK, 0, msg);
                return 0;
        }
        t->outcome = t->job.timed_out ? OUTCOME_TIMEOUT : OUTCOME_FAILED;
        log_error("Stopping %s %u (%s) failed: %s", guest_type_word(g->type), g->id, g->name, msg);
        tasklog_action(&s->log, s->verb, "stop", t, &t->job, t->outcome, 0, msg);
        return 0;
}

int session_open_run(struct session *s, struct ctx *c, int plan, const char *verb, struct guest_set *set,
                     struct nodeconf *node, struct task **ret_tasks, size_t *ret_n) {
        _cleanup_free_ struct guest **sel = NULL;
        size_t n = 0;
        *ret_tasks = NULL;
        *ret_n = 0;
        int exit = verb_prepare(c, plan, set, node, &sel, &n);
        if (!exit && n == 0)
                printf("%s: nothing to do\n", verb);
        if (exit || n == 0) {
                guest_set_free(set);
                return exit;
        }
        exit = session_begin(s, c, verb);
        struct task *tasks = exit ? NULL : calloc(n, sizeof *tasks);
        if (!tasks) {
                session_end(s); /* also after a failed begin: it may hold the lock */
                guest_set_free(set);
                return exit ?: EXIT_IO;
        }
        for (size_t i = 0; i < n; i++)
                tasks[i].g = sel[i];
        *ret_tasks = tasks;
        *ret_n = n;
        return 0;
}

void session_close_run(struct session *s, struct task *tasks, size_t n, struct guest_set *set) {
        session_end(s);
        for (size_t i = 0; i < n; i++)
                task_done(&tasks[i]);
        free(tasks);
        guest_set_free(set);
}
