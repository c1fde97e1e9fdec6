/* espctl clean: drop registered serials whose ESP is gone, and repeated serials; comments,
 * blank and invalid lines and the order stay byte for byte (spec §6 clean). */
#include <ctype.h>
#include <strings.h>
#include <sys/stat.h>
#include "espctl.h"
#include "espset.h"
#include "refresh.h"
#include "lib/atomic.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/parse.h"

/* With stand-ins, present means "given"; otherwise /dev/disk/by-uuid names it. */
static bool serial_present(struct esp_ctx *c, const char *serial) {
        if (c->esp_dirs.n > 0) {
                for (size_t i = 0; i < c->esp_dirs.n; i++)
                        if (strncasecmp(c->esp_dirs.v[i], serial, 9) == 0 && c->esp_dirs.v[i][9] == '=')
                                return true;
                return false;
        }
        _cleanup_free_ char *p = path_join(PATH_DEV_BY_UUID, serial);
        struct stat st;
        return p && stat(p, &st) == 0;
}

struct clean_state {
        struct esp_ctx *c;
        strv seen;
        unsigned *drop;
        size_t n_drop;
        int err;
};

static int clean_line(char *line, unsigned lineno, void *userdata) {
        struct clean_state *st = userdata;
        if (!serial_is_valid(line))
                return 0; /* invalid lines are warned by the parser and kept */
        char upper[10];
        for (int i = 0; i < 10; i++)
                upper[i] = (char)toupper((unsigned char)line[i]);
        bool repeated = strv_contains(&st->seen, upper);
        if (!repeated && strv_push(&st->seen, upper) < 0)
                return -ENOMEM;
        if (!repeated && serial_present(st->c, upper))
                return 0;
        unsigned *d = realloc(st->drop, (st->n_drop + 1) * sizeof *d);
        if (!d)
                return -ENOMEM;
        st->drop = d;
        st->drop[st->n_drop++] = lineno;
        if (st->c->dry_run)
                printf("would remove %s (line %u%s)\n", upper, lineno, repeated ? ", repeated" : "");
        else
                log_notice("removing %s (line %u%s)", upper, lineno, repeated ? ", repeated" : "");
        return 0;
}

int verb_clean(struct esp_ctx *c) {
        int lock_fd = -1, code;
        if ((code = espctl_lock(c, false, &lock_fd)))
                return code;
        _cleanup_free_ char *path = paths_root(&c->paths, PATH_ESP_UUIDS), *buf = NULL, *out = NULL;
        size_t len = 0;
        struct clean_state st = { .c = c };
        struct registration reg = {};
        int r = path ? read_file_max(path, 64 * 1024, &buf, &len) : -ENOMEM;
        if (r == -ENOENT) {
                log_error("no ESP registered: %s does not exist", path);
                code = EXIT_ENV;
                goto out;
        }
        if (r < 0 || registration_parse(buf, len, path, &reg) < 0) {
                log_error("reading %s failed: %s", path, strerror(r < 0 ? -r : ENOMEM));
                code = EXIT_IO;
                goto out;
        }
        for (size_t i = 0; i < reg.warnings.n; i++)
                log_warning("%s", reg.warnings.v[i]);
        if ((r = lines_foreach(buf, len, 0, clean_line, &st)) < 0) {
                code = EXIT_IO;
                goto out;
        }
        if (st.n_drop == 0 || c->dry_run)
                goto out;
        if ((r = registration_drop_lines(buf, len, st.drop, st.n_drop, &out)) < 0 ||
            (r = atomic_write(path, out, strlen(out), 0644)) < 0) {
                log_error("writing %s failed: %s", path, strerror(-r));
                code = EXIT_IO;
        }
out:
        registration_free(&reg);
        strv_free(&st.seen);
        free(st.drop);
        if (lock_fd >= 0)
                close(lock_fd);
        return code;
}
