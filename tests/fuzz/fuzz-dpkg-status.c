/* kernel-select/inventory.c: the dpkg status database (dpkg_status_parse) and the name parsers
 * it relies on (kernel_package_version, boot_file_version). Property: every version found is
 * valid, every series has the series shape. */
#include "kernel-select/inventory.h"
#include "lib/version.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        strv versions = {}, series = {};
        int r = dpkg_status_parse((const char *)data, size, &versions, &series);
        FUZZ_ASSERT(r >= 0 || r == -ENOMEM);
        for (size_t i = 0; i < versions.n; i++)
                FUZZ_ASSERT(version_is_valid(versions.v[i]));
        for (size_t i = 0; i < series.n; i++)
                FUZZ_ASSERT(version_is_series(series.v[i]));
        strv_free(&versions);
        strv_free(&series);

        if (size < 512) {
                char *s = fuzz_cstr(data, size);
                free(kernel_package_version(s));
                char *v = boot_file_version(s, "vmlinuz");
                FUZZ_ASSERT(!v || version_is_valid(v));
                free(v);
                free(boot_file_version(s, "initrd.img"));
                free(s);
        }
        return 0;
}
