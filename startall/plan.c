/* Selection and ordering of guests, as pve-manager does it: templates never, HA guests only when
 * named, onboot unless forced; order groups ascending to start and descending to stop. */
#include "plan.h"
#include "lib/macro.h"

int vms_parse(const char *list, uint32_t **ret, size_t *ret_n, char **bad) {
        _cleanup_free_ char *copy = strdup(list);
        _cleanup_free_ uint32_t *ids = NULL;
        size_t n = 0;
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",; \t", &save); tok; tok = strtok_r(NULL, ",; \t", &save)) {
                uint32_t id;
                if (parse_uint_bounded(tok, GUEST_ID_MAX, &id) < 0 || id == 0) {
                        *bad = strdup(tok);
                        return -EINVAL;
                }
                uint32_t *v = realloc(ids, (n + 1) * sizeof *v);
                if (!v)
                        return -ENOMEM;
                ids = v;
                ids[n++] = id;
        }
        if (n == 0) {
                *bad = strdup(list);
                return -EINVAL;
        }
        *ret = TAKE_PTR(ids);
        *ret_n = n;
        return 0;
}

static int cmp_start(const void *pa, const void *pb) {
        const struct guest *a = *(struct guest *const *)pa, *b = *(struct guest *const *)pb;
        if (a->has_order != b->has_order)
                return a->has_order ? -1 : 1;
        if (a->has_order && a->order != b->order)
                return a->order < b->order ? -1 : 1;
        return a->id < b->id ? -1 : a->id > b->id;
}

static int cmp_stop(const void *pa, const void *pb) { return -cmp_start(pa, pb); }

bool plan_same_group(const struct guest *a, const struct guest *b) {
        return a->has_order == b->has_order && (!a->has_order || a->order == b->order);
}

static bool named(const uint32_t *vms, size_t n, uint32_t id) {
        for (size_t i = 0; i < n; i++)
                if (vms[i] == id)
                        return true;
        return false;
}

int plan_select(struct guest_set *s, enum plan_verb verb, bool force, const uint32_t *vms, size_t n_vms,
                struct guest ***ret, size_t *ret_n, uint32_t *ret_unknown) {
        for (size_t i = 0; i < n_vms; i++)
                if (!guest_set_find(s, vms[i])) {
                        *ret_unknown = vms[i];
                        return -ENOENT;
                }
        struct guest **v = calloc(s->n + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < s->n; i++) {
                struct guest *g = &s->v[i];
                bool is_named = named(vms, n_vms, g->id);
                if (n_vms > 0 && !is_named)
                        continue;
                if (verb != PLAN_LIST) {
                        if (g->is_template || (g->ha && !is_named))
                                continue;
                        if (verb == PLAN_START && !g->onboot && !force)
                                continue;
                }
                v[n++] = g;
        }
        qsort(v, n, sizeof *v, verb == PLAN_STOP ? cmp_stop : cmp_start);
        *ret = v;
        *ret_n = n;
        return 0;
}
