/* See labels.h. */
#include "labels.h"
#include "lib/macro.h"
#include "lib/parse.h"
#include <ctype.h>
#include <stdio.h>

void labels_free(struct labels *l) {
        strv_free(&l->keys);
        strv_free(&l->values);
}

const char *labels_get(const struct labels *l, const char *key) {
        for (size_t i = 0; i < l->keys.n; i++)
                if (streq(l->keys.v[i], key))
                        return l->values.v[i];
        return NULL;
}

int labels_set(struct labels *l, const char *key, const char *value) {
        for (size_t i = 0; i < l->keys.n; i++)
                if (streq(l->keys.v[i], key)) {
                        char *v = strdup(value);
                        if (!v)
                                return -ENOMEM;
                        free(l->values.v[i]);
                        l->values.v[i] = v;
                        return 0;
                }
        int r = strv_push(&l->keys, key);
        if (r < 0)
                return r;
        r = strv_push(&l->values, value);
        if (r < 0) {
                free(l->keys.v[--l->keys.n]);
                l->keys.v[l->keys.n] = NULL;
        }
        return r;
}

int labels_merge(struct labels *into, const struct labels *from) {
        for (size_t i = 0; i < from->keys.n; i++) {
                int r = labels_set(into, from->keys.v[i], from->values.v[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool is_alnum(char c) { return isascii(c) && isalnum((unsigned char)c); }

/* Name rule: 1-63 bytes of [A-Za-z0-9._-] with alphanumeric ends. */
static bool name_valid(const char *s, size_t n) {
        if (n < 1 || n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
                        return false;
        return true;
}

/* Lowercase RFC 1123 subdomain: dot-separated [a-z0-9-] parts with alphanumeric ends. */
static bool subdomain_valid(const char *s, size_t n) {
        if (n < 1 || n > 253)
                return false;
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i < n && s[i] != '.') {
                        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
                                return false;
                        continue;
                }
                if (i == start || s[start] == '-' || s[i - 1] == '-')
                        return false;
                start = i + 1;
        }
        return true;
}

bool label_key_valid(const char *key, const char **ret_why) {
        const char *slash = strchr(key, '/');
        if (slash && strchr(slash + 1, '/'))
                return *ret_why = "a key has at most one '/'", false;
        if (slash && !subdomain_valid(key, (size_t)(slash - key)))
                return *ret_why = "the prefix must be a lowercase RFC 1123 subdomain of at most 253 bytes", false;
        const char *name = slash ? slash + 1 : key;
        if (!name_valid(name, strlen(name)))
                return *ret_why = "the name must be 1-63 bytes of [A-Za-z0-9._-] with alphanumeric ends", false;
        return true;
}

bool label_value_valid(const char *value, const char **ret_why) {
        if (!*value || name_valid(value, strlen(value)))
                return true;
        *ret_why = "a value must be empty or 1-63 bytes of [A-Za-z0-9._-] with alphanumeric ends";
        return false;
}

const char *label_goarch(const char *machine) {
        static const char *const map[][2] = {
                { "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i386", "386" },
                { "i686", "386" }, { "armv7l", "arm" },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (streq(machine, map[i][0]))
                        return map[i][1];
        return machine;
}

/* Validates one pair and adds it; errors name the place (where) and the rule. */
static int add_checked(struct labels *into, const char *key, const char *value, const char *where,
                       strv *seen, strv *errors) {
        const char *why;
        char *msg = NULL;
        if (!label_key_valid(key, &why))
                (void)!asprintf(&msg, "%s: label key \"%s\": %s", where, key, why);
        else if (!label_value_valid(value, &why))
                (void)!asprintf(&msg, "%s: value \"%s\" of label %s: %s", where, value, key, why);
        else if (strv_contains(seen, key))
                (void)!asprintf(&msg, "%s: label %s: expected each key once in this source, got it again", where, key);
        if (msg)
                return strv_push_take(errors, msg) < 0 ? -ENOMEM : -EINVAL;
        int r = strv_push(seen, key);
        return r < 0 ? r : labels_set(into, key, value);
}

struct file_ctx {
        struct labels *into;
        const char *display;
        strv seen, *errors;
        bool bad;
};

static int file_line(char *line, unsigned lineno, void *userdata) {
        struct file_ctx *c = userdata;
        _cleanup_free_ char *where = NULL;
        if (asprintf(&where, "%s:%u", c->display, lineno) < 0)
                return -ENOMEM;
        char *eq = strchr(line, '=');
        if (!eq) {
                char *msg = NULL;
                if (asprintf(&msg, "%s: expected key=value, got \"%s\"", where, line) < 0)
                        return -ENOMEM;
                c->bad = true;
                return strv_push_take(c->errors, msg) < 0 ? -ENOMEM : 0;
        }
        *eq = 0;
        int r = add_checked(c->into, str_trim(line), str_trim(eq + 1), where, &c->seen, c->errors);
        if (r == -EINVAL)
                c->bad = true;
        return r == -EINVAL ? 0 : r; /* go on: every bad line is reported */
}

int labels_parse_file(struct labels *into, const char *buf, size_t len, const char *display, strv *errors) {
        struct file_ctx c = { .into = into, .display = display, .errors = errors };
        int r = lines_foreach(buf, len, LINES_SKIP_BLANK_COMMENT, file_line, &c);
        strv_free(&c.seen);
        if (r < 0)
                return r;
        return c.bad ? -EINVAL : 0;
}

int labels_parse_one(struct labels *into, const char *kv, const char *display, strv *seen, strv *errors) {
        const char *eq = strchr(kv, '=');
        _cleanup_free_ char *key = strndup(kv, eq ? (size_t)(eq - kv) : strlen(kv));
        if (!key)
                return -ENOMEM;
        if (!eq) {
                char *msg = NULL;
                if (asprintf(&msg, "%s: expected key=value, got \"%s\"", display, kv) < 0)
                        return -ENOMEM;
                return strv_push_take(errors, msg) < 0 ? -ENOMEM : -EINVAL;
        }
        return add_checked(into, key, eq + 1, display, seen, errors);
}

int labels_parse_list(struct labels *into, const char *list, const char *display, strv *seen, strv *errors) {
        _cleanup_free_ char *copy = strdup(list);
        if (!copy)
                return -ENOMEM;
        int ret = 0;
        char *save = NULL;
        for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                int r = labels_parse_one(into, item, display, seen, errors);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        ret = r;
        }
        return ret;
}

void cmdline_params_free(struct cmdline_params *p) {
        free(p->policy);
        strv_free(&p->labels);
        *p = (struct cmdline_params){};
}

/* Words are split on blanks; double quotes group (and are dropped), as the kernel does. */
int cmdline_parse(const char *buf, struct cmdline_params *ret) {
        *ret = (struct cmdline_params){};
        size_t n = strlen(buf);
        _cleanup_free_ char *word = malloc(n + 1);
        if (!word)
                return -ENOMEM;
        const char *p = buf;
        for (;;) {
                while (*p && isspace((unsigned char)*p))
                        p++;
                if (!*p)
                        break;
                size_t w = 0;
                bool quoted = false;
                for (; *p && (quoted || !isspace((unsigned char)*p)); p++) {
                        if (*p == '"')
                                quoted = !quoted;
                        else
                                word[w++] = *p;
                }
                word[w] = 0;
                int r = 0;
                if (startswith(word, "ksm_early.policy=")) {
                        free(ret->policy);
                        ret->policy = strdup(word + strlen("ksm_early.policy="));
                        if (!ret->policy)
                                r = -ENOMEM;
                } else if (startswith(word, "ksm_early.labels="))
                        r = strv_push(&ret->labels, word + strlen("ksm_early.labels="));
                if (r < 0) {
                        cmdline_params_free(ret);
                        return r;
                }
        }
        return 0;
}
