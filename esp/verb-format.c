/* espctl format PARTITION: check that the partition may become an ESP (GPT, ESP type, size,
 * not mounted, empty unless --force), run `mkfs.vfat -F 32`, probe it again and print the new
 * serial (spec §6 format, §9 rows 20, 21, 23, 24). No registration, no loader. */
#include <fcntl.h>
#include <jansson.h>
#include "device.h"
#include "espctl.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/spawn.h"

#define MKFS_VFAT "mkfs.vfat"

static int print_result(const struct esp_ctx *c, const char *dev, const char *serial,
                        const char *action) {
        if (c->json) {
                json_t *o = json_pack("{s:s, s:s?, s:s}", "device", dev, "serial", serial,
                                      "action", action);
                if (!o || json_dumpf(o, stdout, JSON_INDENT(2)) < 0) {
                        json_decref(o);
                        return -ENOMEM;
                }
                json_decref(o);
                putchar('\n');
        } else if (serial)
                printf("%s\n", serial);
        else
                printf("would run %s -F 32 %s\n", MKFS_VFAT, dev);
        return 0;
}

/* mkfs.vfat prints a banner on stdout, where only the serial belongs (scripts read it):
 * the child's stdout goes to our stderr. */
static int spawn_run_stdout_to_stderr(char *const argv[], int *ret_status) {
        fflush(stdout);
        _cleanup_close_ int saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (saved < 0)
                return negerrno();
        if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
                return negerrno();
        int r = spawn_run(argv, NULL, ret_status);
        if (dup2(saved, STDOUT_FILENO) < 0 && r >= 0)
                r = negerrno();
        return r;
}

int verb_format(struct esp_ctx *c) {
        if (c->n_args != 1) {
                log_error("format: expected one PARTITION argument, got %d", c->n_args);
                return EXIT_USAGE;
        }
        const char *arg = c->args[0];
        _cleanup_(esp_check_done) struct esp_check chk = {};
        int r = esp_device_check(&c->paths, arg, c->force ? ESP_CHECK_ALLOW_FS : 0, &chk);
        if (r == -EINVAL && chk.reason) {
                log_error("format refused: %s", chk.reason);
                return EXIT_INVALID;
        }
        if (r == -ENOENT || r == -ENXIO || r == -ENODEV) {
                log_error("format: %s: device not found", arg);
                return EXIT_ENV;
        }
        if (r < 0) {
                log_error("format: %s: cannot probe: %s", arg, strerror(-r));
                return EXIT_IO;
        }
        for (size_t i = 0; i < chk.warnings.n; i++)
                log_warning("%s", chk.warnings.v[i]);
        const char *dev = chk.info.devpath;

        if (c->dry_run) {
                _cleanup_free_ char *prog = spawn_find_program(MKFS_VFAT);
                if (!prog) {
                        log_error("format: %s not installed (dosfstools)", MKFS_VFAT);
                        return EXIT_ENV;
                }
                return print_result(c, dev, NULL, "dry-run") < 0 ? EXIT_IO : EXIT_OK;
        }

        if (!c->quiet)
                log_info("formatting %s as FAT32", dev);
        char *argv[] = { MKFS_VFAT, "-F", "32", (char *)dev, NULL };
        int status;
        r = spawn_run_stdout_to_stderr(argv, &status);
        if (r == -ENOENT) {
                log_error("format: %s not installed (dosfstools)", MKFS_VFAT);
                return EXIT_ENV;
        }
        if (r < 0) {
                log_error("format: cannot run %s: %s", MKFS_VFAT, strerror(-r));
                return EXIT_CHILD;
        }
        if (status != 0) {
                int code = spawn_exit_code(status);
                if (code > 128)
                        log_error("%s failed: killed by signal %d", MKFS_VFAT, code - 128);
                else
                        log_error("%s failed: exit status %d", MKFS_VFAT, code);
                return EXIT_CHILD;
        }

        _cleanup_(esp_device_info_done) struct esp_device_info after = {};
        r = esp_device_probe(&c->paths, dev, 0, &after);
        if (r < 0) {
                log_error("format: %s: probe after %s failed: %s", dev, MKFS_VFAT, strerror(-r));
                return EXIT_IO;
        }
        if (!after.fstype || !streq(after.fstype, "vfat") || !esp_serial_is_valid(after.uuid)) {
                log_error("format: %s: expected a vfat filesystem with a serial after %s, got %s",
                          dev, MKFS_VFAT, after.fstype ? after.fstype : "no filesystem");
                return EXIT_IO;
        }
        return print_result(c, dev, after.uuid, "formatted") < 0 ? EXIT_IO : EXIT_OK;
}
