/* See policy.h. Member paths in messages follow jq syntax (.a.b[1].c) so an administrator can
 * paste them. */
#include "policy.h"
#include "lib/macro.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>

#define U32_MAX_ 4294967295LL

struct pctx {
        const char *display;
        strv *errors;
        const char *code;
        bool oom;
};

static void _printf_(4, 5) perr(struct pctx *c, const char *code, const char *path, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (k < 0 || asprintf(&msg, "%s: %s: %s", c->display, path, text) < 0 || strv_push_take(c->errors, msg) < 0) {
                c->oom = true;
                return;
        }
        if (!c->code)
                c->code = code;
}

static const char *json_kind(const json_t *v) {
        switch (json_typeof(v)) {
        case JSON_OBJECT: return "object";
        case JSON_ARRAY: return "array";
        case JSON_STRING: return "string";
        case JSON_INTEGER: return "integer";
        case JSON_REAL: return "real";
        case JSON_TRUE:
        case JSON_FALSE: return "boolean";
        case JSON_NULL: return "null";
        }
        return "?";
}

static void wrong_type(struct pctx *c, const char *path, const char *expected, const json_t *v) {
        if (json_is_string(v))
                perr(c, "E4", path, "expected %s, got string \"%s\"", expected, json_string_value(v));
        else if (json_is_real(v))
                perr(c, "E4", path, "expected %s, got real %g", expected, json_real_value(v));
        else
                perr(c, "E4", path, "expected %s, got %s", expected, json_kind(v));
}

/* Member paths are bounded (PATH_BUF); a longer one is cut, which only shortens a message. */
#define PATH_BUF 1024
static void _printf_(3, 4) pathf(char *out, size_t n, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out, n, fmt, ap);
        va_end(ap);
}

static void join(char *out, size_t n, const char *path, const char *member) {
        pathf(out, n, "%s.%s", streq(path, ".") ? "" : path, member);
}

/* Reports every member of obj not in allowed (NULL-terminated). */
static void check_members(struct pctx *c, const json_t *obj, const char *path, const char *const *allowed) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)obj, key, v) {
                bool ok = false;
                for (const char *const *a = allowed; *a; a++)
                        ok = ok || streq(*a, key);
                if (ok)
                        continue;
                char p[PATH_BUF];
                join(p, sizeof p, path, key);
                perr(c, "E4", p, "unknown member (a typo must never mean \"absent\")");
        }
}

/* Integer member within [min, max]; returns true when present and valid. */
static bool get_int(struct pctx *c, const json_t *obj, const char *path, const char *member, int64_t min,
                    int64_t max, int64_t *out) {
        json_t *v = json_object_get(obj, member);
        if (!v)
                return false;
        char p[PATH_BUF];
        join(p, sizeof p, path, member);
        if (!json_is_integer(v)) {
                wrong_type(c, p, "integer", v);
                return false;
        }
        json_int_t i = json_integer_value(v);
        if (i < min || i > max) {
                perr(c, "E6", p, "expected an integer in %lld..%lld, got %lld", (long long)min, (long long)max, (long long)i);
                return false;
        }
        *out = i;
        return true;
}

static bool get_bool(struct pctx *c, const json_t *obj, const char *path, const char *member, bool *out) {
        json_t *v = json_object_get(obj, member);
        if (!v)
                return false;
        char p[PATH_BUF];
        join(p, sizeof p, path, member);
        if (!json_is_boolean(v)) {
                wrong_type(c, p, "boolean", v);
                return false;
        }
        *out = json_is_true(v);
        return true;
}

/* String member that must be one of choices; returns its index or -1. */
static int get_choice(struct pctx *c, const json_t *obj, const char *path, const char *member,
                      const char *const *choices) {
        json_t *v = json_object_get(obj, member);
        if (!v)
                return -1;
        char p[PATH_BUF];
        join(p, sizeof p, path, member);
        if (!json_is_string(v)) {
                wrong_type(c, p, "string", v);
                return -1;
        }
        for (int i = 0; choices[i]; i++)
                if (streq(choices[i], json_string_value(v)))
                        return i;
        char list[256] = "";
        for (int i = 0; choices[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? " or " : "", choices[i]);
        perr(c, "E6", p, "expected %s, got \"%s\"", list, json_string_value(v));
        return -1;
}

/* An object member (null allowed only when nullable); returns it, or NULL when absent/null/bad. */
static json_t *get_object(struct pctx *c, const json_t *obj, const char *path, const char *member,
                          bool nullable, bool *ret_present) {
        json_t *v = json_object_get(obj, member);
        if (ret_present)
                *ret_present = false;
        if (!v || (nullable && json_is_null(v)))
                return NULL;
        if (!json_is_object(v)) {
                char p[PATH_BUF];
                join(p, sizeof p, path, member);
                wrong_type(c, p, nullable ? "object or null" : "object", v);
                return NULL;
        }
        if (ret_present)
                *ret_present = true;
        return v;
}

static void check_key(struct pctx *c, const char *path, const char *what, const char *key) {
        const char *why;
        if (!label_key_valid(key, &why))
                perr(c, "E5", path, "%s \"%s\" is not a valid label key: %s", what, key, why);
}

static void check_value(struct pctx *c, const char *path, const char *value) {
        const char *why;
        if (!label_value_valid(value, &why))
                perr(c, "E5", path, "\"%s\" is not a valid label value: %s", value, why);
}

static void parse_selector(struct pctx *c, const json_t *sel, const char *path, struct selector *out) {
        static const char *const members[] = { "matchLabels", "matchExpressions", NULL };
        check_members(c, sel, path, members);
        out->is_null = false;
        char p[PATH_BUF], q[PATH_BUF];

        json_t *ml = get_object(c, sel, path, "matchLabels", true, NULL);
        join(p, sizeof p, path, "matchLabels");
        const char *key;
        json_t *v;
        json_object_foreach(ml, key, v) {
                pathf(q, sizeof q, "%s[\"%s\"]", p, key);
                check_key(c, q, "key", key);
                if (!json_is_string(v)) {
                        wrong_type(c, q, "string", v);
                        continue;
                }
                check_value(c, q, json_string_value(v));
                strv one = {};
                if (strv_push(&one, json_string_value(v)) < 0 || selector_add(out, key, SEL_EQUALS, &one) < 0)
                        c->oom = true;
                strv_free(&one);
        }

        json_t *me = json_object_get(sel, "matchExpressions");
        join(p, sizeof p, path, "matchExpressions");
        if (me && !json_is_null(me) && !json_is_array(me)) {
                wrong_type(c, p, "array or null", me);
                return;
        }
        size_t i;
        json_t *e;
        json_array_foreach(me, i, e) {
                pathf(q, sizeof q, "%s[%zu]", p, i);
                if (!json_is_object(e)) {
                        wrong_type(c, q, "object", e);
                        continue;
                }
                static const char *const emembers[] = { "key", "operator", "values", NULL };
                check_members(c, e, q, emembers);
                char r[PATH_BUF];
                json_t *k = json_object_get(e, "key"), *op = json_object_get(e, "operator"),
                       *vals = json_object_get(e, "values");
                bool ok = true;
                pathf(r, sizeof r, "%s.key", q);
                if (!k) {
                        perr(c, "E4", r, "required member missing");
                        ok = false;
                } else if (!json_is_string(k)) {
                        wrong_type(c, r, "string", k);
                        ok = false;
                } else
                        check_key(c, r, "key", json_string_value(k));
                enum selector_op sop = SEL_IN;
                pathf(r, sizeof r, "%s.operator", q);
                if (!op) {
                        perr(c, "E4", r, "required member missing");
                        ok = false;
                } else if (!json_is_string(op)) {
                        wrong_type(c, r, "string", op);
                        ok = false;
                } else if (selector_op_from_string(json_string_value(op), &sop) < 0) {
                        perr(c, "E5", r, "\"%s\" is not a valid operator (In, NotIn, Exists, DoesNotExist)",
                             json_string_value(op));
                        ok = false;
                }
                strv values = {};
                pathf(r, sizeof r, "%s.values", q);
                if (vals && !json_is_null(vals) && !json_is_array(vals)) {
                        wrong_type(c, r, "array or null", vals);
                        ok = false;
                } else {
                        size_t j;
                        json_t *s;
                        json_array_foreach(vals, j, s) {
                                char t[PATH_BUF];
                                pathf(t, sizeof t, "%s[%zu]", r, j);
                                if (!json_is_string(s)) {
                                        wrong_type(c, t, "string", s);
                                        ok = false;
                                        continue;
                                }
                                check_value(c, t, json_string_value(s));
                                if (strv_push(&values, json_string_value(s)) < 0)
                                        c->oom = true;
                        }
                }
                if (ok && (sop == SEL_IN || sop == SEL_NOT_IN) && values.n == 0) {
                        perr(c, "E5", r, "operator %s needs at least one value, got none", json_string_value(op));
                        ok = false;
                }
                if (ok && (sop == SEL_EXISTS || sop == SEL_DOES_NOT_EXIST) && values.n > 0) {
                        perr(c, "E5", r, "operator %s takes no values, got %zu", json_string_value(op), values.n);
                        ok = false;
                }
                if (ok && selector_add(out, json_string_value(k), sop, &values) < 0)
                        c->oom = true;
                strv_free(&values);
        }
}

static void set_tuning(struct policy *p, enum knob k, const char *text) {
        p->tuning_set[k] = true;
        snprintf(p->tuning[k], sizeof p->tuning[k], "%s", text);
}

static void parse_knob(struct pctx *c, struct policy *p, const json_t *obj, const char *path, const char *member,
                       enum knob k) {
        const struct knob_info *ki = &knob_table[k];
        char text[24];
        if (ki->type == KNOB_BOOL) {
                bool b;
                if (!get_bool(c, obj, path, member, &b))
                        return;
                snprintf(text, sizeof text, "%d", b ? 1 : 0);
        } else {
                int64_t v;
                if (!get_int(c, obj, path, member, ki->min, ki->max, &v))
                        return;
                snprintf(text, sizeof text, "%lld", (long long)v);
        }
        set_tuning(p, k, text);
}

static void parse_tuning(struct pctx *c, struct policy *p, const json_t *t, const char *path) {
        static const char *const members[] = { "pagesToScan", "sleepMillisecs", "mergeAcrossNodes",
                "maxPageSharing", "useZeroPages", "smartScan", "stableNodeChainsPruneMillisecs", "advisor", NULL };
        check_members(c, t, path, members);
        for (enum knob k = 0; k < _KNOB_TUNING_MAX; k++)
                if (!startswith(knob_table[k].member, "advisor."))
                        parse_knob(c, p, t, path, knob_table[k].member, k);
        char ap[PATH_BUF];
        join(ap, sizeof ap, path, "advisor");
        json_t *a = get_object(c, t, path, "advisor", false, NULL);
        if (!a)
                return;
        static const char *const amembers[] = { "mode", "maxCpu", "targetScanTime", "minPagesToScan",
                                                "maxPagesToScan", NULL };
        check_members(c, a, ap, amembers);
        static const char *const modes[] = { "none", "scan-time", NULL };
        int m = get_choice(c, a, ap, "mode", modes);
        if (m >= 0)
                set_tuning(p, KNOB_ADVISOR_MODE, modes[m]);
        for (enum knob k = 0; k < _KNOB_TUNING_MAX; k++)
                if (k != KNOB_ADVISOR_MODE && startswith(knob_table[k].member, "advisor."))
                        parse_knob(c, p, a, ap, knob_table[k].member + strlen("advisor."), k);
        if (p->tuning_set[KNOB_ADVISOR_MIN_PAGES_TO_SCAN] && p->tuning_set[KNOB_ADVISOR_MAX_PAGES_TO_SCAN] &&
            strtoll(p->tuning[KNOB_ADVISOR_MIN_PAGES_TO_SCAN], NULL, 10) >
                    strtoll(p->tuning[KNOB_ADVISOR_MAX_PAGES_TO_SCAN], NULL, 10))
                perr(c, "E6", ap, "expected minPagesToScan <= maxPagesToScan, got %s > %s",
                     p->tuning[KNOB_ADVISOR_MIN_PAGES_TO_SCAN], p->tuning[KNOB_ADVISOR_MAX_PAGES_TO_SCAN]);
}

static void parse_loop(struct pctx *c, struct policy *p, const json_t *l, const char *path) {
        static const char *const members[] = { "pagesBoost", "pagesDecay", "pagesMin", "pagesMax", "pagesInit",
                                               "sleepMsBaseline", "freePercent", "intervalSeconds", NULL };
        check_members(c, l, path, members);
        struct loop_params *lp = &p->loop;
        get_int(c, l, path, "pagesBoost", 0, U32_MAX_, &lp->pages_boost);
        get_int(c, l, path, "pagesDecay", -U32_MAX_, 0, &lp->pages_decay);
        get_int(c, l, path, "pagesMin", 0, U32_MAX_, &lp->pages_min);
        bool has_max = get_int(c, l, path, "pagesMax", 0, U32_MAX_, &lp->pages_max);
        bool has_init = get_int(c, l, path, "pagesInit", 0, U32_MAX_, &lp->pages_init);
        get_int(c, l, path, "sleepMsBaseline", 1, U32_MAX_, &lp->sleep_ms_baseline);
        get_int(c, l, path, "intervalSeconds", 1, 86400, &lp->interval_seconds);
        json_t *fp = json_object_get(l, "freePercent");
        char q[PATH_BUF];
        join(q, sizeof q, path, "freePercent");
        if (fp && !json_is_number(fp))
                wrong_type(c, q, "number", fp);
        else if (fp && (json_number_value(fp) < 0 || json_number_value(fp) > 1))
                perr(c, "E6", q, "expected a number in 0..1, got %g", json_number_value(fp));
        else if (fp)
                lp->free_percent = json_number_value(fp);
        if (lp->pages_max < lp->pages_min) {
                join(q, sizeof q, path, has_max ? "pagesMax" : "pagesMin");
                perr(c, "E6", q, "expected pagesMax >= pagesMin, got %lld < %lld", (long long)lp->pages_max,
                     (long long)lp->pages_min);
        } else if (lp->pages_init < lp->pages_min || lp->pages_init > lp->pages_max) {
                join(q, sizeof q, path, has_init ? "pagesInit" : "pagesMin");
                perr(c, "E6", q, "expected pagesInit in pagesMin..pagesMax (%lld..%lld), got %lld",
                     (long long)lp->pages_min, (long long)lp->pages_max, (long long)lp->pages_init);
        }
}

static void parse_publish(struct pctx *c, struct policy *p, const json_t *pub, const char *path) {
        static const char *const members[] = { "enabledLabel", "managedAnnotation", NULL };
        check_members(c, pub, path, members);
        char **slots[] = { &p->enabled_label, &p->managed_annotation };
        for (size_t i = 0; i < ELEMENTSOF(slots); i++) {
                json_t *v = json_object_get(pub, members[i]);
                if (!v)
                        continue;
                char q[PATH_BUF];
                join(q, sizeof q, path, members[i]);
                if (!json_is_string(v)) {
                        wrong_type(c, q, "string", v);
                        continue;
                }
                check_key(c, q, "label key", json_string_value(v));
                char *s = strdup(json_string_value(v));
                if (!s) {
                        c->oom = true;
                        continue;
                }
                free(*slots[i]);
                *slots[i] = s;
        }
}

static void parse_ksm_configuration(struct pctx *c, struct policy *p, const json_t *kc, const char *path) {
        static const char *const members[] = { "nodeLabelSelector", "activation", "disableAction", "tuning",
                                               "allowUnmergeForReconfigure", "loop", NULL };
        check_members(c, kc, path, members);
        char q[PATH_BUF];
        json_t *sel = get_object(c, kc, path, "nodeLabelSelector", true, NULL);
        if (sel) {
                join(q, sizeof q, path, "nodeLabelSelector");
                parse_selector(c, sel, q, &p->selector);
        }
        static const char *const activations[] = { "Always", "OnPressure", NULL };
        static const char *const actions[] = { "Stop", "Unmerge", NULL };
        int a = get_choice(c, kc, path, "activation", activations);
        if (a >= 0)
                p->activation = (enum activation)a;
        a = get_choice(c, kc, path, "disableAction", actions);
        if (a >= 0)
                p->disable_action = (enum disable_action)a;
        get_bool(c, kc, path, "allowUnmergeForReconfigure", &p->allow_unmerge_for_reconfigure);
        json_t *t = get_object(c, kc, path, "tuning", false, NULL);
        join(q, sizeof q, path, "tuning");
        if (t)
                parse_tuning(c, p, t, q);
        if (p->tuning_set[KNOB_PAGES_TO_SCAN] && p->tuning_set[KNOB_ADVISOR_MODE] &&
            streq(p->tuning[KNOB_ADVISOR_MODE], "scan-time"))
                perr(c, "E6", q, "pagesToScan cannot be set with advisor.mode \"scan-time\" (the kernel answers EINVAL)");
        if (p->activation == ACTIVATION_ON_PRESSURE) {
                if (p->tuning_set[KNOB_PAGES_TO_SCAN])
                        perr(c, "E6", q, "pagesToScan cannot be set with activation \"OnPressure\" (loop owns it)");
                if (p->tuning_set[KNOB_SLEEP_MILLISECS])
                        perr(c, "E6", q, "sleepMillisecs cannot be set with activation \"OnPressure\" (loop owns it)");
        }
        json_t *l = get_object(c, kc, path, "loop", false, NULL);
        if (l) {
                p->has_loop = true;
                join(q, sizeof q, path, "loop");
                parse_loop(c, p, l, q);
        }
}

int policy_init_default(struct policy *p) {
        *p = (struct policy){
                .selector = { .is_null = true },
                .loop = { .pages_boost = 300, .pages_decay = -50, .pages_min = 64, .pages_max = 1250,
                          .pages_init = 100, .sleep_ms_baseline = 100, .free_percent = 0.2,
                          .interval_seconds = 180 },
                .enabled_label = strdup(DEFAULT_ENABLED_LABEL),
                .managed_annotation = strdup(DEFAULT_MANAGED_ANNOTATION),
        };
        if (!p->enabled_label || !p->managed_annotation) {
                policy_free(p);
                return -ENOMEM;
        }
        return 0;
}

void policy_free(struct policy *p) {
        selector_free(&p->selector);
        free(p->enabled_label);
        free(p->managed_annotation);
        *p = (struct policy){};
}

int policy_parse(const char *buf, size_t len, const char *display, struct policy *ret, strv *errors,
                 const char **ret_code) {
        struct pctx c = { .display = display, .errors = errors };
        int r = policy_init_default(ret);
        if (r < 0)
                return r;
        json_error_t jerr;
        json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
                char *msg = NULL;
                if (asprintf(&msg, "%s:%d:%d: %s", display, jerr.line, jerr.column, jerr.text) < 0 ||
                    strv_push_take(errors, msg) < 0)
                        return -ENOMEM;
                *ret_code = "E4";
                return -EINVAL;
        }
        if (!json_is_object(root))
                wrong_type(&c, ".", "object", root);
        else {
                static const char *const members[] = { "apiVersion", "ksmConfiguration", "publish",
                                                       "requireKSM", "strictKnobs", NULL };
                check_members(&c, root, ".", members);
                json_t *api = json_object_get(root, "apiVersion");
                if (!api)
                        perr(&c, "E4", ".apiVersion", "required member missing (expected \"" POLICY_API_VERSION "\")");
                else if (!json_is_string(api))
                        wrong_type(&c, ".apiVersion", "string", api);
                else if (!streq(json_string_value(api), POLICY_API_VERSION))
                        perr(&c, "E4", ".apiVersion", "expected \"" POLICY_API_VERSION "\", got \"%s\"",
                             json_string_value(api));
                json_t *kc = get_object(&c, root, ".", "ksmConfiguration", true, NULL);
                if (kc)
                        parse_ksm_configuration(&c, ret, kc, ".ksmConfiguration");
                json_t *pub = get_object(&c, root, ".", "publish", false, NULL);
                if (pub)
                        parse_publish(&c, ret, pub, ".publish");
                get_bool(&c, root, ".", "requireKSM", &ret->require_ksm);
                get_bool(&c, root, ".", "strictKnobs", &ret->strict_knobs);
        }
        json_decref(root);
        if (c.oom)
                return -ENOMEM;
        if (c.code) {
                *ret_code = c.code;
                return -EINVAL;
        }
        return 0;
}
