/* Running guest commands (spec §6.6): posix_spawn of an argv in its own process group with a
 * fixed environment, stdin /dev/null, stdout+stderr to our stderr (only a status command's stdout
 * is captured), and waiting on pidfds with CLOCK_MONOTONIC deadlines: SIGTERM to the group at the
 * limit, SIGKILL 5 s later. No shell, no fixed sleeps. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define RUNNER_KILL_GRACE_MS 5000u
#define RUNNER_CAPTURE_MAX 4096u

struct job {
        /* set by the caller */
        char **argv, **envp;
        uint64_t limit_ms;
        bool capture;
        /* state */
        pid_t pid;
        int pidfd, outfd;
        uint64_t deadline, kill_at;
        bool running, term_sent, kill_sent;
        /* results */
        uint64_t mono_begin, mono_end; /* ms, CLOCK_MONOTONIC */
        struct timespec real_begin, real_end;
        int spawn_error; /* -errno when it could not run at all */
        int wait_status;
        bool timed_out;
        char out[RUNNER_CAPTURE_MAX + 1];
        size_t out_len;
};

uint64_t mono_ms(void);

/* Starts j. A spawn failure is not an error of the call: the job is then finished at once with
 * spawn_error set. Returns 0 or -ENOMEM-like failures of the launcher itself. */
int job_start(struct job *j);

/* Waits until one of the running jobs has ended (returns its index), or a signal arrived on
 * sigfd (returns -EINTR, *ret_signo set). sigfd may be -1. */
int jobs_wait(struct job *const *jobs, size_t n, int sigfd, int *ret_signo);

/* Pulls every running job's deadline in to at most now + ms. */
void job_limit_remaining(struct job *j, uint64_t ms);

/* Waits until the monotonic time until_ms, or a signal on sigfd: returns -EINTR then. */
int runner_sleep_until(uint64_t until_ms, int sigfd, int *ret_signo);

/* "exit status 1", "killed by SIGTERM", "timed out after 5 s", "cannot execute: No such file" */
void job_describe(const struct job *j, char *buf, size_t size);
/* Exit code, or -1 when it was killed or never ran. */
int job_rc(const struct job *j);
/* Signal name ("SIGTERM") when killed by one, else NULL. */
const char *job_signal_name(const struct job *j);
bool job_ok(const struct job *j);
