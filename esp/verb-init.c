/* espctl init / reinit: install the loader payload on an ESP (systemd-boot, or GRUB's modules
 * for an ESP whose boot code comes from elsewhere), register it, then refresh it (spec §6).
 * With --esp-dir the ESP is a directory; a real partition needs the device layer (device.c). */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "apply.h"
#include "espctl.h"
#include "espset.h"
#include "refresh.h"
#include "lib/atomic.h"
#include "lib/crc.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/grubenv.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/version.h"
#include "boot/loader-conf.h"
#include "device.h"
#include "grub-install.h"
#include "mount.h"

#define PAYLOAD_MAX (16 * 1024 * 1024)
#define SDBOOT_MARKER "#### LoaderInfo: systemd-boot "

bool esp_platform_is_uefi(const struct paths *p) {
        _cleanup_free_ char *d = paths_sysfs(p, SYSFS_EFI_DIR);
        struct stat st;
        return d && stat(d, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "252.38-1~deb12u1" from the LoaderInfo marker systemd-boot carries, or NULL. */
static char *sdboot_version(const char *buf, size_t len) {
        const char *m = memmem(buf, len, SDBOOT_MARKER, strlen(SDBOOT_MARKER));
        if (!m)
                return NULL;
        m += strlen(SDBOOT_MARKER);
        const char *end = memmem(m, len - (size_t)(m - buf), " ####", 5);
        return end && end - m < 64 ? strndup(m, (size_t)(end - m)) : NULL;
}

struct payload {
        const char *rel;
        char *buf;
        size_t len;
};

static int install_file(struct esp_ctx *c, int espfd, const char *rel, const char *buf, size_t len, struct manifest *m,
                        bool check_newer) {
        _cleanup_free_ char *old = NULL;
        size_t olen = 0;
        _cleanup_close_ int fd = openat(espfd, rel, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && read_fd_max(fd, PAYLOAD_MAX, &old, &olen) >= 0 && check_newer && !c->force) {
                _cleanup_free_ char *ov = sdboot_version(old, olen), *nv = sdboot_version(buf, len);
                if (!ov && olen && !streq(rel, "EFI/systemd/systemd-bootx64.efi")) {
                        log_warning("%s holds another loader; kept (use --force to replace it)", rel);
                        return manifest_add(m, MK_LOADER, rel, olen, crc32_buf(old, olen));
                }
                if (ov && nv && version_compare(ov, nv) > 0) {
                        log_warning("%s is systemd-boot %s, newer than %s; kept (use --force)", rel, ov, nv);
                        return manifest_add(m, MK_LOADER, rel, olen, crc32_buf(old, olen));
                }
        }
        int r = esp_write_rel(espfd, rel, buf, len);
        if (r < 0) {
                log_error("writing %s failed: %s", rel, strerror(-r));
                return r;
        }
        return manifest_add(m, MK_LOADER, rel, len, crc32_buf(buf, len));
}

static int install_systemd_boot(struct esp_ctx *c, int espfd, struct manifest *m) {
        _cleanup_free_ char *dir = paths_root(&c->paths, PATH_SDBOOT_EFI_DIR), *buf = NULL, *src = NULL;
        size_t len = 0;
        static const char *const names[] = { "systemd-bootx64.efi.signed", "systemd-bootx64.efi" };
        for (size_t i = 0; i < ELEMENTSOF(names) && !buf; i++) {
                free(src);
                src = path_join(dir, names[i]);
                if (src && read_file_max(src, PAYLOAD_MAX, &buf, &len) < 0)
                        buf = NULL;
        }
        if (!buf) {
                log_error("systemd-boot not installed: no %s/systemd-bootx64.efi (package systemd-boot-efi)", dir);
                return EXIT_ENV;
        }
        if (install_file(c, espfd, "EFI/systemd/systemd-bootx64.efi", buf, len, m, true) < 0 ||
            install_file(c, espfd, "EFI/BOOT/BOOTX64.EFI", buf, len, m, true) < 0)
                return EXIT_IO;
        return 0;
}

/* GRUB modules for an ESP whose boot code is installed elsewhere (--no-boot-code). */
static int install_grub_modules(struct esp_ctx *c, int espfd, bool uefi) {
        const char *platform = uefi ? "x86_64-efi" : "i386-pc";
        _cleanup_free_ char *base = paths_root(&c->paths, PATH_GRUB_LIB_DIR), *dir = base ? path_join(base, platform) : NULL;
        _cleanup_(closedirp) DIR *d = dir ? opendir(dir) : NULL;
        if (!d) {
                log_error("GRUB not installed: no %s (package grub-pc-bin or grub-efi-amd64-bin)", dir ? dir : platform);
                return EXIT_ENV;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!endswith(de->d_name, ".mod") && !endswith(de->d_name, ".lst"))
                        continue;
                _cleanup_free_ char *src = path_join(dir, de->d_name), *buf = NULL, *rel = NULL;
                size_t len;
                if (!src || read_file_max(src, PAYLOAD_MAX, &buf, &len) < 0 ||
                    asprintf(&rel, "grub/%s/%s", platform, de->d_name) < 0)
                        continue;
                int r = esp_write_rel(espfd, rel, buf, len);
                if (r < 0) {
                        log_error("writing %s failed: %s", rel, strerror(-r));
                        return EXIT_IO;
                }
        }
        return 0;
}

/* Write rel when it is absent (never resets an administrator's file). */
static int create_if_absent(int espfd, const char *rel, const char *buf, size_t len) {
        if (faccessat(espfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        return esp_write_rel(espfd, rel, buf, len);
}

/* The loader step of init (and reinit): payload, directories, loader config, manifest. */
static int init_loader(struct esp_ctx *c, struct esp_open *e, bool grub, bool uefi, const struct toolkit_conf *conf,
                       bool reinit) {
        int fd = e->fd, code = 0;
        struct manifest m = {};
        _cleanup_free_ char *mbuf = NULL, *rendered = NULL;
        size_t mlen;
        _cleanup_close_ int mfd = openat(fd, "espctl-manifest", O_RDONLY | O_CLOEXEC);
        if (mfd >= 0 && read_fd_max(mfd, 1024 * 1024, &mbuf, &mlen) >= 0 && manifest_parse(mbuf, mlen, &m, NULL, NULL) >= 0)
                manifest_remove_kind(&m, MK_LOADER); /* re-recorded as installed below */
        if (!m.prefix)
                m.prefix = strdup(conf->prefix);
        free(m.mode);
        m.mode = strdup(grub ? "grub" : "systemd-boot");
        int r = 0;
        if (grub) {
                if (!c->no_boot_code && c->esp_dirs.n == 0)
                        log_notice("grub-install is run by the device layer");
                code = install_grub_modules(c, fd, uefi);
                struct grubenv ge;
                grubenv_init_empty(&ge);
                _cleanup_free_ char *env = NULL;
                size_t elen;
                if (!code && (r = grubenv_render(&ge, &env, &elen)) >= 0)
                        r = create_if_absent(fd, "grub/grubenv", env, elen);
                grubenv_free(&ge);
        } else {
                code = install_systemd_boot(c, fd, &m);
                _cleanup_free_ char *def = NULL, *lc = NULL;
                if (!code && asprintf(&def, "%s-*", conf->prefix) >= 0 && loader_conf_new(conf->timeout, def, &lc) >= 0) {
                        r = reinit ? 0 : create_if_absent(fd, "loader/loader.conf", lc, strlen(lc));
                        /* esp_mkdirs creates the directories of a path, not its last part */
                        _cleanup_free_ char *ed = NULL, *ep = NULL;
                        if (r >= 0 && asprintf(&ed, "loader/entries/.keep") >= 0)
                                r = esp_mkdirs(fd, ed);
                        if (r >= 0 && asprintf(&ep, "EFI/%s/.keep", conf->prefix) >= 0)
                                r = esp_mkdirs(fd, ep);
                }
        }
        if (!code && r < 0) {
                log_error("ESP %s: initialising failed: %s", e->esp.name, strerror(-r));
                code = EXIT_IO;
        }
        if (!code && m.prefix && m.mode && manifest_render(&m, &rendered) >= 0 &&
            (r = atomic_write_at(fd, "espctl-manifest", rendered, strlen(rendered), 0644)) < 0) {
                log_error("ESP %s: writing the manifest failed: %s", e->esp.name, strerror(-r));
                code = EXIT_IO;
        }
        manifest_free(&m);
        return code;
}

static int register_serial(struct esp_ctx *c, const char *serial) {
        _cleanup_free_ char *path = paths_root(&c->paths, PATH_ESP_UUIDS), *old = NULL, *new = NULL;
        size_t len = 0;
        int r = path ? read_file_max(path, 64 * 1024, &old, &len) : -ENOMEM;
        if (r == -ENOENT && (old = strdup("")))
                r = 0;
        if (r < 0) {
                log_error("reading %s failed: %s", path, strerror(-r));
                return EXIT_IO;
        }
        struct registration reg;
        if (registration_parse(old, len, path, &reg) < 0)
                return EXIT_IO;
        bool known = strv_contains(&reg.serials, serial);
        registration_free(&reg);
        if (known)
                return 0;
        if (registration_append(old, len, serial, &new) < 0 || (r = atomic_write(path, new, strlen(new), 0644)) < 0) {
                log_error("writing %s failed: %s", path, strerror(-r));
                return EXIT_IO;
        }
        log_notice("registered %s in %s", serial, path);
        return 0;
}

/* The boot code of a grub ESP on DEVICE, mounted at MNT: grub-install on the disk holding it. */
static int install_boot_code(struct esp_ctx *c, const char *name, const char *device, const char *mnt, bool uefi,
                             const char *prefix) {
        struct esp_device_info info = {};
        int r = esp_device_probe(&c->paths, device, 0, &info);
        _cleanup_free_ char *disk = r >= 0 && info.disk ? strdup(info.disk) : NULL;
        esp_device_info_done(&info);
        if (!disk) {
                log_error("ESP %s: no disk found for %s: cannot run grub-install", name, device);
                return EXIT_IO;
        }
        return grub_install(&c->paths, mnt, disk, uefi, prefix);
}

/* init PARTITION: the checks of format with an existing vfat, a unique serial, not mounted
 * (unless --force); mount it in our namespace, install, register, refresh. */
static int init_partition(struct esp_ctx *c, const char *dev, bool grub, bool uefi) {
        _cleanup_free_ char *reason = NULL, *mnt = NULL;
        int r = esp_device_check_partition(&c->paths, dev, true, true, c->force, &reason);
        if (r == -EINVAL || r == -ENOENT) {
                log_error("%s", reason ? reason : "partition not found");
                return EXIT_INVALID;
        }
        if (r < 0) {
                log_error("checking %s failed: %s", dev, strerror(-r));
                return EXIT_IO;
        }
        if (r == 1 && reason)
                log_warning("%s", reason);
        struct esp_device_info info = {};
        if ((r = esp_device_probe(&c->paths, dev, 0, &info)) < 0 || !info.uuid) {
                log_error("%s: no filesystem serial (run espctl format first)", dev);
                esp_device_info_done(&info);
                return EXIT_INVALID;
        }
        _cleanup_free_ char *serial = strdup(info.uuid);
        esp_device_info_done(&info);
        if (c->dry_run) {
                printf("would initialise %s (%s) for %s and refresh it\n", dev, serial, grub ? "grub" : "systemd-boot");
                return 0;
        }
        int lock_fd = -1, code;
        if ((code = espctl_lock(c, false, &lock_fd)))
                return code;
        struct refresh_run run = {};
        struct esp_open e = { .fd = -1, .esp = { .name = serial, .serial = serial } };
        if ((code = refresh_prepare(c, &run)))
                goto out;
        if ((r = esp_namespace_enter()) < 0) {
                log_error("cannot create a private mount namespace: %s", strerror(-r));
                code = EXIT_ENV;
                goto out;
        }
        if ((r = esp_mount(&c->paths, serial, dev, &mnt)) < 0 || (r = esp_remount_rw(mnt)) < 0) {
                log_error("ESP %s: mount of %s failed: %s", serial, dev, strerror(-r));
                code = EXIT_IO;
                goto out;
        }
        e.fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (grub && !c->no_boot_code && (code = install_boot_code(c, serial, dev, mnt, uefi, run.ks.conf.prefix)))
                goto out;
        if (!(code = init_loader(c, &e, grub, uefi, &run.ks.conf, false)))
                code = register_serial(c, serial);
        if (!code) {
                _cleanup_free_ char *summary = NULL, *plan = NULL;
                code = refresh_one(c, &run, &e, &summary, &plan);
                refresh_report(c, summary, plan);
                int fin = refresh_finish(c, &run);
                code = code ? code : fin;
        }
out:
        if (e.fd >= 0)
                close(e.fd);
        if (mnt && (r = esp_unmount(mnt)) < 0) {
                log_error("ESP %s: unmounting %s failed: %s", serial, mnt, strerror(-r));
                code = code ? code : EXIT_IO;
        }
        refresh_run_free(&run);
        if (lock_fd >= 0)
                close(lock_fd);
        return code;
}

int verb_init(struct esp_ctx *c) {
        bool grub_arg = c->n_args > 0 && streq(c->args[c->n_args - 1], "grub");
        int n_dev = c->n_args - (grub_arg ? 1 : 0);
        bool by_dir = c->esp_dirs.n == 1 && n_dev == 0, by_dev = c->esp_dirs.n == 0 && n_dev == 1;
        if (!by_dir && !by_dev) {
                log_error("init takes a PARTITION, or exactly one --esp-dir and no PARTITION (see --help)");
                return EXIT_USAGE;
        }
        bool uefi = esp_platform_is_uefi(&c->paths);
        bool grub = grub_arg || (c->mode && streq(c->mode, "grub")) || !uefi;
        if (!uefi && c->mode && streq(c->mode, "systemd-boot")) {
                log_error("systemd-boot needs UEFI: %s/%s does not exist (this machine boots by BIOS)", c->paths.sysfs, SYSFS_EFI_DIR);
                return EXIT_INVALID;
        }
        if (by_dev)
                return init_partition(c, c->args[0], grub, uefi);
        if (c->dry_run) {
                printf("would initialise %s for %s and refresh it\n", c->esp_dirs.v[0], grub ? "grub" : "systemd-boot");
                return 0;
        }
        c->no_boot_code = true; /* implied by --esp-dir: the boot code comes from elsewhere */
        int lock_fd = -1, code;
        if ((code = espctl_lock(c, false, &lock_fd)))
                return code;
        struct refresh_run run = {};
        const char *arg = c->esp_dirs.v[0], *eq = strchr(arg, '=');
        _cleanup_free_ char *serial = NULL;
        if (eq && eq - arg == 9 && (serial = strndup(arg, 9)) && serial_is_valid(serial)) {
                for (char *s = serial; *s; s++)
                        *s = (char)(*s >= 'a' && *s <= 'f' ? *s - 32 : *s);
        } else {
                free(serial);
                serial = NULL;
                eq = NULL;
        }
        if ((code = refresh_prepare(c, &run)))
                goto out;
        struct esp_open e = { .fd = open(eq ? eq + 1 : arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
        e.esp.name = serial ? serial : (char *)arg;
        if (e.fd < 0) {
                log_error("ESP %s: cannot open %s: %s", e.esp.name, eq ? eq + 1 : arg, strerror(errno));
                code = EXIT_ENV;
                goto out;
        }
        code = init_loader(c, &e, grub, uefi, &run.ks.conf, false);
        if (!code && serial)
                code = register_serial(c, serial);
        else if (!code)
                log_notice("a plain --esp-dir cannot be registered; use --esp-dir SERIAL=DIR");
        if (!code) {
                _cleanup_free_ char *summary = NULL, *plan = NULL;
                code = refresh_one(c, &run, &e, &summary, &plan);
                refresh_report(c, summary, plan);
                int r = refresh_finish(c, &run);
                code = code ? code : r;
        }
        close(e.fd);
out:
        refresh_run_free(&run);
        if (lock_fd >= 0)
                close(lock_fd);
        return code;
}

/* reinit: each registered ESP's own mode (spec §3), the loader step of init without resetting
 * loader.conf or the registration, then its refresh. A grub ESP on a real device gets its boot
 * code again from grub-install, as init gave it (not stand-ins, not with --no-boot-code). */
static int reinit_loader(struct esp_ctx *c, struct refresh_run *run, struct esp_open *e, void *userdata) {
        bool uefi = *(bool *)userdata;
        if (e->fd < 0)
                return 0; /* refresh_one reports it */
        struct esp_scan scan;
        int r = esp_scan(e->fd, run->in.prefix, &scan);
        if (r < 0)
                return 0; /* refresh_one reports it */
        bool none = scan.mode == MODE_NONE, grub = scan.mode == MODE_GRUB, grub_uefi = grub ? scan.uefi : uefi;
        esp_scan_free(&scan);
        if (none) {
                log_error("ESP %s: not initialised (run espctl init)", e->esp.name);
                return EXIT_INVALID;
        }
        if (c->dry_run) {
                if (grub && e->esp.device && !c->no_boot_code)
                        printf("would run grub-install for %s (%s)\n", e->esp.name, e->esp.device);
                return 0;
        }
        if ((r = esp_make_writable(c, e)) < 0) {
                log_error("ESP %s: remounting read-write failed: %s", e->esp.name, strerror(-r));
                return EXIT_IO;
        }
        if (grub && e->esp.device && !c->no_boot_code &&
            (r = install_boot_code(c, e->esp.name, e->esp.device, e->esp.dir, grub_uefi, run->ks.conf.prefix)))
                return r;
        return init_loader(c, e, grub, grub_uefi, &run->ks.conf, true);
}

int verb_reinit(struct esp_ctx *c) {
        bool uefi = esp_platform_is_uefi(&c->paths);
        return refresh_verb(c, NULL, reinit_loader, &uefi);
}
