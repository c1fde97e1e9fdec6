/* See scan.h. */
#include "scan.h"
#include "boot/bls.h"
#include "kernel-select/inventory.h"
#include "lib/atomic.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/version.h"
#include <dirent.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>

#define ESP_TEXT_MAX (1024 * 1024)

const char *esp_mode_name(enum esp_mode m) {
        return m == MODE_SYSTEMD_BOOT ? "systemd-boot" : m == MODE_GRUB ? "grub" : "none";
}

char *esp_kernel_path(enum esp_mode mode, const char *prefix, const char *version, bool initrd) {
        char *p;
        const char *stem = initrd ? "initrd.img" : "vmlinuz";
        int r = mode == MODE_GRUB ? asprintf(&p, "%s-%s", stem, version)
                                  : asprintf(&p, "EFI/%s/%s/%s-%s", prefix, version, stem, version);
        return r < 0 ? NULL : p;
}

static bool exists_at(int dirfd, const char *rel, bool dir) {
        struct stat st;
        if (fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        return dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

static int read_text_at(int dirfd, const char *rel, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : negerrno();
        int r = read_fd_max(fd, ESP_TEXT_MAX, ret, ret_len);
        return r < 0 ? r : 1;
}

/* Open dirfd/rel for reading entries. 0 with *ret NULL when it cannot be opened (absent, not a
 * directory; errno tells), 1 when open, -errno when fdopendir fails on an open directory. */
static int opendir_at(int dirfd, const char *rel, DIR **ret) {
        *ret = NULL;
        int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        *ret = fdopendir(fd);
        if (!*ret) {
                int r = negerrno();
                close(fd);
                return r;
        }
        return 1;
}

static int note_temps(int espfd, const char *rel, struct esp_scan *s) {
        _cleanup_(closedirp) DIR *d = NULL;
        int k = opendir_at(espfd, rel, &d);
        if (k <= 0)
                return k;
        struct dirent *de;
        while ((de = readdir(d)))
                if (atomic_is_temp_name(de->d_name)) {
                        char *p;
                        if (asprintf(&p, "%s%s%s", streq(rel, ".") ? "" : rel, streq(rel, ".") ? "" : "/", de->d_name) < 0)
                                return -ENOMEM;
                        int r = strv_push_take(&s->temps, p);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* Find or add the kernel record of (prefix, version) and OR in the files seen. */
static int add_kernel(struct esp_scan *s, const char *prefix, const char *version, bool vmlinuz, bool initrd) {
        for (size_t i = 0; i < s->n_kernels; i++) {
                struct scan_kernel *k = &s->kernels[i];
                if (streq(k->version, version) && ((!k->prefix && !prefix) || (k->prefix && prefix && streq(k->prefix, prefix)))) {
                        k->vmlinuz |= vmlinuz;
                        k->initrd |= initrd;
                        return 0;
                }
        }
        struct scan_kernel *n = realloc(s->kernels, (s->n_kernels + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        s->kernels = n;
        n = &s->kernels[s->n_kernels++];
        *n = (struct scan_kernel){ .prefix = prefix ? strdup(prefix) : NULL, .version = strdup(version),
                                   .vmlinuz = vmlinuz, .initrd = initrd };
        return n->version && (n->prefix || !prefix) ? 0 : -ENOMEM;
}

/* EFI/<prefix>/<V>/{vmlinuz,initrd.img}-V; an empty version directory is ours too (removed). */
static int scan_sd_kernels(int espfd, const char *prefix, struct esp_scan *s) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "EFI/%s", prefix) < 0)
                return -ENOMEM;
        _cleanup_(closedirp) DIR *d = NULL;
        int k = opendir_at(espfd, dir, &d);
        if (k <= 0)
                return k;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!version_is_valid(de->d_name) || !exists_at(dirfd(d), de->d_name, true))
                        continue;
                _cleanup_free_ char *sub = NULL, *vm = NULL, *rd = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0 ||
                    !(vm = esp_kernel_path(MODE_SYSTEMD_BOOT, prefix, de->d_name, false)) ||
                    !(rd = esp_kernel_path(MODE_SYSTEMD_BOOT, prefix, de->d_name, true)))
                        return -ENOMEM;
                int r = note_temps(espfd, sub, s);
                if (r >= 0)
                        r = add_kernel(s, prefix, de->d_name, exists_at(espfd, vm, false), exists_at(espfd, rd, false));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* vmlinuz-V and initrd.img-V flat in the ESP root (grub mode). */
static int scan_grub_kernels(int espfd, struct esp_scan *s) {
        _cleanup_(closedirp) DIR *d = NULL;
        int k = opendir_at(espfd, ".", &d);
        if (k <= 0)
                return k < 0 ? k : negerrno(); /* the ESP root itself must be readable */
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!exists_at(espfd, de->d_name, false))
                        continue;
                for (int initrd = 0; initrd <= 1; initrd++) {
                        _cleanup_free_ char *v = boot_file_version(de->d_name, initrd ? "initrd.img" : "vmlinuz");
                        int r = v ? add_kernel(s, NULL, v, !initrd, initrd) : 0;
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int scan_entries(int espfd, const char *prefix, struct esp_scan *s) {
        _cleanup_(closedirp) DIR *d = NULL;
        int k = opendir_at(espfd, "loader/entries", &d);
        if (k <= 0)
                return k;
        struct dirent *de;
        while ((de = readdir(d))) {
                char *v = NULL;
                int left, done;
                int r = bls_entry_name_parse(de->d_name, prefix, &v, &left, &done);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                struct scan_entry *n = realloc(s->entries, (s->n_entries + 1) * sizeof *n);
                if (!n) {
                        free(v);
                        return -ENOMEM;
                }
                s->entries = n;
                s->entries[s->n_entries++] = (struct scan_entry){ strdup(de->d_name), strdup(prefix), v, left, done };
        }
        return 0;
}

/* Any EFI/<prefix>/grub*.efi (case-insensitive): an ESP that proxmox-boot-tool set up with
 * GRUB for Secure Boot. */
static bool has_grub_efi(int espfd, const char *prefix) {
        _cleanup_free_ char *dir = NULL;
        if (asprintf(&dir, "EFI/%s", prefix) < 0)
                return false;
        _cleanup_(closedirp) DIR *d = NULL;
        (void)opendir_at(espfd, dir, &d);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (strncasecmp(de->d_name, "grub", 4) == 0 && strlen(de->d_name) > 4 &&
                    strcasecmp(de->d_name + strlen(de->d_name) - 4, ".efi") == 0)
                        return true;
        return false;
}

int esp_scan(int espfd, const char *prefix, struct esp_scan *s) {
        *s = (struct esp_scan){};
        _cleanup_free_ char *mbuf = NULL;
        size_t mlen = 0;
        int r = read_text_at(espfd, MANIFEST_NAME, &mbuf, &mlen);
        if (r > 0) {
                r = manifest_parse(mbuf, mlen, &s->manifest, &s->manifest_format, &s->manifest_bad_line);
                if (r == -EPROTONOSUPPORT)
                        goto fail;
                s->have_manifest = r >= 0;
                r = r == -EBADMSG ? 0 : r;
        }
        if (r < 0)
                goto fail;

        if (s->have_manifest)
                s->mode = streq(s->manifest.mode, "grub") ? MODE_GRUB : MODE_SYSTEMD_BOOT;
        else if (has_grub_efi(espfd, prefix))
                s->mode = MODE_GRUB;
        else if (exists_at(espfd, "grub", true) && !exists_at(espfd, "loader/loader.conf", false))
                s->mode = MODE_GRUB;
        else if (exists_at(espfd, "loader/loader.conf", false))
                s->mode = MODE_SYSTEMD_BOOT;
        if (s->mode == MODE_GRUB)
                s->uefi = has_grub_efi(espfd, prefix) || exists_at(espfd, "grub/x86_64-efi", true);

        const char *old = s->have_manifest && !streq(s->manifest.prefix, prefix) ? s->manifest.prefix : NULL;
        if ((r = note_temps(espfd, ".", s)) < 0 || (r = note_temps(espfd, "loader", s)) < 0 ||
            (r = note_temps(espfd, "loader/entries", s)) < 0 || (r = note_temps(espfd, "grub", s)) < 0)
                goto fail;
        if (s->mode == MODE_GRUB)
                r = scan_grub_kernels(espfd, s);
        else if ((r = scan_sd_kernels(espfd, prefix, s)) >= 0 && old)
                r = scan_sd_kernels(espfd, old, s);
        if (r >= 0 && (r = scan_entries(espfd, prefix, s)) >= 0 && old)
                r = scan_entries(espfd, old, s);
        if (r >= 0 && (r = read_text_at(espfd, "loader/loader.conf", &s->loader_conf, &s->loader_conf_len)) >= 0 &&
            (r = read_text_at(espfd, "grub/grub.cfg", &s->grub_cfg, &s->grub_cfg_len)) >= 0)
                r = read_text_at(espfd, "grub/grubenv", &s->grubenv, &s->grubenv_len);
        if (r < 0)
                goto fail;
        return 0;
fail: {
        unsigned format = s->manifest_format; /* the caller names a newer format */
        esp_scan_free(s);
        s->manifest_format = format;
        return r;
}
}

void esp_scan_free(struct esp_scan *s) {
        manifest_free(&s->manifest);
        for (size_t i = 0; i < s->n_entries; i++) {
                free(s->entries[i].file);
                free(s->entries[i].prefix);
                free(s->entries[i].version);
        }
        free(s->entries);
        for (size_t i = 0; i < s->n_kernels; i++) {
                free(s->kernels[i].prefix);
                free(s->kernels[i].version);
        }
        free(s->kernels);
        free(s->loader_conf);
        free(s->grub_cfg);
        free(s->grubenv);
        strv_free(&s->temps);
        *s = (struct esp_scan){};
}

const struct scan_entry *scan_find_entry(const struct esp_scan *s, const char *prefix, const char *version) {
        for (size_t i = 0; i < s->n_entries; i++)
                if (streq(s->entries[i].prefix, prefix) && streq(s->entries[i].version, version))
                        return &s->entries[i];
        return NULL;
}

const struct scan_kernel *scan_find_kernel(const struct esp_scan *s, const char *prefix, const char *version) {
        for (size_t i = 0; i < s->n_kernels; i++) {
                const struct scan_kernel *k = &s->kernels[i];
                if (streq(k->version, version) && ((!prefix && !k->prefix) || (prefix && k->prefix && streq(prefix, k->prefix))))
                        return k;
        }
        return NULL;
}
