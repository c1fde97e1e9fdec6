/* boot/bls.c: loader entries (bls_entry_parse, then render of what parsed), entry file names
 * (bls_entry_name_parse, bls_entry_value_parse) and systemd-boot's glob (bls_glob_match).
 * Input: [pattern NUL] entry-or-name bytes. (The glob once backtracked exponentially on many '*';
 * its reproducer is now a corpus seed.) */
#include "boot/bls.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct bls_entry e;
        int r = bls_entry_parse((const char *)data, size, "fuzz.conf", &e);
        FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -ENOMEM);
        FUZZ_ASSERT(r != -EBADMSG || e.error);
        if (r == 0 && e.kernel) {
                char *out = NULL;
                if (bls_entry_render(&e, &out) == 0) {
                        /* what we render parses back to the same kernel path */
                        struct bls_entry again;
                        FUZZ_ASSERT(bls_entry_parse(out, strlen(out), "rendered", &again) == 0);
                        FUZZ_ASSERT(again.kernel);
                        bls_entry_free(&again);
                }
                free(out);
        }
        bls_entry_free(&e);

        char *name = fuzz_cstr(data, size), *v = NULL;
        int left = 0, done = 0;
        r = bls_entry_name_parse(name, "proxmox", &v, &left, &done);
        FUZZ_ASSERT(r == 0 || r == 1 || r == -ENOMEM);
        if (r == 1) {
                /* the name is rebuilt from its parts when uncounted */
                FUZZ_ASSERT(v);
                if (left < 0) {
                        char *again = bls_entry_name("proxmox", v, 0);
                        FUZZ_ASSERT(again && strcmp(again, name) == 0);
                        free(again);
                }
        }
        free(v);
        v = NULL;
        (void)bls_entry_value_parse(name, "proxmox", &v);
        free(v);
        free(name);

        char *pattern;
        const uint8_t *rest;
        size_t rest_len;
        fuzz_split(data, size, 64, "proxmox-*", &pattern, &rest, &rest_len);
        char *subject = fuzz_cstr(rest, rest_len > 255 ? 255 : rest_len);
        (void)bls_glob_match(pattern, subject);
        free(subject);
        free(pattern);
        return 0;
}
