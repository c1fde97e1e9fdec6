/* What every verb acting on a selection does first: read all configuration, refuse on any
 * problem, and select and order the guests. */
#include "plan.h"
#include "startall.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"

/* Shared by the verbs that act on a selection: reads everything and refuses on any problem. */
int verb_prepare(struct ctx *c, int verb, struct guest_set *set, struct nodeconf *node,
                 struct guest ***sel, size_t *n_sel) {
        _cleanup_free_ uint32_t *vms = NULL;
        size_t n_vms = 0;
        if (c->vms) {
                _cleanup_free_ char *bad = NULL;
                int r = vms_parse(c->vms, &vms, &n_vms, &bad);
                if (r == -ENOMEM)
                        return EXIT_IO;
                if (r < 0) {
                        log_error("bad option: --vms: expected guest ids separated by ',', ';' or blanks, got \"%s\"",
                                  bad ? bad : "");
                        return EXIT_USAGE;
                }
        }
        struct diag d = { .strict = c->strict };
        int r = config_load(c, set, node, &d);
        if (r == -ENOMEM)
                return EXIT_IO;
        if (r < 0 || diag_failed(&d)) {
                log_error("invalid configuration (%u error%s): nothing was %s", d.errors, d.errors == 1 ? "" : "s",
                          verb == PLAN_STOP ? "stopped" : verb == PLAN_START ? "started" : "done");
                return EXIT_INVALID;
        }
        uint32_t unknown = 0;
        r = plan_select(set, verb, c->force, vms, n_vms, sel, n_sel, &unknown);
        if (r == -ENOENT) {
                log_error("bad option: --vms: guest %u is not defined", unknown);
                return EXIT_USAGE;
        }
        return r < 0 ? EXIT_IO : 0;
}

