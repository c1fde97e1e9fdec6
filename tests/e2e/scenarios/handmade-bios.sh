# handmade-bios: proves the BIOS pipeline without the toolkit.
# SeaBIOS starts GRUB's boot code (embedded by grub-bios-setup into the BIOS boot partition); GRUB reads
# grub/grub.cfg from the ESP (default A, the older kernel) and must start A. In that boot the guest
# mounts the ESP (real vfat) and writes a grubenv with next_entry=B; GRUB must start B once and clear
# next_entry itself (save_env in place on the FAT).

new_disks bios bios
: >"$STAGE/e2e/no-boot-complete"
grub-editenv "$STAGE/e2e/grubenv.new" create
grub-editenv "$STAGE/e2e/grubenv.new" set "next_entry=proxmox-$LABEL_B"
step 1 'mkdir -p /mnt/esp && mount -t vfat /dev/vda2 /mnt/esp && cp /sysroot/e2e/grubenv.new /mnt/esp/grub/grubenv && umount /mnt/esp'
make_state
handmade_grub "$LABEL_A" "$LABEL_B" "$LABEL_A"

boot 1 label="$LABEL_A"
check_eq "guest wrote next_entry on vfat" "next_entry=proxmox-$LABEL_B" "$(grubenv_var next_entry)"
boot 2 label="$LABEL_B"
check_eq "next_entry cleared by GRUB" "next_entry=" "$(grubenv_var next_entry)"
check_eq "grubenv size kept" 1024 "$(stat -c %s "$W/grubenv.now")"
check_eq "state disk boot counter" 2 "$(state_cat /e2e/boot)"
check_fsck
