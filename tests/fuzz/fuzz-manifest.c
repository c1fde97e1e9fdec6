/* esp/manifest.c: manifest_parse, then render and parse again. Property: rendering is a fixed
 * point (render(parse(render(m))) == render(m)), so ESPs in the same state hold identical
 * manifests. (manifest_render of a manifest without records passes NULL to memcpy, which gcc's
 * UBSan reports and clang's does not instrument: see tests/fuzz/crashes/README.) */
#include "esp/manifest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct manifest m;
        unsigned fmt = 0, line = 0;
        int r = manifest_parse((const char *)data, size, &m, &fmt, &line);
        FUZZ_ASSERT(r >= 0 || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENOMEM);
        if (r == -EBADMSG)
                FUZZ_ASSERT(line > 0);
        if (r >= 0) {
                char *out = NULL, *again = NULL;
                FUZZ_ASSERT(manifest_render(&m, &out) == 0);
                struct manifest m2;
                FUZZ_ASSERT(manifest_parse(out, strlen(out), &m2, NULL, NULL) >= 0);
                FUZZ_ASSERT(m2.n == m.n);
                FUZZ_ASSERT(manifest_render(&m2, &again) == 0);
                FUZZ_ASSERT(strcmp(out, again) == 0);
                manifest_free(&m2);
                free(out);
                free(again);
        }
        manifest_free(&m);
        return 0;
}
