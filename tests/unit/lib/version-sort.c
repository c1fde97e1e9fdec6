/* Test helper: reads versions (one per line) from stdin and prints them oldest first in our
 * order, so tests can compare it with systemd-analyze compare-versions. */
#include <stdio.h>
#include "lib/macro.h"
#include "lib/strv.h"
#include "lib/version.h"

int main(void) {
        strv s = {};
        char line[512];
        while (fgets(line, sizeof line, stdin)) {
                line[strcspn(line, "\n")] = 0;
                if (strv_push(&s, line) < 0)
                        return 1;
        }
        strv_sort(&s, version_compare);
        for (size_t i = 0; i < s.n; i++)
                printf("%s\n", s.v[i]);
        strv_free(&s);
        return 0;
}
