/* check: parse everything, print every problem, and warn about setups that work but surprise. */
#include "startall.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"

int verb_check(struct ctx *c) {
        struct guest_set set = {};
        struct nodeconf node;
        struct diag d = { .strict = c->strict };
        int r = config_load(c, &set, &node, &d);
        if (r == -ENOMEM) {
                guest_set_free(&set);
                return EXIT_IO;
        }
        for (size_t i = 0; i < set.n; i++) {
                const struct guest *g = &set.v[i];
                if (g->ksm_merge && g->start.n && endswith(g->start.v[0], "/systemctl"))
                        diag_warning(&d, "%s: ksm: systemctl asks a daemon to start the guest, so the merge flag "
                                     "does not reach it", g->source);
                if (!g->compat && g->shutdown.n == 0)
                        diag_warning(&d, "%s: no shutdown command: stopall goes straight to %s", g->source,
                                     g->stop.n ? "stop" : "failure (no stop command either)");
        }
        if (c->pve) {
                _cleanup_free_ char *wants = paths_root(&c->paths, PATH_PVE_GUESTS_WANTS);
                if (wants && access(wants, F_OK) == 0)
                        diag_warning(&d, "%s exists: pve-guests.service would start and stop the same guests", wants);
        }
        size_t n = set.n;
        guest_set_free(&set);
        if (r < 0 || diag_failed(&d)) {
                printf("check: %u error%s, %u warning%s\n", d.errors, d.errors == 1 ? "" : "s", d.warnings,
                       d.warnings == 1 ? "" : "s");
                return EXIT_INVALID;
        }
        printf("check: %zu guest%s, %u warning%s\n", n, n == 1 ? "" : "s", d.warnings, d.warnings == 1 ? "" : "s");
        return EXIT_OK;
}
