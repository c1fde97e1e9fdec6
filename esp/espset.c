/* See espset.h. */
#include <fcntl.h>
#include "espset.h"
#include "device.h"
#include "mount.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/macro.h"

static int add_esp(struct esp_list *l, const char *serial, const char *dir, unsigned lineno) {
        struct esp_open *v = realloc(l->v, (l->n + 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        l->v = v;
        struct esp_open *e = &l->v[l->n++];
        *e = (struct esp_open){ .fd = -1 };
        e->esp.serial = serial ? strdup(serial) : NULL;
        e->esp.name = strdup(serial ? serial : dir);
        e->esp.dir = dir ? strdup(dir) : NULL;
        e->esp.lineno = lineno;
        if (!e->esp.name)
                return -ENOMEM;
        if (!dir) {
                e->state_exit = EXIT_ENV;
                return asprintf(&e->error, "ESP %s: device not found", serial) < 0 ? -ENOMEM : 0;
        }
        e->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (e->fd < 0) {
                e->state_exit = errno == ENOENT ? EXIT_ENV : EXIT_IO;
                return asprintf(&e->error, "ESP %s: cannot open %s: %s", e->esp.name, dir, strerror(errno)) < 0 ? -ENOMEM : 0;
        }
        return 0;
}

/* Real use: find the device carrying serial, check it, mount it read-only in our namespace. */
static int add_real_esp(struct esp_ctx *c, struct esp_list *l, const char *serial, unsigned lineno) {
        int r = add_esp(l, serial, NULL, lineno); /* starts as "device not found" */
        if (r < 0)
                return r;
        struct esp_open *e = &l->v[l->n - 1];
        _cleanup_free_ char *dev = NULL, *dir = NULL;
        if (esp_device_lookup_serial(serial, &dev) < 0)
                return 0;
        free(e->error);
        e->error = NULL;
        e->esp.device = strdup(dev);
        struct esp_check chk = {};
        r = esp_device_verify_serial(&c->paths, dev, serial, &chk);
        for (size_t i = 0; i < chk.warnings.n; i++)
                log_warning("ESP %s: %s", serial, chk.warnings.v[i]);
        if (r < 0) {
                e->state_exit = r == -ENOENT ? EXIT_ENV : EXIT_INVALID;
                r = asprintf(&e->error, "ESP %s: %s", serial, chk.reason ? chk.reason : strerror(-r));
                esp_check_done(&chk);
                return r < 0 ? -ENOMEM : 0;
        }
        esp_check_done(&chk);
        r = esp_mount(&c->paths, serial, dev, &dir);
        if (r < 0) {
                e->state_exit = EXIT_IO;
                return asprintf(&e->error, "ESP %s: mount of %s failed: %s", serial, dev, strerror(-r)) < 0 ? -ENOMEM : 0;
        }
        e->esp.dir = TAKE_PTR(dir);
        e->esp.mounted_by_us = true;
        e->fd = open(e->esp.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (e->fd < 0) {
                e->state_exit = EXIT_IO;
                return asprintf(&e->error, "ESP %s: cannot open %s: %s", serial, e->esp.dir, strerror(errno)) < 0 ? -ENOMEM : 0;
        }
        e->state_exit = 0;
        return 0;
}

/* "SERIAL=DIR" → serial and dir; plain "DIR" → NULL serial. */
static const char *standin_dir(const char *arg, char serial[10]) {
        const char *eq = strchr(arg, '=');
        if (!eq || eq - arg != 9)
                return NULL;
        memcpy(serial, arg, 9);
        serial[9] = 0;
        if (!serial_is_valid(serial))
                return NULL;
        for (int i = 0; i < 9; i++)
                serial[i] = (char)(serial[i] >= 'a' && serial[i] <= 'f' ? serial[i] - 32 : serial[i]);
        return eq + 1;
}

int esp_list_open(struct esp_ctx *c, struct esp_list *l) {
        *l = (struct esp_list){};
        l->reg_path = paths_root(&c->paths, PATH_ESP_UUIDS);
        if (!l->reg_path)
                return EXIT_IO;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = read_file_max(l->reg_path, 64 * 1024, &buf, &len);
        if (r < 0 && r != -ENOENT) {
                log_error("reading %s failed: %s", l->reg_path, strerror(-r));
                return EXIT_IO;
        }
        l->have_reg_file = r >= 0;
        if (registration_parse(buf ? buf : "", len, l->reg_path, &l->reg) < 0)
                return EXIT_IO;

        size_t n_standin = 0, n_plain = 0;
        char serial[10];
        for (size_t i = 0; i < c->esp_dirs.n; i++)
                standin_dir(c->esp_dirs.v[i], serial) ? n_standin++ : n_plain++;
        if (n_standin && n_plain) {
                log_error("--esp-dir SERIAL=DIR and --esp-dir DIR cannot be mixed");
                return EXIT_USAGE;
        }
        if (n_plain) {
                for (size_t i = 0; i < c->esp_dirs.n; i++)
                        if (add_esp(l, NULL, c->esp_dirs.v[i], 0) < 0)
                                return EXIT_IO;
                return 0;
        }
        if (l->reg.serials.n == 0)
                return EXIT_ENV;
        if (n_standin == 0) {
                /* One private mount namespace: our mounts vanish with the process, even after a crash. */
                r = esp_namespace_enter();
                if (r < 0) {
                        log_error("cannot create a private mount namespace: %s", strerror(-r));
                        return EXIT_ENV;
                }
                for (size_t i = 0; i < l->reg.serials.n; i++)
                        if (add_real_esp(c, l, l->reg.serials.v[i], l->reg.lines[i]) < 0)
                                return EXIT_IO;
                return 0;
        }
        for (size_t i = 0; i < l->reg.serials.n; i++) {
                const char *s = l->reg.serials.v[i], *dir = NULL;
                for (size_t k = 0; k < c->esp_dirs.n && !dir; k++) {
                        const char *d = standin_dir(c->esp_dirs.v[k], serial);
                        if (d && streq(serial, s))
                                dir = d;
                }
                if (add_esp(l, s, dir, l->reg.lines[i]) < 0)
                        return EXIT_IO;
        }
        return 0;
}

int esp_make_writable(struct esp_ctx *c, struct esp_open *e) {
        (void)c;
        /* stand-in directories are writable as they are; our mounts start read-only */
        return e->esp.mounted_by_us ? esp_remount_rw(e->esp.dir) : 0;
}

void esp_list_close(struct esp_list *l) {
        for (size_t i = 0; i < l->n; i++) {
                struct esp_open *e = &l->v[i];
                if (e->fd >= 0)
                        close(e->fd);
                if (e->esp.mounted_by_us) {
                        int r = esp_unmount(e->esp.dir);
                        if (r < 0)
                                log_warning("ESP %s: unmounting %s: %s", e->esp.name, e->esp.dir, strerror(-r));
                }
                free(e->esp.serial);
                free(e->esp.name);
                free(e->esp.dir);
                free(e->esp.device);
                free(e->error);
        }
        free(l->v);
        registration_free(&l->reg);
        free(l->reg_path);
        *l = (struct esp_list){};
}
