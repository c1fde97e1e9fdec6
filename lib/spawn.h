/* Running external programs from an argv array, never a shell string (spec §1.6):
 * PATH=/usr/sbin:/usr/bin:/sbin:/bin, LC_ALL=C, stdin /dev/null, stdout/stderr passed through. */
#pragma once
#include <stdbool.h>

#define SPAWN_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

struct spawn_opts {
        const int *keep_fds;      /* descriptors the child inherits (CLOEXEC cleared there) */
        unsigned n_keep_fds;
        char *const *extra_env;   /* "K=V" strings added to the fixed environment, NULL-terminated */
        bool inherit_stdin;       /* default: /dev/null */
};

/* Returns 0 when the program ran, with its wait status in *ret_status; -ENOENT when it is not
 * found, -EACCES when not executable, other -errno when the spawn itself failed. */
int spawn_run(char *const argv[], const struct spawn_opts *opts, int *ret_status);
/* Exit status of a wait status: the code, or 128+signal. */
int spawn_exit_code(int wait_status);
/* Resolve a program name in SPAWN_PATH (or as given when it has a '/'); malloc'd or NULL. */
char *spawn_find_program(const char *name);
