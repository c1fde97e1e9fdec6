/* Shared helpers of the libFuzzer targets (tests/fuzz/fuzz-*.c): NUL-terminated copies of the
 * input and a way to split it into a short argument and a buffer, and an assertion that stays
 * active in every build. */
#pragma once
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A property the parser promises; a violation aborts, so libFuzzer saves the input. */
#define FUZZ_ASSERT(cond)                                                                          \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

/* malloc'd copy of data with a NUL appended (parsers that take C strings). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        return s;
}

/* Split at the first NUL within the first `max` bytes: *arg gets a malloc'd string of the part
 * before it (or dflt when there is none), *rest and *rest_len the part after it (or all of data). */
static inline void fuzz_split(const uint8_t *data, size_t size, size_t max, const char *dflt, char **arg,
                              const uint8_t **rest, size_t *rest_len) {
        const uint8_t *nul = memchr(data, 0, size < max ? size : max);
        if (nul) {
                *arg = fuzz_cstr(data, (size_t)(nul - data));
                *rest = nul + 1;
                *rest_len = size - (size_t)(nul - data) - 1;
        } else {
                *arg = strdup(dflt);
                if (!*arg)
                        abort();
                *rest = data;
                *rest_len = size;
        }
}
