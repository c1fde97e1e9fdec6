/* Child processes of guest-startall: spawned with posix_spawn (argv only), watched through
 * pidfd_open + poll so that several can run at once and each has its own deadline. Where
 * pidfd_open does not exist (kernels before 5.3, valgrind 3.19, seccomp sandboxes) a job has no
 * pidfd and is reaped with waitpid(WNOHANG) on a short poll tick instead. */
#include "runner.h"
#include "lib/macro.h"
#include "lib/names.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

uint64_t mono_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Poll tick for jobs without a pidfd: short against guest timeouts (seconds), long against CPU. */
#define RUNNER_REAP_TICK_MS 10

static int pidfd_open_compat(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int job_start(struct job *j) {
        j->pid = 0;
        j->pidfd = j->outfd = -1;
        j->running = j->term_sent = j->kill_sent = j->timed_out = false;
        j->spawn_error = 0;
        j->wait_status = 0;
        j->out_len = 0;
        j->out[0] = 0;
        clock_gettime(CLOCK_REALTIME, &j->real_begin);
        j->mono_begin = mono_ms();

        /* A missing or non-executable command is named with its errno here, before spawning:
         * posix_spawn may report a failed exec only as exit status 127 (POSIX allows it; glibc
         * does so under valgrind). The child's exec still reports what this check cannot see. */
        if (strchr(j->argv[0], '/') && access(j->argv[0], X_OK) < 0) {
                j->spawn_error = negerrno();
                j->mono_end = mono_ms();
                clock_gettime(CLOCK_REALTIME, &j->real_end);
                return 0;
        }

        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        int pipefd[2] = { -1, -1 };
        int r = posix_spawn_file_actions_init(&fa);
        if (r)
                return -r;
        r = posix_spawnattr_init(&attr);
        if (r) {
                posix_spawn_file_actions_destroy(&fa);
                return -r;
        }
        /* The launcher blocks SIGTERM/SIGINT for its signalfd; a child must not inherit that. */
        sigset_t empty, defaults;
        sigemptyset(&empty);
        sigemptyset(&defaults);
        sigaddset(&defaults, SIGTERM);
        sigaddset(&defaults, SIGINT);
        sigaddset(&defaults, SIGPIPE);
        sigaddset(&defaults, SIGCHLD);
        posix_spawnattr_setsigmask(&attr, &empty);
        posix_spawnattr_setsigdefault(&attr, &defaults);
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        if (j->capture) {
                if (pipe2(pipefd, O_CLOEXEC) < 0) {
                        r = errno;
                        goto out;
                }
                posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
        } else {
                posix_spawn_file_actions_adddup2(&fa, 2, 1);
        }
        r = posix_spawn(&j->pid, j->argv[0], &fa, &attr, j->argv, j->envp);
        if (pipefd[1] >= 0)
                close(pipefd[1]);
        if (r) {
                /* glibc reports the execve errno of the child here */
                j->spawn_error = -r;
                j->mono_end = mono_ms();
                clock_gettime(CLOCK_REALTIME, &j->real_end);
                if (pipefd[0] >= 0)
                        close(pipefd[0]);
                r = 0;
                goto out;
        }
        j->pidfd = pidfd_open_compat(j->pid);
        if (j->pidfd < 0 && errno != ENOSYS) {
                /* EMFILE and the like: the launcher cannot watch it, so it does not leave it running. */
                r = errno;
                kill(-j->pid, SIGKILL);
                waitpid(j->pid, NULL, 0);
                if (pipefd[0] >= 0)
                        close(pipefd[0]);
                goto out;
        }
        if (pipefd[0] >= 0) {
                fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
                j->outfd = pipefd[0];
        }
        j->running = true;
        j->deadline = j->mono_begin + j->limit_ms;
out:
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        return -r;
}

void job_limit_remaining(struct job *j, uint64_t ms) {
        uint64_t limit = mono_ms() + ms;
        if (j->running && !j->term_sent && j->deadline > limit)
                j->deadline = limit;
}

static void drain_output(struct job *j) {
        if (j->outfd < 0)
                return;
        char sink[4096];
        for (;;) {
                ssize_t n;
                if (j->out_len < RUNNER_CAPTURE_MAX)
                        n = read(j->outfd, j->out + j->out_len, RUNNER_CAPTURE_MAX - j->out_len);
                else
                        n = read(j->outfd, sink, sizeof sink);
                if (n > 0) {
                        if (j->out_len < RUNNER_CAPTURE_MAX)
                                j->out_len += (size_t)n;
                        continue;
                }
                if (n == 0) {
                        close(j->outfd);
                        j->outfd = -1;
                }
                break; /* EAGAIN: a daemonized grandchild may hold the pipe; do not wait for it */
        }
        j->out[j->out_len] = 0;
}

static bool job_reap(struct job *j) {
        int st;
        pid_t p = waitpid(j->pid, &st, WNOHANG);
        if (p != j->pid)
                return false;
        j->wait_status = st;
        j->mono_end = mono_ms();
        clock_gettime(CLOCK_REALTIME, &j->real_end);
        j->running = false;
        if (j->pidfd >= 0)
                close(j->pidfd);
        j->pidfd = -1;
        drain_output(j);
        if (j->outfd >= 0) {
                close(j->outfd);
                j->outfd = -1;
        }
        /* A timed-out command's group goes entirely, so nothing it forked lingers. Nothing is
         * killed after a normal exit: a daemonized guest is left alone. */
        if (j->timed_out)
                kill(-j->pid, SIGKILL);
        return true;
}

static int read_signal(int sigfd, int *ret_signo) {
        struct signalfd_siginfo si;
        ssize_t n = read(sigfd, &si, sizeof si);
        if (n != (ssize_t)sizeof si)
                return 0;
        *ret_signo = (int)si.ssi_signo;
        return -EINTR;
}

int jobs_wait(struct job *const *jobs, size_t n, int sigfd, int *ret_signo) {
        for (;;) {
                uint64_t now = mono_ms(), next = UINT64_MAX;
                struct pollfd pfd[2 * n + 1];
                int map[2 * n + 1];
                size_t k = 0;
                bool ticking = false;
                for (size_t i = 0; i < n; i++) {
                        struct job *j = jobs[i];
                        if (!j || !j->running)
                                continue;
                        if (j->pidfd < 0) {
                                if (job_reap(j))
                                        return (int)i;
                                ticking = true;
                        }
                        if (!j->term_sent && now >= j->deadline) {
                                j->timed_out = true;
                                j->term_sent = true;
                                j->kill_at = now + RUNNER_KILL_GRACE_MS;
                                kill(-j->pid, SIGTERM);
                        }
                        if (j->term_sent && !j->kill_sent && now >= j->kill_at) {
                                j->kill_sent = true;
                                kill(-j->pid, SIGKILL);
                        }
                        if (!j->term_sent && j->deadline < next)
                                next = j->deadline;
                        if (j->term_sent && !j->kill_sent && j->kill_at < next)
                                next = j->kill_at;
                        pfd[k] = (struct pollfd){ .fd = j->pidfd, .events = POLLIN };
                        map[k++] = (int)i;
                        if (j->outfd >= 0) {
                                pfd[k] = (struct pollfd){ .fd = j->outfd, .events = POLLIN };
                                map[k++] = -1 - (int)i;
                        }
                }
                if (k == 0)
                        return -ECHILD;
                if (sigfd >= 0) {
                        pfd[k] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
                        map[k++] = INT32_MAX;
                }
                int timeout = next == UINT64_MAX ? -1 : (int)(next > now ? next - now : 0);
                if (ticking && (timeout < 0 || timeout > RUNNER_REAP_TICK_MS))
                        timeout = RUNNER_REAP_TICK_MS;
                int r = poll(pfd, k, timeout);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return negerrno();
                }
                for (size_t p = 0; p < k; p++) {
                        if (!pfd[p].revents)
                                continue;
                        if (map[p] == INT32_MAX) {
                                if (read_signal(sigfd, ret_signo) == -EINTR)
                                        return -EINTR;
                        } else if (map[p] < 0) {
                                drain_output(jobs[-1 - map[p]]);
                        } else if (job_reap(jobs[map[p]])) {
                                return map[p];
                        }
                }
        }
}

int runner_sleep_until(uint64_t until_ms, int sigfd, int *ret_signo) {
        for (;;) {
                uint64_t now = mono_ms();
                if (now >= until_ms)
                        return 0;
                struct pollfd pfd = { .fd = sigfd, .events = POLLIN };
                int r = poll(&pfd, sigfd >= 0 ? 1 : 0, (int)(until_ms - now));
                if (r < 0 && errno != EINTR)
                        return negerrno();
                if (r > 0 && read_signal(sigfd, ret_signo) == -EINTR)
                        return -EINTR;
        }
}

bool job_ok(const struct job *j) {
        return !j->spawn_error && !j->timed_out && WIFEXITED(j->wait_status) && WEXITSTATUS(j->wait_status) == 0;
}

int job_rc(const struct job *j) {
        if (j->spawn_error || !WIFEXITED(j->wait_status))
                return -1;
        return WEXITSTATUS(j->wait_status);
}

const char *job_signal_name(const struct job *j) {
        if (j->spawn_error || !WIFSIGNALED(j->wait_status))
                return NULL;
        const char *name = signal_name(WTERMSIG(j->wait_status));
        return name ? name : "SIGUNKNOWN";
}

void job_describe(const struct job *j, char *buf, size_t size) {
        if (j->spawn_error)
                snprintf(buf, size, "cannot execute %s: %s", j->argv[0], strerror(-j->spawn_error));
        else if (j->timed_out)
                snprintf(buf, size, "timed out after %llu s", (unsigned long long)(j->limit_ms / 1000));
        else if (WIFEXITED(j->wait_status))
                snprintf(buf, size, "exit status %d", WEXITSTATUS(j->wait_status));
        else if (WIFSIGNALED(j->wait_status))
                snprintf(buf, size, "killed by signal %d", WTERMSIG(j->wait_status));
        else
                snprintf(buf, size, "ended abnormally");
}
