/* Small pieces of the binaries' argument parsing. No printing here: main.c reports. */
#pragma once
#include <stddef.h>

/* The entry named NAME in a verb table, an array of N structs of SIZE bytes whose first member is
 * `const char *name`; NULL when there is none. Use CLI_FIND_VERB on an array. */
const void *cli_find_verb(const void *table, size_t n, size_t size, const char *name);
#define CLI_FIND_VERB(table, name) \
        ((typeof(&(table)[0]))cli_find_verb((table), sizeof(table) / sizeof((table)[0]), sizeof((table)[0]), (name)))
