/* See parse.h. */
#include "parse.h"
#include "macro.h"
#include <ctype.h>

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

char *str_trim(char *s) {
        while (is_blank(*s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && is_blank(s[n - 1]))
                s[--n] = 0;
        return s;
}

bool str_has_ctrl(const char *s) {
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

int lines_foreach(const char *buf, size_t len, unsigned flags, line_cb cb, void *userdata) {
        _cleanup_free_ char *copy = malloc(len + 1);
        if (!copy)
                return -ENOMEM;
        if (len)
                memcpy(copy, buf, len);
        copy[len] = 0;
        unsigned lineno = 0;
        char *p = copy, *end = copy + len;
        while (p < end) {
                char *nl = memchr(p, '\n', (size_t)(end - p));
                char *stop = nl ? nl : end;
                *stop = 0;
                if (stop > p && stop[-1] == '\r')
                        stop[-1] = 0;
                lineno++;
                char *line = (flags & LINES_NO_TRIM) ? p : str_trim(p);
                bool skip = (flags & LINES_SKIP_BLANK_COMMENT) && (line[0] == 0 || line[0] == '#');
                if (!skip) {
                        int r = cb(line, lineno, userdata);
                        if (r < 0)
                                return r;
                }
                p = stop + 1;
        }
        return 0;
}

struct kv_state {
        kv_cb cb;
        void *userdata;
        unsigned *bad_line;
};

static int kv_line(char *line, unsigned lineno, void *userdata) {
        struct kv_state *st = userdata;
        char *eq = strchr(line, '=');
        if (!eq)
                goto bad;
        *eq = 0;
        char *key = str_trim(line), *value = str_trim(eq + 1);
        if (!*key)
                goto bad;
        size_t n = strlen(value);
        if (n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n - 1] == value[0]) {
                value[n - 1] = 0;
                value++;
        }
        return st->cb(key, value, lineno, st->userdata);
bad:
        if (st->bad_line)
                *st->bad_line = lineno;
        return -EINVAL;
}

int kv_parse(const char *buf, size_t len, kv_cb cb, void *userdata, unsigned *ret_bad_line) {
        struct kv_state st = { cb, userdata, ret_bad_line };
        return lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, kv_line, &st);
}

int parse_uint_bounded(const char *s, uint32_t max, uint32_t *ret) {
        if (!*s)
                return -EINVAL;
        uint64_t v = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t)(*p - '0');
                if (v > max)
                        return -ERANGE;
        }
        *ret = (uint32_t)v;
        return 0;
}
