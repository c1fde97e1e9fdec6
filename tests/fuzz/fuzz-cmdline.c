/* esp/cmdline.c: /proc/cmdline (cmdline_from_proc: BOOT_IMAGE= and initrd= dropped) and
 * /etc/kernel/cmdline (cmdline_from_file). Properties: the result holds no BOOT_IMAGE= token
 * outside quotes and, for text without NUL bytes (a NUL ends a token even inside quotes; the kernel
 * never puts one in /proc/cmdline), is a fixed point of cmdline_from_proc. */
#include "esp/cmdline.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *)data;
        char *c = NULL;
        int r = cmdline_from_proc(buf, size, &c);
        FUZZ_ASSERT(r >= 0 || r == -EINVAL || r == -ENOMEM);
        if (r >= 0 && c && !memchr(data, 0, size)) {
                (void)cmdline_has_root(c);
                char *again = NULL;
                FUZZ_ASSERT(cmdline_from_proc(c, strlen(c), &again) >= 0);
                FUZZ_ASSERT(again && strcmp(again, c) == 0);
                free(again);
        }
        free(c);
        c = NULL;
        r = cmdline_from_file(buf, size, &c);
        FUZZ_ASSERT(r >= 0 || r == -EINVAL || r == -ENOMEM);
        if (r >= 0 && c)
                FUZZ_ASSERT(!strchr(c, '\n') && strlen(c) <= 4095);
        free(c);
        return 0;
}
