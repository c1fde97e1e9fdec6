/* startall/guests.c: a native guest definition (guest_parse_json, strict JSON). Property: an
 * accepted guest has a name, a source and a valid start command. */
#include "startall/guests.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct guest g;
        struct diag d = {};
        int r = guest_parse_json((const char *)data, size, "guests.d/100.json", 0, &g, &d);
        FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == -EINVAL)
                FUZZ_ASSERT(d.errors > 0);
        if (r == 0) {
                FUZZ_ASSERT(g.name && g.source);
                if (g.start.n > 0)
                        FUZZ_ASSERT(!guest_argv_problem(g.start.v, g.start.n));
                guest_done(&g);
        }
        return 0;
}
