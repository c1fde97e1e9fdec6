/* See version.h. Written from the algorithm as spec §5.1 restates it. */
#include "version.h"
#include "macro.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool counts(char c) { return is_digit(c) || is_alpha(c) || c == '~' || c == '-' || c == '^' || c == '.'; }
static int sign(long v) { return (v > 0) - (v < 0); }

int strverscmp_improved(const char *a, const char *b) {
        static const char separators[] = { '-', '^', '.' };
        for (;;) {
                while (*a && !counts(*a))
                        a++;
                while (*b && !counts(*b))
                        b++;

                /* A '~' makes a string older than the same string without it ("rc" tags). */
                if (*a == '~' || *b == '~') {
                        if (*a != '~')
                                return 1;
                        if (*b != '~')
                                return -1;
                        a++, b++;
                        continue;
                }
                if (!*a || !*b)
                        return sign((long)(*a != 0) - (long)(*b != 0));

                bool stepped = false;
                for (size_t i = 0; i < ELEMENTSOF(separators); i++) {
                        char sep = separators[i];
                        if (*a == sep || *b == sep) {
                                if (*a != sep)
                                        return 1;
                                if (*b != sep)
                                        return -1;
                                a++, b++;
                                stepped = true;
                                break;
                        }
                }
                if (stepped)
                        continue;

                const char *ea = a, *eb = b;
                if (is_digit(*a) || is_digit(*b)) {
                        while (is_digit(*ea))
                                ea++;
                        while (is_digit(*eb))
                                eb++;
                        int r = sign((long)(ea != a) - (long)(eb != b)); /* a number beats no number */
                        if (r)
                                return r;
                        while (*a == '0')
                                a++;
                        while (*b == '0')
                                b++;
                        r = sign((long)(ea - a) - (long)(eb - b)); /* more digits, bigger number */
                        if (r)
                                return r;
                        r = memcmp(a, b, (size_t)(ea - a));
                        if (r)
                                return sign(r);
                } else {
                        while (is_alpha(*ea))
                                ea++;
                        while (is_alpha(*eb))
                                eb++;
                        size_t la = (size_t)(ea - a), lb = (size_t)(eb - b);
                        int r = strncmp(a, b, la < lb ? la : lb);
                        if (r)
                                return sign(r);
                        r = sign((long)la - (long)lb);
                        if (r)
                                return r;
                }
                a = ea, b = eb;
        }
}

int version_compare(const char *a, const char *b) {
        int r = strverscmp_improved(a, b);
        return r ? r : sign(strcmp(a, b));
}

int version_compare_newest_first(const char *a, const char *b) { return version_compare(b, a); }

/* True when s, from its '+', is "+<digits>" or "+<digits>-<digits>" up to the end. */
static bool is_counter_tail(const char *s) {
        if (*s++ != '+' || !is_digit(*s))
                return false;
        while (is_digit(*s))
                s++;
        if (*s == '-') {
                s++;
                if (!is_digit(*s))
                        return false;
                while (is_digit(*s))
                        s++;
        }
        return *s == 0;
}

bool version_is_valid(const char *v) {
        size_t n = strlen(v);
        if (n == 0 || n > 128 || !(is_digit(v[0]) || is_alpha(v[0])))
                return false;
        for (const char *p = v; *p; p++) {
                if (!(is_digit(*p) || is_alpha(*p) || strchr("._+~^-", *p)))
                        return false;
                if (p[0] == '.' && p[1] == '.')
                        return false;
                if (*p == '+' && is_counter_tail(p))
                        return false;
        }
        return true;
}

bool version_is_series(const char *v) {
        const char *p = v;
        if (!is_digit(*p))
                return false;
        while (is_digit(*p))
                p++;
        if (*p++ != '.' || !is_digit(*p))
                return false;
        while (is_digit(*p))
                p++;
        return *p == 0;
}
