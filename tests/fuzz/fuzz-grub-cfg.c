/* boot/grub-cfg.c: grub_cfg_parse on any grub.cfg and grub_quote_word on any word. Property: a
 * quoted word parses back to itself as a menuentry id. */
#include "boot/grub-cfg.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct grub_cfg_info info = {};
        int r = grub_cfg_parse((const char *)data, size, "grub.cfg", &info);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
        FUZZ_ASSERT(r != -EBADMSG || info.error);
        for (size_t i = 0; r == 0 && i < info.n_ids; i++)
                FUZZ_ASSERT(info.ids[i]);
        grub_cfg_info_free(&info);

        if (size < 256 && !memchr(data, 0, size)) {
                char *word = fuzz_cstr(data, size);
                bool ctrl = false;
                for (size_t i = 0; i < size; i++)
                        ctrl |= data[i] < 0x20 || data[i] == 0x7f;
                char *q = grub_quote_word(word);
                FUZZ_ASSERT(q);
                if (!ctrl && size > 0) {
                        char *cfg = NULL;
                        FUZZ_ASSERT(asprintf(&cfg, "menuentry 'x' --id %s {\n}\n", q) > 0);
                        struct grub_cfg_info back = {};
                        FUZZ_ASSERT(grub_cfg_parse(cfg, strlen(cfg), "quoted", &back) == 0);
                        FUZZ_ASSERT(back.n_ids == 1 && strcmp(back.ids[0], word) == 0);
                        grub_cfg_info_free(&back);
                        free(cfg);
                }
                free(q);
                free(word);
        }
        return 0;
}
