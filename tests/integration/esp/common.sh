# Fixtures for espctl tests: a fake root with kernels, a systemd-boot payload, UEFI or BIOS,
# and ESP stand-in directories.
source "${TESTLIB:?run through meson test}" || exit 1

# esp_root ROOT uefi|bios V...: make_root plus loader payloads and a kernel command line.
esp_root() {
        local root=$1 fw=$2; shift 2
        make_root "$root" "$@"
        mkdir -p "$root/usr/lib/systemd/boot/efi" "$root/usr/lib/grub/i386-pc" "$root/usr/lib/grub/x86_64-efi" "$root/sys"
        printf 'MZ fake systemd-boot #### LoaderInfo: systemd-boot 252.38-1~deb12u1 ####\n' \
                >"$root/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
        printf 'fake module\n' >"$root/usr/lib/grub/i386-pc/normal.mod"
        printf 'fake list\n' >"$root/usr/lib/grub/i386-pc/command.lst"
        printf 'fake efi module\n' >"$root/usr/lib/grub/x86_64-efi/normal.mod"
        [ "$fw" = uefi ] && mkdir -p "$root/sys/firmware/efi/efivars"
        echo "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet" >"$root/etc/kernel/cmdline"
        echo "title=Proxmox Virtual Environment" >"$root/etc/kernel/espctl.conf"
}
# esp tree listing: every file with its size and sha256, directories marked.
esp_tree() {
        (cd "$1" && find . -mindepth 1 \( -type d -printf '%p/\n' \) -o \( -type f -printf '%p %s\n' \) | sort)
}
