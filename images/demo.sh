#!/usr/bin/env bash
# ./build.sh demo: the main job on an embedded demo host. A fake Proxmox root with four kernels
# (one without initrd) and two ESP directories; kernel-select shows the selection, espctl
# initialises and refreshes both ESPs, a kernel upgrade arrives, a kernel is pinned for the next
# boot, and espctl status shows the result. Everything happens under build/demo; nothing on this
# machine is touched.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD_DIR:-$TOP/build}
KS=$B/kernel-select/kernel-select
ESPCTL=$B/esp/espctl
D=$TOP/build/demo
rm -rf "$D"
R=$D/root
mkdir -p "$R"/{boot,etc/kernel,etc/pve,run,proc/sys/kernel/random,sys/firmware/efi/efivars} \
         "$R/usr/lib/systemd/boot/efi" "$D/esp-a" "$D/esp-b"
kernel() { # version size-in-KiB
        head -c $(($2 * 1024)) /dev/urandom >"$R/boot/vmlinuz-$1"
        head -c $(($2 * 3 * 1024)) /dev/urandom >"$R/boot/initrd.img-$1"
        mkdir -p "$R/lib/modules/$1"
}
kernel 6.5.13-6-pve 900
kernel 6.8.12-2-pve 1000
kernel 6.8.12-4-pve 1000
printf 'kernel without initrd\n' >"$R/boot/vmlinuz-6.8.12-3-pve"
echo "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet" >"$R/etc/kernel/cmdline"
echo 6.8.12-2-pve >"$R/proc/sys/kernel/osrelease"
echo 3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162 >"$R/proc/sys/kernel/random/boot_id"
if [ -f /usr/lib/systemd/boot/efi/systemd-bootx64.efi ]; then
        cp /usr/lib/systemd/boot/efi/systemd-bootx64.efi "$R/usr/lib/systemd/boot/efi/"
else
        printf 'demo payload #### LoaderInfo: systemd-boot 252 ####\n' >"$R/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
fi
G=(--root "$R")
E=(--root "$R" --esp-dir 2F7A-2067="$D/esp-a" --esp-dir A0B1-C2D3="$D/esp-b")
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say "kernel-select list            # what would go to the ESPs"
"$KS" "${G[@]}" list
say "espctl init                   # two ESPs: loader, registration, first sync"
"$ESPCTL" --root "$R" --esp-dir 2F7A-2067="$D/esp-a" init
"$ESPCTL" --root "$R" --esp-dir A0B1-C2D3="$D/esp-b" init
say "espctl refresh                # nothing changed: nothing written"
"$ESPCTL" "${E[@]}" refresh
say "(apt installs 6.8.12-8-pve) espctl refresh --dry-run; espctl refresh"
kernel 6.8.12-8-pve 1000
"$ESPCTL" "${E[@]}" --dry-run refresh
"$ESPCTL" "${E[@]}" refresh
say "kernel-select pin 6.8.12-2-pve --next-boot   # boot the older kernel once"
"$KS" "${E[@]}" pin 6.8.12-2-pve --next-boot
say "espctl status"
"$ESPCTL" "${E[@]}" status
say "cat loader/entries/proxmox-6.8.12-8-pve.conf on ESP 2F7A-2067"
cat "$D/esp-a/loader/entries/proxmox-6.8.12-8-pve.conf"
say "diff -r esp-a esp-b            # both ESPs byte-identical"
diff -r "$D/esp-a" "$D/esp-b" && echo "identical"
printf '\nDemo tree: %s\n' "$D"
