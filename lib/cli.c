#include "cli.h"
#include "macro.h"

const void *cli_find_verb(const void *table, size_t n, size_t size, const char *name) {
        for (size_t i = 0; i < n; i++) {
                const char *entry = (const char *)table + i * size;
                if (streq(*(const char *const *)entry, name))
                        return entry;
        }
        return NULL;
}
