/* See kconfig.h. */
#include "kconfig.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include "lib/version.h"
#include <ctype.h>
#include <sys/stat.h>

void conf_init(struct toolkit_conf *c) {
        *c = (struct toolkit_conf){ .timeout = 3 };
}

void conf_free(struct toolkit_conf *c) {
        free(c->prefix);
        free(c->title);
        free(c->flavour);
        strv_free(&c->warnings);
        *c = (struct toolkit_conf){};
}

bool conf_prefix_is_valid(const char *p) {
        size_t n = strlen(p);
        if (n < 1 || n > 31 || !(p[0] >= 'a' && p[0] <= 'z'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_' || p[i] == '-'))
                        return false;
        return !streq(p, "systemd") && !streq(p, "boot") && !streq(p, "linux");
}

struct conf_state {
        struct toolkit_conf *c;
        const char *name;
        char **error;
};

static int parse_uint(const char *v, unsigned max, unsigned *ret) {
        if (!*v || strlen(v) > 6)
                return -EINVAL;
        for (const char *p = v; *p; p++)
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
        unsigned long n = strtoul(v, NULL, 10);
        if (n > max)
                return -ERANGE;
        *ret = (unsigned)n;
        return 0;
}

static int conf_bad(struct conf_state *st, unsigned lineno, const char *key, const char *expected, const char *got) {
        if (asprintf(st->error, "%s:%u: %s: expected %s, got '%s'", st->name, lineno, key, expected, got) < 0)
                *st->error = NULL;
        return -EINVAL;
}

static int conf_kv(const char *key, const char *value, unsigned lineno, void *userdata) {
        struct conf_state *st = userdata;
        struct toolkit_conf *c = st->c;
        if (streq(key, "prefix")) {
                if (!conf_prefix_is_valid(value))
                        return conf_bad(st, lineno, key, "[a-z][a-z0-9_-]{0,30}, not systemd/boot/linux", value);
                free(c->prefix);
                c->prefix = strdup(value);
        } else if (streq(key, "title")) {
                if (!*value || str_has_ctrl(value))
                        return conf_bad(st, lineno, key, "a non-empty title without control characters", value);
                free(c->title);
                c->title = strdup(value);
        } else if (streq(key, "timeout")) {
                if (parse_uint(value, 600, &c->timeout) < 0)
                        return conf_bad(st, lineno, key, "0-600", value);
                c->timeout_set = true;
        } else if (streq(key, "tries")) {
                if (parse_uint(value, 20, &c->tries) < 0)
                        return conf_bad(st, lineno, key, "0-20", value);
        } else if (streq(key, "flavour")) {
                if (!*value || str_has_ctrl(value) || strchr(value, ' ') || strchr(value, '/'))
                        return conf_bad(st, lineno, key, "auto, none or a substring such as -pve", value);
                free(c->flavour);
                c->flavour = strdup(value);
        } else {
                char *w;
                if (asprintf(&w, "%s:%u: unknown key '%s' ignored", st->name, lineno, key) < 0)
                        return -ENOMEM;
                return strv_push_take(&c->warnings, w);
        }
        return 0;
}

int conf_parse(const char *buf, size_t len, const char *name, struct toolkit_conf *c, char **ret_error) {
        struct conf_state st = { c, name, ret_error };
        unsigned bad = 0;
        *ret_error = NULL;
        int r = kv_parse(buf, len, conf_kv, &st, &bad);
        if (r == -EINVAL && !*ret_error && bad &&
            asprintf(ret_error, "%s:%u: expected key=value", name, bad) < 0)
                *ret_error = NULL;
        if (r < 0)
                return r;
        if (!c->prefix && !(c->prefix = strdup("proxmox")))
                return -ENOMEM;
        if (!c->flavour && !(c->flavour = strdup("auto")))
                return -ENOMEM;
        return 0;
}

static bool root_path_exists(const struct paths *p, const char *abs) {
        _cleanup_free_ char *path = paths_root(p, abs);
        struct stat st;
        return path && stat(path, &st) == 0;
}

char *conf_default_title(const struct paths *p) {
        if (root_path_exists(p, PATH_PVE_DIR))
                return strdup("Proxmox Virtual Environment");
        if (root_path_exists(p, PATH_DOC_PMG))
                return strdup("Proxmox Mailgateway");
        if (root_path_exists(p, PATH_DOC_PBS))
                return strdup("Proxmox Backup Server");
        _cleanup_free_ char *path = paths_root(p, PATH_OS_RELEASE), *buf = NULL;
        if (path && read_file_max(path, CONF_MAX_BYTES, &buf, NULL) >= 0) {
                for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
                        if (!startswith(line, "PRETTY_NAME="))
                                continue;
                        char *v = str_trim(line + strlen("PRETTY_NAME="));
                        size_t n = strlen(v);
                        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                                v[n - 1] = 0;
                                v++;
                        }
                        if (*v && !str_has_ctrl(v))
                                return strdup(v);
                }
        }
        return strdup("Linux");
}

struct manual_state {
        const char *name;
        strv *out, *warnings;
};

static int manual_line(char *line, unsigned lineno, void *userdata) {
        struct manual_state *st = userdata;
        if (!version_is_valid(line)) {
                char *w;
                if (asprintf(&w, "invalid line: %s:%u: expected a kernel version, got '%s'", st->name, lineno, line) < 0)
                        return -ENOMEM;
                return strv_push_take(st->warnings, w);
        }
        return strv_push_unique(st->out, line);
}

int manual_list_parse(const char *buf, size_t len, const char *name, strv *ret, strv *warnings) {
        struct manual_state st = { name, ret, warnings };
        return lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, manual_line, &st);
}

const char *next_boot_state_name(enum next_boot_state s) {
        switch (s) {
        case NEXT_BOOT_ACTIVE: return "active";
        case NEXT_BOOT_SPENT: return "spent";
        case NEXT_BOOT_LEGACY: return "legacy";
        default: return NULL;
        }
}

#define BOOT_ID_TAG "# espctl boot_id="

int pin_file_parse(const char *buf, size_t len, char **ret_version, char **ret_boot_id) {
        _cleanup_free_ char *copy = strndup(buf, len);
        if (!copy)
                return -ENOMEM;
        *ret_version = NULL;
        if (ret_boot_id)
                *ret_boot_id = NULL;
        char *save = NULL;
        /* The version is the first line even when it is empty (strtok would skip it). */
        char *nl = strchr(copy, '\n');
        if (nl)
                *nl = 0;
        char *v = str_trim(copy);
        if (*v && !(*ret_version = strdup(v)))
                return -ENOMEM;
        if (!nl || !ret_boot_id)
                return 0;
        for (char *line = strtok_r(nl + 1, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                line = str_trim(line);
                if (startswith(line, BOOT_ID_TAG)) {
                        char *id = str_trim(line + strlen(BOOT_ID_TAG));
                        if (*id && !(*ret_boot_id = strdup(id)))
                                return -ENOMEM;
                        break;
                }
        }
        return 0;
}

int next_boot_pin_render(const char *version, const char *boot_id, char **ret) {
        int r = boot_id ? asprintf(ret, "%s\n" BOOT_ID_TAG "%s\n", version, boot_id) : asprintf(ret, "%s\n", version);
        return r < 0 ? -ENOMEM : 0;
}

enum next_boot_state next_boot_state_of(const char *version, const char *pin_boot_id, const char *current_boot_id) {
        if (!version)
                return NEXT_BOOT_NONE;
        if (!pin_boot_id)
                return NEXT_BOOT_LEGACY;
        if (current_boot_id && streq(pin_boot_id, current_boot_id))
                return NEXT_BOOT_ACTIVE;
        return NEXT_BOOT_SPENT;
}
