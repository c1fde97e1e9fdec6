/* Test driver for the esp/ device layer, for the scripts in tests/integration/esp-device:
 *   device-tool probe DEV               key=value lines of esp_device_probe
 *   device-tool find SERIAL             every device carrying SERIAL, one per line
 *   device-tool check [--init] [--force] [--proc-dir DIR] DEV
 *                                       "ok", warnings on stderr; refusal: reason, exit 2
 *   device-tool verify SERIAL DEV       esp_device_verify_serial: "ok" (warnings on stderr) or
 *                                       "refused: reason", exit 2
 *   device-tool mount-cycle RUN SERIAL DEV
 *                                       private namespace, mount, rw remount, write a file,
 *                                       unmount; prints each step (needs root and vfat)
 *   device-tool espctl [OPTIONS] format DEV | list
 *                                       the verbs behind a minimal stand-in for espctl's main,
 *                                       used while the real espctl is not built */
#include <getopt.h>
#include <sys/stat.h>
#include "esp/device.h"
#include "esp/espctl.h"
#include "esp/mount.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/macro.h"

static void kv(const char *k, const char *v) { printf("%s=%s\n", k, v ? v : ""); }

static int cmd_probe(const char *dev) {
        struct paths p;
        if (paths_init(&p, "/", NULL, NULL, NULL, NULL) < 0)
                return 4;
        struct esp_device_info i;
        int r = esp_device_probe(&p, dev, 0, &i);
        paths_free(&p);
        if (r < 0) {
                fprintf(stderr, "probe %s: %s\n", dev, strerror(-r));
                return 4;
        }
        kv("DEVPATH", i.devpath);
        printf("PARTITION=%d\nPARTNO=%u\nSIZE=%llu\nOFFSET=%llu\n", i.is_partition, i.partno,
               (unsigned long long)i.size, (unsigned long long)i.offset);
        kv("DISK", i.disk);
        kv("SCHEME", i.scheme);
        kv("PART_TYPE", i.part_type);
        kv("PART_UUID", i.part_uuid);
        kv("TYPE", i.fstype);
        kv("UUID", i.uuid);
        kv("LABEL", i.label);
        esp_device_info_done(&i);
        return 0;
}

static int cmd_find(const char *serial) {
        char **devs = NULL;
        int r = esp_device_find_by_serial(serial, &devs);
        if (r < 0) {
                fprintf(stderr, "find %s: %s\n", serial, strerror(-r));
                return 4;
        }
        for (char **d = devs; d && *d; d++) {
                printf("%s\n", *d);
                free(*d);
        }
        free(devs);
        return 0;
}

static int cmd_check(int argc, char **argv) {
        unsigned flags = 0;
        const char *proc = NULL;
        bool init = false, force = false;
        int i = 0;
        for (; i < argc - 1; i++) {
                if (streq(argv[i], "--init"))
                        init = true;
                else if (streq(argv[i], "--force"))
                        force = true;
                else if (streq(argv[i], "--proc-dir") && i + 2 < argc)
                        proc = argv[++i];
                else
                        return 1;
        }
        if (i != argc - 1)
                return 1;
        flags = init ? ESP_CHECK_NEED_FS | ESP_CHECK_UNIQUE_SERIAL | (force ? ESP_CHECK_ALLOW_MOUNTED : 0)
                     : (force ? ESP_CHECK_ALLOW_FS : 0);
        struct paths p;
        if (paths_init(&p, "/", NULL, proc, NULL, NULL) < 0)
                return 4;
        struct esp_check c;
        int r = esp_device_check(&p, argv[i], flags, &c);
        paths_free(&p);
        for (size_t k = 0; k < c.warnings.n; k++)
                fprintf(stderr, "warning: %s\n", c.warnings.v[k]);
        int ret = 0;
        if (r == -EINVAL && c.reason) {
                printf("refused: %s\n", c.reason);
                ret = 2;
        } else if (r < 0) {
                fprintf(stderr, "check: %s\n", strerror(-r));
                ret = 4;
        } else
                printf("ok\n");
        esp_check_done(&c);
        return ret;
}

static int cmd_verify(const char *serial, const char *dev) {
        struct paths p;
        if (paths_init(&p, "/", NULL, NULL, NULL, NULL) < 0)
                return 4;
        struct esp_check c;
        int r = esp_device_verify_serial(&p, dev, serial, &c);
        paths_free(&p);
        for (size_t k = 0; k < c.warnings.n; k++)
                fprintf(stderr, "warning: %s\n", c.warnings.v[k]);
        int ret = 0;
        if (r == -EINVAL && c.reason) {
                printf("refused: %s\n", c.reason);
                ret = 2;
        } else if (r < 0) {
                fprintf(stderr, "verify: %s\n", strerror(-r));
                ret = 4;
        } else
                printf("ok\n");
        esp_check_done(&c);
        return ret;
}

static int cmd_mount_cycle(const char *run, const char *serial, const char *dev) {
        int r = esp_namespace_enter();
        if (r < 0) {
                printf("namespace: %s\n", strerror(-r));
                return 3;
        }
        struct paths p;
        if (paths_init(&p, "/", NULL, NULL, run, NULL) < 0)
                return 4;
        char *dir = NULL;
        r = esp_mount(&p, serial, dev, &dir);
        if (r < 0) {
                printf("mount: %s\n", strerror(-r));
                paths_free(&p);
                return 4;
        }
        struct stat st;
        char *where = NULL;
        if (stat(dir, &st) == 0 && esp_device_is_mounted(&p, st.st_dev, &where) == 1)
                printf("mounted: %s\n", where);
        free(where);
        char *file = path_join(dir, "espctl-test");
        FILE *f = fopen(file, "w");
        printf("write before remount: %s\n", f ? "allowed" : strerror(errno));
        if (f)
                fclose(f);
        r = esp_remount_rw(dir);
        printf("remount rw: %s\n", r < 0 ? strerror(-r) : "ok");
        f = fopen(file, "w");
        printf("write after remount: %s\n", f ? "ok" : strerror(errno));
        if (f) {
                fputs("written by device-tool\n", f);
                fclose(f);
        }
        struct stat fst;
        if (stat(file, &fst) == 0)
                printf("file mode: %04o\n", fst.st_mode & 07777);
        r = esp_unmount(dir);
        printf("unmount: %s\n", r < 0 ? strerror(-r) : r == 1 ? "detached" : "ok");
        printf("directory after unmount: %s\n", access(dir, F_OK) == 0 ? "present" : "removed");
        free(file);
        free(dir);
        paths_free(&p);
        return 0;
}

static int cmd_espctl(int argc, char **argv) {
        enum { OPT_ROOT = 256, OPT_SYSFS, OPT_PROC, OPT_RUN };
        static const struct option opts[] = {
                { "root", required_argument, NULL, OPT_ROOT },
                { "sysfs-root", required_argument, NULL, OPT_SYSFS },
                { "proc-dir", required_argument, NULL, OPT_PROC },
                { "run-dir", required_argument, NULL, OPT_RUN },
                { "force", no_argument, NULL, 'f' },
                { "dry-run", no_argument, NULL, 'n' },
                { "json", no_argument, NULL, 'j' },
                { "quiet", no_argument, NULL, 'q' },
                {}
        };
        const char *root = NULL, *sysfs = NULL, *proc = NULL, *run = NULL;
        struct esp_ctx c = { .lock_fd = -1 };
        int o;
        optind = 1;
        while ((o = getopt_long(argc, argv, "+q", opts, NULL)) >= 0)
                switch (o) {
                case OPT_ROOT: root = optarg; break;
                case OPT_SYSFS: sysfs = optarg; break;
                case OPT_PROC: proc = optarg; break;
                case OPT_RUN: run = optarg; break;
                case 'f': c.force = true; break;
                case 'n': c.dry_run = true; break;
                case 'j': c.json = true; break;
                case 'q': c.quiet = true; break;
                default: return EXIT_USAGE;
                }
        if (optind >= argc)
                return EXIT_USAGE;
        const char *verb = argv[optind];
        /* Options may follow the verb too, as in espctl. */
        int vargc = argc - optind;
        char **vargv = argv + optind;
        optind = 1;
        while ((o = getopt_long(vargc, vargv, "q", opts, NULL)) >= 0)
                switch (o) {
                case 'f': c.force = true; break;
                case 'n': c.dry_run = true; break;
                case 'j': c.json = true; break;
                case 'q': c.quiet = true; break;
                default: return EXIT_USAGE;
                }
        c.args = vargv + optind;
        c.n_args = vargc - optind;
        log_setup("espctl", c.quiet ? LOG_LEVEL_WARNING : LOG_LEVEL_INFO);
        if (paths_init(&c.paths, root, sysfs, proc, run, NULL) < 0)
                return EXIT_IO;
        int r = streq(verb, "format") ? verb_format(&c) : streq(verb, "list") ? verb_list(&c) : EXIT_USAGE;
        paths_free(&c.paths);
        if (fflush(stdout) != 0 && r == 0)
                r = EXIT_IO;
        return r;
}

int main(int argc, char **argv) {
        if (argc >= 3 && streq(argv[1], "probe"))
                return cmd_probe(argv[2]);
        if (argc >= 3 && streq(argv[1], "find"))
                return cmd_find(argv[2]);
        if (argc >= 3 && streq(argv[1], "check"))
                return cmd_check(argc - 2, argv + 2);
        if (argc == 4 && streq(argv[1], "verify"))
                return cmd_verify(argv[2], argv[3]);
        if (argc == 5 && streq(argv[1], "mount-cycle"))
                return cmd_mount_cycle(argv[2], argv[3], argv[4]);
        if (argc >= 3 && streq(argv[1], "espctl"))
                return cmd_espctl(argc - 1, argv + 1);
        fprintf(stderr, "usage: device-tool probe|find|check|verify|mount-cycle|espctl ...\n");
        return 1;
}
