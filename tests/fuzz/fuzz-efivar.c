/* lib/efivarfs.c and lib/utf16.c: a variable file (efivar_parse), its typed decoders, Boot####
 * load options (efi_load_option_parse), UTF-16LE decoding. Property: valid UTF-8 encoded to
 * UTF-16LE decodes back to the same bytes. */
#include "lib/efivarfs.h"
#include "lib/utf16.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint32_t attr;
        const void *payload;
        size_t plen;
        int r = efivar_parse(data, size, &attr, &payload, &plen);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG);
        if (r == 0) {
                FUZZ_ASSERT(plen == size - 4 && (attr & ~0x7fu) == 0);
                char *s = NULL;
                if (efivar_data_to_string(payload, plen, &s) == 0)
                        FUZZ_ASSERT(s);
                free(s);
                strv list = {};
                (void)efivar_data_to_strv(payload, plen, &list);
                strv_free(&list);
                uint16_t u16;
                uint64_t u64;
                uint8_t u8;
                (void)efivar_data_to_u16(payload, plen, &u16);
                (void)efivar_data_to_u64(payload, plen, &u64);
                (void)efivar_data_to_u8(payload, plen, &u8);
        }

        struct efi_load_option o = {};
        r = efi_load_option_parse(data, size, &o);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (r == 0)
                FUZZ_ASSERT(o.description);
        efi_load_option_free(&o);

        char *s = NULL;
        size_t used = 0;
        r = utf16le_decode(data, size, &s, &used);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (r == 0)
                FUZZ_ASSERT(used <= size);
        free(s);

        char *u8s = fuzz_cstr(data, size);
        void *w = NULL;
        size_t wlen = 0;
        if (utf8_to_utf16le(u8s, &w, &wlen) == 0) {
                char *back = NULL;
                FUZZ_ASSERT(wlen % 2 == 0 && wlen >= 2);
                FUZZ_ASSERT(utf16le_to_utf8(w, wlen, &back) == 0);
                FUZZ_ASSERT(strcmp(back, u8s) == 0);
                free(back);
        }
        free(w);
        free(u8s);
        return 0;
}
