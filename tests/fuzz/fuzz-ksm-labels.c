/* ksm-early/labels.c and state.c: a labels file (labels_parse_file), a ksm_early.labels= list
 * (labels_parse_list), the kernel command line (cmdline_parse) and the state file
 * (ksm_state_parse, then render and parse again). Properties: every accepted label passes the
 * syntax rules; a parsed state renders to a fixed point. */
#include "ksm-early/labels.h"
#include "ksm-early/state.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *)data;
        struct labels l = {};
        strv errors = {}, seen = {};
        int r = labels_parse_file(&l, buf, size, "labels", &errors);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == 0)
                for (size_t i = 0; i < l.keys.n; i++)
                        FUZZ_ASSERT(label_key_valid(l.keys.v[i], NULL) && label_value_valid(l.values.v[i], NULL));
        labels_free(&l);
        strv_free(&errors);

        char *s = fuzz_cstr(data, size);
        struct labels l2 = {};
        (void)labels_parse_list(&l2, s, "ksm_early.labels", &seen, &errors);
        labels_free(&l2);
        strv_free(&errors);
        strv_free(&seen);

        struct cmdline_params cp = {};
        r = cmdline_parse(s, &cp);
        FUZZ_ASSERT(r >= 0 || r == -EINVAL || r == -ENOMEM);
        cmdline_params_free(&cp);
        free(s);

        struct ksm_state st = {};
        const char *why = NULL;
        r = ksm_state_parse(buf, size, "3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162", &st, &why);
        FUZZ_ASSERT(r == 0 || ((r == -EINVAL || r == -ESTALE) && why) || r == -ENOMEM);
        if (r == 0) {
                char *out = NULL, *again = NULL;
                size_t out_len = 0, again_len = 0;
                FUZZ_ASSERT(ksm_state_render(&st, &out, &out_len) == 0);
                struct ksm_state st2 = {};
                FUZZ_ASSERT(ksm_state_parse(out, out_len, st.boot_id, &st2, &why) == 0);
                FUZZ_ASSERT(ksm_state_render(&st2, &again, &again_len) == 0);
                FUZZ_ASSERT(out_len == again_len && memcmp(out, again, out_len) == 0);
                ksm_state_free(&st2);
                free(out);
                free(again);
        }
        ksm_state_free(&st);
        return 0;
}
