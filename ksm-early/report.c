/* See report.h. */
#include "report.h"
#include "lib/log.h"
#include <stdarg.h>

static void set_code(struct report *r, const char *code, int exit) {
        if (!r->code) {
                r->code = code;
                r->exit = exit;
        }
}

void report_error(struct report *r, const char *code, int exit, const char *fmt, ...) {
        set_code(r, code, exit);
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        strv_push_take(&r->errors, msg);
}

void report_errors(struct report *r, const char *code, int exit, const strv *msgs) {
        set_code(r, code, exit);
        for (size_t i = 0; i < msgs->n; i++)
                strv_push(&r->errors, msgs->v[i]);
}

void report_warning(struct report *r, const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        strv_push_take(&r->warnings, msg);
}

void report_print_errors(const struct report *r) {
        for (size_t i = 0; i < r->warnings.n; i++)
                log_warning("%s", r->warnings.v[i]);
        for (size_t i = 0; i < r->errors.n; i++)
                log_error("%s", r->errors.v[i]);
}

void report_free(struct report *r) {
        strv_free(&r->errors);
        strv_free(&r->warnings);
        *r = (struct report){};
}
