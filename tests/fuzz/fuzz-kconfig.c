/* kernel-select/kconfig.c: espctl.conf (conf_parse), the manual kernel list (manual_list_parse),
 * the pin files (pin_file_parse). Property: a next-boot pin we render parses back to its version
 * and boot id. */
#include "kernel-select/kconfig.h"
#include "lib/version.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *)data;
        struct toolkit_conf c;
        conf_init(&c);
        char *error = NULL;
        int r = conf_parse(buf, size, "espctl.conf", &c, &error);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == 0)
                FUZZ_ASSERT(c.prefix && c.flavour);
        free(error);
        conf_free(&c);

        strv list = {}, warnings = {};
        r = manual_list_parse(buf, size, "manual", &list, &warnings);
        FUZZ_ASSERT(r >= 0 || r == -ENOMEM);
        for (size_t i = 0; i < list.n; i++)
                FUZZ_ASSERT(version_is_valid(list.v[i]));
        strv_free(&list);
        strv_free(&warnings);

        char *v = NULL, *id = NULL;
        r = pin_file_parse(buf, size, &v, &id);
        FUZZ_ASSERT(r == 0 || r == -ENOMEM);
        if (r == 0 && v && version_is_valid(v)) {
                char *text = NULL, *v2 = NULL, *id2 = NULL;
                const char *want_id = id && !strpbrk(id, "\n") ? id : NULL;
                FUZZ_ASSERT(next_boot_pin_render(v, want_id, &text) == 0);
                FUZZ_ASSERT(pin_file_parse(text, strlen(text), &v2, &id2) == 0);
                FUZZ_ASSERT(v2 && strcmp(v, v2) == 0);
                FUZZ_ASSERT(!want_id == !id2 && (!want_id || strcmp(want_id, id2) == 0));
                free(text);
                free(v2);
                free(id2);
        }
        free(v);
        free(id);
        return 0;
}
