#include "names.h"
#include "macro.h"
#include <errno.h>
#include <signal.h>

#define NAME(x) { x, #x }
static const struct name { int value; const char *name; } errnos[] = {
        NAME(EPERM), NAME(ENOENT), NAME(EINTR), NAME(EIO), NAME(ENXIO), NAME(E2BIG), NAME(EBADF),
        NAME(EAGAIN), NAME(ENOMEM), NAME(EACCES), NAME(EFAULT), NAME(EBUSY), NAME(EEXIST), NAME(EXDEV),
        NAME(ENODEV), NAME(ENOTDIR), NAME(EISDIR), NAME(EINVAL), NAME(ENFILE), NAME(EMFILE), NAME(ENOTTY),
        NAME(EFBIG), NAME(ENOSPC), NAME(EROFS), NAME(ERANGE), NAME(ENAMETOOLONG), NAME(ENOSYS),
        NAME(ENOTEMPTY), NAME(ELOOP), NAME(ENODATA), NAME(EOVERFLOW), NAME(EOPNOTSUPP), NAME(ETIMEDOUT),
        NAME(EDQUOT), NAME(ENOMEDIUM), NAME(EMEDIUMTYPE),
}, signals[] = {
        NAME(SIGHUP), NAME(SIGINT), NAME(SIGQUIT), NAME(SIGILL), NAME(SIGTRAP), NAME(SIGABRT), NAME(SIGBUS),
        NAME(SIGFPE), NAME(SIGKILL), NAME(SIGUSR1), NAME(SIGSEGV), NAME(SIGUSR2), NAME(SIGPIPE), NAME(SIGALRM),
        NAME(SIGTERM), NAME(SIGCHLD), NAME(SIGCONT), NAME(SIGSTOP), NAME(SIGTSTP), NAME(SIGTTIN), NAME(SIGTTOU),
        NAME(SIGXCPU), NAME(SIGXFSZ), NAME(SIGSYS),
};

static const char *lookup(const struct name *t, size_t n, int value) {
        for (size_t i = 0; i < n; i++)
                if (t[i].value == value)
                        return t[i].name;
        return NULL;
}

const char *errno_name(int err) { return lookup(errnos, ELEMENTSOF(errnos), err); }
int errno_from_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(errnos); i++)
                if (streq(errnos[i].name, name))
                        return errnos[i].value;
        return 0;
}
const char *signal_name(int sig) { return lookup(signals, ELEMENTSOF(signals), sig); }
