/* A growable, NULL-terminated array of owned strings. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

typedef struct strv {
        char **v; /* NULL-terminated once anything was added; NULL when empty */
        size_t n, cap;
} strv;

int strv_push(strv *s, const char *str);     /* copies str */
int strv_push_take(strv *s, char *str);      /* takes ownership, even on failure */
int strv_push_unique(strv *s, const char *str);
bool strv_contains(const strv *s, const char *str);
void strv_remove(strv *s, const char *str);  /* every occurrence */
void strv_sort(strv *s, int (*cmp)(const char *, const char *));
void strv_free(strv *s);
static inline void strv_freep(strv *s) { strv_free(s); }
#define _cleanup_strv_ __attribute__((cleanup(strv_freep)))
