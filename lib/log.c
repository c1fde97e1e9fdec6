/* stderr logging with a program prefix; warnings carry "warning: ". */
#include "log.h"
#include <stdarg.h>

static const char *log_program = "toolkit";
static enum log_level log_level_max = LOG_LEVEL_INFO;

void log_setup(const char *prog, enum log_level max) {
        log_program = prog;
        log_level_max = max;
        const char *env = getenv("TOOLKIT_DEBUG");
        if (env && *env)
                log_level_max = LOG_LEVEL_DEBUG;
}

const char *log_prog(void) { return log_program; }
enum log_level log_max_level(void) { return log_level_max; }

void log_msg(enum log_level level, const char *fmt, ...) {
        /* Errors and warnings are never silenced by --quiet. */
        if (level > log_level_max && level > LOG_LEVEL_WARNING)
                return;
        int saved = errno;
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "%s: %s", log_program, level == LOG_LEVEL_WARNING ? "warning: " : "");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        errno = saved;
}
