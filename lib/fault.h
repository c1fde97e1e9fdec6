/* Crash-point injection (spec §7.5). Every write-side call of the toolkit goes through fsops.c,
 * which calls fault_point() first. Built with -Dfault_injection=true, FAULT_AT=<n>:crash makes
 * the n-th point _exit(99), FAULT_AT=<n>:ENOSPC|EIO|EROFS makes it fail, FAULT_AT=count prints
 * "fault-points: N" at exit. Normal builds compile it to "return 0". */
#pragma once

/* 0 to go on, or -errno the caller must treat as the call's own failure. */
int fault_point(void);
/* Re-read FAULT_AT and restart the count: for a forked test child. */
void fault_reload(void);
/* Number of points passed so far in this process. */
unsigned fault_points_seen(void);
