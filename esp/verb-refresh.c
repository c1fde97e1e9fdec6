/* espctl refresh: bring every registered ESP to the current selection (spec §7), with the EFI
 * variable steps before and after the ESPs (refresh.c). */
#include "espctl.h"
#include "refresh.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"

/* Shared by the verbs that refresh: the ESP set, or the "no ESP registered" outcome. */
int espctl_open_esps(struct esp_ctx *c, struct esp_list *l) {
        int r = esp_list_open(c, l);
        for (size_t i = 0; i < l->reg.warnings.n; i++)
                log_warning("%s", l->reg.warnings.v[i]);
        if (r == EXIT_ENV) {
                if (c->graceful) {
                        log_notice("no ESP registered in %s; nothing to do", l->reg_path);
                        return -1;
                }
                log_error("no ESP registered in %s", l->reg_path);
        }
        return r;
}

int verb_refresh(struct esp_ctx *c) { return refresh_verb(c, NULL, NULL, NULL); }
