/* lib/parse.c: lines_foreach with every flag combination, kv_parse, str_trim. Properties: lines
 * never contain LF, the callback's line numbers grow, kv keys are non-empty. */
#include "lib/parse.h"
#include "fuzz.h"

static int line_cb_check(char *line, unsigned lineno, void *userdata) {
        unsigned *last = userdata;
        FUZZ_ASSERT(!strchr(line, '\n'));
        FUZZ_ASSERT(lineno > *last);
        *last = lineno;
        return 0;
}

static int kv_cb_check(const char *key, const char *value, unsigned lineno, void *userdata) {
        (void)lineno;
        (void)userdata;
        FUZZ_ASSERT(key && *key && value);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *)data;
        for (unsigned flags = 0; flags < 4; flags++) {
                unsigned last = 0;
                int r = lines_foreach(buf, size, flags, line_cb_check, &last);
                FUZZ_ASSERT(r >= 0 || r == -ENOMEM);
        }
        unsigned bad = 0;
        int r = kv_parse(buf, size, kv_cb_check, NULL, &bad);
        FUZZ_ASSERT(r >= 0 || r == -EINVAL || r == -ENOMEM);
        FUZZ_ASSERT(r != -EINVAL || bad > 0);
        char *s = fuzz_cstr(data, size);
        char *t = str_trim(s);
        FUZZ_ASSERT(t >= s && t <= s + size);
        (void)str_has_ctrl(t);
        free(s);
        return 0;
}
