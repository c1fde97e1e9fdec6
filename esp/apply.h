/* Executes a refresh plan on one ESP, in its order, every write atomic (temp, fsync, rename,
 * fsync directory). Stops at the first failure: what was done keeps the ESP bootable (§7.4). */
#pragma once
#include "cache.h"
#include "plan.h"

/* -errno; *ret_error names the path and what failed. */
int esp_plan_apply(const struct esp_plan *p, int espfd, struct crc_cache *cache, char **ret_error);
/* Create the directories of a relative path (not its last component); each mkdir fsyncs its parent. */
int esp_mkdirs(int espfd, const char *rel);
/* Atomically write rel (its directories created first); 0 or -errno. */
int esp_write_rel(int espfd, const char *rel, const char *content, size_t len);
