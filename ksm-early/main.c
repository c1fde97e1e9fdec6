/* ksm-early: KubeVirt-style KSM policy applied once per boot, before guests start.
 * main() parses the command line into struct ksm_ctx and calls one verb; nothing else here. */
#include "ksm-early.h"
#include "sysfs.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include <getopt.h>

static void usage(FILE *f) {
        fputs("usage: ksm-early [apply] [OPTIONS]\n"
              "       ksm-early status [OPTIONS]\n"
              "       ksm-early exec [--merge|--no-merge] [--best-effort] [--dry-run] -- PROG [ARG]...\n"
              "       ksm-early loop [OPTIONS] [--interval SECONDS] [--once]\n"
              "       ksm-early --help | --version\n"
              "\n"
              "options:\n"
              "  --policy PATH       policy file (default: ksm_early.policy= on the kernel command line,\n"
              "                      else <root>/etc/ksm-early/policy.json, which may be absent)\n"
              "  --labels-file PATH  node labels, key=value per line (default <root>/etc/ksm-early/node-labels)\n"
              "  --label K=V         extra node label, repeatable, highest precedence\n"
              "  --root DIR          prefix of every default path (default /)\n"
              "  --sysfs-root DIR    KSM files are DIR/kernel/mm/ksm/* (default <root>/sys)\n"
              "  --proc-dir DIR      boot id and kernel command line (default <root>/proc)\n"
              "  --run-dir DIR       state and outputs (default <root>/run/ksm-early)\n"
              "  --nfd-dir DIR       also write the Node Feature Discovery file DIR/ksm-early\n"
              "  --dry-run           print the plan; create, lock, write nothing\n"
              "  --json              result object on stdout\n"
              "  --quiet, --verbose  fewer / more messages\n"
              "loop only:\n"
              "  --interval SECONDS  time between ticks, 1..86400 (default: the policy's intervalSeconds, 180)\n"
              "  --once              one tick, then exit\n",
              f);
}

static int usage_error(const char *fmt, const char *arg) {
        fprintf(stderr, "ksm-early: ");
        fprintf(stderr, fmt, arg);
        fprintf(stderr, "\nusage: ksm-early [apply|status|exec|loop] [OPTIONS] (see --help)\n");
        return EXIT_USAGE;
}

enum { OPT_POLICY = 256, OPT_LABELS_FILE, OPT_LABEL, OPT_ROOT, OPT_SYSFS_ROOT, OPT_PROC_DIR, OPT_RUN_DIR,
       OPT_NFD_DIR, OPT_DRY_RUN, OPT_JSON, OPT_QUIET, OPT_VERBOSE, OPT_HELP, OPT_VERSION, OPT_MERGE,
       OPT_NO_MERGE, OPT_BEST_EFFORT, OPT_INTERVAL, OPT_ONCE };

static const struct option common_opts[] = {
        { "policy", required_argument, NULL, OPT_POLICY },
        { "labels-file", required_argument, NULL, OPT_LABELS_FILE },
        { "label", required_argument, NULL, OPT_LABEL },
        { "root", required_argument, NULL, OPT_ROOT },
        { "sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT },
        { "proc-dir", required_argument, NULL, OPT_PROC_DIR },
        { "run-dir", required_argument, NULL, OPT_RUN_DIR },
        { "nfd-dir", required_argument, NULL, OPT_NFD_DIR },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "json", no_argument, NULL, OPT_JSON },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "help", no_argument, NULL, OPT_HELP },
        { "version", no_argument, NULL, OPT_VERSION },
        { "interval", required_argument, NULL, OPT_INTERVAL }, /* loop only, checked below */
        { "once", no_argument, NULL, OPT_ONCE },
        {}
};

static const struct option exec_opts[] = {
        { "merge", no_argument, NULL, OPT_MERGE },
        { "no-merge", no_argument, NULL, OPT_NO_MERGE },
        { "best-effort", no_argument, NULL, OPT_BEST_EFFORT },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "help", no_argument, NULL, OPT_HELP },
        {}
};

int main(int argc, char **argv) {
        struct ksm_ctx ctx = { .verb = "apply", .merge = true };
        enum log_level level = LOG_LEVEL_NOTICE;
        int first = 1;
        if (argc > 1 && argv[1][0] != '-') {
                ctx.verb = argv[1];
                first = 2;
                if (!streq(ctx.verb, "apply") && !streq(ctx.verb, "status") && !streq(ctx.verb, "exec") &&
                    !streq(ctx.verb, "loop"))
                        return usage_error("unknown verb: %s", ctx.verb);
        }
        bool is_exec = streq(ctx.verb, "exec");
        /* getopt starts at optind; the verb is skipped by handing it argv shifted. */
        char **args = argv + first - 1;
        int nargs = argc - first + 1;
        _cleanup_strv_ strv labels = {};
        optind = 1;
        opterr = 0;
        int c;
        while ((c = getopt_long(nargs, args, "+", is_exec ? exec_opts : common_opts, NULL)) != -1) {
                switch (c) {
                case OPT_POLICY: ctx.policy = optarg; break;
                case OPT_LABELS_FILE: ctx.labels_file = optarg; break;
                case OPT_LABEL:
                        if (!strchr(optarg, '='))
                                return usage_error("malformed --label: expected K=V, got \"%s\"", optarg);
                        if (strv_push(&labels, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case OPT_ROOT: ctx.root = optarg; break;
                case OPT_SYSFS_ROOT: ctx.sysfs_root = optarg; break;
                case OPT_PROC_DIR: ctx.proc_dir = optarg; break;
                case OPT_RUN_DIR: ctx.run_dir = optarg; break;
                case OPT_NFD_DIR: ctx.nfd_dir = optarg; break;
                case OPT_DRY_RUN: ctx.dry_run = true; break;
                case OPT_JSON: ctx.json = true; break;
                case OPT_QUIET: level = LOG_LEVEL_WARNING; break;
                case OPT_VERBOSE: level = LOG_LEVEL_INFO; break;
                case OPT_MERGE: ctx.merge = true; break;
                case OPT_NO_MERGE: ctx.merge = false; break;
                case OPT_BEST_EFFORT: ctx.best_effort = true; break;
                case OPT_INTERVAL: {
                        if (!streq(ctx.verb, "loop"))
                                return usage_error("--interval is an option of loop only, got it with %s", ctx.verb);
                        /* Too large is a range error (exit 2, by verb_loop), not a usage error. */
                        int r = parse_uint_bounded(optarg, UINT32_MAX, &ctx.interval);
                        if (r == -ERANGE)
                                ctx.interval = UINT32_MAX;
                        else if (r < 0)
                                return usage_error("malformed --interval: expected seconds, got \"%s\"", optarg);
                        ctx.interval_set = true;
                        break;
                }
                case OPT_ONCE:
                        if (!streq(ctx.verb, "loop"))
                                return usage_error("--once is an option of loop only, got it with %s", ctx.verb);
                        ctx.once = true;
                        break;
                case OPT_HELP: usage(stdout); return EXIT_OK;
                case OPT_VERSION: printf("ksm-early %s (%s backend)\n", TOOLKIT_VERSION, ksm_sysfs_backend_name); return EXIT_OK;
                default:
                        return usage_error("unknown or incomplete option: %s", args[optind - 1]);
                }
        }
        log_setup("ksm-early", level);
        ctx.labels = labels;
        if (is_exec) {
                if (optind < 2 || !streq(args[optind - 1], "--"))
                        return usage_error("exec: expected -- before the program, got %s",
                                           optind < nargs ? args[optind] : "nothing");
                if (optind >= nargs)
                        return usage_error("exec: expected a program after --, got %s", "nothing");
                ctx.exec_argv = args + optind;
                return verb_exec(&ctx);
        }
        if (optind < nargs)
                return usage_error("unexpected argument: %s", args[optind]);
        int r = streq(ctx.verb, "status") ? verb_status(&ctx) : streq(ctx.verb, "loop") ? verb_loop(&ctx) : verb_apply(&ctx);
        labels = ctx.labels; /* handed back for cleanup */
        return r;
}
