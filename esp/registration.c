/* See registration.h. */
#include "registration.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include <ctype.h>

bool serial_is_valid(const char *s) {
        if (strlen(s) != 9 || s[4] != '-')
                return false;
        for (int i = 0; i < 9; i++)
                if (i != 4 && !isxdigit((unsigned char)s[i]))
                        return false;
        return true;
}

struct reg_state {
        struct registration *r;
        const char *name;
};

static int push_line(unsigned **arr, size_t n, unsigned lineno) {
        unsigned *a = realloc(*arr, (n + 1) * sizeof *a);
        if (!a)
                return -ENOMEM;
        a[n] = lineno;
        *arr = a;
        return 0;
}

static int warn(struct registration *r, const char *fmt, const char *name, unsigned lineno, const char *text) {
        char *w;
        if (asprintf(&w, fmt, name, lineno, text) < 0)
                return -ENOMEM;
        return strv_push_take(&r->warnings, w);
}

static int reg_line(char *line, unsigned lineno, void *userdata) {
        struct reg_state *st = userdata;
        struct registration *r = st->r;
        if (!serial_is_valid(line)) {
                int k = push_line(&r->invalid_lines, r->invalid_texts.n, lineno);
                if (k < 0 || (k = strv_push(&r->invalid_texts, line)) < 0)
                        return k;
                return warn(r, "invalid line: %s:%u: expected XXXX-XXXX, got '%s'", st->name, lineno, line);
        }
        char upper[10];
        bool lower = false;
        for (int i = 0; i < 10; i++) {
                upper[i] = (char)toupper((unsigned char)line[i]);
                lower |= upper[i] != line[i];
        }
        if (lower) {
                int k = warn(r, "%s:%u: serial '%s' is lower case; using upper case", st->name, lineno, line);
                if (k < 0)
                        return k;
        }
        if (strv_contains(&r->serials, upper))
                return warn(r, "%s:%u: %s is listed twice; ignored", st->name, lineno, upper);
        int k = push_line(&r->lines, r->serials.n, lineno);
        return k < 0 ? k : strv_push(&r->serials, upper);
}

int registration_parse(const char *buf, size_t len, const char *name, struct registration *ret) {
        *ret = (struct registration){};
        struct reg_state st = { ret, name };
        int r = lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, reg_line, &st);
        if (r < 0)
                registration_free(ret);
        return r;
}

void registration_free(struct registration *r) {
        strv_free(&r->serials);
        free(r->lines);
        strv_free(&r->warnings);
        free(r->invalid_lines);
        strv_free(&r->invalid_texts);
        *r = (struct registration){};
}

int registration_append(const char *old, size_t len, const char *serial, char **ret) {
        bool nl = len > 0 && old[len - 1] != '\n';
        if (asprintf(ret, "%.*s%s%s\n", (int)len, old, nl ? "\n" : "", serial) < 0)
                return -ENOMEM;
        return 0;
}

int registration_drop_lines(const char *old, size_t len, const unsigned *lines, size_t n, char **ret) {
        char *out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        unsigned lineno = 0;
        for (size_t i = 0; i < len;) {
                const char *nl = memchr(old + i, '\n', len - i);
                size_t l = nl ? (size_t)(nl - (old + i)) + 1 : len - i;
                lineno++;
                bool drop = false;
                for (size_t k = 0; k < n; k++)
                        drop |= lines[k] == lineno;
                if (!drop) {
                        memcpy(out + o, old + i, l);
                        o += l;
                }
                i += l;
        }
        out[o] = 0;
        *ret = out;
        return 0;
}
