/* See config.h. Order matters: the kernel command line names the policy and labels, so it is
 * read first; validation errors (exit 2) are all reported before environment checks (exit 3). */
#include "config.h"
#include "sysfs.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

void ksm_config_free(struct ksm_config *cfg) {
        paths_free(&cfg->paths);
        free(cfg->run_dir);
        free(cfg->nfd_dir);
        free(cfg->policy_path);
        policy_free(&cfg->policy);
        labels_free(&cfg->labels);
        free(cfg->boot_id);
        *cfg = (struct ksm_config){};
}

/* E3: explicit path missing, unreadable, not a regular file or too large. */
static int load_policy(struct ksm_config *cfg, const char *path, bool explicit_path, struct report *rep) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0 && errno == ENOENT && !explicit_path)
                return policy_init_default(&cfg->policy); /* E2 */
        if (fd < 0) {
                report_error(rep, "E3", EXIT_INVALID, "cannot open policy: %s: %s", path, strerror(errno));
                return -1;
        }
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                report_error(rep, "E3", EXIT_INVALID, "invalid policy: %s: expected a regular file", path);
                return -1;
        }
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r = read_fd_max(fd, POLICY_MAX_SIZE, &buf, &len);
        if (r == -EFBIG || (r >= 0 && len > POLICY_MAX_SIZE)) {
                report_error(rep, "E3", EXIT_INVALID, "invalid policy: %s: expected at most %d bytes, got more",
                             path, POLICY_MAX_SIZE);
                return -1;
        }
        if (r < 0) {
                report_error(rep, "E3", EXIT_INVALID, "cannot read policy: %s: %s", path, strerror(-r));
                return -1;
        }
        cfg->policy_present = true;
        sha256_hex(buf, len, cfg->policy_sha256);
        _cleanup_strv_ strv errors = {};
        const char *code = "E4";
        r = policy_parse(buf, len, path, &cfg->policy, &errors, &code);
        if (r == -EINVAL) {
                for (size_t i = 0; i < errors.n; i++)
                        report_error(rep, code, EXIT_INVALID, "invalid policy: %s", errors.v[i]);
                return -1;
        }
        if (r < 0) {
                report_error(rep, "E4", EXIT_INVALID, "cannot parse policy: %s: %s", path, strerror(-r));
                return -1;
        }
        return 0;
}

static char *lowercase(char *s) {
        for (char *p = s; p && *p; p++)
                *p = (char)tolower((unsigned char)*p);
        return s;
}

static int builtin_labels(struct ksm_config *cfg, struct report *rep) {
        struct utsname u;
        if (uname(&u) < 0)
                return -1;
        if (labels_set(&cfg->labels, "kubernetes.io/os", "linux") < 0 ||
            labels_set(&cfg->labels, "kubernetes.io/arch", label_goarch(u.machine)) < 0)
                return -1;
        _cleanup_free_ char *host = NULL;
        if (paths_root_is_real(&cfg->paths) && u.nodename[0] && !streq(u.nodename, "(none)"))
                host = strdup(u.nodename);
        else {
                _cleanup_free_ char *path = paths_root(&cfg->paths, PATH_HOSTNAME);
                if (path && read_first_line(path, 4096, &host) >= 0 && !*host) {
                        free(host);
                        host = NULL;
                }
        }
        if (!host)
                return 0;
        const char *why;
        lowercase(host);
        if (!label_value_valid(host, &why)) {
                report_error(rep, "E7", EXIT_INVALID, "invalid labels: built-in kubernetes.io/hostname \"%s\": %s",
                             host, why);
                return -1;
        }
        cfg->hostname_known = true;
        return labels_set(&cfg->labels, "kubernetes.io/hostname", host);
}

static int load_labels(struct ksm_config *cfg, const struct ksm_ctx *ctx, const struct cmdline_params *cmd,
                       const char *cmdline_path, struct report *rep) {
        if (builtin_labels(cfg, rep) < 0)
                return -1;
        _cleanup_strv_ strv errors = {};
        bool bad = false;
        int r;

        _cleanup_free_ char *path = ctx->labels_file ? strdup(ctx->labels_file) : paths_root(&cfg->paths, PATH_KSM_LABELS);
        _cleanup_free_ char *buf = NULL;
        size_t len;
        r = read_file_max(path, 64 * 1024, &buf, &len);
        if (r < 0 && !(r == -ENOENT && !ctx->labels_file)) {
                report_error(rep, "E7", EXIT_INVALID, "cannot read labels: %s: %s", path,
                             r == -EFBIG ? "larger than 64 KiB" : strerror(-r));
                return -1;
        }
        if (r >= 0) {
                struct labels src = {};
                r = labels_parse_file(&src, buf, len, path, &errors);
                bad = bad || r == -EINVAL;
                if (r >= 0)
                        r = labels_merge(&cfg->labels, &src);
                labels_free(&src);
                if (r == -ENOMEM)
                        return -1;
        }

        _cleanup_free_ char *where = NULL;
        if (asprintf(&where, "%s: ksm_early.labels", cmdline_path) < 0)
                return -1;
        struct labels src = {};
        strv seen = {};
        for (size_t i = 0; i < cmd->labels.n; i++)
                bad = labels_parse_list(&src, cmd->labels.v[i], where, &seen, &errors) == -EINVAL || bad;
        strv_free(&seen);
        for (size_t i = 0; i < ctx->labels.n; i++)
                bad = labels_parse_one(&src, ctx->labels.v[i], "--label", &seen, &errors) == -EINVAL || bad;
        strv_free(&seen);
        /* --label wins over the command line key by key; both were added in that order. */
        r = labels_merge(&cfg->labels, &src);
        labels_free(&src);
        if (r < 0)
                return -1;
        if (bad) {
                for (size_t i = 0; i < errors.n; i++)
                        report_error(rep, "E7", EXIT_INVALID, "invalid labels: %s", errors.v[i]);
                return -1;
        }
        return 0;
}

int ksm_config_load(const struct ksm_ctx *ctx, struct ksm_config *cfg, struct report *rep) {
        _cleanup_free_ char *cmdline_path = NULL, *cmdline = NULL, *bid_path = NULL;
        *cfg = (struct ksm_config){};
        if (paths_init(&cfg->paths, ctx->root, ctx->sysfs_root, ctx->proc_dir, NULL, NULL) < 0)
                goto oom;
        cfg->default_sysfs = paths_root_is_real(&cfg->paths) && !ctx->sysfs_root;
        cfg->run_dir = ctx->run_dir ? strdup(ctx->run_dir) : paths_run(&cfg->paths, RUN_KSM_EARLY_DIR);
        cfg->nfd_dir = ctx->nfd_dir ? strdup(ctx->nfd_dir) : NULL;
        if (!cfg->run_dir || (ctx->nfd_dir && !cfg->nfd_dir))
                goto oom;

        /* E8 first for the command line: it names the policy, nothing can be decided without it. */
        cmdline_path = paths_proc(&cfg->paths, PROC_CMDLINE);
        if (!cmdline_path)
                goto oom;
        int r = read_file_max(cmdline_path, 64 * 1024, &cmdline, NULL);
        if (r < 0) {
                report_error(rep, "E8", EXIT_ENV, "cannot read kernel command line: %s: %s", cmdline_path, strerror(-r));
                return -1;
        }
        struct cmdline_params cmd;
        if (cmdline_parse(cmdline, &cmd) < 0)
                goto oom;

        bool explicit_path = true;
        if (ctx->policy)
                cfg->policy_path = strdup(ctx->policy);
        else if (cmd.policy)
                cfg->policy_path = paths_root(&cfg->paths, cmd.policy);
        else {
                cfg->policy_path = paths_root(&cfg->paths, PATH_KSM_POLICY);
                explicit_path = false;
        }
        int ok = cfg->policy_path ? load_policy(cfg, cfg->policy_path, explicit_path, rep) : -1;
        /* Labels are checked even after a policy error, so one run lists every problem. */
        if (load_labels(cfg, ctx, &cmd, cmdline_path, rep) < 0)
                ok = -1;
        cmdline_params_free(&cmd);
        if (ok < 0) {
                if (!rep->code)
                        goto oom;
                return -1;
        }
        if (selector_mentions(&cfg->policy.selector, "kubernetes.io/hostname") && !cfg->hostname_known) {
                report_error(rep, "E7", EXIT_INVALID,
                             "invalid labels: kubernetes.io/hostname: the selector names it, but no hostname is known "
                             "(uname or %s)", PATH_HOSTNAME);
                return -1;
        }
        cfg->matched = selector_matches(&cfg->policy.selector, &cfg->labels);

        /* E8: the environment. */
        if (cfg->default_sysfs) {
                r = sysfs_check_magic(cfg->paths.sysfs);
                if (r <= 0) {
                        report_error(rep, "E8", EXIT_ENV, "%s is not sysfs: expected magic 0x62656572%s%s",
                                     cfg->paths.sysfs, r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
                        return -1;
                }
        }
        bid_path = paths_proc(&cfg->paths, PROC_BOOT_ID);
        if (!bid_path)
                goto oom;
        r = read_first_line(bid_path, 4096, &cfg->boot_id);
        if (r < 0 || !*cfg->boot_id) {
                report_error(rep, "E8", EXIT_ENV, "cannot read boot id: %s: %s", bid_path,
                             r < 0 ? strerror(-r) : "empty");
                return -1;
        }
        return 0;
oom:
        report_error(rep, "E8", EXIT_ENV, "out of memory");
        return -1;
}
