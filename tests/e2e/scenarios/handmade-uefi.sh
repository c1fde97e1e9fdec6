# handmade-uefi: proves the UEFI pipeline without the toolkit.
# The host writes systemd-boot, two BLS entries (A older, B newer) and loader.conf with "default" on A:
# OVMF + systemd-boot must start A. In that boot the guest itself mounts the ESP (real vfat, the Debian
# kernel's driver), points loader.conf at B, and writes LoaderEntryOneShot=A through efivarfs; the host
# sees the variable in the vars file, then presets it twice (B, then A: the set-twice path of ovmf-vars).
# Boot 2 must start A (one-shot, consumed by the loader), boot 3 B (the guest's loader.conf edit
# survived the power-off).

new_disks efi uefi
: >"$STAGE/e2e/no-boot-complete"
printf 'timeout 0\ndefault proxmox-%s.conf\n' "$LABEL_B" >"$STAGE/e2e/loader.conf.new"
# An efivarfs write: 4 attribute bytes (NV|BS|RT) and the UTF-16LE name with its NUL.
{ printf '\007\000\000\000'; printf 'proxmox-%s.conf' "$LABEL_A" | sed 's/./&\n/g' | tr -d '\n' |
	while IFS= read -r -n1 c; do printf '%s\000' "$c"; done; printf '\000\000'; } >"$STAGE/e2e/oneshot.bin"
step 1 'mkdir -p /mnt/esp && mount -t vfat /dev/vda1 /mnt/esp && cp /sysroot/e2e/loader.conf.new /mnt/esp/loader/loader.conf && umount /mnt/esp'
step 1 "cat /sysroot/e2e/oneshot.bin >/sys/firmware/efi/efivars/LoaderEntryOneShot-$LOADER_GUID"
make_state
handmade_sdboot 0 "$LABEL_A" "$LABEL_A" "$LABEL_B"

boot 1 label="$LABEL_A" entry="proxmox-$LABEL_A.conf" partuuid="$PARTUUID_ESP_0"
esp_file_eq "guest rewrote loader.conf on vfat" 0 /loader/loader.conf "$(cat "$STAGE/e2e/loader.conf.new")"
check_eq "guest's one-shot reached the vars file" "proxmox-$LABEL_A.conf" "$(var_str LoaderEntryOneShot)"

vars set LoaderEntryOneShot "$LOADER_GUID" 0x7 --str "proxmox-$LABEL_B.conf"
vars set LoaderEntryOneShot "$LOADER_GUID" 0x7 --str "proxmox-$LABEL_A.conf"
check_eq "one-shot preset (set twice)" "proxmox-$LABEL_A.conf" "$(var_str LoaderEntryOneShot)"
boot 2 label="$LABEL_A" entry="proxmox-$LABEL_A.conf"
check_eq "one-shot consumed by the loader" "<absent>" "$(var_str LoaderEntryOneShot)"
boot 3 label="$LABEL_B" entry="proxmox-$LABEL_B.conf"
check_cmd "vars file lists every record after real boots" vars list
check_eq "state disk boot counter" 3 "$(state_cat /e2e/boot)"
check_fsck
