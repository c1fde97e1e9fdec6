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

int verb_refresh(struct esp_ctx *c) {
        int lock_fd = -1, code;
        struct esp_list l = {};
        struct refresh_run run = {};
        if ((code = espctl_lock(c, false, &lock_fd)))
                return code;
        code = espctl_open_esps(c, &l);
        if (code) {
                code = code < 0 ? 0 : code;
                goto out;
        }
        if ((code = refresh_prepare(c, &run)))
                goto out;
        for (size_t i = 0; i < l.n; i++) {
                _cleanup_free_ char *summary = NULL, *plan = NULL;
                int r = refresh_one(c, &run, &l.v[i], &summary, &plan);
                if (c->dry_run && plan)
                        fputs(plan, stdout);
                else if (summary)
                        printf("%s\n", summary);
                if (r && !code)
                        code = r;
        }
        int r = refresh_finish(c, &run);
        if (r && !code)
                code = r;
out:
        refresh_run_free(&run);
        esp_list_close(&l);
        if (lock_fd >= 0)
                close(lock_fd);
        return code;
}
