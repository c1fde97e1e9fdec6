/* guest-startall: ordered guest start/stop at boot and shutdown, onboot delay, wake-on-LAN.
 * Parses options into a struct ctx and dispatches to one verb-<name>.c per verb. */
#include "startall.h"
#include "lib/cli.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include <getopt.h>
#include <signal.h>
#include <sys/signalfd.h>

enum {
        OPT_ROOT = 0x100, OPT_GUESTS_DIR, OPT_NODE_CONFIG, OPT_NODES_DIR, OPT_PVE, OPT_QM, OPT_PCT, OPT_KSM_EARLY,
        OPT_LOG, OPT_NO_LOG, OPT_RUN_DIR, OPT_PROC_DIR, OPT_VERSION,
        /* verb options */
        OPT_BOOT, OPT_FORCE, OPT_VMS, OPT_PARALLEL, OPT_DRY_RUN, OPT_TIMEOUT, OPT_FORCE_STOP, OPT_MAC, OPT_BCAST,
        OPT_BIND, OPT_PORT, OPT_COUNT, OPT_JSON, OPT_STRICT, OPT_LAST,
};

static const struct option options[] = {
        { "root", required_argument, NULL, OPT_ROOT },
        { "guests-dir", required_argument, NULL, OPT_GUESTS_DIR },
        { "node-config", required_argument, NULL, OPT_NODE_CONFIG },
        { "nodes-dir", required_argument, NULL, OPT_NODES_DIR },
        { "pve", optional_argument, NULL, OPT_PVE },
        { "qm", required_argument, NULL, OPT_QM },
        { "pct", required_argument, NULL, OPT_PCT },
        { "ksm-early", required_argument, NULL, OPT_KSM_EARLY },
        { "log", required_argument, NULL, OPT_LOG },
        { "no-log", no_argument, NULL, OPT_NO_LOG },
        { "run-dir", required_argument, NULL, OPT_RUN_DIR },
        { "proc-dir", required_argument, NULL, OPT_PROC_DIR },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { "boot", no_argument, NULL, OPT_BOOT },
        { "force", no_argument, NULL, OPT_FORCE },
        { "vms", required_argument, NULL, OPT_VMS },
        { "parallel", required_argument, NULL, OPT_PARALLEL },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "force-stop", required_argument, NULL, OPT_FORCE_STOP },
        { "mac", required_argument, NULL, OPT_MAC },
        { "broadcast-address", required_argument, NULL, OPT_BCAST },
        { "broadcast", required_argument, NULL, OPT_BCAST },
        { "bind-interface", required_argument, NULL, OPT_BIND },
        { "port", required_argument, NULL, OPT_PORT },
        { "count", required_argument, NULL, OPT_COUNT },
        { "json", no_argument, NULL, OPT_JSON },
        { "strict", no_argument, NULL, OPT_STRICT },
        {}
};

#define BIT(o) (1ull << ((o) - OPT_BOOT))
static const struct verb {
        const char *name;
        int (*run)(struct ctx *);
        unsigned long long allowed;
} verbs[] = {
        { "startall", verb_startall, BIT(OPT_BOOT) | BIT(OPT_FORCE) | BIT(OPT_VMS) | BIT(OPT_PARALLEL) | BIT(OPT_DRY_RUN) },
        { "stopall", verb_stopall,
          BIT(OPT_VMS) | BIT(OPT_TIMEOUT) | BIT(OPT_FORCE_STOP) | BIT(OPT_PARALLEL) | BIT(OPT_DRY_RUN) },
        { "wakeonlan", verb_wakeonlan, BIT(OPT_MAC) | BIT(OPT_BCAST) | BIT(OPT_BIND) | BIT(OPT_PORT) | BIT(OPT_COUNT) | BIT(OPT_DRY_RUN) },
        { "list", verb_list, BIT(OPT_VMS) | BIT(OPT_JSON) | BIT(OPT_TIMEOUT) },
        { "check", verb_check, BIT(OPT_STRICT) | BIT(OPT_TIMEOUT) },
};

static void help(void) {
        printf("Usage: guest-startall [GLOBAL] VERB [OPTIONS]\n"
               "\n"
               "  startall  [--boot] [--force] [--vms LIST] [--parallel N] [--dry-run]\n"
               "  stopall   [--vms LIST] [--timeout S] [--force-stop 0|1] [--parallel N] [--dry-run]\n"
               "  wakeonlan (NODE | --mac MAC) [--broadcast-address IPV4] [--bind-interface IF]\n"
               "            [--port N] [--count N] [--dry-run]\n"
               "  list      [--vms LIST] [--json]\n"
               "  check     [--strict]\n"
               "\n"
               "GLOBAL: --root DIR  --guests-dir DIR  --node-config FILE  --nodes-dir DIR  --pve[=DIR]\n"
               "        --qm PATH  --pct PATH  --ksm-early PATH  --log FILE | --no-log  --run-dir DIR\n"
               "        --proc-dir DIR  --quiet  --help  --version\n"
               "See docs/usage-startall.md.\n");
}

static int usage_error(const char *fmt, const char *arg) {
        fprintf(stderr, "guest-startall: ");
        fprintf(stderr, fmt, arg);
        fprintf(stderr, "\nTry 'guest-startall --help'.\n");
        return EXIT_USAGE;
}

static int number(const char *opt, const char *arg, uint32_t min, uint32_t max, uint32_t *ret) {
        if (parse_uint_bounded(arg, max, ret) < 0 || *ret < min) {
                fprintf(stderr, "guest-startall: bad option: %s: expected an integer %u-%u, got \"%s\"\n", opt, min, max,
                        arg);
                return -EINVAL;
        }
        return 0;
}

static int resolve_paths(struct ctx *c, const char *root, const char *run_dir, const char *guests_dir,
                         const char *node_conf, const char *nodes_dir, const char *pve_dir, const char *log_path,
                         bool no_log) {
        if (paths_init(&c->paths, root, NULL, NULL, run_dir, NULL) < 0)
                return -ENOMEM;
        c->guests_dir = guests_dir ? strdup(guests_dir) : paths_root(&c->paths, PATH_STARTALL_GUESTS_DIR);
        c->pve_dir = pve_dir ? strdup(pve_dir) : paths_root(&c->paths, PATH_PVE_DIR);
        if (!c->pve_dir)
                return -ENOMEM;
        if (node_conf)
                c->node_conf = strdup(node_conf);
        else
                c->node_conf = c->pve ? path_join(c->pve_dir, PVE_LOCAL_CONFIG)
                                      : paths_root(&c->paths, PATH_STARTALL_NODE_CONF);
        if (nodes_dir)
                c->nodes_dir = strdup(nodes_dir);
        else
                c->nodes_dir = c->pve ? path_join(c->pve_dir, PVE_NODES_SUBDIR)
                                      : paths_root(&c->paths, PATH_STARTALL_NODES_DIR);
        if (!no_log)
                c->log_path = log_path ? strdup(log_path) : paths_run(&c->paths, RUN_STARTALL_TASKLOG);
        c->lock_path = paths_run(&c->paths, RUN_STARTALL_LOCK);
        if (!c->guests_dir || !c->node_conf || !c->nodes_dir || (!no_log && !c->log_path) || !c->lock_path)
                return -ENOMEM;
        return 0;
}

static void ctx_free(struct ctx *c) {
        paths_free(&c->paths);
        free(c->guests_dir);
        free(c->node_conf);
        free(c->nodes_dir);
        free(c->pve_dir);
        free(c->log_path);
        free(c->lock_path);
        if (c->sigfd >= 0)
                close(c->sigfd);
}

int main(int argc, char **argv) {
        struct ctx c = {
                .parallel = 1, .timeout = GUEST_DOWN_DEFAULT, .force_stop = true, .qm = PATH_QM, .pct = PATH_PCT,
                .port = 9, .count = 1, .sigfd = -1, .proc_dir = PATH_PROC_DEFAULT,
        };
        const char *root = NULL, *run_dir = NULL, *guests_dir = NULL, *node_conf = NULL, *nodes_dir = NULL,
                   *pve_dir = NULL, *log_path = NULL;
        bool no_log = false;
        unsigned long long seen = 0;
        uint32_t v;
        int opt;
        log_setup("guest-startall", LOG_LEVEL_INFO);
        setvbuf(stdout, NULL, _IOLBF, 0);
        while ((opt = getopt_long(argc, argv, "qh", options, NULL)) >= 0) {
                if (opt >= OPT_BOOT && opt < OPT_LAST)
                        seen |= BIT(opt);
                switch (opt) {
                case OPT_ROOT: root = optarg; break;
                case OPT_GUESTS_DIR: guests_dir = optarg; break;
                case OPT_NODE_CONFIG: node_conf = optarg; break;
                case OPT_NODES_DIR: nodes_dir = optarg; break;
                case OPT_PVE:
                        c.pve = true;
                        pve_dir = optarg;
                        break;
                case OPT_QM: c.qm = optarg; break;
                case OPT_PCT: c.pct = optarg; break;
                case OPT_KSM_EARLY: c.ksm_early_opt = optarg; break;
                case OPT_LOG: log_path = optarg; break;
                case OPT_NO_LOG: no_log = true; break;
                case OPT_RUN_DIR: run_dir = optarg; break;
                case OPT_PROC_DIR: c.proc_dir = optarg; break;
                case 'q': c.quiet = true; break;
                case 'h': help(); return EXIT_OK;
                case OPT_VERSION: printf("guest-startall %s\n", TOOLKIT_VERSION); return EXIT_OK;
                case OPT_BOOT: c.boot = true; break;
                case OPT_FORCE: c.force = true; break;
                case OPT_VMS: c.vms = optarg; break;
                case OPT_PARALLEL:
                        if (number("--parallel", optarg, 1, 64, &v) < 0)
                                return EXIT_USAGE;
                        c.parallel = v;
                        break;
                case OPT_DRY_RUN: c.dry_run = true; break;
                case OPT_TIMEOUT:
                        if (number("--timeout", optarg, 0, 7200, &c.timeout) < 0)
                                return EXIT_USAGE;
                        break;
                case OPT_FORCE_STOP:
                        if (number("--force-stop", optarg, 0, 1, &v) < 0)
                                return EXIT_USAGE;
                        c.force_stop = v == 1;
                        break;
                case OPT_MAC: c.mac = optarg; break;
                case OPT_BCAST: c.bcast = optarg; break;
                case OPT_BIND: c.bind_if = optarg; break;
                case OPT_PORT:
                        if (number("--port", optarg, 1, 65535, &v) < 0)
                                return EXIT_USAGE;
                        c.port = v;
                        break;
                case OPT_COUNT:
                        if (number("--count", optarg, 1, 100, &v) < 0)
                                return EXIT_USAGE;
                        c.count = v;
                        break;
                case OPT_JSON: c.json = true; break;
                case OPT_STRICT: c.strict = true; break;
                default: return usage_error("%s", "unknown option or missing argument");
                }
        }
        if (optind >= argc)
                return usage_error("%s", "missing verb (startall, stopall, wakeonlan, list, check)");
        const struct verb *verb = CLI_FIND_VERB(verbs, argv[optind]);
        if (!verb)
                return usage_error("unknown verb \"%s\"", argv[optind]);
        for (int o = OPT_BOOT; o < OPT_LAST; o++)
                if ((seen & BIT(o)) && !(verb->allowed & BIT(o))) {
                        for (const struct option *p = options; p->name; p++)
                                if (p->val == o) {
                                        fprintf(stderr, "guest-startall: bad option: --%s does not apply to %s\n", p->name,
                                                verb->name);
                                        return EXIT_USAGE;
                                }
                }
        int extra = argc - optind - 1;
        if (streq(verb->name, "wakeonlan")) {
                if ((extra == 1) == (c.mac != NULL) || extra > 1)
                        return usage_error("%s", "wakeonlan: expected exactly one of NODE or --mac MAC");
                if (extra == 1)
                        c.wol_target = argv[optind + 1];
        } else if (extra > 0) {
                return usage_error("unexpected argument \"%s\"", argv[optind + 1]);
        }
        int exit;
        if (resolve_paths(&c, root, run_dir, guests_dir, node_conf, nodes_dir, pve_dir, log_path, no_log) < 0) {
                log_error("out of memory");
                exit = EXIT_IO;
                goto out;
        }
        if (streq(verb->name, "startall") || streq(verb->name, "stopall")) {
                /* Signals arrive through a descriptor polled with the children, so a SIGTERM is
                 * handled between commands and never in the middle of bookkeeping. */
                sigset_t mask;
                sigemptyset(&mask);
                sigaddset(&mask, SIGTERM);
                sigaddset(&mask, SIGINT);
                sigprocmask(SIG_BLOCK, &mask, NULL);
                c.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        }
        exit = verb->run(&c);
out:
        ctx_free(&c);
        return exit;
}
