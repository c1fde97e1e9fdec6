/* ksm-early exec: per-process KSM opt-in (spec §11). prctl(PR_SET_MEMORY_MERGE) marks every
 * present and future mapping of this process mergeable; the flag survives fork and execve, so
 * the program run here (a VMM) is opted in without touching it. Reads no policy or sysfs. */
#include "ksm-early.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include <sys/prctl.h>

/* Linux 6.4 uapi; Debian 12's headers and older musl lack them. */
#define KSM_PR_SET_MEMORY_MERGE 67
#define KSM_PR_GET_MEMORY_MERGE 68

int verb_exec(const struct ksm_ctx *ctx) {
        unsigned long on = ctx->merge ? 1 : 0;
        const char *prog = ctx->exec_argv[0];
        if (ctx->dry_run) {
                printf("prctl PR_SET_MEMORY_MERGE %lu, then exec %s\n", on, prog);
                return EXIT_OK;
        }
        int failed = 0;
        if (prctl(KSM_PR_SET_MEMORY_MERGE, on, 0, 0, 0) < 0)
                failed = errno;
        else {
                int got = prctl(KSM_PR_GET_MEMORY_MERGE, 0, 0, 0, 0);
                if (got < 0)
                        failed = errno;
                else if ((unsigned long)got != on) {
                        log_error("prctl check failed: PR_GET_MEMORY_MERGE: expected %lu, got %d", on, got);
                        if (!ctx->best_effort)
                                return EXIT_CHILD;
                }
        }
        if (failed) {
                if (!ctx->best_effort) {
                        log_error("prctl failed: PR_SET_MEMORY_MERGE %lu: %s (needs Linux 6.4+ with CONFIG_KSM)", on,
                                  strerror(failed));
                        return EXIT_CHILD;
                }
                log_warning("prctl PR_SET_MEMORY_MERGE %lu failed: %s; running %s anyway (--best-effort)", on,
                            strerror(failed), prog);
        }
        fflush(NULL);
        execvp(prog, ctx->exec_argv);
        int e = errno;
        log_error("cannot execute %s: %s", prog, strerror(e));
        return e == ENOENT ? 127 : 126;
}
