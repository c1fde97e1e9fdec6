/* Symbolic names of errno values and signals ("EROFS", "SIGTERM") for messages. glibc has
 * strerrorname_np/sigabbrev_np; musl (the static build) has neither, so the table is ours. */
#pragma once

/* "EROFS" for EROFS (positive errno), NULL when not in the table. */
const char *errno_name(int err);
/* EROFS for "EROFS", 0 when not in the table. */
int errno_from_name(const char *name);
/* "SIGTERM" for SIGTERM, NULL when not in the table. */
const char *signal_name(int sig);
