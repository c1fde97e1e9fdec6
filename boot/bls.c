/* See bls.h. */
#include "boot/bls.h"
#include "lib/macro.h"
#include "lib/version.h"
#include <ctype.h>
#include <stdio.h>

static const struct {
        const char *key;
        size_t offset;
} bls_keys[] = {
        { "title", offsetof(struct bls_entry, title) },
        { "version", offsetof(struct bls_entry, version) },
        { "sort-key", offsetof(struct bls_entry, sort_key) },
        { "options", offsetof(struct bls_entry, options) },
        { "linux", offsetof(struct bls_entry, kernel) },
        { "initrd", offsetof(struct bls_entry, initrd) },
};

#define FIELD(e, off) (*(char **)((char *)(e) + (off)))

static bool value_is_valid(const char *v) {
        if (!*v)
                return false;
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

/* Values the parser (and systemd-boot) would read back differently unless quoted: surrounding
 * blanks are trimmed, a leading quote is taken for quoting. "V" reads back as V in both. */
static bool value_needs_quotes(const char *v) {
        size_t n = strlen(v);
        return strchr("\"' \t", v[0]) || v[n - 1] == ' ' || v[n - 1] == '\t';
}

int bls_entry_render(const struct bls_entry *e, char **ret) {
        if (!e->kernel)
                return -EINVAL;
        size_t need = 1;
        for (size_t i = 0; i < ELEMENTSOF(bls_keys); i++) {
                const char *v = FIELD(e, bls_keys[i].offset);
                if (!v)
                        continue;
                if (!value_is_valid(v))
                        return -EINVAL;
                need += 9 + strlen(v) + 2 + 1;
        }
        char *out = malloc(need), *o = out;
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(bls_keys); i++) {
                const char *v = FIELD(e, bls_keys[i].offset);
                if (v)
                        o += sprintf(o, value_needs_quotes(v) ? "%-8s \"%s\"\n" : "%-8s %s\n", bls_keys[i].key, v);
        }
        *o = 0;
        *ret = out;
        return 0;
}

void bls_entry_free(struct bls_entry *e) {
        for (size_t i = 0; i < ELEMENTSOF(bls_keys); i++)
                free(FIELD(e, bls_keys[i].offset));
        free(e->error);
        *e = (struct bls_entry){};
}

static int fail(struct bls_entry *e, const char *name, unsigned line, const char *fmt, const char *got) {
        bls_entry_free(e);
        if (asprintf(&e->error, "%s:%u: %s, got '%s'", name, line, fmt, got) < 0) {
                e->error = NULL;
                return -ENOMEM;
        }
        return -EBADMSG;
}

int bls_entry_parse(const char *buf, size_t len, const char *name, struct bls_entry *ret) {
        *ret = (struct bls_entry){};
        if (memchr(buf, 0, len))
                return fail(ret, name, (unsigned)1, "expected text", "NUL byte");
        _cleanup_free_ char *copy = strndup(buf, len);
        if (!copy)
                return -ENOMEM;
        unsigned lineno = 0;
        char *p = copy;
        while (*p) {
                /* A line ends at LF, CRLF or a lone CR. */
                size_t n = strcspn(p, "\r\n");
                char *next = p + n;
                if (*next == '\r' && next[1] == '\n')
                        *next++ = 0;
                if (*next)
                        *next++ = 0;
                char *line = p;
                p = next;
                lineno++;

                line += strspn(line, " \t");
                size_t l = strlen(line);
                while (l > 0 && (line[l - 1] == ' ' || line[l - 1] == '\t'))
                        line[--l] = 0;
                if (l == 0 || line[0] == '#')
                        continue;
                size_t klen = strcspn(line, " \t");
                char *value = line + klen;
                value += strspn(value, " \t");
                line[klen] = 0;
                if (!*value)
                        return fail(ret, name, lineno, "expected \"key value\"", line);
                size_t vlen = strlen(value);
                if (value[0] == '"' || value[0] == '\'') {
                        if (vlen < 2 || value[vlen - 1] != value[0])
                                return fail(ret, name, lineno, "expected a closing quote", value);
                        value[vlen - 1] = 0;
                        value++;
                }
                for (size_t i = 0; i < ELEMENTSOF(bls_keys); i++) {
                        if (!streq(line, bls_keys[i].key))
                                continue;
                        char **f = &FIELD(ret, bls_keys[i].offset);
                        if (*f && f == &ret->initrd)
                                break; /* first initrd kept */
                        char *v = strdup(value);
                        if (!v) {
                                bls_entry_free(ret);
                                return -ENOMEM;
                        }
                        free(*f);
                        *f = v;
                        break;
                }
        }
        return 0;
}

char *bls_entry_id(const char *prefix, const char *version) {
        char *r;
        if (asprintf(&r, "%s-%s", prefix, version) < 0)
                return NULL;
        return r;
}

char *bls_entry_name(const char *prefix, const char *version, int tries) {
        char *r;
        int k = tries > 0 ? asprintf(&r, "%s-%s+%d.conf", prefix, version, tries)
                          : asprintf(&r, "%s-%s.conf", prefix, version);
        return k < 0 ? NULL : r;
}

/* Digits only, non-empty, fitting an int. */
static bool parse_counter(const char *s, size_t n, int *ret) {
        if (n == 0 || n > 9)
                return false;
        int v = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return true;
}

int bls_entry_name_parse(const char *filename, const char *prefix, char **ret_version, int *ret_left,
                         int *ret_done) {
        size_t plen = strlen(prefix), flen = strlen(filename);
        if (plen == 0 || flen <= plen + 1 + 5 || strncmp(filename, prefix, plen) != 0 || filename[plen] != '-' ||
            !endswith(filename, ".conf"))
                return 0;
        const char *v = filename + plen + 1;
        size_t vlen = flen - plen - 1 - 5;
        int left = -1, done = -1;
        /* The counter is "+L" or "+L-D" at the very end (a valid version never ends so). */
        const char *plus = NULL;
        for (size_t i = vlen; i > 0; i--)
                if (v[i - 1] == '+') {
                        plus = v + i - 1;
                        break;
                }
        if (plus) {
                const char *c = plus + 1, *end = v + vlen;
                const char *dash = memchr(c, '-', (size_t)(end - c));
                int l, d = 0;
                if (dash ? parse_counter(c, (size_t)(dash - c), &l) && parse_counter(dash + 1, (size_t)(end - dash - 1), &d)
                         : parse_counter(c, (size_t)(end - c), &l)) {
                        left = l;
                        done = d;
                        vlen = (size_t)(plus - v);
                }
        }
        _cleanup_free_ char *version = strndup(v, vlen);
        if (!version)
                return -ENOMEM;
        if (!version_is_valid(version))
                return 0;
        if (ret_version)
                *ret_version = TAKE_PTR(version);
        if (ret_left)
                *ret_left = left;
        if (ret_done)
                *ret_done = done;
        return 1;
}

int bls_entry_value_parse(const char *value, const char *prefix, char **ret_version) {
        size_t plen = strlen(prefix), vlen = strlen(value);
        if (endswith(value, ".conf")) {
                int r = bls_entry_name_parse(value, prefix, ret_version, NULL, NULL);
                return r;
        }
        /* "P-V+*": V must be a valid version and the pattern must be exactly this shape. */
        if (plen == 0 || vlen <= plen + 1 + 2 || strncmp(value, prefix, plen) != 0 || value[plen] != '-' ||
            !endswith(value, "+*"))
                return 0;
        _cleanup_free_ char *version = strndup(value + plen + 1, vlen - plen - 1 - 2);
        if (!version)
                return -ENOMEM;
        if (!version_is_valid(version))
                return 0;
        if (ret_version)
                *ret_version = TAKE_PTR(version);
        return 1;
}

/* fnmatch-like, ASCII case-insensitive, no special meaning for '/' or leading dots (as
 * systemd-boot's efi_fnmatch). */
/* One pattern element at p ('?', a bracket class, or a literal byte; a '[' without its ']' is
 * literal) against the character c: its length, and whether it matches. */
static size_t glob_element(const char *p, int c, bool *ret_match) {
        c = tolower(c);
        if (*p == '?') {
                *ret_match = true;
                return 1;
        }
        if (*p == '[') {
                const char *q = p + 1;
                bool negate = false, match = false, first = true;
                if (*q == '!' || *q == '^') {
                        negate = true;
                        q++;
                }
                for (; *q && (first || *q != ']'); q++, first = false) {
                        int lo = tolower((unsigned char)*q), hi = lo;
                        if (q[1] == '-' && q[2] && q[2] != ']') {
                                hi = tolower((unsigned char)q[2]);
                                q += 2;
                        }
                        if (c >= lo && c <= hi)
                                match = true;
                }
                if (*q == ']') {
                        *ret_match = match != negate;
                        return (size_t)(q - p) + 1;
                }
        }
        *ret_match = tolower((unsigned char)*p) == c;
        return 1;
}

/* Iterative matching with backtracking to the last '*' only: linear in practice, never
 * exponential, since the pattern may come from a variable another tool wrote. */
static bool glob_match(const char *p, const char *s) {
        const char *star_p = NULL, *star_s = NULL;
        while (*s) {
                if (*p == '*') {
                        while (*p == '*')
                                p++;
                        star_p = p;
                        star_s = s;
                        continue;
                }
                bool match = false;
                size_t n = *p ? glob_element(p, (unsigned char)*s, &match) : 0;
                if (match) {
                        p += n;
                        s++;
                        continue;
                }
                if (!star_p)
                        return false;
                p = star_p;
                s = ++star_s;
        }
        while (*p == '*')
                p++;
        return *p == 0;
}

bool bls_glob_match(const char *pattern, const char *name) { return glob_match(pattern, name); }
