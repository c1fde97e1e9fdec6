/* See grubenv.h. The scanning follows GRUB's grub_envblk_iterate: after the signature, a line
 * starting with '#' is a comment (the trailing '#' run without LF is the free space), any other
 * line is name '=' value up to an unescaped LF, where a backslash takes the next byte literally. */
#include "grubenv.h"
#include "macro.h"

static void line_free(struct grubenv_line *l) {
        free(l->name);
        free(l->value);
}

void grubenv_free(struct grubenv *env) {
        for (size_t i = 0; i < env->n_lines; i++)
                line_free(&env->lines[i]);
        free(env->lines);
        *env = (struct grubenv){};
}

void grubenv_init_empty(struct grubenv *ret) { *ret = (struct grubenv){ .size = GRUBENV_SIZE }; }

bool grubenv_name_is_valid(const char *name) {
        if (!name || !*name)
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_'))
                        return false;
        return true;
}

/* Takes ownership of name and value, also on failure. */
static int push_line(struct grubenv *env, char *name, char *value) {
        struct grubenv_line *n = realloc(env->lines, (env->n_lines + 1) * sizeof(*n));
        if (!n) {
                free(name);
                free(value);
                return -ENOMEM;
        }
        env->lines = n;
        env->lines[env->n_lines++] = (struct grubenv_line){ .name = name, .value = value };
        return 0;
}

int grubenv_parse(const char *buf, size_t len, struct grubenv *ret) {
        *ret = (struct grubenv){};
        if (len < GRUBENV_SIGNATURE_LEN || memcmp(buf, GRUBENV_SIGNATURE, GRUBENV_SIGNATURE_LEN) != 0)
                return -EBADMSG;
        struct grubenv env = { .size = len };
        size_t p = GRUBENV_SIGNATURE_LEN;
        int r;
        while (p < len) {
                const char *nl = memchr(buf + p, '\n', len - p);
                size_t line_end = nl ? (size_t)(nl - buf) : len;
                const char *eq = memchr(buf + p, '=', line_end - p);
                /* A name with a NUL byte would be cut short (or become empty): not a variable we
                 * could write back as it was, so the line is kept as text (found by fuzz-grubenv). */
                if (buf[p] == '#' || !eq || eq == buf + p || memchr(buf + p, 0, (size_t)(eq - (buf + p)))) {
                        if (!nl)
                                break; /* the free space ('#' padding) or a torn tail */
                        char *raw = strndup(buf + p, line_end - p);
                        if (!raw || (r = push_line(&env, NULL, raw)) < 0) {
                                grubenv_free(&env);
                                return -ENOMEM;
                        }
                        p = line_end + 1;
                        continue;
                }
                char *name = strndup(buf + p, (size_t)(eq - (buf + p)));
                char *value = malloc(len - p + 1);
                if (!name || !value) {
                        free(name);
                        free(value);
                        grubenv_free(&env);
                        return -ENOMEM;
                }
                size_t q = (size_t)(eq - buf) + 1, o = 0;
                while (q < len && buf[q] != '\n') {
                        if (buf[q] == '\\' && q + 1 < len)
                                q++;
                        value[o++] = buf[q++];
                }
                value[o] = 0;
                if (push_line(&env, name, value) < 0) {
                        grubenv_free(&env);
                        return -ENOMEM;
                }
                p = q + 1;
        }
        *ret = env;
        return 0;
}

const char *grubenv_get(const struct grubenv *env, const char *name) {
        for (size_t i = 0; i < env->n_lines; i++)
                if (env->lines[i].name && streq(env->lines[i].name, name))
                        return env->lines[i].value;
        return NULL;
}

static void remove_line(struct grubenv *env, size_t i) {
        line_free(&env->lines[i]);
        memmove(env->lines + i, env->lines + i + 1, (env->n_lines - i - 1) * sizeof(env->lines[0]));
        env->n_lines--;
}

int grubenv_set(struct grubenv *env, const char *name, const char *value) {
        if (!grubenv_name_is_valid(name) || !value)
                return -EINVAL;
        bool found = false, changed = false;
        for (size_t i = 0; i < env->n_lines;) {
                struct grubenv_line *l = &env->lines[i];
                if (!l->name || !streq(l->name, name)) {
                        i++;
                        continue;
                }
                if (found) { /* a later duplicate */
                        remove_line(env, i);
                        changed = true;
                        continue;
                }
                found = true;
                if (!streq(l->value, value)) {
                        char *v = strdup(value);
                        if (!v)
                                return -ENOMEM;
                        free(l->value);
                        l->value = v;
                        changed = true;
                }
                i++;
        }
        if (found)
                return changed;
        char *n = strdup(name), *v = strdup(value);
        if (!n || !v) {
                free(n);
                free(v);
                return -ENOMEM;
        }
        int r = push_line(env, n, v);
        return r < 0 ? r : 1;
}

int grubenv_unset(struct grubenv *env, const char *name) {
        bool removed = false;
        for (size_t i = 0; i < env->n_lines;) {
                if (env->lines[i].name && streq(env->lines[i].name, name)) {
                        remove_line(env, i);
                        removed = true;
                } else
                        i++;
        }
        return removed;
}

static size_t escaped_len(const char *v) {
        size_t n = 0;
        for (; *v; v++)
                n += (*v == '\\' || *v == '\n') ? 2 : 1;
        return n;
}

int grubenv_render(const struct grubenv *env, char **ret, size_t *ret_len) {
        size_t need = GRUBENV_SIGNATURE_LEN;
        for (size_t i = 0; i < env->n_lines; i++) {
                const struct grubenv_line *l = &env->lines[i];
                need += l->name ? strlen(l->name) + 1 + escaped_len(l->value) + 1 : strlen(l->value) + 1;
        }
        if (need > env->size)
                return -E2BIG;
        char *out = malloc(env->size + 1);
        if (!out)
                return -ENOMEM;
        char *o = out;
        memcpy(o, GRUBENV_SIGNATURE, GRUBENV_SIGNATURE_LEN);
        o += GRUBENV_SIGNATURE_LEN;
        for (size_t i = 0; i < env->n_lines; i++) {
                const struct grubenv_line *l = &env->lines[i];
                if (l->name) {
                        o = stpcpy(o, l->name);
                        *o++ = '=';
                        for (const char *v = l->value; *v; v++) {
                                if (*v == '\\' || *v == '\n')
                                        *o++ = '\\';
                                *o++ = *v;
                        }
                } else
                        o = stpcpy(o, l->value);
                *o++ = '\n';
        }
        memset(o, '#', env->size - (size_t)(o - out));
        out[env->size] = 0;
        *ret = out;
        if (ret_len)
                *ret_len = env->size;
        return 0;
}

int grubenv_edit(const char *old, size_t len, const char *const *names, const char *const *values,
                 size_t n, char **ret, size_t *ret_len) {
        struct grubenv env;
        int r = grubenv_parse(old, len, &env);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++)
                r = values[i] ? grubenv_set(&env, names[i], values[i]) : grubenv_unset(&env, names[i]);
        char *out = NULL;
        size_t out_len = 0;
        if (r >= 0)
                r = grubenv_render(&env, &out, &out_len);
        grubenv_free(&env);
        if (r < 0)
                return r;
        bool same = out_len == len && memcmp(out, old, len) == 0;
        *ret = out;
        if (ret_len)
                *ret_len = out_len;
        return same ? 0 : 1;
}
