/* Proxmox VE compatibility reader: the few keys the launcher needs from guest configs, with the
 * same tolerance as pve-manager for values it does not understand. */
#include "pve.h"
#include "guests.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include "lib/paths.h"
#include <dirent.h>

#define PVE_FILE_MAX (4u * 1024u * 1024u)

int pve_startup_parse(const char *value, struct guest *g) {
        _cleanup_free_ char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        struct guest tmp = *g;
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                tok = str_trim(tok);
                if (!*tok)
                        continue;
                char *eq = strchr(tok, '=');
                const char *key = "order", *num = tok;
                if (eq) {
                        *eq = 0;
                        key = tok;
                        num = eq + 1;
                }
                uint32_t v;
                if (streq(key, "order") && parse_uint_bounded(num, GUEST_ORDER_MAX, &v) == 0) {
                        tmp.has_order = true;
                        tmp.order = v;
                } else if (streq(key, "up") && parse_uint_bounded(num, GUEST_DELAY_MAX, &v) == 0) {
                        tmp.has_up = true;
                        tmp.up = v;
                } else if (streq(key, "down") && parse_uint_bounded(num, GUEST_DELAY_MAX, &v) == 0) {
                        tmp.has_down = true;
                        tmp.down = v;
                } else {
                        return -EINVAL;
                }
        }
        *g = tmp;
        return 0;
}

struct pve_state {
        const char *display;
        struct guest *g;
        struct diag *d;
        bool done;
};

static int pve_line(char *line, unsigned lineno, void *userdata) {
        struct pve_state *st = userdata;
        if (st->done)
                return 0;
        if (line[0] == '[') { /* [snapshot], [PENDING], [special:...]: not the current config */
                st->done = true;
                return 0;
        }
        char *colon = strchr(line, ':');
        if (!colon)
                return 0;
        *colon = 0;
        const char *key = str_trim(line), *value = str_trim(colon + 1);
        struct guest *g = st->g;
        if (streq(key, "onboot")) {
                if (streq(value, "1") || streq(value, "0"))
                        g->onboot = streq(value, "1");
                else
                        diag_warning(st->d, "%s:%u: onboot: expected 0 or 1, got \"%s\"; treated as 0", st->display,
                                     lineno, value);
        } else if (streq(key, "startup")) {
                int r = pve_startup_parse(value, g);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        diag_warning(st->d, "%s:%u: startup: expected order=N,up=N,down=N, got \"%s\"; guest left "
                                     "unordered with default delays", st->display, lineno, value);
        } else if (streq(key, "template")) {
                g->is_template = streq(value, "1");
        } else if ((streq(key, "name") && g->type == GUEST_VM) || (streq(key, "hostname") && g->type == GUEST_CT)) {
                if (*value && !str_has_ctrl(value) && strlen(value) <= 64) {
                        char *n = strdup(value);
                        if (!n)
                                return -ENOMEM;
                        free(g->name);
                        g->name = n;
                }
        }
        return 0;
}

static int push_num(strv *s, uint32_t n) {
        char buf[16];
        snprintf(buf, sizeof buf, "%u", n);
        return strv_push(s, buf);
}

static int build_commands(struct guest *g, const struct pve_opts *o) {
        const char *prog = g->type == GUEST_CT ? o->pct : o->qm;
        int r = 0;
        r = r ?: strv_push(&g->start, prog);
        r = r ?: strv_push(&g->start, "start");
        r = r ?: push_num(&g->start, g->id);
        r = r ?: strv_push(&g->shutdown, prog);
        r = r ?: strv_push(&g->shutdown, "shutdown");
        r = r ?: push_num(&g->shutdown, g->id);
        r = r ?: strv_push(&g->shutdown, "--timeout");
        r = r ?: push_num(&g->shutdown, guest_down(g, o->timeout));
        r = r ?: strv_push(&g->stop, prog);
        r = r ?: strv_push(&g->stop, "stop");
        r = r ?: push_num(&g->stop, g->id);
        r = r ?: strv_push(&g->status, prog);
        r = r ?: strv_push(&g->status, "status");
        r = r ?: push_num(&g->status, g->id);
        return r;
}

int pve_parse_guest(const char *buf, size_t len, const char *display, uint32_t id, enum guest_type type,
                    const struct pve_opts *o, struct guest *g, struct diag *d) {
        *g = (struct guest){ .id = id, .type = type, .compat = true,
                             .start_timeout = GUEST_START_TIMEOUT_DEFAULT, .stop_timeout = GUEST_STOP_TIMEOUT_DEFAULT };
        struct pve_state st = { .display = display, .g = g, .d = d };
        int r = lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, pve_line, &st);
        if (r == 0 && !g->name && asprintf(&g->name, "guest-%u", id) < 0) {
                g->name = NULL;
                r = -ENOMEM;
        }
        if (r == 0 && !(g->source = strdup(display)))
                r = -ENOMEM;
        if (r == 0)
                r = build_commands(g, o);
        if (r < 0)
                guest_done(g);
        return r;
}

static int ha_line(char *line, unsigned lineno _unused_, void *userdata) {
        struct guest_set *s = userdata;
        const char *rest;
        if (startswith(line, "vm:"))
                rest = line + 3;
        else if (startswith(line, "ct:"))
                rest = line + 3;
        else
                return 0;
        while (*rest == ' ' || *rest == '\t')
                rest++;
        uint32_t id;
        if (parse_uint_bounded(str_trim((char *)rest), GUEST_ID_MAX, &id) < 0)
                return 0;
        struct guest *g = guest_set_find(s, id);
        if (g && g->compat)
                g->ha = true;
        return 0;
}

int pve_ha_mark(const char *buf, size_t len, struct guest_set *s) {
        /* Section headers start in column 0; their properties are indented and trimmed away
         * here, but never look like "vm: <digits>". */
        return lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, ha_line, s);
}

static int load_type_dir(const char *dir, const char *sub, enum guest_type type, const struct pve_opts *o,
                         struct guest_set *s, struct diag *d) {
        _cleanup_free_ char *path = path_join(dir, sub);
        if (!path)
                return -ENOMEM;
        DIR *dp = opendir(path);
        if (!dp)
                return errno == ENOENT ? 0 : negerrno();
        _cleanup_strv_ strv names = {};
        int r = guest_dir_names(dp, "conf", &names);
        if (r < 0)
                return r;
        for (size_t i = 0; i < names.n; i++) {
                uint32_t id;
                guest_file_name_id(names.v[i], "conf", &id);
                _cleanup_free_ char *file = path_join(path, names.v[i]);
                _cleanup_free_ char *buf = NULL;
                size_t len;
                if (!file)
                        return -ENOMEM;
                r = read_file_max(file, PVE_FILE_MAX, &buf, &len);
                if (r < 0) {
                        diag_error(d, "cannot read Proxmox guest config: %s: %s", file, strerror(-r));
                        continue;
                }
                struct guest g;
                r = pve_parse_guest(buf, len, file, id, type, o, &g, d);
                if (r < 0)
                        return r;
                struct guest *other = guest_set_find(s, id);
                if (other) {
                        diag_error(d, "invalid guest definition: %s: id %u: expected one definition per id, also in %s",
                                   file, id, other->source);
                        guest_done(&g);
                        continue;
                }
                struct guest *slot = guest_set_add(s);
                if (!slot) {
                        guest_done(&g);
                        return -ENOMEM;
                }
                *slot = g;
        }
        return 0;
}

int pve_load(const char *dir, const struct pve_opts *o, struct guest_set *s, struct diag *d) {
        int r = load_type_dir(dir, PVE_QEMU_SUBDIR, GUEST_VM, o, s, d);
        if (r >= 0)
                r = load_type_dir(dir, PVE_LXC_SUBDIR, GUEST_CT, o, s, d);
        if (r < 0)
                return r;
        _cleanup_free_ char *ha = path_join(dir, PVE_HA_RESOURCES);
        _cleanup_free_ char *buf = NULL;
        size_t len;
        if (!ha)
                return -ENOMEM;
        r = read_file_max(ha, PVE_FILE_MAX, &buf, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                diag_error(d, "cannot read Proxmox HA resources: %s: %s", ha, strerror(-r));
                return 0;
        }
        return pve_ha_mark(buf, len, s);
}
