/* See spawn.h. fork+execve with an error pipe, so "not found" is told apart from "exited 127". */
#include "spawn.h"
#include "macro.h"
#include "paths.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

char *spawn_find_program(const char *name) {
        if (strchr(name, '/'))
                return access(name, X_OK) == 0 ? strdup(name) : NULL;
        _cleanup_free_ char *path = strdup(SPAWN_PATH);
        if (!path)
                return NULL;
        char *save = NULL;
        for (char *dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *full = path_join(dir, name);
                struct stat st;
                if (full && stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
                        return full;
                free(full);
        }
        return NULL;
}

int spawn_exit_code(int st) {
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        if (WIFSIGNALED(st))
                return 128 + WTERMSIG(st);
        return 255;
}

int spawn_run(char *const argv[], const struct spawn_opts *opts, int *ret_status) {
        static const struct spawn_opts none = {};
        if (!opts)
                opts = &none;
        _cleanup_free_ char *prog = spawn_find_program(argv[0]);
        if (!prog)
                return strchr(argv[0], '/') && access(argv[0], F_OK) == 0 ? -EACCES : -ENOENT;

        char *env[64] = { "PATH=" SPAWN_PATH, "LC_ALL=C" };
        size_t n_env = 2;
        for (char *const *e = opts->extra_env; e && *e && n_env < ELEMENTSOF(env) - 1; e++)
                env[n_env++] = *e;
        env[n_env] = NULL;

        int errpipe[2];
        if (pipe2(errpipe, O_CLOEXEC) < 0)
                return negerrno();
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) {
                int r = negerrno();
                close(errpipe[0]);
                close(errpipe[1]);
                return r;
        }
        if (pid == 0) {
                if (!opts->inherit_stdin) {
                        int nul = open("/dev/null", O_RDONLY);
                        if (nul >= 0 && nul != 0) {
                                dup2(nul, 0);
                                close(nul);
                        }
                }
                for (unsigned i = 0; i < opts->n_keep_fds; i++) {
                        int fl = fcntl(opts->keep_fds[i], F_GETFD);
                        if (fl >= 0)
                                fcntl(opts->keep_fds[i], F_SETFD, fl & ~FD_CLOEXEC);
                }
                execve(prog, argv, env);
                int e = errno;
                (void)!write(errpipe[1], &e, sizeof e);
                _exit(127);
        }
        close(errpipe[1]);
        int child_errno = 0;
        ssize_t n;
        do
                n = read(errpipe[0], &child_errno, sizeof child_errno);
        while (n < 0 && errno == EINTR);
        close(errpipe[0]);
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return negerrno();
        if (n == (ssize_t)sizeof child_errno && child_errno)
                return -child_errno;
        *ret_status = st;
        return 0;
}
