/* See fault.h. The environment is read once, on the first point. */
#include "fault.h"
#include "macro.h"

static unsigned points;

unsigned fault_points_seen(void) { return points; }

#ifdef FAULT_INJECTION
static enum { FAULT_OFF, FAULT_COUNT, FAULT_CRASH, FAULT_ERRNO } fault_mode;
static unsigned fault_at;
static int fault_errno;
static bool fault_parsed;

static void fault_report(void) { fprintf(stderr, "fault-points: %u\n", points); }

static void fault_parse(void) {
        fault_parsed = true;
        const char *e = getenv("FAULT_AT");
        if (!e || !*e)
                return;
        if (streq(e, "count")) {
                fault_mode = FAULT_COUNT;
                atexit(fault_report);
                return;
        }
        char *end;
        unsigned long n = strtoul(e, &end, 10);
        if (end == e || *end != ':' || n == 0)
                return;
        fault_at = (unsigned)n;
        end++;
        if (streq(end, "crash"))
                fault_mode = FAULT_CRASH;
        else if (streq(end, "ENOSPC"))
                fault_mode = FAULT_ERRNO, fault_errno = ENOSPC;
        else if (streq(end, "EIO"))
                fault_mode = FAULT_ERRNO, fault_errno = EIO;
        else if (streq(end, "EROFS"))
                fault_mode = FAULT_ERRNO, fault_errno = EROFS;
}

/* Parsed at start-up, so FAULT_AT=count reports 0 for a run that never reaches a point. */
__attribute__((constructor)) static void fault_init(void) {
        if (!fault_parsed)
                fault_parse();
}

void fault_reload(void) {
        points = 0;
        fault_mode = FAULT_OFF;
        fault_at = 0;
        fault_parse();
}

int fault_point(void) {
        if (!fault_parsed)
                fault_parse();
        points++;
        if (fault_at == 0 || points != fault_at)
                return 0;
        if (fault_mode == FAULT_CRASH)
                _exit(99);
        if (fault_mode == FAULT_ERRNO)
                return -fault_errno;
        return 0;
}
#else
void fault_reload(void) { points = 0; }
int fault_point(void) {
        points++;
        return 0;
}
#endif
