/* UTF-16LE <-> UTF-8 conversion for EFI variables (spec §4.6). EFI strings are UTF-16LE with a
 * terminating NUL code unit; firmware and loaders are not always careful, so decoding is lenient
 * (missing NUL accepted, lone surrogates become U+FFFD) while encoding is strict. */
#pragma once
#include <stddef.h>

/* Decode the first string of buf (len bytes): up to and including the first NUL code unit, or the
 * whole buffer when there is none. *ret is a malloc'd NUL-terminated UTF-8 string; *ret_consumed
 * (may be NULL) the bytes used, including the NUL unit when present. Surrogate pairs are joined,
 * lone surrogates give U+FFFD. Returns 0, -EBADMSG for an odd len, -ENOMEM. */
int utf16le_decode(const void *buf, size_t len, char **ret, size_t *ret_consumed);

/* Same, for a buffer that holds exactly one string (an EFI string variable). */
int utf16le_to_utf8(const void *buf, size_t len, char **ret);

/* Encode NUL-terminated UTF-8 s to UTF-16LE including the terminating NUL code unit; *ret is
 * malloc'd, *ret_len its size in bytes (always even, >= 2). Returns 0, -EINVAL for invalid
 * UTF-8 (overlong forms, encoded surrogates, code points above U+10FFFF, truncated sequences),
 * -ENOMEM. */
int utf8_to_utf16le(const char *s, void **ret, size_t *ret_len);
