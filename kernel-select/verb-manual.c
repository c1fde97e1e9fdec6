/* kernel-select add/remove: edit the manual kernel list (proxmox-boot-tool's file), keeping
 * every other line and comment byte for byte, then refresh the ESPs. */
#include "ks.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include "lib/version.h"

/* Text of the manual list with v's lines dropped (remove) or v appended (add). */
static int manual_edit(const char *old, size_t len, const char *v, bool add, char **ret, bool *ret_found) {
        size_t cap = len + strlen(v) + 3, n = 0;
        _cleanup_free_ char *out = malloc(cap);
        if (!out)
                return -ENOMEM;
        *ret_found = false;
        const char *p = old, *end = old + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
                _cleanup_free_ char *line = strndup(p, l);
                if (!line)
                        return -ENOMEM;
                bool match = streq(str_trim(line), v);
                *ret_found |= match;
                if (!match || add) {
                        memcpy(out + n, p, l);
                        n += l;
                }
                p += l;
        }
        if (add && !*ret_found) {
                if (n > 0 && out[n - 1] != '\n')
                        out[n++] = '\n';
                n += (size_t)sprintf(out + n, "%s\n", v);
        }
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

static int manual_change(struct ks_ctx *c, bool add) {
        const char *v = c->args[0];
        int r = ks_check_version_arg(v);
        if (r)
                return r;
        int lock_fd = -1;
        if ((r = ks_lock(c, &lock_fd)))
                return r;
        struct kernel_state st = {};
        _cleanup_free_ char *path = paths_root(&c->paths, PATH_MANUAL_KERNELS), *old = NULL, *new = NULL;
        if ((r = ks_load(c, &st)))
                goto out;
        if (add && !inventory_has_image(&st.inv, v)) {
                log_error("cannot add %s: /boot/vmlinuz-%s not found", v, v);
                ks_print_installed(&st);
                r = EXIT_INVALID;
                goto out;
        }
        size_t len = 0;
        int k = path ? read_file_max(path, CONF_MAX_BYTES, &old, &len) : -ENOMEM;
        if (k == -ENOENT && (old = strdup("")))
                k = 0;
        if (k < 0) {
                log_error("reading %s failed: %s", path, strerror(-k));
                r = EXIT_IO;
                goto out;
        }
        bool found;
        if (manual_edit(old, len, v, add, &new, &found) < 0) {
                r = EXIT_IO;
                goto out;
        }
        if (add == found) {
                log_notice("%s is %s the manual list", v, add ? "already in" : "not in");
                r = 0;
                goto out;
        }
        if ((r = ks_write_file(c, PATH_MANUAL_KERNELS, new, NULL)))
                goto out;
        if (!c->dry_run)
                log_notice("%s %s the manual list", v, add ? "added to" : "removed from");
        r = ks_refresh(c, lock_fd);
out:
        kernel_state_free(&st);
        if (lock_fd >= 0)
                close(lock_fd);
        return r;
}

int verb_add(struct ks_ctx *c) { return manual_change(c, true); }
int verb_remove(struct ks_ctx *c) { return manual_change(c, false); }

