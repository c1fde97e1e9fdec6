#!/usr/bin/env bash
# kernel-select pin / unpin with EFI variables (spec §11 test 22, §5.4, §9 row 25): the pin file,
# loader.conf default on the systemd-boot ESPs, grubenv saved_entry on a grub ESP, a foreign
# LoaderEntryDefault warned by refresh and deleted and named by pin, --efi-default setting it to
# Q(V) (read back by efivar and by boot-detect), a refused variable write falling back to
# loader.conf with a warning, unpin restoring proxmox-*.
source "$(dirname "$0")/common.sh"
R=$TMP/root
pins_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve
mkdir -p "$TMP/esp1" "$TMP/esp2" "$TMP/g1"
run espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" init
expect_rc 0 "init systemd-boot ESP 1"
run espctl --root "$R" --esp-dir A0B1-C2D3="$TMP/esp2" init
expect_rc 0 "init systemd-boot ESP 2"
run espctl --root "$R" --esp-dir 1111-AAAA="$TMP/g1" init grub
expect_rc 0 "init grub ESP (uefi)"
E=(--root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2" --esp-dir 1111-AAAA="$TMP/g1")
V=6.8.12-2-pve

# a foreign LoaderEntryDefault: refresh warns, changes nothing
efi_set "$EV" LoaderEntryDefault "auto-windows" '\x07'
snap "$R" foreign
run espctl "${E[@]}" refresh
expect_rc 0 "refresh with a foreign LoaderEntryDefault"
expect_match "$ERR" "warning: LoaderEntryDefault=auto-windows overrides the loader.conf default" "refresh warns about it"
expect_eq "$(efi_get "$EV" LoaderEntryDefault)" "auto-windows" "refresh leaves it alone"

# dry run of pin: names the variable, writes nothing
run kernel-select "${E[@]}" --dry-run pin $V
expect_rc 0 "pin --dry-run"
expect_match "$OUT" "would delete LoaderEntryDefault=auto-windows" "dry run names the variable it would delete"
expect_unchanged "$R" foreign "pin --dry-run leaves the root and efivars byte-identical"

# pin V
run kernel-select "${E[@]}" pin $V
expect_rc 0 "pin $V"
expect_eq "$(od -An -c "$R/etc/kernel/proxmox-boot-pin" | tr -s ' ')" " 6 . 8 . 1 2 - 2 - p v e \n" "pin file is V and a newline"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-$V.conf" "ESP 1 loader.conf default names the pin"
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-$V.conf" "ESP 2 loader.conf default names the pin"
expect_eq "$(grubenv_list "$TMP/g1")" "saved_entry=proxmox-$V" "grubenv saved_entry on the grub ESP"
expect_match "$(grep 'set default' "$TMP/g1/grub/grub.cfg")" "set default=\"proxmox-$V\"" "grub.cfg default names the pin"
expect_eq "$(efi_get "$EV" LoaderEntryDefault)" "<absent>" "foreign LoaderEntryDefault deleted"
expect_match "$ERR" "deleted LoaderEntryDefault=auto-windows \(it would override the pin\)" "and named"
if command -v grub-editenv >/dev/null; then
        expect_eq "$(grub-editenv "$TMP/g1/grub/grubenv" list)" "saved_entry=proxmox-$V" "grub-editenv reads saved_entry"
fi

# --efi-default sets LoaderEntryDefault = Q(V)
run kernel-select "${E[@]}" pin $V --efi-default
expect_rc 0 "pin --efi-default"
expect_eq "$(efi_get "$EV" LoaderEntryDefault)" "proxmox-$V.conf" "LoaderEntryDefault = proxmox-V.conf"
expect_eq "$(efi_attr "$EV" LoaderEntryDefault)" "07000000" "written with attributes 0x7"
expect_match "$ERR" "LoaderEntryDefault set to proxmox-$V.conf" "the change is reported"
expect_var_oracle "$EV" LoaderEntryDefault "proxmox-$V.conf"
run boot-detect --root "$R" entry-default
expect_eq "$OUT" "proxmox-$V.conf" "our reader (boot-detect) agrees"
# ours for the pinned version: no warning, and a refresh is a no-op
snap "$R" efidef
snap "$TMP/esp1" efidef1
run FAULT_AT=count espctl "${E[@]}" refresh
expect_rc 0 "refresh after --efi-default"
expect_match "$ERR" "fault-points: 0" "zero write points"
t_check "no LoaderEntryDefault warning for our pin" bash -c "! grep -q LoaderEntryDefault <<<\"\$1\"" _ "$ERR"
expect_unchanged "$R" efidef "root and efivars untouched"
expect_unchanged "$TMP/esp1" efidef1 "ESP untouched"

# pin another version without --efi-default: our old LoaderEntryDefault goes, named
run kernel-select "${E[@]}" pin 6.5.13-6-pve
expect_rc 0 "pin another version"
expect_match "$ERR" "6.5.13-6-pve pinned \(replacing $V\)" "the replaced pin is named"
expect_match "$ERR" "deleted LoaderEntryDefault=proxmox-$V.conf \(it would override the pin\)" "LoaderEntryDefault deleted and named"
expect_eq "$(efi_get "$EV" LoaderEntryDefault)" "<absent>" "LoaderEntryDefault gone"
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-6.5.13-6-pve.conf" "loader.conf follows"

# --efi-default where the variable write is refused: warning, loader.conf carries the pin, exit 0
run FAULT_AT=count kernel-select "${E[@]}" pin 6.5.13-6-pve --efi-default
n=$(sed -n 's/^fault-points: //p' <<<"$ERR" | tail -1)
rm -f "$EV/LoaderEntryDefault-$GUID"
t_check "the variable write is a fault point of kernel-select ($n)" test "${n:-0}" -ge 1
run FAULT_AT=1:EROFS kernel-select "${E[@]}" pin 6.5.13-6-pve --efi-default
expect_rc 0 "pin --efi-default with EFI variables refused"
expect_match "$ERR" "warning: --efi-default: EFI variables not writable \(EROFS\); the loader.conf default proxmox-6.5.13-6-pve.conf carries the pin" "the fallback is named"
expect_eq "$(efi_get "$EV" LoaderEntryDefault)" "<absent>" "no variable written"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-6.5.13-6-pve.conf" "loader.conf still names the pin"
# --efi-default without EFI variables (a file in place of the directory)
touch "$TMP/notadir"
run kernel-select "${E[@]}" --efivars-dir "$TMP/notadir" pin 6.5.13-6-pve --efi-default
expect_rc 0 "pin --efi-default without efivars"
expect_match "$ERR" "EFI variables not available; the loader.conf default proxmox-6.5.13-6-pve.conf carries the pin" "said so"

# unpin: pin file gone, proxmox-* back everywhere, LoaderEntryDefault deleted and named
efi_set "$EV" LoaderEntryDefault "proxmox-6.5.13-6-pve.conf" '\x07'
run kernel-select "${E[@]}" unpin
expect_rc 0 "unpin"
t_check "pin file deleted" test ! -e "$R/etc/kernel/proxmox-boot-pin"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-*" "ESP 1 default back to proxmox-*"
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-*" "ESP 2 default back to proxmox-*"
expect_eq "$(grubenv_list "$TMP/g1")" "" "saved_entry unset on the grub ESP"
expect_match "$(grep 'set default' "$TMP/g1/grub/grub.cfg")" 'set default="proxmox-6.8.12-4-pve"' "grub.cfg default is the newest"
expect_eq "$(efi_get "$EV" LoaderEntryDefault)" "<absent>" "unpin deletes LoaderEntryDefault"
expect_match "$ERR" "deleted LoaderEntryDefault=proxmox-6.5.13-6-pve.conf" "and names it"
t_check "ESPs identical" diff -r "$TMP/esp1" "$TMP/esp2"
t_check "no temp files" test -z "$(find "$R" "$TMP/esp1" "$TMP/esp2" "$TMP/g1" -name '*.tmp-espctl')"
t_done
