/* See selector.h. */
#include "selector.h"
#include "lib/macro.h"
#include <stdio.h>

void selector_free(struct selector *s) {
        for (size_t i = 0; i < s->n; i++) {
                free(s->reqs[i].key);
                strv_free(&s->reqs[i].values);
        }
        free(s->reqs);
        *s = (struct selector){};
}

static int cmp_str(const char *a, const char *b) { return strcmp(a, b); }

int selector_add(struct selector *s, const char *key, enum selector_op op, const strv *values) {
        struct selector_req *n = realloc(s->reqs, (s->n + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        s->reqs = n;
        struct selector_req *r = &s->reqs[s->n];
        *r = (struct selector_req){ .key = strdup(key), .op = op };
        if (!r->key)
                return -ENOMEM;
        s->n++;
        for (size_t i = 0; values && i < values->n; i++)
                if (strv_push_unique(&r->values, values->v[i]) < 0)
                        return -ENOMEM;
        strv_sort(&r->values, cmp_str);
        return 0;
}

int selector_op_from_string(const char *name, enum selector_op *ret) {
        static const struct { const char *name; enum selector_op op; } ops[] = {
                { "In", SEL_IN }, { "NotIn", SEL_NOT_IN }, { "Exists", SEL_EXISTS },
                { "DoesNotExist", SEL_DOES_NOT_EXIST },
        };
        for (size_t i = 0; i < ELEMENTSOF(ops); i++)
                if (streq(name, ops[i].name)) {
                        *ret = ops[i].op;
                        return 0;
                }
        return -EINVAL;
}

static bool req_matches(const struct selector_req *r, const struct labels *l) {
        const char *v = labels_get(l, r->key);
        switch (r->op) {
        case SEL_EQUALS:
        case SEL_IN:
                return v && strv_contains(&r->values, v);
        case SEL_NOT_IN:
                return !v || !strv_contains(&r->values, v);
        case SEL_EXISTS:
                return v != NULL;
        case SEL_DOES_NOT_EXIST:
                return v == NULL;
        }
        return false;
}

bool selector_matches(const struct selector *s, const struct labels *l) {
        if (s->is_null)
                return false;
        for (size_t i = 0; i < s->n; i++)
                if (!req_matches(&s->reqs[i], l))
                        return false;
        return true;
}

bool selector_mentions(const struct selector *s, const char *key) {
        for (size_t i = 0; i < s->n; i++)
                if (streq(s->reqs[i].key, key))
                        return true;
        return false;
}

static char *req_text(const struct selector_req *r) {
        _cleanup_free_ char *vals = strdup("");
        for (size_t i = 0; vals && i < r->values.n; i++) {
                char *n = NULL;
                if (asprintf(&n, "%s%s%s", vals, i ? "," : "", r->values.v[i]) < 0)
                        return NULL;
                free(vals);
                vals = n;
        }
        if (!vals)
                return NULL;
        char *t = NULL;
        int k = -1;
        switch (r->op) {
        case SEL_EQUALS: k = asprintf(&t, "%s=%s", r->key, vals); break;
        case SEL_IN: k = asprintf(&t, "%s in (%s)", r->key, vals); break;
        case SEL_NOT_IN: k = asprintf(&t, "%s notin (%s)", r->key, vals); break;
        case SEL_EXISTS: k = asprintf(&t, "%s", r->key); break;
        case SEL_DOES_NOT_EXIST: k = asprintf(&t, "!%s", r->key); break;
        }
        return k < 0 ? NULL : t;
}

char *selector_canonical(const struct selector *s) {
        if (s->is_null)
                return strdup("null");
        _cleanup_strv_ strv texts = {};
        for (size_t i = 0; i < s->n; i++) {
                if (strv_push_take(&texts, req_text(&s->reqs[i])) < 0)
                        return NULL;
        }
        /* apimachinery sorts requirements by key; ties are broken by the printed text. */
        size_t *idx = calloc(s->n ? s->n : 1, sizeof *idx);
        if (!idx)
                return NULL;
        for (size_t i = 0; i < s->n; i++)
                idx[i] = i;
        for (size_t i = 1; i < s->n; i++)
                for (size_t j = i; j > 0; j--) {
                        size_t a = idx[j - 1], b = idx[j];
                        int c = strcmp(s->reqs[a].key, s->reqs[b].key);
                        if (c == 0)
                                c = strcmp(texts.v[a], texts.v[b]);
                        if (c <= 0)
                                break;
                        idx[j - 1] = b, idx[j] = a;
                }
        char *out = strdup("");
        for (size_t i = 0; out && i < s->n; i++) {
                char *n = NULL;
                if (asprintf(&n, "%s%s%s", out, i ? "," : "", texts.v[idx[i]]) < 0)
                        n = NULL;
                free(out);
                out = n;
        }
        free(idx);
        return out;
}
