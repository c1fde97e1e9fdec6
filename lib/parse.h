/* Buffer parsers shared by every configuration file: lines (LF, a CR before LF dropped) and
 * key=value. They take a buffer, never a path, so unit tests and fuzzers feed them directly. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Trim blanks (space, tab, CR, LF, VT, FF) at both ends, in place. */
char *str_trim(char *s);
bool str_has_ctrl(const char *s);

enum {
        LINES_SKIP_BLANK_COMMENT = 1 << 0, /* drop empty lines and lines starting with '#' after trim */
        LINES_NO_TRIM = 1 << 1,            /* hand over the line as is (CR before LF still dropped) */
};

/* Called with a NUL-terminated, writable line and its 1-based number. A negative return stops
 * the walk and is returned. */
typedef int (*line_cb)(char *line, unsigned lineno, void *userdata);
int lines_foreach(const char *buf, size_t len, unsigned flags, line_cb cb, void *userdata);

/* key=value lines, '#' comments and blank lines skipped, blanks around key and value trimmed,
 * a value in matching double or single quotes unquoted. A line without '=' or with an empty key
 * stops with -EINVAL and its number in *ret_bad_line. */
typedef int (*kv_cb)(const char *key, const char *value, unsigned lineno, void *userdata);
int kv_parse(const char *buf, size_t len, kv_cb cb, void *userdata, unsigned *ret_bad_line);

/* A plain decimal 0..max (no sign, blank or suffix): -EINVAL when malformed, -ERANGE above max. */
int parse_uint_bounded(const char *s, uint32_t max, uint32_t *ret);
