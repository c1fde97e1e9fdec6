/* See kstate.h. */
#include "kstate.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/lock.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/parse.h"

char *boot_id_read(const struct paths *p) {
        _cleanup_free_ char *path = paths_proc(p, PROC_BOOT_ID);
        char *id = NULL;
        if (!path || read_first_line(path, 256, &id) < 0)
                return NULL;
        if (!*id || str_has_ctrl(id) || strchr(id, ' ')) {
                free(id);
                return NULL;
        }
        return id;
}

/* Read an optional file under --root; absent gives an empty buffer. */
static int read_optional(const struct paths *p, const char *abs, char **ret_path, char **ret, size_t *ret_len) {
        *ret_path = paths_root(p, abs);
        if (!*ret_path)
                return -ENOMEM;
        int r = read_file_max(*ret_path, CONF_MAX_BYTES, ret, ret_len);
        if (r == -ENOENT) {
                *ret = strdup("");
                *ret_len = 0;
                return *ret ? 0 : -ENOMEM;
        }
        return r;
}

static int load_pin(const struct paths *p, const char *abs, char **ret_version, char **ret_boot_id) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        size_t len;
        int r = read_optional(p, abs, &path, &buf, &len);
        if (r < 0)
                return r;
        return pin_file_parse(buf, len, ret_version, ret_boot_id);
}

int kernel_state_load(const struct paths *p, const strv *installing, const strv *removing,
                      struct kernel_state *st, char **ret_error) {
        *st = (struct kernel_state){};
        *ret_error = NULL;
        conf_init(&st->conf);
        _cleanup_free_ char *path = NULL, *buf = NULL;
        size_t len;
        int r = read_optional(p, PATH_ESPCTL_CONF, &path, &buf, &len);
        if (r >= 0)
                r = conf_parse(buf, len, path, &st->conf, ret_error);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < st->conf.warnings.n; i++)
                if ((r = strv_push(&st->warnings, st->conf.warnings.v[i])) < 0)
                        goto fail;

        free(path);
        free(buf);
        path = buf = NULL;
        r = read_optional(p, PATH_MANUAL_KERNELS, &path, &buf, &len);
        if (r >= 0)
                r = manual_list_parse(buf, len, path, &st->manual, &st->warnings);
        if (r >= 0)
                r = load_pin(p, PATH_PIN, &st->pinned, NULL);
        if (r >= 0)
                r = load_pin(p, PATH_NEXT_BOOT_PIN, &st->next_boot, &st->next_boot_id);
        if (r < 0)
                goto fail;
        st->boot_id = boot_id_read(p);
        if ((r = inventory_load(p, &st->inv)) < 0)
                goto fail;

        struct selection_input in = {
                .inv = &st->inv,
                .flavour = st->conf.flavour,
                .manual = &st->manual,
                .pinned = st->pinned,
                .next_boot = st->next_boot,
                .next_boot_state = next_boot_state_of(st->next_boot, st->next_boot_id, st->boot_id),
                .installing = installing,
                .removing = removing,
        };
        if ((r = kernel_select(&in, &st->sel)) < 0)
                goto fail;
        return 0;
fail:
        kernel_state_free(st);
        return r;
}

void kernel_state_free(struct kernel_state *st) {
        conf_free(&st->conf);
        strv_free(&st->manual);
        free(st->pinned);
        free(st->next_boot);
        free(st->next_boot_id);
        free(st->boot_id);
        inventory_free(&st->inv);
        selection_free(&st->sel);
        strv_free(&st->warnings);
        *st = (struct kernel_state){};
}

int toolkit_lock(const struct paths *p, unsigned flags, unsigned wait_sec, int *ret_fd) {
        _cleanup_free_ char *path = paths_run(p, RUN_ESPCTL_LOCK);
        if (!path)
                return EXIT_IO;
        int r = lock_acquire(path, flags, wait_sec * 1000, ret_fd);
        if (r == -EBUSY) {
                log_error("busy: %s is held by another run", path);
                return EXIT_BUSY;
        }
        if (r < 0) {
                log_error("cannot take the lock %s: %s", path, strerror(-r));
                return EXIT_IO;
        }
        return 0;
}
