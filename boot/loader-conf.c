/* See loader-conf.h. Edits work on raw lines so every byte we do not own stays as it was. */
#include "boot/loader-conf.h"
#include "lib/macro.h"
#include <stdio.h>

static bool value_is_valid(const char *v) {
        if (!v || !*v)
                return false;
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
                if (*p <= 0x20 || *p == 0x7f)
                        return false;
        return true;
}

int loader_conf_new(unsigned timeout, const char *default_value, char **ret) {
        if (!value_is_valid(default_value))
                return -EINVAL;
        char *r;
        if (asprintf(&r, "timeout %u\ndefault %s\n", timeout, default_value) < 0)
                return -ENOMEM;
        *ret = r;
        return 0;
}

/* Does the line [s, s+n) (without its line end) have this key? Leading blanks are allowed. */
static bool line_has_key(const char *s, size_t n, const char *key) {
        size_t i = 0, k = strlen(key);
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        if (n - i < k || memcmp(s + i, key, k) != 0)
                return false;
        i += k;
        return i == n || s[i] == ' ' || s[i] == '\t' || s[i] == '\r';
}

struct line {
        const char *start;
        size_t len;     /* without the line end */
        size_t end_len; /* 0 (last, unterminated), 1 (LF) or 2 (CRLF) */
};

static bool next_line(const char *buf, size_t len, size_t *pos, struct line *ret) {
        if (*pos >= len)
                return false;
        const char *s = buf + *pos;
        const char *nl = memchr(s, '\n', len - *pos);
        size_t n = nl ? (size_t)(nl - s) : len - *pos;
        ret->start = s;
        ret->end_len = nl ? 1 : 0;
        if (nl && n > 0 && s[n - 1] == '\r') {
                n--;
                ret->end_len = 2;
        }
        ret->len = n;
        *pos += n + ret->end_len;
        return true;
}

int loader_conf_edit(const char *old, size_t len, const char *default_value, const char *timeout_or_null,
                     char **ret) {
        if (default_value && !value_is_valid(default_value))
                return -EINVAL;
        if (timeout_or_null && !value_is_valid(timeout_or_null))
                return -EINVAL;
        const char *keys[2] = { "default", "timeout" };
        const char *values[2] = { default_value, timeout_or_null };
        bool seen[2] = { false, false };

        /* Each key is written once, replaced or appended: at most "\n" key ' ' value "\r\n". */
        size_t cap = len + (default_value ? strlen(default_value) + 16 : 0) +
                     (timeout_or_null ? strlen(timeout_or_null) + 16 : 0) + 1;
        char *out = malloc(cap), *o = out;
        if (!out)
                return -ENOMEM;
        size_t pos = 0;
        struct line l;
        bool last_terminated = true;
        while (next_line(old, len, &pos, &l)) {
                bool handled = false;
                for (size_t k = 0; k < 2; k++) {
                        if (!values[k] || !line_has_key(l.start, l.len, keys[k]))
                                continue;
                        handled = true;
                        if (!seen[k]) {
                                seen[k] = true;
                                o += sprintf(o, "%s %s", keys[k], values[k]);
                                memcpy(o, l.end_len == 2 ? "\r\n" : "\n", l.end_len);
                                o += l.end_len;
                                last_terminated = l.end_len > 0;
                        }
                        break;
                }
                if (!handled) {
                        memcpy(o, l.start, l.len + l.end_len);
                        o += l.len + l.end_len;
                        last_terminated = l.end_len > 0;
                }
        }
        for (size_t k = 0; k < 2; k++) {
                if (!values[k] || seen[k])
                        continue;
                if (!last_terminated) {
                        *o++ = '\n';
                        last_terminated = true;
                }
                o += sprintf(o, "%s %s\n", keys[k], values[k]);
        }
        *o = 0;
        size_t out_len = (size_t)(o - out);
        *ret = out;
        return out_len != len || memcmp(out, old, len) != 0;
}

int loader_conf_get(const char *buf, size_t len, const char *key, char **ret) {
        size_t pos = 0;
        struct line l;
        while (next_line(buf, len, &pos, &l)) {
                if (!line_has_key(l.start, l.len, key))
                        continue;
                const char *s = l.start, *e = l.start + l.len;
                while (s < e && (*s == ' ' || *s == '\t'))
                        s++;
                s += strlen(key);
                while (s < e && (*s == ' ' || *s == '\t'))
                        s++;
                while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                        e--;
                char *v = strndup(s, (size_t)(e - s));
                if (!v)
                        return -ENOMEM;
                *ret = v;
                return 0;
        }
        return -ENOENT;
}
