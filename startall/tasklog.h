/* The task log (spec §8): one JSON object per line, each a single write() on an O_APPEND
 * descriptor, one fsync when the run ends. */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct tasklog {
        int fd;          /* -1: disabled (--no-log, --dry-run) */
        char run_id[48]; /* 20261123T142001Z-4242 */
        uint64_t mono0;  /* CLOCK_MONOTONIC ms at run begin */
};

/* Sets up the run id; opens path (creating missing parent directories 0750, the file 0640)
 * unless path is NULL. Returns 0 or -errno. */
int tasklog_open(struct tasklog *t, const char *path, uint64_t mono0);
/* Adds v, run, ts and event to obj (stolen) and appends it as one line. */
int tasklog_write(struct tasklog *t, const char *event, json_t *obj);
int tasklog_close(struct tasklog *t);

/* RFC 3339 UTC with milliseconds. */
void rfc3339_ms(const struct timespec *ts, char buf[32]);
/* Creates every missing directory of path (not path's last component when parent_only). */
int mkdir_parents(const char *path, unsigned mode);
