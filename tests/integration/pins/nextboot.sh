#!/usr/bin/env bash
# kernel-select pin V --next-boot (spec §11 test 23, §8, §9 row 19): with systemd-boot's
# LoaderInfo the refresh arms LoaderEntryOneShot = proxmox-V.conf (read back by efivar) after the
# entries, loader.conf stays, grub ESPs get next_entry, the pin file carries the boot id, and the
# child espctl runs under the inherited lock. Without LoaderInfo, with a file in place of the
# efivars directory, or with the variable write refused (EROFS at that write point): the file
# fallback (loader.conf default proxmox-V.conf on the systemd-boot ESPs), its warning, exit 0.
source "$(dirname "$0")/common.sh"
R=$TMP/root
pins_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve
three_esps
V=6.8.12-2-pve
BOOTID=3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162

# armed through the one-shot
snap "$TMP/esp1" before1
run kernel-select "${E[@]}" pin $V --next-boot
expect_rc 0 "pin --next-boot (the child espctl ran under the inherited lock)"
expect_eq "$(cat "$R/etc/kernel/next-boot-pin")" "$(printf '%s\n# espctl boot_id=%s' $V $BOOTID)" "pin file with the boot-id line"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "proxmox-$V.conf" "LoaderEntryOneShot = proxmox-V.conf"
expect_eq "$(efi_attr "$EV" LoaderEntryOneShot)" "07000000" "attributes 0x7"
expect_var_oracle "$EV" LoaderEntryOneShot "proxmox-$V.conf"
run boot-detect --root "$R" entry-oneshot
expect_eq "$OUT" "proxmox-$V.conf" "our reader (boot-detect) agrees"
expect_unchanged "$TMP/esp1" before1 "loader.conf and the whole ESP unchanged"
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-*" "ESP 2 default stays proxmox-*"
expect_eq "$(grubenv_list "$TMP/g1")" "next_entry=proxmox-$V" "next_entry on the grub ESP"
run kernel-select "${E[@]}" list --json
expect_match "$OUT" '"next_boot_state": "active"' "kernel-select list: the pin is active"
# the same lock held by someone else: exit 5, nothing changes
exec {lk}>"$R/run/espctl.lock"
flock -x "$lk"
snap "$R" locked
run kernel-select "${E[@]}" pin 6.8.12-4-pve --next-boot
expect_rc 5 "pin --next-boot while the lock is held"
expect_unchanged "$R" locked "nothing written while busy"
exec {lk}>&-

# every refresh re-arms; with the one-shot in place a refresh writes nothing
snap "$R" armed
snap "$TMP/g1" armedg
run FAULT_AT=count espctl "${E[@]}" refresh
expect_rc 0 "refresh with an armed one-shot"
expect_match "$ERR" "fault-points: 0" "zero write points"
expect_unchanged "$R" armed "efivars untouched"
expect_unchanged "$TMP/g1" armedg "grub ESP untouched"
rm "$EV/LoaderEntryOneShot-$GUID"
snap "$R" dry
run espctl "${E[@]}" --dry-run refresh
expect_unchanged "$R" dry "refresh --dry-run leaves the root and efivars byte-identical"
expect_match "$OUT" "efi: set LoaderEntryOneShot proxmox-$V.conf" "dry run shows the variable it would set"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "dry run writes no variable"
run espctl "${E[@]}" refresh
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "proxmox-$V.conf" "a refresh in the same boot re-arms it"
expect_match "$ERR" "next-boot: LoaderEntryOneShot set to proxmox-$V.conf" "and says so"

# unpin --next-boot: our one-shot, next_entry and the pin file go
efi_set "$EV" LoaderEntryDefault "auto-windows" '\x07'
run kernel-select "${E[@]}" unpin --next-boot
expect_rc 0 "unpin --next-boot"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "our LoaderEntryOneShot deleted"
expect_match "$ERR" "deleted LoaderEntryOneShot=proxmox-$V.conf" "and named"
t_check "next-boot pin file deleted" test ! -e "$R/etc/kernel/next-boot-pin"
expect_eq "$(grubenv_list "$TMP/g1")" "" "next_entry cleared on the grub ESP"
expect_eq "$(efi_get "$EV" LoaderEntryDefault)" "auto-windows" "unpin --next-boot leaves LoaderEntryDefault"
rm "$EV/LoaderEntryDefault-$GUID"
# a foreign one-shot is not ours to delete
efi_set "$EV" LoaderEntryOneShot "auto-windows" '\x07'
run kernel-select "${E[@]}" unpin --next-boot
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "auto-windows" "a foreign LoaderEntryOneShot stays"
rm "$EV/LoaderEntryOneShot-$GUID"

# fallback 1: no LoaderInfo
mv "$EV/LoaderInfo-$GUID" "$TMP/LoaderInfo"
run kernel-select "${E[@]}" pin $V --next-boot
expect_rc 0 "pin --next-boot without LoaderInfo"
expect_match "$ERR" "warning: next-boot: EFI variable one-shot not usable \(no systemd-boot LoaderInfo\); proxmox-$V.conf is the default until the next boot" "fallback warning"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "no one-shot written"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-$V.conf" "ESP 1 default is V (file fallback)"
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-$V.conf" "ESP 2 default is V (file fallback)"
expect_eq "$(grubenv_list "$TMP/g1")" "next_entry=proxmox-$V" "grub ESP still uses next_entry"
mv "$TMP/LoaderInfo" "$EV/LoaderInfo-$GUID"
run espctl "${E[@]}" refresh
expect_rc 0 "refresh once LoaderInfo is back"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "proxmox-$V.conf" "the one-shot is armed"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-*" "loader.conf back to proxmox-*"

# fallback 2: a file where the efivars directory should be
touch "$TMP/notadir"
run kernel-select "${E[@]}" --efivars-dir "$TMP/notadir" pin $V --next-boot
expect_rc 0 "pin --next-boot without an efivars directory"
expect_match "$ERR" "next-boot: EFI variable one-shot not usable \(EFI variables not available\); proxmox-$V.conf is the default" "fallback warning"
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-$V.conf" "file fallback in loader.conf"
run espctl "${E[@]}" refresh
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-*" "back with the variables"

# fallback 3: the variable write is refused (EROFS at that write point): second pass
rm "$EV/LoaderEntryOneShot-$GUID"
snap "$TMP/g1" roG
run FAULT_AT=count espctl "${E[@]}" refresh
n=$(sed -n 's/^fault-points: //p' <<<"$ERR")
rm "$EV/LoaderEntryOneShot-$GUID"
t_check "only the variable write is left to do ($n points)" test "${n:-0}" -ge 1 -a "${n:-0}" -le 3
run FAULT_AT=1:EROFS espctl "${E[@]}" refresh
expect_rc 0 "refresh with the variable write refused"
expect_match "$ERR" "warning: next-boot: EFI variables not writable \(EROFS\); proxmox-$V.conf is the default until the next boot" "the spec's warning"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "no variable"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-$V.conf" "second pass: ESP 1 carries the fallback"
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-$V.conf" "second pass: ESP 2 carries the fallback"
expect_eq "$OUT" "$(printf '%s: up to date\n' 2F7A-2067 A0B1-C2D3 1111-AAAA
printf '%s ok: 0 files copied (0.0 kB), 0 versions removed, 3 entries\n' 2F7A-2067 A0B1-C2D3)" "first pass up to date, then the second pass rewrites loader.conf"
expect_unchanged "$TMP/g1" roG "the grub ESP is not part of the second pass"
t_check "ESPs identical" diff -r "$TMP/esp1" "$TMP/esp2"
run espctl "${E[@]}" refresh
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "proxmox-$V.conf" "writable again: armed"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-*" "and the fallback is gone"

# a pin on a version that needs no entry change elsewhere: no temp files left anywhere
t_check "no temp files" test -z "$(find "$R" "$TMP/esp1" "$TMP/esp2" "$TMP/g1" -name '*.tmp-espctl')"
t_done
