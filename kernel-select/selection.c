/* See selection.h. proxmox-boot-tool's rules, made exact (spec §5.3). */
#include "selection.h"
#include "lib/macro.h"
#include "lib/version.h"
#include <ctype.h>

static const char *const reason_names[REASON_COUNT] = {
        "running", "newest", "previous-series", "manual", "pinned", "next-boot", "installing",
};

const char *kernel_reason_name(unsigned i) { return i < REASON_COUNT ? reason_names[i] : NULL; }

/* "6.8" of "6.8.12-4-pve", NULL when the version does not start with major.minor. */
static char *series_of(const char *v) {
        const char *p = v;
        if (!isdigit((unsigned char)*p))
                return NULL;
        while (isdigit((unsigned char)*p))
                p++;
        if (*p++ != '.' || !isdigit((unsigned char)*p))
                return NULL;
        while (isdigit((unsigned char)*p))
                p++;
        return strndup(v, (size_t)(p - v));
}

static char *effective_flavour(const struct inventory *inv, const char *flavour) {
        if (!flavour || streq(flavour, "none"))
                return NULL;
        if (!streq(flavour, "auto"))
                return strdup(flavour);
        const strv *lists[] = { &inv->images, &inv->pkg_versions };
        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (size_t i = 0; i < lists[l]->n; i++)
                        if (strstr(lists[l]->v[i], "-pve"))
                                return strdup("-pve");
        return NULL;
}

/* Flavour must occur at index >= 1 ("-pve" inside "6.8.12-4-pve"). */
static bool has_flavour(const char *v, const char *flavour) {
        return !flavour || (*v && strstr(v + 1, flavour));
}

static struct kernel_entry *entry_get(struct selection *s, const char *v) {
        for (size_t i = 0; i < s->n_kernels; i++)
                if (streq(s->kernels[i].version, v))
                        return &s->kernels[i];
        struct kernel_entry *k = realloc(s->kernels, (s->n_kernels + 1) * sizeof *k);
        if (!k)
                return NULL;
        s->kernels = k;
        k = &s->kernels[s->n_kernels];
        *k = (struct kernel_entry){ .version = strdup(v) };
        if (!k->version)
                return NULL;
        s->n_kernels++;
        return k;
}

static int mark(struct selection *s, const char *v, unsigned reason) {
        struct kernel_entry *k = entry_get(s, v);
        if (!k)
                return -ENOMEM;
        k->reasons |= reason;
        return 0;
}

static int mark_all(struct selection *s, const strv *list, unsigned reason) {
        for (size_t i = 0; list && i < list->n; i++) {
                int r = mark(s, list->v[i], reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_entry(const void *a, const void *b) {
        return version_compare(((const struct kernel_entry *)b)->version, ((const struct kernel_entry *)a)->version);
}

static int warn(struct selection *s, const char *fmt, const char *a, const char *b) {
        char *w;
        if (asprintf(&w, fmt, a, b) < 0)
                return -ENOMEM;
        return strv_push_take(&s->warnings, w);
}

static int pick_previous_series(const struct selection_input *in, const strv *cand, struct selection *s) {
        const struct inventory *inv = in->inv;
        _cleanup_strv_ strv series = {};
        if (inv->pkg_series.n > 0) {
                for (size_t i = 0; i < inv->pkg_series.n; i++)
                        if (strv_push(&series, inv->pkg_series.v[i]) < 0)
                                return -ENOMEM;
        } else if (inv->pkg_versions.n > 0) {
                return 0; /* package data without series packages: none, as in p-b-t */
        } else {
                for (size_t i = 0; i < cand->n; i++) {
                        _cleanup_free_ char *sr = series_of(cand->v[i]);
                        if (sr && strv_push_unique(&series, sr) < 0)
                                return -ENOMEM;
                }
        }
        if (series.n == 0)
                return 0;
        strv_sort(&series, version_compare_newest_first);
        const char *old = series.n >= 2 ? series.v[1] : series.v[0];
        size_t n = strlen(old);
        for (size_t i = 0; i < cand->n; i++)
                if (strncmp(cand->v[i], old, n) == 0 && cand->v[i][n] == '.')
                        return mark(s, cand->v[i], REASON_PREVIOUS_SERIES);
        return 0;
}

int kernel_select(const struct selection_input *in, struct selection *s) {
        const struct inventory *inv = in->inv;
        *s = (struct selection){ .next_boot_state = in->next_boot_state };
        int r = -ENOMEM;
        s->flavour = effective_flavour(inv, in->flavour);
        if (in->pinned && !(s->pinned = strdup(in->pinned)))
                goto fail;
        if (in->next_boot && !(s->next_boot = strdup(in->next_boot)))
                goto fail;

        /* Every known version gets an entry, so list shows modules-only and removed pins too. */
        const strv *known[] = { &inv->images, &inv->initrds, &inv->modules, &inv->pkg_versions };
        for (size_t l = 0; l < ELEMENTSOF(known); l++)
                if ((r = mark_all(s, known[l], 0)) < 0)
                        goto fail;

        /* 1. Candidates: package ABI versions if any, else images; flavour-filtered, newest first. */
        _cleanup_strv_ strv cand = {};
        const strv *src = inv->pkg_versions.n > 0 ? &inv->pkg_versions : &inv->images;
        for (size_t i = 0; i < src->n; i++)
                if (has_flavour(src->v[i], s->flavour) && (r = strv_push(&cand, src->v[i])) < 0)
                        goto fail;
        strv_sort(&cand, version_compare_newest_first);

        /* 2-4. Reasons. */
        if (inv->running && (r = mark(s, inv->running, REASON_RUNNING)) < 0)
                goto fail;
        for (size_t i = 0; i < cand.n && i < 2; i++)
                if ((r = mark(s, cand.v[i], REASON_NEWEST)) < 0)
                        goto fail;
        if ((r = pick_previous_series(in, &cand, s)) < 0)
                goto fail;
        if ((r = mark_all(s, in->manual, REASON_MANUAL)) < 0)
                goto fail;
        if (in->pinned && (r = mark(s, in->pinned, REASON_PINNED)) < 0)
                goto fail;
        if (in->next_boot && (r = mark(s, in->next_boot, REASON_NEXT_BOOT)) < 0)
                goto fail;
        if ((r = mark_all(s, in->installing, REASON_INSTALLING)) < 0)
                goto fail;

        if (s->n_kernels > 1) /* qsort's base must not be NULL, even for zero elements */
                qsort(s->kernels, s->n_kernels, sizeof *s->kernels, cmp_entry);

        /* 4-5. Selected minus removing and series names; synced needs image and initrd. */
        for (size_t i = 0; i < s->n_kernels; i++) {
                struct kernel_entry *k = &s->kernels[i];
                k->image = inventory_has_image(inv, k->version);
                k->initrd = inventory_has_initrd(inv, k->version);
                k->modules = strv_contains(&inv->modules, k->version);
                k->selected = k->reasons && !version_is_series(k->version) &&
                              !(in->removing && strv_contains(in->removing, k->version));
                if (!k->selected)
                        continue;
                k->synced = k->image && k->initrd;
                if (k->synced) {
                        if ((r = strv_push(&s->synced, k->version)) < 0)
                                goto fail;
                        continue;
                }
                _cleanup_free_ char *why = NULL;
                for (unsigned b = 0; b < REASON_COUNT; b++)
                        if (k->reasons & (1u << b)) {
                                char *n;
                                if (asprintf(&n, "%s%s%s", why ? why : "", why ? "," : "", reason_names[b]) < 0)
                                        goto fail;
                                free(why);
                                why = n;
                        }
                _cleanup_free_ char *msg = NULL;
                if (asprintf(&msg, "%%s selected (%%s) but /boot/%s-%s is missing; not synced",
                             !k->image ? "vmlinuz" : "initrd.img", k->version) < 0)
                        goto fail;
                if ((r = warn(s, msg, k->version, why)) < 0)
                        goto fail;
        }

        /* 6. Effective pin E (§8): a legacy next-boot pin, else the permanent pin; when synced. */
        const char *e = NULL;
        if (in->next_boot && in->next_boot_state == NEXT_BOOT_LEGACY)
                e = in->next_boot;
        else if (in->pinned)
                e = in->pinned;
        if (e && strv_contains(&s->synced, e)) {
                if (!(s->effective_pin = strdup(e)))
                        goto fail;
        } else if (e && (r = warn(s, "pinned version %s is not available%s; the default falls back to the newest",
                                  e, "")) < 0)
                goto fail;
        const char *def = s->effective_pin ? s->effective_pin : (s->synced.n ? s->synced.v[0] : NULL);
        if (def && !(s->default_version = strdup(def)))
                goto fail;
        return 0;
fail:
        selection_free(s);
        return r < 0 ? r : -ENOMEM;
}

void selection_free(struct selection *s) {
        for (size_t i = 0; i < s->n_kernels; i++)
                free(s->kernels[i].version);
        free(s->kernels);
        free(s->flavour);
        strv_free(&s->synced);
        free(s->pinned);
        free(s->next_boot);
        free(s->effective_pin);
        free(s->default_version);
        strv_free(&s->warnings);
        *s = (struct selection){};
}

const struct kernel_entry *selection_find(const struct selection *s, const char *v) {
        for (size_t i = 0; i < s->n_kernels; i++)
                if (streq(s->kernels[i].version, v))
                        return &s->kernels[i];
        return NULL;
}
