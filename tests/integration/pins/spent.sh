#!/usr/bin/env bash
# Spent and legacy next-boot pins (spec §11 test 24, §6 boot-complete, §8): after a reboot (new
# boot id) the pin is spent: neither armed nor applied, its version stays selected until
# boot-complete deletes the pin file and our leftovers (LoaderEntryOneShot of ours, grubenv
# next_entry, a file fallback in loader.conf). A legacy one-line pin (p-b-t) is the default until
# boot-complete, whatever the boot id. Step 0: our variables naming a version that leaves the
# selection are deleted before any ESP.
source "$(dirname "$0")/common.sh"
R=$TMP/root
# 6.5.11-8-pve is selected by nothing but the pin
pins_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve 6.5.11-8-pve
three_esps
V=6.5.11-8-pve
PIN=$R/etc/kernel/next-boot-pin

# an active pin on V: its entry appears, the one-shot is armed, next_entry set
run kernel-select "${E[@]}" pin $V --next-boot
expect_rc 0 "pin --next-boot"
t_check "V synced for the pin" test -f "$TMP/esp1/loader/entries/proxmox-$V.conf"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "proxmox-$V.conf" "one-shot armed"
expect_eq "$(grubenv_list "$TMP/g1")" "next_entry=proxmox-$V" "next_entry set"

# reboot: the loader consumed the one-shot; the pin is spent
new_boot "$R"
rm "$EV/LoaderEntryOneShot-$GUID"
run kernel-select "${E[@]}" list --json
expect_match "$OUT" '"next_boot_state": "spent"' "the pin is spent after a reboot"
run espctl "${E[@]}" refresh
expect_rc 0 "refresh with a spent pin"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "a spent pin is not armed again"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-*" "nor applied through loader.conf"
expect_eq "$(grubenv_list "$TMP/g1")" "" "next_entry cleared (GRUB would have done it)"
t_check "V stays selected while the pin file exists" test -f "$TMP/esp2/loader/entries/proxmox-$V.conf"
t_check "no warning about a fallback" bash -c "! grep -q next-boot <<<\"\$1\"" _ "$ERR"

# leftovers of ours (the firmware booted another way and left the one-shot and next_entry):
# boot-complete
efi_set "$EV" LoaderEntryOneShot "proxmox-$V.conf" '\x07'
if command -v grub-editenv >/dev/null; then
        grub-editenv "$TMP/g1/grub/grubenv" set "next_entry=proxmox-$V"
        expect_eq "$(grubenv_list "$TMP/g1")" "next_entry=proxmox-$V" "(a next_entry left over)"
fi
snap "$R" dry
snap "$TMP/g1" dryg
run espctl "${E[@]}" --dry-run boot-complete
expect_unchanged "$R" dry "boot-complete --dry-run leaves the root and efivars byte-identical"
expect_unchanged "$TMP/g1" dryg "and the grub ESP"
expect_rc 0 "boot-complete --dry-run"
expect_match "$OUT" "efi: delete LoaderEntryOneShot proxmox-$V.conf" "dry run names the variable"
expect_match "$OUT" "would delete $PIN" "dry run names the pin file"
t_check "dry run keeps the pin" test -e "$PIN"
run espctl "${E[@]}" boot-complete
expect_rc 0 "boot-complete"
t_check "pin file deleted" test ! -e "$PIN"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "our LoaderEntryOneShot deleted"
expect_match "$ERR" "deleted LoaderEntryOneShot=proxmox-$V.conf" "and named"
t_check "V left the selection: its entry is gone" test ! -e "$TMP/esp1/loader/entries/proxmox-$V.conf"
t_check "and its files" test ! -e "$TMP/esp2/EFI/proxmox/$V"
t_check "and from the grub ESP" test ! -e "$TMP/g1/vmlinuz-$V"
expect_eq "$(grubenv_list "$TMP/g1")" "" "boot-complete cleared our next_entry"
expect_eq "$(stat -c %s "$TMP/g1/grub/grubenv")" 1024 "grubenv keeps its size"
snap "$TMP/esp1" bc
run FAULT_AT=count espctl "${E[@]}" boot-complete
expect_rc 0 "boot-complete on an ordinary boot"
expect_match "$ERR" "fault-points: 0" "is a no-op"
expect_unchanged "$TMP/esp1" bc "nothing touched"

# a foreign one-shot survives boot-complete
efi_set "$EV" LoaderEntryOneShot "auto-windows" '\x07'
printf '%s\n# espctl boot_id=3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162\n' $V >"$PIN" # the old boot: spent
run espctl "${E[@]}" boot-complete
expect_rc 0 "boot-complete with a foreign one-shot"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "auto-windows" "a foreign LoaderEntryOneShot stays"
t_check "spent pin deleted" test ! -e "$PIN"
rm "$EV/LoaderEntryOneShot-$GUID"

# step 0: our LoaderEntryOneShot / LoaderEntryDefault naming a version that leaves the selection
efi_set "$EV" LoaderEntryOneShot "proxmox-6.5.11-8-pve.conf" '\x07'
efi_set "$EV" LoaderEntryDefault "proxmox-6.5.11-8-pve+*" '\x07'
run espctl "${E[@]}" refresh
expect_rc 0 "refresh with our variables naming an unselected version"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "step 0 deletes our LoaderEntryOneShot"
expect_eq "$(efi_get "$EV" LoaderEntryDefault)" "<absent>" "and our LoaderEntryDefault (pattern form)"
expect_match "$ERR" "deleted LoaderEntryDefault=proxmox-6.5.11-8-pve\+\* \(its version leaves the selection\)" "named"

# a spent pin in the file-fallback case: the next refresh drops the fallback
mv "$EV/LoaderInfo-$GUID" "$TMP/LoaderInfo"
run kernel-select --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2" --esp-dir 1111-AAAA="$TMP/g1" pin 6.8.12-2-pve --next-boot
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-6.8.12-2-pve.conf" "fallback in loader.conf during this boot"
printf '0badc0de-0000-4000-8000-000000000002\n' >"$R/proc/sys/kernel/random/boot_id"
run espctl "${E[@]}" refresh
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-*" "after the reboot the first refresh drops the fallback"
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-*" "on every systemd-boot ESP"
run espctl "${E[@]}" boot-complete
t_check "boot-complete deletes the spent pin" test ! -e "$PIN"
mv "$TMP/LoaderInfo" "$EV/LoaderInfo-$GUID"

# legacy one-line pin (as p-b-t writes it): the default until boot-complete, never armed
printf '%s\n' $V >"$PIN"
run espctl "${E[@]}" refresh
expect_rc 0 "refresh with a legacy pin"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-$V.conf" "legacy pin is the loader.conf default"
expect_eq "$(grubenv_list "$TMP/g1")" "saved_entry=proxmox-$V" "and grubenv saved_entry"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "never armed"
new_boot "$R"
run espctl "${E[@]}" refresh
expect_eq "$(loader_default "$TMP/esp2")" "proxmox-$V.conf" "still the default after a reboot"
run espctl "${E[@]}" boot-complete
expect_rc 0 "boot-complete with a legacy pin"
t_check "legacy pin deleted" test ! -e "$PIN"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-*" "default back to proxmox-*"
expect_eq "$(grubenv_list "$TMP/g1")" "" "saved_entry unset"
t_check "V's entry gone" test ! -e "$TMP/esp1/loader/entries/proxmox-$V.conf"
t_check "ESPs identical" diff -r "$TMP/esp1" "$TMP/esp2"
t_done
