/* espctl: keeps every registered EFI system partition bootable with the selected kernels.
 * Parses options and dispatches to a verb. */
#include <getopt.h>
#include "espctl.h"
#include "lib/cli.h"
#include "lib/parse.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"

static void help(void) {
        printf("usage: espctl [OPTIONS] VERB [ARGS]\n\n"
               "verbs:\n"
               "  format PARTITION                 make a FAT32 filesystem on an ESP partition\n"
               "  init [PARTITION] [grub] [--mode systemd-boot|grub] [--no-boot-code]\n"
               "                                   install the loader, register the ESP, refresh it\n"
               "  reinit [--no-boot-code]          reinstall the loader on every registered ESP\n"
               "                                   (grub: its boot code too, by grub-install)\n"
               "  refresh [--installing V]... [--removing V]... [--verify]\n"
               "                                   sync the selected kernels to every ESP\n"
               "  clean                            drop registrations whose ESP is gone\n"
               "  status [--verify]                state of every ESP\n"
               "  list                             ESP partitions of this system\n"
               "  boot-complete                    mark this boot good; drop a spent next-boot pin\n\n"
               "options:\n"
               "  --root DIR  --esp-dir [SERIAL=]DIR (repeatable)  --efivars-dir DIR  --sysfs-root DIR\n"
               "  --proc-dir DIR  --run-dir DIR  --json  --dry-run  --force  --wait SEC  --graceful\n"
               "  --no-root-check  -q/--quiet  -v/--verbose  -h/--help  -V/--version\n");
}

enum {
        OPT_ROOT = 0x100, OPT_ESP_DIR, OPT_EFIVARS, OPT_SYSFS, OPT_PROC, OPT_RUN, OPT_JSON, OPT_DRY_RUN,
        OPT_FORCE, OPT_WAIT, OPT_GRACEFUL, OPT_NO_ROOT_CHECK, OPT_LOCK_FD, OPT_INSTALLING, OPT_REMOVING,
        OPT_VERIFY, OPT_MODE, OPT_NO_BOOT_CODE,
};

static const struct option options[] = {
        { "root", required_argument, NULL, OPT_ROOT },
        { "esp-dir", required_argument, NULL, OPT_ESP_DIR },
        { "efivars-dir", required_argument, NULL, OPT_EFIVARS },
        { "sysfs-root", required_argument, NULL, OPT_SYSFS },
        { "proc-dir", required_argument, NULL, OPT_PROC },
        { "run-dir", required_argument, NULL, OPT_RUN },
        { "json", no_argument, NULL, OPT_JSON },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "force", no_argument, NULL, OPT_FORCE },
        { "wait", required_argument, NULL, OPT_WAIT },
        { "graceful", no_argument, NULL, OPT_GRACEFUL },
        { "no-root-check", no_argument, NULL, OPT_NO_ROOT_CHECK },
        { "lock-fd", required_argument, NULL, OPT_LOCK_FD }, /* internal: kernel-select hands its lock over */
        { "installing", required_argument, NULL, OPT_INSTALLING },
        { "removing", required_argument, NULL, OPT_REMOVING },
        { "verify", no_argument, NULL, OPT_VERIFY },
        { "mode", required_argument, NULL, OPT_MODE },
        { "no-boot-code", no_argument, NULL, OPT_NO_BOOT_CODE },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        {}
};

enum verb_opt { VO_SELECTION = 1, VO_VERIFY = 2, VO_INIT = 4, VO_BOOT_CODE = 8 };

static const struct verb {
        const char *name;
        int (*run)(struct esp_ctx *);
        int min_args, max_args;
        unsigned opts;
} verbs[] = {
        { "format", verb_format, 1, 1, 0 },
        { "init", verb_init, 0, 2, VO_INIT | VO_BOOT_CODE },
        { "reinit", verb_reinit, 0, 0, VO_BOOT_CODE },
        { "refresh", verb_refresh, 0, 0, VO_SELECTION | VO_VERIFY },
        { "clean", verb_clean, 0, 0, 0 },
        { "status", verb_status, 0, 0, VO_VERIFY },
        { "list", verb_list, 0, 0, 0 },
        { "boot-complete", verb_boot_complete, 0, 0, 0 },
};

static int usage_error(const char *msg, const char *arg) {
        log_error("%s%s%s (see --help)", msg, arg ? ": " : "", arg ? arg : "");
        return EXIT_USAGE;
}

static int parse_argv(int argc, char **argv, struct esp_ctx *c, const struct verb **ret_verb, const char **root,
                      const char **sysfs, const char **proc, const char **run, const char **efivars) {
        int opt;
        unsigned used = 0;
        uint32_t fd;
        while ((opt = getopt_long(argc, argv, "qvhV", options, NULL)) >= 0) {
                switch (opt) {
                case OPT_ROOT: *root = optarg; break;
                case OPT_SYSFS: *sysfs = optarg; break;
                case OPT_PROC: *proc = optarg; break;
                case OPT_RUN: *run = optarg; break;
                case OPT_EFIVARS: *efivars = optarg; break;
                case OPT_ESP_DIR:
                        if (strv_push(&c->esp_dirs, optarg) < 0)
                                return EXIT_IO;
                        break;
                case OPT_JSON: c->json = true; break;
                case OPT_DRY_RUN: c->dry_run = true; break;
                case OPT_FORCE: c->force = true; break;
                case OPT_GRACEFUL: c->graceful = true; break;
                case OPT_NO_ROOT_CHECK: c->no_root_check = true; break;
                case OPT_WAIT:
                        if (parse_uint_bounded(optarg, 86400, &c->wait_sec) < 0)
                                return usage_error("--wait expects seconds (0-86400)", optarg);
                        break;
                case OPT_LOCK_FD:
                        if (parse_uint_bounded(optarg, 65535, &fd) < 0)
                                return usage_error("--lock-fd expects a descriptor", optarg);
                        c->lock_fd = (int)fd;
                        break;
                case OPT_INSTALLING:
                case OPT_REMOVING:
                        if (strv_push(opt == OPT_INSTALLING ? &c->installing : &c->removing, optarg) < 0)
                                return EXIT_IO;
                        used |= VO_SELECTION;
                        break;
                case OPT_VERIFY: c->verify = true; used |= VO_VERIFY; break;
                case OPT_MODE:
                        if (!streq(optarg, "systemd-boot") && !streq(optarg, "grub"))
                                return usage_error("--mode expects systemd-boot or grub", optarg);
                        c->mode = optarg;
                        used |= VO_INIT;
                        break;
                case OPT_NO_BOOT_CODE: c->no_boot_code = true; used |= VO_BOOT_CODE; break;
                case 'q': c->quiet = true; break;
                case 'v': c->verbose = true; break;
                case 'h': help(); return -1;
                case 'V': printf("espctl %s\n", TOOLKIT_VERSION); return -1;
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
        if (used & ~v->opts)
                return usage_error("option not valid for", v->name);
        *ret_verb = v;
        return 0;
}

int main(int argc, char **argv) {
        struct esp_ctx c = { .lock_fd = -1 };
        const struct verb *v = NULL;
        const char *root = NULL, *sysfs = NULL, *proc = NULL, *run = NULL, *efivars = NULL;
        log_setup("espctl", LOG_LEVEL_INFO);
        int r = parse_argv(argc, argv, &c, &v, &root, &sysfs, &proc, &run, &efivars);
        if (r == 0) {
                log_setup("espctl", c.quiet ? LOG_LEVEL_WARNING : c.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
                if (paths_init(&c.paths, root, sysfs, proc, run, efivars) < 0)
                        r = EXIT_IO;
                else
                        r = v->run(&c);
        } else if (r < 0)
                r = 0;
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
