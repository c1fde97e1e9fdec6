/* lib/grubenv.c: grubenv_parse and grubenv_edit. Input: [value NUL] block. Properties: an edit
 * keeps the block's size, and the value it set (any bytes but NUL) reads back unchanged. */
#include "lib/grubenv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct grubenv env = {};
        int r = grubenv_parse((const char *)data, size, &env);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
        if (r == 0) {
                (void)grubenv_get(&env, "saved_entry");
                char *out = NULL;
                size_t out_len = 0;
                if (grubenv_render(&env, &out, &out_len) == 0)
                        FUZZ_ASSERT(out_len == env.size);
                free(out);
        }
        grubenv_free(&env);

        char *value;
        const uint8_t *block;
        size_t block_len;
        fuzz_split(data, size, 128, "proxmox-6.8.12-4-pve", &value, &block, &block_len);
        const char *names[] = { "saved_entry", "next_entry" };
        const char *values[] = { value, NULL };
        char *out = NULL;
        size_t out_len = 0;
        r = grubenv_edit((const char *)block, block_len, names, values, 2, &out, &out_len);
        FUZZ_ASSERT(r == 0 || r == 1 || r == -EBADMSG || r == -E2BIG || r == -EINVAL || r == -ENOMEM);
        if (r >= 0) {
                FUZZ_ASSERT(out_len == block_len);
                struct grubenv back = {};
                FUZZ_ASSERT(grubenv_parse(out, out_len, &back) == 0);
                const char *got = grubenv_get(&back, "saved_entry");
                FUZZ_ASSERT(got && strcmp(got, value) == 0);
                FUZZ_ASSERT(!grubenv_get(&back, "next_entry"));
                grubenv_free(&back);
        }
        free(out);
        free(value);
        return 0;
}
