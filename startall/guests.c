/* Native guest definitions: strict JSON (jansson, duplicates rejected), every problem reported
 * with file:line:column of the offending key, and the trust rules for files that name commands
 * run as root. */
#include "guests.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/paths.h"
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>

#define GUEST_FILE_MAX (256u * 1024u)

/* Line and column of a top-level key in an already valid JSON text. jansson keeps no positions
 * for values, so the text is scanned once more; a key spelled with escapes falls back to 1:1. */
static void json_key_position(const char *buf, size_t len, const char *key, unsigned *line, unsigned *col) {
        unsigned l = 1, c = 1, depth = 0;
        bool expect_key = false;
        size_t klen = strlen(key);
        *line = 1;
        *col = 1;
        for (size_t i = 0; i < len; i++) {
                char ch = buf[i];
                if (ch == '"') {
                        unsigned sl = l, sc = c;
                        size_t start = i + 1, j = start;
                        while (j < len && buf[j] != '"') {
                                if (buf[j] == '\\')
                                        j++;
                                j++;
                        }
                        if (depth == 1 && expect_key && j - start == klen && memcmp(buf + start, key, klen) == 0) {
                                *line = sl;
                                *col = sc;
                                return;
                        }
                        if (depth == 1)
                                expect_key = false;
                        c += (unsigned)(j - i + 1);
                        i = j;
                        continue;
                }
                if (ch == '{' || ch == '[') {
                        depth++;
                        expect_key = ch == '{' && depth == 1;
                } else if (ch == '}' || ch == ']') {
                        depth--;
                } else if (ch == ',' && depth == 1) {
                        expect_key = true;
                }
                if (ch == '\n') {
                        l++;
                        c = 1;
                } else {
                        c++;
                }
        }
}

/* A short rendering of a JSON value for "got ..." */
static char *json_got(json_t *v) {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (s && strlen(s) > 60)
                strcpy(s + 57, "...");
        return s;
}

struct jctx {
        const char *buf, *display;
        size_t len;
        struct diag *d;
        bool bad;
};

static void key_error(struct jctx *j, const char *key, json_t *v, const char *expected) {
        unsigned line, col;
        json_key_position(j->buf, j->len, key, &line, &col);
        _cleanup_free_ char *got = v ? json_got(v) : NULL;
        diag_error(j->d, "invalid guest definition: %s:%u:%u: %s: expected %s, got %s", j->display, line, col,
                   key, expected, got ? got : "nothing");
        j->bad = true;
}

static int get_uint(struct jctx *j, const char *key, json_t *v, uint32_t min, uint32_t max, const char *expected,
                    uint32_t *ret) {
        if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
                key_error(j, key, v, expected);
                return -EINVAL;
        }
        *ret = (uint32_t)json_integer_value(v);
        return 0;
}

const char *guest_argv_problem(char *const *argv, size_t n) {
        if (n == 0)
                return "a non-empty array of strings";
        if (argv[0][0] != '/')
                return "an absolute path as the first element";
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                size_t l = strlen(argv[i]);
                if (l > GUEST_ARG_MAX)
                        return "strings of at most 4096 bytes";
                total += l + 1;
        }
        if (total > GUEST_ARGV_TOTAL_MAX)
                return "at most 128 KiB of arguments in all";
        return NULL;
}

static int get_argv(struct jctx *j, const char *key, json_t *v, strv *ret) {
        if (json_is_string(v)) {
                unsigned line, col;
                json_key_position(j->buf, j->len, key, &line, &col);
                _cleanup_free_ char *got = json_got(v);
                diag_error(j->d,
                           "invalid guest definition: %s:%u:%u: %s: must be an array of strings; commands never go "
                           "through a shell, got %s",
                           j->display, line, col, key, got ? got : "?");
                j->bad = true;
                return -EINVAL;
        }
        if (!json_is_array(v)) {
                key_error(j, key, v, "an array of strings");
                return -EINVAL;
        }
        _cleanup_strv_ strv a = {};
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
                if (!json_is_string(e)) {
                        key_error(j, key, v, "an array of strings");
                        return -EINVAL;
                }
                if (strlen(json_string_value(e)) != json_string_length(e)) {
                        key_error(j, key, v, "strings without NUL bytes");
                        return -EINVAL;
                }
                if (strv_push(&a, json_string_value(e)) < 0)
                        return -ENOMEM;
        }
        const char *why = guest_argv_problem(a.v, a.n);
        if (why) {
                key_error(j, key, v, why);
                return -EINVAL;
        }
        *ret = a;
        a = (strv){};
        return 0;
}

static bool name_valid(const char *s) {
        size_t n = strlen(s);
        if (n < 1 || n > 64)
                return false;
        for (; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
                      *s == '.' || *s == '_' || *s == '-'))
                        return false;
        return true;
}

static const char *const known_keys[] = {
        "id", "name", "type", "onboot", "order", "up", "down", "start", "shutdown", "stop", "status",
        "start-timeout", "stop-timeout", "ksm",
};

static int parse_members(struct jctx *j, json_t *root, struct guest *g, uint32_t expected_id) {
        const char *key;
        json_t *v;
        int r;
        bool have_id = false, have_start = false;
        json_object_foreach(root, key, v) {
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(known_keys); i++)
                        known = known || streq(key, known_keys[i]);
                if (!known) {
                        unsigned line, col;
                        json_key_position(j->buf, j->len, key, &line, &col);
                        diag_error(j->d, "invalid guest definition: %s:%u:%u: %s: unknown key; expected one of id, name, "
                                   "type, onboot, order, up, down, start, shutdown, stop, status, start-timeout, "
                                   "stop-timeout, ksm", j->display, line, col, key);
                        j->bad = true;
                        continue;
                }
                r = 0;
                if (streq(key, "id")) {
                        have_id = get_uint(j, key, v, 1, GUEST_ID_MAX, "an integer 1-999999999", &g->id) == 0;
                        if (have_id && expected_id && g->id != expected_id) {
                                char exp[64];
                                snprintf(exp, sizeof exp, "%u (the number in the file name)", expected_id);
                                key_error(j, key, v, exp);
                        }
                } else if (streq(key, "name")) {
                        if (!json_is_string(v) || !name_valid(json_string_value(v)))
                                key_error(j, key, v, "1-64 characters of A-Z a-z 0-9 . _ -");
                        else if (!(g->name = strdup(json_string_value(v))))
                                return -ENOMEM;
                } else if (streq(key, "type")) {
                        if (json_is_string(v) && streq(json_string_value(v), "vm"))
                                g->type = GUEST_VM;
                        else if (json_is_string(v) && streq(json_string_value(v), "ct"))
                                g->type = GUEST_CT;
                        else
                                key_error(j, key, v, "\"vm\" or \"ct\"");
                } else if (streq(key, "onboot")) {
                        if (json_is_boolean(v))
                                g->onboot = json_is_true(v);
                        else if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
                                g->onboot = json_integer_value(v) == 1;
                        else
                                key_error(j, key, v, "true or false");
                } else if (streq(key, "order")) {
                        g->has_order = get_uint(j, key, v, 0, GUEST_ORDER_MAX, "an integer 0-2147483647", &g->order) == 0;
                } else if (streq(key, "up")) {
                        g->has_up = get_uint(j, key, v, 0, GUEST_DELAY_MAX, "an integer 0-86400 (seconds)", &g->up) == 0;
                } else if (streq(key, "down")) {
                        g->has_down = get_uint(j, key, v, 0, GUEST_DELAY_MAX, "an integer 0-86400 (seconds)", &g->down) == 0;
                } else if (streq(key, "start-timeout")) {
                        get_uint(j, key, v, 1, GUEST_DELAY_MAX, "an integer 1-86400 (seconds)", &g->start_timeout);
                } else if (streq(key, "stop-timeout")) {
                        get_uint(j, key, v, 1, GUEST_DELAY_MAX, "an integer 1-86400 (seconds)", &g->stop_timeout);
                } else if (streq(key, "start")) {
                        r = get_argv(j, key, v, &g->start);
                        have_start = r == 0;
                } else if (streq(key, "shutdown")) {
                        r = get_argv(j, key, v, &g->shutdown);
                } else if (streq(key, "stop")) {
                        r = get_argv(j, key, v, &g->stop);
                } else if (streq(key, "status")) {
                        r = get_argv(j, key, v, &g->status);
                } else if (streq(key, "ksm")) {
                        if (json_is_string(v) && streq(json_string_value(v), "merge"))
                                g->ksm_merge = true;
                        else
                                key_error(j, key, v, "\"merge\"");
                }
                if (r == -ENOMEM)
                        return r;
        }
        if (!have_id && !json_object_get(root, "id")) {
                diag_error(j->d, "invalid guest definition: %s: id: expected an integer 1-999999999, got nothing (required)",
                           j->display);
                j->bad = true;
        }
        if (!have_start && !json_object_get(root, "start")) {
                diag_error(j->d, "invalid guest definition: %s: start: expected an array of strings, got nothing (required)",
                           j->display);
                j->bad = true;
        }
        return 0;
}

int guest_parse_json(const char *buf, size_t len, const char *display, uint32_t expected_id, struct guest *g,
                     struct diag *d) {
        *g = (struct guest){ .start_timeout = GUEST_START_TIMEOUT_DEFAULT, .stop_timeout = GUEST_STOP_TIMEOUT_DEFAULT };
        json_error_t err;
        /* NULs are let through the parser so the argv check can name them. */
        json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
        if (!root) {
                diag_error(d, "invalid guest definition: %s:%d:%d: %s", display, err.line, err.column, err.text);
                return -EINVAL;
        }
        struct jctx j = { .buf = buf, .len = len, .display = display, .d = d };
        int r;
        if (!json_is_object(root)) {
                diag_error(d, "invalid guest definition: %s:1:1: expected a JSON object", display);
                r = -EINVAL;
        } else {
                r = parse_members(&j, root, g, expected_id);
                if (r == 0 && j.bad)
                        r = -EINVAL;
        }
        json_decref(root);
        if (r == 0 && !g->name && asprintf(&g->name, "guest-%u", g->id) < 0) {
                g->name = NULL;
                r = -ENOMEM;
        }
        if (r == 0 && !(g->source = strdup(display)))
                r = -ENOMEM;
        if (r < 0)
                guest_done(g);
        return r;
}

bool guest_file_name_id(const char *name, const char *suffix, uint32_t *ret_id) {
        size_t n = strlen(name), s = strlen(suffix);
        if (n <= s + 1 || !endswith(name, suffix) || name[n - s - 1] != '.' || name[0] == '0' || n - s - 1 > 9)
                return false;
        char digits[16];
        memcpy(digits, name, n - s - 1);
        digits[n - s - 1] = 0;
        return parse_uint_bounded(digits, GUEST_ID_MAX, ret_id) == 0;
}

int guest_dir_names(DIR *dp, const char *suffix, strv *ret) {
        int r = 0;
        struct dirent *de;
        while ((de = readdir(dp))) {
                uint32_t id;
                if (guest_file_name_id(de->d_name, suffix, &id) && (r = strv_push(ret, de->d_name)) < 0)
                        break;
        }
        closedir(dp);
        if (r < 0)
                return r;
        strv_sort(ret, strcmp);
        return 0;
}

/* Commands in these files run as root: only root or the caller may own them, nobody else may
 * write them. */
static const char *trust_problem(const struct stat *st) {
        if (st->st_uid != 0 && st->st_uid != geteuid())
                return "owned by root or the invoking user";
        if (st->st_mode & (S_IWGRP | S_IWOTH))
                return "not writable by group or others";
        return NULL;
}

static int load_one(int dfd, const char *dir, const char *name, uint32_t id, struct guest_set *s, struct diag *d) {
        _cleanup_free_ char *display = path_join(dir, name);
        if (!display)
                return -ENOMEM;
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ELOOP)
                        diag_error(d, "invalid guest definition: %s: expected a regular file, got a symlink", display);
                else
                        diag_error(d, "invalid guest definition: %s: cannot open: %s", display, strerror(errno));
                return 0;
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negerrno();
        if (!S_ISREG(st.st_mode)) {
                diag_error(d, "invalid guest definition: %s: expected a regular file", display);
                return 0;
        }
        const char *why = trust_problem(&st);
        if (why) {
                diag_error(d, "invalid guest definition: %s: unsafe owner or mode %04o: expected %s", display,
                           (unsigned)(st.st_mode & 07777), why);
                return 0;
        }
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r = read_fd_max(fd, GUEST_FILE_MAX, &buf, &len);
        if (r < 0) {
                diag_error(d, "invalid guest definition: %s: cannot read: %s", display, strerror(-r));
                return 0;
        }
        struct guest g;
        r = guest_parse_json(buf, len, display, id, &g, d);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        struct guest *slot = guest_set_add(s);
        if (!slot) {
                guest_done(&g);
                return -ENOMEM;
        }
        *slot = g;
        return 0;
}

int guests_load_dir(const char *dir, struct guest_set *s, struct diag *d) {
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? 0 : negerrno();
        struct stat st;
        if (fstat(dfd, &st) < 0)
                return negerrno();
        const char *why = trust_problem(&st);
        if (why) {
                diag_error(d, "unsafe guest directory: %s: mode %04o: expected %s", dir, (unsigned)(st.st_mode & 07777), why);
                return 0;
        }
        int dup_fd = dup(dfd);
        if (dup_fd < 0)
                return negerrno();
        DIR *dp = fdopendir(dup_fd);
        if (!dp) {
                close(dup_fd);
                return negerrno();
        }
        _cleanup_strv_ strv names = {};
        int r = guest_dir_names(dp, "json", &names);
        if (r < 0)
                return r;
        for (size_t i = 0; i < names.n; i++) {
                uint32_t id;
                guest_file_name_id(names.v[i], "json", &id);
                r = load_one(dfd, dir, names.v[i], id, s, d);
                if (r < 0)
                        return r;
        }
        return 0;
}
