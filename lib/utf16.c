/* See utf16.h. */
#include "utf16.h"
#include "macro.h"
#include <stdint.h>

static size_t utf8_put(char *out, uint32_t cp) {
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xe0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char)(0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        return 4;
}

int utf16le_decode(const void *buf, size_t len, char **ret, size_t *ret_consumed) {
        const uint8_t *b = buf;
        if (len % 2 != 0)
                return -EBADMSG;
        size_t units = len / 2, n = 0;
        while (n < units && (b[2 * n] | b[2 * n + 1]) != 0)
                n++;
        /* Each unit gives at most 3 UTF-8 bytes (a pair: 2 units, 4 bytes). */
        char *out = malloc(n * 3 + 1);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                uint32_t u = (uint32_t)b[2 * i] | (uint32_t)b[2 * i + 1] << 8;
                if (u >= 0xd800 && u <= 0xdbff && i + 1 < n) {
                        uint32_t l = (uint32_t)b[2 * i + 2] | (uint32_t)b[2 * i + 3] << 8;
                        if (l >= 0xdc00 && l <= 0xdfff) {
                                o += utf8_put(out + o, 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00));
                                i++;
                                continue;
                        }
                }
                if (u >= 0xd800 && u <= 0xdfff)
                        u = 0xfffd; /* lone surrogate */
                o += utf8_put(out + o, u);
        }
        out[o] = 0;
        *ret = out;
        if (ret_consumed)
                *ret_consumed = n < units ? 2 * (n + 1) : len;
        return 0;
}

int utf16le_to_utf8(const void *buf, size_t len, char **ret) {
        return utf16le_decode(buf, len, ret, NULL);
}

/* Next code point of NUL-terminated UTF-8 at *p, strict (no overlongs, no surrogates, at most
 * U+10FFFF). Returns the code point or -EINVAL. */
static int32_t utf8_next(const unsigned char **p) {
        const unsigned char *s = *p;
        uint32_t cp;
        int extra;
        if (s[0] < 0x80) {
                *p = s + 1;
                return s[0];
        } else if ((s[0] & 0xe0) == 0xc0) {
                cp = s[0] & 0x1f;
                extra = 1;
        } else if ((s[0] & 0xf0) == 0xe0) {
                cp = s[0] & 0x0f;
                extra = 2;
        } else if ((s[0] & 0xf8) == 0xf0) {
                cp = s[0] & 0x07;
                extra = 3;
        } else
                return -EINVAL;
        for (int i = 1; i <= extra; i++) {
                if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL of a truncated sequence */
                        return -EINVAL;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        static const uint32_t min[] = { 0, 0x80, 0x800, 0x10000 };
        if (cp < min[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return -EINVAL;
        *p = s + 1 + extra;
        return (int32_t)cp;
}

int utf8_to_utf16le(const char *s, void **ret, size_t *ret_len) {
        /* Every UTF-8 byte gives at most one UTF-16 unit (4 bytes -> 2 units). */
        size_t cap = strlen(s) + 1;
        uint8_t *out = malloc(cap * 2);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        const unsigned char *p = (const unsigned char *)s;
        while (*p) {
                int32_t cp = utf8_next(&p);
                if (cp < 0) {
                        free(out);
                        return -EINVAL;
                }
                uint32_t u = (uint32_t)cp;
                if (u >= 0x10000) {
                        u -= 0x10000;
                        uint32_t hi = 0xd800 | (u >> 10), lo = 0xdc00 | (u & 0x3ff);
                        out[o++] = hi & 0xff;
                        out[o++] = (uint8_t)(hi >> 8);
                        out[o++] = lo & 0xff;
                        out[o++] = (uint8_t)(lo >> 8);
                } else {
                        out[o++] = u & 0xff;
                        out[o++] = (uint8_t)(u >> 8);
                }
        }
        out[o++] = 0;
        out[o++] = 0;
        *ret = out;
        *ret_len = o;
        return 0;
}
