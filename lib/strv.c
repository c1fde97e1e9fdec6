/* See strv.h. */
#include "strv.h"
#include "macro.h"

int strv_push_take(strv *s, char *str) {
        if (!str)
                return -ENOMEM;
        if (s->n + 2 > s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 8;
                char **v = realloc(s->v, cap * sizeof *v);
                if (!v) {
                        free(str);
                        return -ENOMEM;
                }
                s->v = v;
                s->cap = cap;
        }
        s->v[s->n++] = str;
        s->v[s->n] = NULL;
        return 0;
}

int strv_push(strv *s, const char *str) { return strv_push_take(s, strdup(str)); }

bool strv_contains(const strv *s, const char *str) {
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->v[i], str))
                        return true;
        return false;
}

int strv_push_unique(strv *s, const char *str) { return strv_contains(s, str) ? 0 : strv_push(s, str); }

void strv_remove(strv *s, const char *str) {
        size_t j = 0;
        for (size_t i = 0; i < s->n; i++) {
                if (streq(s->v[i], str))
                        free(s->v[i]);
                else
                        s->v[j++] = s->v[i];
        }
        s->n = j;
        if (s->v)
                s->v[j] = NULL;
}

static int (*sort_cmp)(const char *, const char *);
static int sort_trampoline(const void *a, const void *b) {
        return sort_cmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(strv *s, int (*cmp)(const char *, const char *)) {
        if (s->n < 2)
                return;
        sort_cmp = cmp;
        qsort(s->v, s->n, sizeof *s->v, sort_trampoline);
}

void strv_free(strv *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        *s = (strv){};
}
