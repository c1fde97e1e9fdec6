/* Kernel version strings: validity (spec §5.1) and order. The order is systemd's
 * strverscmp_improved, the one systemd-boot sorts entries with, so what we call "newest" is
 * what the loader shows first. */
#pragma once
#include <stdbool.h>

/* <0, 0, >0 like strcmp; 0 for "6.6.0+" vs "6.6.0". */
int strverscmp_improved(const char *a, const char *b);
/* Total order: strverscmp_improved, ties broken by strcmp. */
int version_compare(const char *a, const char *b);
/* Newest first, for qsort/strv_sort. */
int version_compare_newest_first(const char *a, const char *b);
/* 1-128 bytes of [A-Za-z0-9._+~^-], alphanumeric first, no "..", no boot-counter tail. */
bool version_is_valid(const char *v);
/* "6.8": a series name, never a kernel to sync. */
bool version_is_series(const char *v);
