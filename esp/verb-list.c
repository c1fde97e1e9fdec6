/* espctl list: the ESP-typed partitions of the running system with serial, size, filesystem,
 * mount point and whether the registration file names them (spec §6 list). Registered serials
 * that no ESP-typed partition carries are listed after them, so a missing ESP is visible too.
 * --root only locates the registration file; devices come from the real /sys and /proc unless
 * --sysfs-root / --proc-dir say otherwise. */
#include <ctype.h>
#include <jansson.h>
#include "device.h"
#include "espctl.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/parse.h"

#define UUIDS_MAX (64u << 10)

/* Valid serials of the registration file, upper-cased, in file order; others are skipped here
 * (refresh and status report them with file:line). */
static int collect_serial(char *line, unsigned lineno, void *userdata) {
        (void)lineno;
        strv *serials = userdata;
        char *s = str_trim(line);
        if (!esp_serial_is_valid(s))
                return 0;
        for (char *q = s; *q; q++)
                *q = (char)toupper((unsigned char)*q);
        return strv_push_unique(serials, s);
}

static int read_registered(const struct paths *p, strv *ret) {
        _cleanup_free_ char *path = paths_root(p, PATH_ESP_UUIDS), *buf = NULL;
        if (!path)
                return -ENOMEM;
        size_t len;
        int r = read_file_max(path, UUIDS_MAX, &buf, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        return lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, collect_serial, ret);
}

/* Real /sys and /proc for a fake --root, unless overridden: the devices are the machine's. */
static int device_paths(const struct paths *p, struct paths *ret) {
        _cleanup_free_ char *def_sys = paths_root(p, PATH_SYSFS_DEFAULT);
        _cleanup_free_ char *def_proc = paths_root(p, PATH_PROC_DEFAULT);
        if (!def_sys || !def_proc)
                return -ENOMEM;
        return paths_init(ret, "/", streq(p->sysfs, def_sys) ? NULL : p->sysfs,
                          streq(p->proc, def_proc) ? NULL : p->proc, p->run, p->efivars);
}

struct row {
        const char *device, *serial, *fstype, *mounted_on;
        uint64_t size;
        bool registered;
};

static void print_row_text(const struct row *w) {
        char size[32] = "-";
        if (w->size)
                esp_format_size(w->size, size, sizeof size);
        printf("%-16s %-9s %6s %-6s %-20s %s\n", w->device ? w->device : "-",
               w->serial ? w->serial : "-", size, w->fstype ? w->fstype : "-",
               w->mounted_on ? w->mounted_on : "-", w->registered ? "yes" : "no");
}

static json_t *row_json(const struct row *w) {
        return json_pack("{s:s?, s:s?, s:I, s:s?, s:s?, s:b}", "device", w->device, "serial",
                         w->serial, "size_bytes", (json_int_t)w->size, "fstype", w->fstype,
                         "mounted", w->mounted_on, "registered", w->registered);
}

int verb_list(struct esp_ctx *c) {
        if (c->n_args != 0) {
                log_error("list: expected no arguments, got %d", c->n_args);
                return EXIT_USAGE;
        }
        _cleanup_strv_ strv registered = {};
        int r = read_registered(&c->paths, &registered);
        if (r < 0) {
                _cleanup_free_ char *path = paths_root(&c->paths, PATH_ESP_UUIDS);
                log_error("cannot read %s: %s", path ? path : PATH_ESP_UUIDS, strerror(-r));
                return r == -EFBIG ? EXIT_INVALID : EXIT_IO;
        }
        struct paths dp;
        if (device_paths(&c->paths, &dp) < 0) {
                log_error("out of memory");
                return EXIT_IO;
        }
        struct esp_candidate *cands = NULL;
        size_t n = 0;
        r = esp_device_list(&dp, &cands, &n);
        if (r == -EACCES) {
                log_error("cannot list block devices: permission denied opening partitions "
                          "(run as root)");
                paths_free(&dp);
                return EXIT_ENV;
        }
        if (r < 0) {
                log_error("cannot list block devices: %s/%s: %s", dp.sysfs, SYSFS_CLASS_BLOCK,
                          strerror(-r));
                paths_free(&dp);
                return EXIT_ENV;
        }

        size_t n_rows = 0, cap = n + registered.n;
        struct row *rows = calloc(cap ? cap : 1, sizeof *rows);
        struct esp_device_info *extra = calloc(registered.n ? registered.n : 1, sizeof *extra);
        int ret = rows && extra ? EXIT_OK : EXIT_IO;
        for (size_t i = 0; ret == EXIT_OK && i < n; i++)
                rows[n_rows++] = (struct row){
                        .device = cands[i].device, .serial = cands[i].serial, .size = cands[i].size,
                        .fstype = cands[i].fstype, .mounted_on = cands[i].mounted_on,
                        .registered = cands[i].serial && strv_contains(&registered, cands[i].serial),
                };
        for (size_t k = 0; ret == EXIT_OK && k < registered.n; k++) {
                bool seen = false;
                for (size_t i = 0; i < n; i++)
                        seen = seen || (cands[i].serial && streq(cands[i].serial, registered.v[k]));
                if (seen)
                        continue;
                /* A registered serial on some other partition (wrong type) or nowhere. */
                struct row w = { .serial = registered.v[k], .registered = true };
                _cleanup_free_ char *dev = NULL;
                if (esp_device_lookup_serial(registered.v[k], &dev) >= 0 &&
                    esp_device_probe(&dp, dev, 0, &extra[k]) >= 0) {
                        w.device = extra[k].devpath;
                        w.size = extra[k].size;
                        w.fstype = extra[k].fstype;
                }
                rows[n_rows++] = w;
        }

        if (ret == EXIT_OK && c->json) {
                json_t *arr = json_array();
                for (size_t i = 0; i < n_rows; i++)
                        json_array_append_new(arr, row_json(&rows[i]));
                json_t *o = json_pack("{s:o}", "esps", arr);
                if (!o || json_dumpf(o, stdout, JSON_INDENT(2)) < 0)
                        ret = EXIT_IO;
                else
                        putchar('\n');
                json_decref(o);
        } else if (ret == EXIT_OK) {
                printf("%-16s %-9s %6s %-6s %-20s %s\n", "DEVICE", "SERIAL", "SIZE", "FSTYPE",
                       "MOUNTED", "REGISTERED");
                for (size_t i = 0; i < n_rows; i++)
                        print_row_text(&rows[i]);
        }
        for (size_t k = 0; extra && k < registered.n; k++)
                esp_device_info_done(&extra[k]);
        free(extra);
        free(rows);
        esp_candidates_free(cands, n);
        paths_free(&dp);
        return ret;
}
