/* systemd-boot's loader/loader.conf (spec §4.2): a new file, and edits that change only the
 * `default` and `timeout` lines and keep every other byte, so an administrator's comments and
 * options survive every refresh. Lines are "key value" (blanks or tabs between); '#' lines are
 * comments. All functions take buffers, return >= 0 or -errno, never print. */
#pragma once
#include <stddef.h>

#define LOADER_CONF_DEFAULT_TIMEOUT 3

/* "timeout <timeout>\ndefault <default_value>\n", e.g. "timeout 3\ndefault proxmox-*\n".
 * Returns 0, -EINVAL when default_value is empty or holds a blank or control character,
 * -ENOMEM. */
int loader_conf_new(unsigned timeout, const char *default_value, char **ret);

/* Edit old (len bytes): for `default` (when default_value is not NULL) and `timeout` (when
 * timeout_or_null is not NULL, e.g. "5"), the first line with that key is replaced in place by
 * "<key> <value>" keeping its line end (LF or CRLF), later lines with that key are dropped, and a
 * missing key is appended as "<key> <value>\n" (after adding a LF to an unterminated last line).
 * Every other line is kept byte for byte. *ret is a malloc'd NUL-terminated buffer. Returns 1
 * when the result differs from old, 0 when identical, -EINVAL for an invalid value (as in
 * loader_conf_new), -ENOMEM. */
int loader_conf_edit(const char *old, size_t len, const char *default_value, const char *timeout_or_null,
                     char **ret);

/* Value of the first line with key (trimmed; the rest of the line after the blanks), malloc'd.
 * Returns 0, -ENOENT when no line has the key, -ENOMEM. */
int loader_conf_get(const char *buf, size_t len, const char *key, char **ret);
