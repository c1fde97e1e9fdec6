/* esp/registration.c: /etc/kernel/proxmox-boot-uuids (registration_parse) and its edits.
 * Properties: every serial found is valid; appending a new serial makes it parse; dropping the
 * lines of every serial leaves at most their repeats (which parse has no line for). */
#include "esp/registration.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *)data;
        struct registration reg = {};
        int r = registration_parse(buf, size, "uuids", &reg);
        FUZZ_ASSERT(r >= 0 || r == -ENOMEM);
        if (r < 0) {
                registration_free(&reg);
                return 0;
        }
        for (size_t i = 0; i < reg.serials.n; i++)
                FUZZ_ASSERT(serial_is_valid(reg.serials.v[i]));
        if (!memchr(data, 0, size)) {
                char *out = NULL;
                if (registration_append(buf, size, "0FF1-CE00", &out) == 0) {
                        struct registration back = {};
                        FUZZ_ASSERT(registration_parse(out, strlen(out), "appended", &back) >= 0);
                        FUZZ_ASSERT(strv_contains(&back.serials, "0FF1-CE00"));
                        registration_free(&back);
                }
                free(out);
                out = NULL;
                if (reg.serials.n > 0 && registration_drop_lines(buf, size, reg.lines, reg.serials.n, &out) == 0) {
                        struct registration back = {};
                        FUZZ_ASSERT(registration_parse(out, strlen(out), "dropped", &back) >= 0);
                        for (size_t i = 0; i < back.serials.n; i++)
                                FUZZ_ASSERT(strv_contains(&reg.serials, back.serials.v[i]));
                        registration_free(&back);
                }
                free(out);
        }
        registration_free(&reg);
        return 0;
}
