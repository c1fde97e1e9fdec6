/* See plan.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/statvfs.h>
#include "plan.h"
#include "boot/bls.h"
#include "boot/grub-cfg.h"
#include "boot/loader-conf.h"
#include "lib/crc.h"
#include "lib/fileio.h"
#include "lib/grubenv.h"
#include "lib/macro.h"
#include "lib/paths.h"
#include "lib/version.h"
#include <fcntl.h>

static int add(struct esp_plan *p, enum action_kind kind, const char *path, const char *path2, const char *content,
               size_t len) {
        struct action *a = realloc(p->a, (p->n + 1) * sizeof *a);
        if (!a)
                return -ENOMEM;
        p->a = a;
        a = &p->a[p->n];
        *a = (struct action){ .kind = kind, .len = len };
        if ((path && !(a->path = strdup(path))) || (path2 && !(a->path2 = strdup(path2)))) {
                free(a->path);
                return -ENOMEM;
        }
        if (content) {
                if (!(a->content = malloc(len + 1))) {
                        free(a->path);
                        free(a->path2);
                        return -ENOMEM;
                }
                memcpy(a->content, content, len);
                a->content[len] = 0;
                a->crc = crc32_buf(content, len);
        }
        p->n++;
        return 0;
}

static int plan_error(struct esp_plan *p, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int plan_error(struct esp_plan *p, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&p->error, fmt, ap) < 0)
                p->error = NULL;
        va_end(ap);
        return r;
}

/* One desired kernel file and whether the ESP already has it. */
struct want_file {
        char *rel, *src, *display;
        const char *version;
        uint64_t size;
        uint32_t crc;
        bool same;
};

static void want_files_free(struct want_file *w, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(w[i].rel);
                free(w[i].src);
                free(w[i].display);
        }
        free(w);
}

static int want_files_build(const struct refresh_input *in, int espfd, const char *esp_name, enum esp_mode mode,
                            struct want_file **ret, size_t *ret_n, struct esp_plan *p) {
        size_t n = in->synced->n * 2;
        struct want_file *w = calloc(n + 1, sizeof *w);
        if (!w)
                return -ENOMEM;
        for (size_t i = 0; i < in->synced->n; i++)
                for (int k = 0; k < 2; k++) {
                        struct want_file *f = &w[i * 2 + (size_t)k];
                        const char *v = in->synced->v[i];
                        bool initrd = k == 0; /* initrd before vmlinuz: the entry needs both */
                        f->version = v;
                        if (asprintf(&f->display, PATH_BOOT_DIR "/%s-%s", initrd ? "initrd.img" : "vmlinuz", v) < 0)
                                f->display = NULL;
                        f->rel = esp_kernel_path(mode, in->prefix, v, initrd);
                        f->src = f->display ? path_join(in->root, f->display) : NULL;
                        if (!f->rel || !f->src) {
                                want_files_free(w, n);
                                return -ENOMEM;
                        }
                        int r = crc_cache_source(in->cache, f->src, &f->crc, &f->size);
                        if (r < 0) {
                                want_files_free(w, n);
                                return plan_error(p, r, "reading %s failed: %s", f->src, strerror(-r));
                        }
                        uint32_t ecrc;
                        uint64_t esize;
                        struct stat st;
                        /* Sizes first: a different size needs no read of the ESP copy. */
                        if (!in->force && fstatat(espfd, f->rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISREG(st.st_mode) && (uint64_t)st.st_size == f->size &&
                            crc_cache_esp(in->cache, esp_name, espfd, f->rel, in->verify, &ecrc, &esize) >= 0)
                                f->same = ecrc == f->crc && esize == f->size;
                }
        *ret = w;
        *ret_n = n;
        return 0;
}

static bool version_files_same(const struct want_file *w, size_t n, const char *v) {
        for (size_t i = 0; i < n; i++)
                if (streq(w[i].version, v) && !w[i].same)
                        return false;
        return true;
}

static uint64_t round_up(uint64_t v, uint64_t c) { return c ? (v + c - 1) / c * c : v; }

static uint64_t file_size_at(int espfd, const char *rel) {
        struct stat st;
        return fstatat(espfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 ? (uint64_t)st.st_size : 0;
}

static int read_at(int espfd, const char *rel, char **ret, size_t *len) {
        _cleanup_close_ int fd = openat(espfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : negerrno();
        int r = read_fd_max(fd, 1024 * 1024, ret, len);
        return r < 0 ? r : 1;
}

/* The manifest the ESP will hold at the end (and, with pending records, during the copies). */
static int manifest_build(const struct refresh_input *in, const struct esp_scan *scan, enum esp_mode mode,
                          const struct want_file *w, size_t nw, const struct esp_plan *p, bool pending,
                          char **ret) {
        /* Until the final manifest, the old prefix stays recorded: a run that fails half-way
         * must still find the old prefix's names to finish removing them. */
        const char *prefix = pending && scan->have_manifest ? scan->manifest.prefix : in->prefix;
        struct manifest m = { .prefix = (char *)prefix, .mode = (char *)esp_mode_name(mode) };
        int r = 0;
        for (size_t i = 0; i < nw && r >= 0; i++) {
                if (!pending || w[i].same)
                        r = manifest_add(&m, MK_FILE, w[i].rel, w[i].size, w[i].crc);
                else {
                        /* the old file stays described until its replacement is renamed in */
                        const struct manifest_record *old = scan->have_manifest ? manifest_find(&scan->manifest, w[i].rel, MK_FILE) : NULL;
                        if (old)
                                r = manifest_add(&m, MK_FILE, old->path, old->size, old->crc);
                        if (r >= 0)
                                r = manifest_add(&m, MK_PENDING, w[i].rel, w[i].size, w[i].crc);
                }
        }
        for (size_t i = 0; i < p->n && r >= 0; i++) {
                const struct action *a = &p->a[i];
                if (pending)
                        continue;
                if (a->kind == ACT_WRITE_ENTRY || a->kind == ACT_WRITE_GRUBCFG || a->kind == ACT_WRITE_CONFIG) {
                        _cleanup_free_ char *name = NULL;
                        const char *path = a->path;
                        if (a->kind == ACT_WRITE_ENTRY) {
                                /* recorded without the counter: the loader renames counted files */
                                char *v = NULL;
                                if (bls_entry_name_parse(a->path + strlen("loader/entries/"), in->prefix, &v, NULL, NULL) > 0) {
                                        _cleanup_free_ char *base = bls_entry_name(in->prefix, v, 0);
                                        if (base && asprintf(&name, "loader/entries/%s", base) >= 0)
                                                path = name;
                                }
                                free(v);
                        }
                        r = manifest_add(&m, a->kind == ACT_WRITE_ENTRY ? MK_ENTRY : MK_CONFIG, path, a->len, a->crc);
                }
        }
        for (size_t i = 0; scan->have_manifest && i < scan->manifest.n && r >= 0; i++) {
                const struct manifest_record *rec = &scan->manifest.records[i];
                bool keep = rec->kind == MK_LOADER;
                /* during the copies, keep every old record whose file is not removed before them */
                if (pending && (rec->kind == MK_ENTRY || rec->kind == MK_CONFIG || rec->kind == MK_FILE)) {
                        keep = !manifest_find(&m, rec->path, -1);
                        /* only removals before the first copy are done when this manifest is on
                         * the ESP; the keeper's (step 8) are not */
                        for (size_t k = 0; k < p->n && keep && p->a[k].kind != ACT_COPY; k++)
                                if ((p->a[k].kind == ACT_REMOVE_FILE || p->a[k].kind == ACT_REMOVE_ENTRY) &&
                                    p->a[k].path && streq(p->a[k].path, rec->path))
                                        keep = false;
                }
                if (keep)
                        r = manifest_add(&m, rec->kind, rec->path, rec->size, rec->crc);
        }
        if (r >= 0)
                r = manifest_render(&m, ret);
        m.prefix = m.mode = NULL;
        manifest_free(&m);
        return r;
}

static int render_entry(const struct refresh_input *in, const char *v, char **ret) {
        _cleanup_free_ char *linux_path = NULL, *initrd_path = NULL;
        if (asprintf(&linux_path, "/EFI/%s/%s/vmlinuz-%s", in->prefix, v, v) < 0 ||
            asprintf(&initrd_path, "/EFI/%s/%s/initrd.img-%s", in->prefix, v, v) < 0)
                return -ENOMEM;
        struct bls_entry e = { .title = (char *)in->title, .version = (char *)v, .sort_key = (char *)in->prefix,
                               .options = (char *)in->cmdline, .kernel = linux_path, .initrd = initrd_path };
        return bls_entry_render(&e, ret);
}

/* Stale (prefix, version) pairs: on the ESP under our prefix or the old one, not desired. */
static bool is_stale(const struct refresh_input *in, const char *prefix, const char *v) {
        return (prefix && !streq(prefix, in->prefix)) || !strv_contains(in->synced, v);
}

static int plan_remove_kernel(struct esp_plan *p, int espfd, enum esp_mode mode, const struct scan_kernel *k,
                              uint64_t cluster, uint64_t *freed) {
        const char *prefix = k->prefix ? k->prefix : "";
        for (int initrd = 1; initrd >= 0; initrd--) {
                if (!(initrd ? k->initrd : k->vmlinuz))
                        continue;
                _cleanup_free_ char *rel = esp_kernel_path(mode, prefix, k->version, initrd);
                if (!rel)
                        return -ENOMEM;
                *freed += round_up(file_size_at(espfd, rel), cluster);
                int r = add(p, ACT_REMOVE_FILE, rel, NULL, NULL, 0);
                if (r < 0)
                        return r;
        }
        if (mode == MODE_SYSTEMD_BOOT) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "EFI/%s/%s", prefix, k->version) < 0)
                        return -ENOMEM;
                return add(p, ACT_REMOVE_DIR, dir, NULL, NULL, 0);
        }
        return 0;
}

/* The keeper (spec §7.3): when no desired version is bootable yet, the newest stale version
 * whose files are all there stays until a new entry exists. */
static const struct scan_kernel *pick_keeper(const struct refresh_input *in, const struct esp_scan *scan,
                                             enum esp_mode mode) {
        const struct scan_kernel *best = NULL;
        for (size_t i = 0; i < scan->n_kernels; i++) {
                const struct scan_kernel *k = &scan->kernels[i];
                if (!k->vmlinuz || !k->initrd || !is_stale(in, k->prefix, k->version))
                        continue;
                if (mode == MODE_SYSTEMD_BOOT && !scan_find_entry(scan, k->prefix, k->version))
                        continue;
                if (!best || version_compare(k->version, best->version) > 0)
                        best = k;
        }
        return best;
}

static bool same_kernel(const struct scan_kernel *a, const struct scan_kernel *b) { return a && b && a == b; }

/* Step 4: every stale version's kernel files (and its directory), except the keeper's. */
static int plan_remove_stale_kernels(const struct refresh_input *in, struct esp_plan *p, int espfd, enum esp_mode mode,
                                     const struct esp_scan *scan, const struct scan_kernel *keeper, uint64_t cluster) {
        uint64_t freed = 0;
        for (size_t i = 0; i < scan->n_kernels; i++) {
                const struct scan_kernel *k = &scan->kernels[i];
                if (!is_stale(in, k->prefix, k->version) || same_kernel(k, keeper))
                        continue;
                int r = plan_remove_kernel(p, espfd, mode, k, cluster, &freed);
                if (r < 0)
                        return r;
                p->removed_versions++;
        }
        p->have_bytes += freed; /* deleted before any copy: their space counts */
        return 0;
}

/* Steps 5-6: a copy for every changed file, with the space it needs (a new version directory
 * costs a cluster, counted at its first copied file). */
static int plan_copies(struct esp_plan *p, int espfd, enum esp_mode mode, const char *prefix, const struct want_file *w,
                       size_t nw, uint64_t cluster) {
        for (size_t i = 0; i < nw; i++) {
                if (w[i].same)
                        continue;
                int r = add(p, ACT_COPY, w[i].rel, NULL, NULL, 0);
                if (r < 0)
                        return r;
                struct action *a = &p->a[p->n - 1];
                a->size = w[i].size;
                a->crc = w[i].crc;
                if (!(a->src = strdup(w[i].src)) || !(a->src_display = strdup(w[i].display)))
                        return -ENOMEM;
                p->copies++;
                p->copy_bytes += w[i].size;
                p->need_bytes += round_up(w[i].size, cluster);
                if (mode != MODE_SYSTEMD_BOOT)
                        continue;
                _cleanup_free_ char *dir = NULL;
                struct stat st;
                bool first_of_version = i == 0 || !streq(w[i - 1].version, w[i].version) || w[i - 1].same;
                if (asprintf(&dir, "EFI/%s/%s", prefix, w[i].version) < 0)
                        return -ENOMEM;
                if (first_of_version && fstatat(espfd, dir, &st, 0) < 0)
                        p->need_bytes += cluster;
        }
        return 0;
}

/* Does this entry go in step 3: stale and not the keeper's, or re-spun and not needed while
 * its files are replaced (it is the default's target, or nothing else would boot)? */
static bool entry_goes_first(const struct refresh_input *in, const struct scan_entry *e, const struct scan_kernel *keeper,
                             const struct want_file *w, size_t nw, size_t n_u, const char *target) {
        bool stale = is_stale(in, e->prefix, e->version);
        bool is_keeper = keeper && keeper->prefix && streq(e->version, keeper->version) && streq(e->prefix, keeper->prefix);
        if (stale)
                return !is_keeper;
        bool respun = !version_files_same(w, nw, e->version);
        return respun && n_u > 0 && !(target && streq(e->version, target));
}

static int plan_systemd_boot(const struct refresh_input *in, int espfd, const struct esp_scan *scan,
                             struct want_file *w, size_t nw, uint64_t cluster, struct esp_plan *p) {
        int r;
        const char *P = in->prefix;
        const char *target = in->pin_sd && strv_contains(in->synced, in->pin_sd) ? in->pin_sd
                             : in->synced->n ? in->synced->v[0] : NULL;

        /* Survivors U: desired versions with an entry and all files in place. */
        size_t n_u = 0;
        for (size_t i = 0; i < in->synced->n; i++)
                n_u += scan_find_entry(scan, P, in->synced->v[i]) && version_files_same(w, nw, in->synced->v[i]);
        bool any_stale_entry = false;
        for (size_t i = 0; i < scan->n_entries; i++)
                any_stale_entry |= is_stale(in, scan->entries[i].prefix, scan->entries[i].version);
        const struct scan_kernel *keeper = n_u == 0 && any_stale_entry ? pick_keeper(in, scan, MODE_SYSTEMD_BOOT) : NULL;

        /* loader.conf: the default names the pinned entry, else the newest with tries left. */
        _cleanup_free_ char *def = NULL, *old_def = NULL, *conf = NULL;
        if (target && in->pin_sd && streq(target, in->pin_sd))
                def = bls_entry_name(P, target, 0);
        else if (asprintf(&def, "%s-*", P) < 0)
                def = NULL;
        if (!def)
                return -ENOMEM;
        char tbuf[16];
        snprintf(tbuf, sizeof tbuf, "%u", in->timeout);
        r = scan->loader_conf ? loader_conf_edit(scan->loader_conf, scan->loader_conf_len, def,
                                                 in->timeout_set ? tbuf : NULL, &conf)
                              : loader_conf_new(in->timeout, def, &conf);
        if (r < 0)
                return plan_error(p, r, "loader/loader.conf: cannot set default %s", def);

        /* 2. If no entry left after step 3 matches the current default, point it at one that
         * stays (P-* if one matches it, else the keeper) before anything is removed. */
        if (scan->loader_conf && loader_conf_get(scan->loader_conf, scan->loader_conf_len, "default", &old_def) >= 0) {
                bool resolves = false;
                const char *stay = NULL;
                _cleanup_free_ char *star = NULL;
                if (asprintf(&star, "%s-*", P) < 0)
                        return -ENOMEM;
                for (size_t i = 0; i < scan->n_entries; i++) {
                        const struct scan_entry *e = &scan->entries[i];
                        if (entry_goes_first(in, e, keeper, w, nw, n_u, target))
                                continue;
                        resolves |= bls_glob_match(old_def, e->file);
                        if (bls_glob_match(star, e->file))
                                stay = star;
                        else if (!stay)
                                stay = e->file;
                }
                _cleanup_free_ char *interim = NULL;
                if (!resolves && stay && loader_conf_edit(scan->loader_conf, scan->loader_conf_len, stay, NULL, &interim) > 0 &&
                    (r = add(p, ACT_INTERIM_CONFIG, "loader/loader.conf", NULL, interim, strlen(interim))) < 0)
                        return r;
        }

        /* 3. Stale entries (not the keeper's), and re-spun entries that may go first. */
        for (size_t i = 0; i < scan->n_entries; i++) {
                const struct scan_entry *e = &scan->entries[i];
                if (!entry_goes_first(in, e, keeper, w, nw, n_u, target))
                        continue;
                _cleanup_free_ char *rel = NULL;
                if (asprintf(&rel, "loader/entries/%s", e->file) < 0 || (r = add(p, ACT_REMOVE_ENTRY, rel, NULL, NULL, 0)) < 0)
                        return -ENOMEM;
        }

        /* 4. Stale kernel files and their directories. */
        if ((r = plan_remove_stale_kernels(in, p, espfd, MODE_SYSTEMD_BOOT, scan, keeper, cluster)) < 0)
                return r;

        /* 5-6. Copies, newest version first, initrd before vmlinuz. */
        if ((r = plan_copies(p, espfd, MODE_SYSTEMD_BOOT, P, w, nw, cluster)) < 0)
                return r;

        /* 7. Entries after their files; counted names kept; a pin's entry blessed. */
        for (size_t i = 0; i < in->synced->n; i++) {
                const char *v = in->synced->v[i];
                const struct scan_entry *e = scan_find_entry(scan, P, v);
                _cleanup_free_ char *content = NULL, *name = NULL, *rel = NULL, *old = NULL;
                if ((r = render_entry(in, v, &content)) < 0)
                        return plan_error(p, r, "cannot render the entry of %s", v);
                /* the default's target and the permanent pin (E, pin_grub) are blessed: a pin
                 * must not run out of tries */
                bool pinned = (in->pin_sd && streq(v, in->pin_sd)) || (in->pin_grub && streq(v, in->pin_grub));
                bool bless = e && e->left >= 0 && pinned;
                name = e && !bless ? strdup(e->file) : bls_entry_name(P, v, e ? 0 : (int)in->tries);
                if (!name || asprintf(&rel, "loader/entries/%s", name) < 0)
                        return -ENOMEM;
                if (bless) {
                        _cleanup_free_ char *from = NULL;
                        if (asprintf(&from, "loader/entries/%s", e->file) < 0 || (r = add(p, ACT_BLESS, from, rel, NULL, 0)) < 0)
                                return -ENOMEM;
                }
                size_t olen = 0;
                bool removed_first = false;
                for (size_t k = 0; k < p->n; k++)
                        removed_first |= p->a[k].kind == ACT_REMOVE_ENTRY && e && endswith(p->a[k].path, e->file);
                int k = e && !removed_first ? read_at(espfd, rel, &old, &olen) : 0;
                if (!e)
                        p->need_bytes += cluster;
                bool same = !in->force && k > 0 && olen == strlen(content) && memcmp(old, content, olen) == 0;
                if ((r = add(p, ACT_WRITE_ENTRY, rel, NULL, content, strlen(content))) < 0)
                        return r;
                /* kept in the plan for the manifest even when unchanged */
                p->a[p->n - 1].unchanged = same;
                p->entries++;
        }

        /* 9. loader.conf, before the keeper goes: the final default resolves once step 7 is done,
         * the old one may name only the keeper (a prefix change). */
        bool conf_same = scan->loader_conf && !in->force && strlen(conf) == scan->loader_conf_len &&
                         memcmp(conf, scan->loader_conf, scan->loader_conf_len) == 0;
        if ((r = add(p, ACT_WRITE_CONFIG, "loader/loader.conf", NULL, conf, strlen(conf))) < 0)
                return r;
        p->a[p->n - 1].unchanged = conf_same;
        /* 8. The keeper goes once a new entry and the final default exist. */
        if (keeper) {
                const struct scan_entry *e = scan_find_entry(scan, keeper->prefix, keeper->version);
                _cleanup_free_ char *rel = NULL;
                if (e && (asprintf(&rel, "loader/entries/%s", e->file) < 0 || (r = add(p, ACT_REMOVE_ENTRY, rel, NULL, NULL, 0)) < 0))
                        return -ENOMEM;
                uint64_t ignored = 0;
                if ((r = plan_remove_kernel(p, espfd, MODE_SYSTEMD_BOOT, keeper, cluster, &ignored)) < 0)
                        return r;
                p->removed_versions++;
        }

        return 0;
}

static int plan_grub(const struct refresh_input *in, int espfd, const struct esp_scan *scan, struct want_file *w,
                     size_t nw, uint64_t cluster, struct esp_plan *p) {
        int r;
        const char *P = in->prefix;
        const char *def = in->pin_grub && strv_contains(in->synced, in->pin_grub) ? in->pin_grub : NULL;
        _cleanup_free_ char *old_saved = NULL, *old_next = NULL; /* before any goto */

        /* grubenv first: a corrupt or full block refuses the ESP before anything is written. */
        _cleanup_free_ char *saved = NULL, *next = NULL, *env = NULL;
        size_t env_len = 0;
        if (def && asprintf(&saved, "%s-%s", P, def) < 0)
                return -ENOMEM;
        if (in->next_boot_active && strv_contains(in->synced, in->next_boot_active) &&
            asprintf(&next, "%s-%s", P, in->next_boot_active) < 0)
                return -ENOMEM;
        const char *names[] = { "saved_entry", "next_entry" };
        const char *values[] = { saved, next };
        _cleanup_free_ char *empty = NULL;
        const char *old_env = scan->grubenv;
        size_t old_len = scan->grubenv_len;
        if (!old_env || (in->force && (old_len < GRUBENV_SIGNATURE_LEN || memcmp(old_env, GRUBENV_SIGNATURE, GRUBENV_SIGNATURE_LEN)))) {
                struct grubenv e;
                grubenv_init_empty(&e);
                r = grubenv_render(&e, &empty, &old_len);
                grubenv_free(&e);
                if (r < 0)
                        return r;
                old_env = empty;
        }
        r = grubenv_edit(old_env, old_len, names, values, 2, &env, &env_len);
        if (r == -EBADMSG)
                return plan_error(p, r, "grub/grubenv: expected a GRUB environment block");
        if (r == -E2BIG)
                return plan_error(p, r, "grub/grubenv: variables do not fit in %zu bytes", old_len);
        if (r < 0)
                return r;

        /* Survivors and stale versions (flat files in the root). */
        strv survivors = {};
        for (size_t i = 0; i < in->synced->n; i++)
                if (scan_find_kernel(scan, NULL, in->synced->v[i]) && version_files_same(w, nw, in->synced->v[i]) &&
                    (r = strv_push(&survivors, in->synced->v[i])) < 0)
                        goto out;
        bool any_stale = false;
        for (size_t i = 0; i < scan->n_kernels; i++)
                any_stale |= is_stale(in, NULL, scan->kernels[i].version);
        const struct scan_kernel *keeper = survivors.n == 0 && any_stale ? pick_keeper(in, scan, MODE_GRUB) : NULL;

        /* 2. saved_entry/next_entry naming a version about to go are unset first. */
        if (scan->grubenv) {
                struct grubenv ge;
                if (grubenv_parse(scan->grubenv, scan->grubenv_len, &ge) >= 0) {
                        const char *s = grubenv_get(&ge, "saved_entry"), *n = grubenv_get(&ge, "next_entry");
                        old_saved = s ? strdup(s) : NULL;
                        old_next = n ? strdup(n) : NULL;
                        grubenv_free(&ge);
                }
                bool reset = false;
                for (size_t i = 0; i < scan->n_kernels; i++) {
                        _cleanup_free_ char *id = NULL;
                        const struct scan_kernel *k = &scan->kernels[i];
                        if (!is_stale(in, NULL, k->version) || same_kernel(k, keeper) || asprintf(&id, "%s-%s", P, k->version) < 0)
                                continue;
                        reset |= (old_saved && streq(old_saved, id)) || (old_next && streq(old_next, id));
                }
                _cleanup_free_ char *interim = NULL;
                size_t ilen;
                const char *none[] = { NULL, NULL };
                if (reset && grubenv_edit(scan->grubenv, scan->grubenv_len, names, none, 2, &interim, &ilen) > 0 &&
                    (r = add(p, ACT_INTERIM_CONFIG, "grub/grubenv", NULL, interim, ilen)) < 0)
                        goto out;
        }

        /* 3. An interim grub.cfg without the stale versions (never an empty one). */
        if (any_stale && scan->grub_cfg) {
                strv keep = {};
                for (size_t i = 0; i < survivors.n; i++)
                        strv_push(&keep, survivors.v[i]);
                if (keeper)
                        strv_push(&keep, keeper->version);
                strv_sort(&keep, version_compare_newest_first);
                _cleanup_free_ char *cfg = NULL;
                if (keep.n > 0) {
                        struct grub_cfg_params gp = { in->title, P, in->timeout,
                                                      def && strv_contains(&keep, def) ? def : NULL,
                                                      (const char *const *)keep.v, keep.n, in->cmdline };
                        if (grub_cfg_render(&gp, &cfg) >= 0)
                                r = add(p, ACT_INTERIM_GRUBCFG, "grub/grub.cfg", NULL, cfg, strlen(cfg));
                }
                strv_free(&keep);
                if (r < 0)
                        goto out;
        }

        /* 4. Stale kernel files. */
        if ((r = plan_remove_stale_kernels(in, p, espfd, MODE_GRUB, scan, keeper, cluster)) < 0)
                goto out;

        /* 6. Copies. */
        if ((r = plan_copies(p, espfd, MODE_GRUB, P, w, nw, cluster)) < 0)
                goto out;

        /* 7. The final grub.cfg. */
        if (in->synced->n > 0) {
                struct grub_cfg_params gp = { in->title, P, in->timeout, def, (const char *const *)in->synced->v,
                                              in->synced->n, in->cmdline };
                _cleanup_free_ char *cfg = NULL;
                if ((r = grub_cfg_render(&gp, &cfg)) < 0) {
                        r = plan_error(p, r, "grub/grub.cfg: cannot render (%s)", strerror(-r));
                        goto out;
                }
                bool same = scan->grub_cfg && !in->force && strlen(cfg) == scan->grub_cfg_len &&
                            memcmp(cfg, scan->grub_cfg, scan->grub_cfg_len) == 0;
                if ((r = add(p, ACT_WRITE_GRUBCFG, "grub/grub.cfg", NULL, cfg, strlen(cfg))) < 0)
                        goto out;
                p->a[p->n - 1].unchanged = same;
                p->entries = (unsigned)in->synced->n;
        }

        /* 9. grubenv, before the keeper goes (saved_entry names a version that stays). */
        bool env_same = scan->grubenv && env_len == scan->grubenv_len && memcmp(env, scan->grubenv, env_len) == 0;
        if ((r = add(p, ACT_WRITE_GRUBENV, "grub/grubenv", NULL, env, env_len)) < 0)
                goto out;
        p->a[p->n - 1].unchanged = env_same;
        /* 8. Keeper. */
        if (keeper) {
                uint64_t ignored = 0;
                if ((r = plan_remove_kernel(p, espfd, MODE_GRUB, keeper, cluster, &ignored)) < 0)
                        goto out;
                p->removed_versions++;
        }

        r = 0;
out:
        strv_free(&survivors);
        return r;
}

int esp_plan_build(const struct refresh_input *in, int espfd, const char *esp_name, const struct esp_scan *scan,
                   struct esp_plan *p) {
        *p = (struct esp_plan){ .esp_name = esp_name, .mode = scan->mode };
        struct statvfs sv;
        if (fstatvfs(espfd, &sv) < 0)
                return plan_error(p, negerrno(), "statvfs failed: %s", strerror(errno));
        uint64_t cluster = sv.f_bsize ? sv.f_bsize : 4096;
        p->have_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;

        struct want_file *w = NULL;
        size_t nw = 0;
        int r = want_files_build(in, espfd, esp_name, scan->mode, &w, &nw, p);
        if (r < 0)
                return r;
        for (size_t i = 0; i < scan->temps.n && r >= 0; i++)
                r = add(p, ACT_DELETE_TEMP, scan->temps.v[i], NULL, NULL, 0);
        if (r >= 0)
                r = scan->mode == MODE_GRUB ? plan_grub(in, espfd, scan, w, nw, cluster, p)
                                            : plan_systemd_boot(in, espfd, scan, w, nw, cluster, p);
        _cleanup_free_ char *final = NULL, *pending = NULL;
        if (r >= 0)
                r = manifest_build(in, scan, scan->mode, w, nw, p, false, &final);
        if (r >= 0 && p->copies > 0 && (r = manifest_build(in, scan, scan->mode, w, nw, p, true, &pending)) >= 0) {
                /* step 5 goes right before the first copy */
                size_t at = 0;
                while (at < p->n && p->a[at].kind != ACT_COPY)
                        at++;
                if ((r = add(p, ACT_PENDING_MANIFEST, MANIFEST_NAME, NULL, pending, strlen(pending))) >= 0) {
                        struct action tmp = p->a[p->n - 1];
                        memmove(&p->a[at + 1], &p->a[at], (p->n - 1 - at) * sizeof tmp);
                        p->a[at] = tmp;
                }
        }
        if (r >= 0) {
                _cleanup_free_ char *old = NULL;
                size_t olen = 0;
                int k = read_at(espfd, MANIFEST_NAME, &old, &olen);
                bool same = k > 0 && olen == strlen(final) && memcmp(old, final, olen) == 0;
                if ((r = add(p, ACT_MANIFEST, MANIFEST_NAME, NULL, final, strlen(final))) >= 0)
                        p->a[p->n - 1].unchanged = same;
        }
        want_files_free(w, nw);
        if (r >= 0 && p->need_bytes > p->have_bytes)
                r = plan_error(p, -ENOSPC, "ESP %s too small: need %" PRIu64 " bytes, have %" PRIu64, esp_name,
                               p->need_bytes, p->have_bytes);
        return r;
}

/* Writes that only restate what is there are not actions. */
static bool action_is_noop(const struct action *a) { return a->unchanged; }

bool esp_plan_writes(const struct esp_plan *p) {
        for (size_t i = 0; i < p->n; i++)
                if (!action_is_noop(&p->a[i]))
                        return true;
        return false;
}

void esp_plan_print(const struct esp_plan *p, FILE *f) {
        if (!esp_plan_writes(p)) {
                fprintf(f, "%s: up to date\n", p->esp_name);
                return;
        }
        for (size_t i = 0; i < p->n; i++) {
                const struct action *a = &p->a[i];
                if (action_is_noop(a))
                        continue;
                switch (a->kind) {
                case ACT_DELETE_TEMP: fprintf(f, "%s: remove temp %s\n", p->esp_name, a->path); break;
                case ACT_INTERIM_CONFIG: fprintf(f, "%s: reset default in %s\n", p->esp_name, a->path); break;
                case ACT_REMOVE_ENTRY: fprintf(f, "%s: remove entry %s\n", p->esp_name, a->path); break;
                case ACT_INTERIM_GRUBCFG: fprintf(f, "%s: write interim %s\n", p->esp_name, a->path); break;
                case ACT_REMOVE_FILE: fprintf(f, "%s: remove file %s\n", p->esp_name, a->path); break;
                case ACT_REMOVE_DIR: fprintf(f, "%s: remove directory %s\n", p->esp_name, a->path); break;
                case ACT_PENDING_MANIFEST: fprintf(f, "%s: write pending manifest\n", p->esp_name); break;
                case ACT_COPY:
                        fprintf(f, "%s: copy %s %s %" PRIu64 "\n", p->esp_name, a->src_display, a->path, a->size);
                        break;
                case ACT_WRITE_ENTRY: fprintf(f, "%s: write entry %s\n", p->esp_name, a->path); break;
                case ACT_BLESS: fprintf(f, "%s: bless %s as %s\n", p->esp_name, a->path, a->path2); break;
                case ACT_WRITE_GRUBCFG: fprintf(f, "%s: write %s\n", p->esp_name, a->path); break;
                case ACT_WRITE_CONFIG: {
                        _cleanup_free_ char *def = NULL;
                        if (loader_conf_get(a->content, a->len, "default", &def) >= 0)
                                fprintf(f, "%s: default %s\n", p->esp_name, def);
                        break;
                }
                case ACT_WRITE_GRUBENV: fprintf(f, "%s: write %s\n", p->esp_name, a->path); break;
                case ACT_MANIFEST: fprintf(f, "%s: write manifest\n", p->esp_name); break;
                }
        }
}

void esp_plan_free(struct esp_plan *p) {
        for (size_t i = 0; i < p->n; i++) {
                free(p->a[i].path);
                free(p->a[i].path2);
                free(p->a[i].src);
                free(p->a[i].src_display);
                free(p->a[i].content);
        }
        free(p->a);
        free(p->error);
        *p = (struct esp_plan){};
}
