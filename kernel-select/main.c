/* kernel-select: which kernels go to the ESPs. Parses options and dispatches to a verb. */
#include <getopt.h>
#include "ks.h"
#include "lib/cli.h"
#include "lib/parse.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"

static void help(void) {
        printf("usage: kernel-select [OPTIONS] VERB [ARGS]\n\n"
               "verbs:\n"
               "  list [--installing V]... [--removing V]...  inventory, selection, pins, default\n"
               "  add V                       keep V on the ESPs (manual list)\n"
               "  remove V                    drop V from the manual list\n"
               "  pin V [--next-boot] [--efi-default]\n"
               "                              boot V by default, or once at the next boot\n"
               "  unpin [--next-boot]         remove the pins (or only the next-boot pin)\n\n"
               "options:\n"
               "  --root DIR  --sysfs-root DIR  --proc-dir DIR  --run-dir DIR  --efivars-dir DIR\n"
               "  --esp-dir [SERIAL=]DIR (repeatable, passed to espctl)  --wait SEC\n"
               "  --json  --dry-run  --no-refresh  --no-root-check  -q/--quiet  -v/--verbose\n"
               "  -h/--help  -V/--version\n");
}

enum {
        OPT_ROOT = 0x100, OPT_SYSFS, OPT_PROC, OPT_RUN, OPT_EFIVARS, OPT_ESP_DIR, OPT_WAIT, OPT_JSON,
        OPT_DRY_RUN, OPT_NO_REFRESH, OPT_NO_ROOT_CHECK, OPT_NEXT_BOOT, OPT_EFI_DEFAULT, OPT_INSTALLING,
        OPT_REMOVING,
};

static const struct option options[] = {
        { "root", required_argument, NULL, OPT_ROOT },
        { "sysfs-root", required_argument, NULL, OPT_SYSFS },
        { "proc-dir", required_argument, NULL, OPT_PROC },
        { "run-dir", required_argument, NULL, OPT_RUN },
        { "efivars-dir", required_argument, NULL, OPT_EFIVARS },
        { "esp-dir", required_argument, NULL, OPT_ESP_DIR },
        { "wait", required_argument, NULL, OPT_WAIT },
        { "json", no_argument, NULL, OPT_JSON },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "no-refresh", no_argument, NULL, OPT_NO_REFRESH },
        { "no-root-check", no_argument, NULL, OPT_NO_ROOT_CHECK },
        { "next-boot", no_argument, NULL, OPT_NEXT_BOOT },
        { "efi-default", no_argument, NULL, OPT_EFI_DEFAULT },
        { "installing", required_argument, NULL, OPT_INSTALLING },
        { "removing", required_argument, NULL, OPT_REMOVING },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        {}
};

static const struct verb {
        const char *name;
        int (*run)(struct ks_ctx *);
        int min_args, max_args;
        bool next_boot, efi_default, selection_args; /* which verb options it takes */
} verbs[] = {
        { "list", verb_list, 0, 0, false, false, true },
        { "add", verb_add, 1, 1, false, false, false },
        { "remove", verb_remove, 1, 1, false, false, false },
        { "pin", verb_pin, 1, 1, true, true, false },
        { "unpin", verb_unpin, 0, 0, true, false, false },
};

static int usage_error(const char *msg, const char *arg) {
        log_error("%s%s%s (see --help)", msg, arg ? ": " : "", arg ? arg : "");
        return EXIT_USAGE;
}

static int parse_argv(int argc, char **argv, struct ks_ctx *c, const struct verb **ret_verb) {
        int opt;
        while ((opt = getopt_long(argc, argv, "qvhV", options, NULL)) >= 0) {
                switch (opt) {
                case OPT_ROOT: c->root = optarg; break;
                case OPT_SYSFS: c->sysfs = optarg; break;
                case OPT_PROC: c->proc = optarg; break;
                case OPT_RUN: c->run = optarg; break;
                case OPT_EFIVARS: c->efivars = optarg; break;
                case OPT_ESP_DIR:
                        if (strv_push(&c->esp_dirs, optarg) < 0)
                                return EXIT_IO;
                        break;
                case OPT_WAIT:
                        if (parse_uint_bounded(optarg, 86400, &c->wait_sec) < 0)
                                return usage_error("--wait expects seconds (0-86400)", optarg);
                        break;
                case OPT_JSON: c->json = true; break;
                case OPT_DRY_RUN: c->dry_run = true; break;
                case OPT_NO_REFRESH: c->no_refresh = true; break;
                case OPT_NO_ROOT_CHECK: c->no_root_check = true; break;
                case OPT_NEXT_BOOT: c->next_boot = true; break;
                case OPT_EFI_DEFAULT: c->efi_default = true; break;
                case OPT_INSTALLING:
                case OPT_REMOVING:
                        if (strv_push(opt == OPT_INSTALLING ? &c->installing : &c->removing, optarg) < 0)
                                return EXIT_IO;
                        break;
                case 'q': c->quiet = true; break;
                case 'v': c->verbose = true; break;
                case 'h': help(); return -1;
                case 'V': printf("kernel-select %s\n", TOOLKIT_VERSION); return -1;
                default: return EXIT_USAGE;
                }
        }
        if (optind >= argc)
                return usage_error("missing verb", NULL);
        const struct verb *v = CLI_FIND_VERB(verbs, argv[optind]);
        if (!v)
                return usage_error("unknown verb", argv[optind]);
        c->args = argv + optind + 1;
        c->n_args = argc - optind - 1;
        if (c->n_args < v->min_args || c->n_args > v->max_args)
                return usage_error("wrong number of arguments for", v->name);
        if ((c->next_boot && !v->next_boot) || (c->efi_default && !v->efi_default) ||
            ((c->installing.n || c->removing.n) && !v->selection_args))
                return usage_error("option not valid for", v->name);
        if (c->next_boot && c->efi_default)
                return usage_error("--efi-default and --next-boot exclude each other", NULL);
        *ret_verb = v;
        return 0;
}

int main(int argc, char **argv) {
        struct ks_ctx c = {};
        const struct verb *v = NULL;
        log_setup("kernel-select", LOG_LEVEL_INFO);
        int r = parse_argv(argc, argv, &c, &v);
        if (r == 0) {
                log_setup("kernel-select", c.quiet ? LOG_LEVEL_WARNING : c.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
                if (paths_init(&c.paths, c.root, c.sysfs, c.proc, c.run, c.efivars) < 0)
                        r = EXIT_IO;
                else
                        r = v->run(&c);
        } else if (r < 0)
                r = 0; /* --help, --version */
        if (fflush(stdout) != 0 || ferror(stdout)) {
                log_error("writing to stdout failed: %s", strerror(errno));
                r = r ? r : EXIT_IO;
        }
        paths_free(&c.paths);
        strv_free(&c.esp_dirs);
        strv_free(&c.installing);
        strv_free(&c.removing);
        return r;
}
