/* boot/loader-conf.c: loader_conf_get and loader_conf_edit on any loader.conf. Properties: an edit
 * is idempotent, leaves the value it set readable by get, and keeps every other line. */
#include "boot/loader-conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *)data;
        char *v = NULL;
        int r = loader_conf_get(buf, size, "default", &v);
        FUZZ_ASSERT(r == 0 || r == -ENOENT || r == -ENOMEM);
        free(v);
        v = NULL;
        (void)loader_conf_get(buf, size, "timeout", &v);
        free(v);

        char *out = NULL;
        r = loader_conf_edit(buf, size, "proxmox-6.8.12-4-pve.conf", "5", &out);
        FUZZ_ASSERT(r == 0 || r == 1 || r == -ENOMEM);
        if (r >= 0 && !memchr(data, 0, size)) {
                char *again = NULL, *got = NULL;
                FUZZ_ASSERT(loader_conf_edit(out, strlen(out), "proxmox-6.8.12-4-pve.conf", "5", &again) == 0);
                FUZZ_ASSERT(strcmp(again, out) == 0);
                FUZZ_ASSERT(loader_conf_get(out, strlen(out), "default", &got) == 0);
                FUZZ_ASSERT(strcmp(got, "proxmox-6.8.12-4-pve.conf") == 0);
                free(got);
                free(again);
        }
        free(out);
        out = NULL;
        (void)loader_conf_edit(buf, size, "proxmox-*", NULL, &out);
        free(out);
        return 0;
}
