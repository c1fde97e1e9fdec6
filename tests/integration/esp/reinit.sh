#!/usr/bin/env bash
# espctl reinit (spec §6): each registered ESP's own mode; the loader step of init again (a newer
# systemd-boot, a lost removable-path copy, GRUB's modules) without resetting the administrator's
# loader.conf; a second run writes nothing; --dry-run writes nothing; an uninitialised ESP fails
# alone. Stand-ins never run grub-install (real devices do: proven in the bios-pins qemu scenario).
source "$(dirname "$0")/common.sh"
R=$TMP/root
esp_root "$R" uefi 6.8.12-4-pve 6.8.12-2-pve
mkdir -p "$TMP/esp1" "$TMP/g1" "$TMP/empty" "$R/usr/sbin"
# A grub-install that leaves a trace: reinit on stand-ins must not run it.
printf '#!/bin/sh\necho "$@" >>"%s"\n' "$TMP/grub-install.log" >"$R/usr/sbin/grub-install"
chmod +x "$R/usr/sbin/grub-install"
run espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" init
expect_rc 0 "init systemd-boot ESP"
run espctl --root "$R" --esp-dir 1111-AAAA="$TMP/g1" init grub
expect_rc 0 "init grub ESP (uefi)"
E=(--root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir 1111-AAAA="$TMP/g1")

# the administrator's loader.conf, an upgraded systemd-boot and grub, a lost BOOTX64.EFI
printf 'timeout 5\ndefault proxmox-*\neditor no\n' >"$TMP/esp1/loader/loader.conf"
NEW='MZ fake systemd-boot #### LoaderInfo: systemd-boot 254.1-1 ####'
printf '%s\n' "$NEW" >"$R/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
printf 'upgraded module\n' >"$R/usr/lib/grub/x86_64-efi/normal.mod"
rm "$TMP/esp1/EFI/BOOT/BOOTX64.EFI"
snap "$TMP" before
run espctl "${E[@]}" --dry-run reinit
expect_rc 0 "reinit --dry-run"
expect_unchanged "$TMP" before "reinit --dry-run writes nothing"

run espctl "${E[@]}" reinit
expect_rc 0 "reinit"
expect_eq "$(cat "$TMP/esp1/EFI/systemd/systemd-bootx64.efi")" "$NEW" "newer systemd-boot installed"
expect_eq "$(cat "$TMP/esp1/EFI/BOOT/BOOTX64.EFI")" "$NEW" "removable-path copy restored"
expect_eq "$(cat "$TMP/esp1/loader/loader.conf")" "$(printf 'timeout 5\ndefault proxmox-*\neditor no')" \
        "loader.conf of the administrator kept"
expect_eq "$(cat "$TMP/g1/grub/x86_64-efi/normal.mod")" "upgraded module" "GRUB modules refreshed"
expect_eq "$(cat "$TMP/g1/espctl-manifest" | sed -n 's/^mode //p')" "grub" "grub ESP keeps its mode"
t_check "stand-ins never run grub-install" test ! -e "$TMP/grub-install.log"

snap "$TMP" after
run espctl "${E[@]}" reinit
expect_rc 0 "reinit again"
expect_unchanged "$TMP" after "a second reinit writes nothing"

run espctl "${E[@]}" --no-boot-code reinit
expect_rc 0 "reinit --no-boot-code is accepted"
run espctl "${E[@]}" reinit --mode grub
expect_rc 1 "reinit --mode is a usage error"

# an ESP that was never initialised fails alone; the others are still done
rm "$TMP/esp1/EFI/BOOT/BOOTX64.EFI"
echo 3333-CCCC >>"$R/etc/kernel/proxmox-boot-uuids"
run espctl "${E[@]}" --esp-dir 3333-CCCC="$TMP/empty" reinit
expect_rc 2 "uninitialised ESP: exit 2"
expect_match "$ERR" "ESP 3333-CCCC: not initialised \(run espctl init\)" "named with what to do"
expect_eq "$(cat "$TMP/esp1/EFI/BOOT/BOOTX64.EFI")" "$NEW" "the initialised ESP is still reinitialised"
t_done
