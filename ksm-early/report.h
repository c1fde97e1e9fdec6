/* What a run reports: the first error (its E-code, exit code and every message line) and the
 * warnings. Modules fill it; the verb prints it once, as text on stderr or in --json. */
#pragma once
#include "lib/macro.h"
#include "lib/strv.h"

struct report {
        const char *code; /* "E5"; NULL when no error */
        int exit;
        strv errors, warnings;
};

/* The first call sets code and exit; every call adds a message line. */
void report_error(struct report *r, const char *code, int exit, const char *fmt, ...) _printf_(4, 5);
/* Adds all lines of msgs (already formatted) under one code. */
void report_errors(struct report *r, const char *code, int exit, const strv *msgs);
/* Kept for the end of the run (stderr, and --json). */
void report_warning(struct report *r, const char *fmt, ...) _printf_(2, 3);
/* Warnings, then errors, one stderr line each. */
void report_print_errors(const struct report *r);
void report_free(struct report *r);
