/* ksm-early/policy.c: the policy JSON (policy_parse, jansson with JSON_REJECT_DUPLICATES, every
 * member checked). Property: a rejected policy names at least one problem and an E-code. */
#include "ksm-early/policy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct policy p = {};
        strv errors = {};
        const char *code = NULL;
        int r = policy_parse((const char *)data, size, "policy.json", &p, &errors, &code);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == -EINVAL)
                FUZZ_ASSERT(errors.n > 0 && code);
        if (r == 0) {
                char *canon = selector_canonical(&p.selector);
                free(canon);
        }
        policy_free(&p);
        strv_free(&errors);
        return 0;
}
