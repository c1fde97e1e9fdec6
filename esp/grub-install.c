/* See grub-install.h. */
#include "grub-install.h"
#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/spawn.h"
#include <unistd.h>

int grub_install(const struct paths *p, const char *mnt, const char *disk, bool uefi, const char *prefix) {
        const char *platform = uefi ? "x86_64-efi" : "i386-pc";
        _cleanup_free_ char *real = paths_root(p, PATH_GRUB_INSTALL_REAL),
                            *plain = paths_root(p, PATH_GRUB_INSTALL),
                            *lib = paths_root(p, PATH_GRUB_LIB_DIR), *boot_dir = NULL, *efi_dir = NULL,
                            *id = NULL, *modules = NULL;
        if (!real || !plain || !lib || asprintf(&boot_dir, "--boot-directory=%s", mnt) < 0 ||
            asprintf(&efi_dir, "--efi-directory=%s", mnt) < 0 || asprintf(&id, "--bootloader-id=%s", prefix) < 0 ||
            asprintf(&modules, "--directory=%s/%s", lib, platform) < 0)
                return EXIT_IO;
        const char *prog = access(real, X_OK) == 0 ? real : plain;
        for (int pass = 0; pass < (uefi ? 2 : 1); pass++) {
                const char *argv[12];
                size_t n = 0;
                argv[n++] = prog;
                argv[n++] = uefi ? "--target=x86_64-efi" : "--target=i386-pc";
                argv[n++] = modules;
                argv[n++] = "--no-floppy";
                if (uefi)
                        argv[n++] = efi_dir;
                argv[n++] = boot_dir;
                argv[n++] = id;
                if (pass == 1)
                        argv[n++] = "--removable";
                argv[n++] = disk;
                argv[n] = NULL;
                log_info("running %s %s for %s", prog, argv[1], disk);
                int st, r = spawn_run((char *const *)argv, NULL, &st);
                if (r == -ENOENT || r == -EACCES) {
                        log_error("%s not installed (package grub-pc or grub-efi-amd64; --no-boot-code skips it)", prog);
                        return EXIT_ENV;
                }
                if (r < 0 || spawn_exit_code(st) != 0) {
                        log_error("%s %s failed: exit status %d", prog, disk, r < 0 ? -1 : spawn_exit_code(st));
                        return EXIT_CHILD;
                }
        }
        return 0;
}

