# G1 bios-pins (spec images-e2e §8): SeaBIOS + GRUB (boot code embedded by grub-bios-setup, grub.cfg and
# grubenv written by the toolkit in the guest). GRUB default, permanent pin (saved_entry), next_entry
# one-shot cleared by GRUB itself, unpin.

requires_toolkit espctl kernel-select
new_disks bios bios
stage_kernels "$LABEL_A" "$LABEL_B"
stage_toolkit_root
esp_init_step P 0 --no-boot-code
step P 'espctl $TK refresh'
step 1 "kernel-select \$TK pin $LABEL_A"
step 2 "kernel-select \$TK pin $LABEL_B --next-boot"
step 4 'kernel-select $TK unpin'
make_state

boot P
check_cmd "grub.cfg on the ESP" esp_exists "${ESP_IMGS[0]}" "$ESP_OFF" /grub/grub.cfg
check_eq "grubenv is 1024 bytes" 1024 "$(esp_get "${ESP_IMGS[0]}" "$ESP_OFF" /grub/grubenv | wc -c)"
differential_check 0

boot 1 label="$LABEL_B"
boot 2 label="$LABEL_A"
check_eq "next_entry names B" "next_entry=proxmox-$LABEL_B" "$(grubenv_var next_entry)"
boot 3 label="$LABEL_B"
check_eq "next_entry cleared by GRUB" "next_entry=" "$(grubenv_var next_entry)"
boot 4 label="$LABEL_A"
boot 5 label="$LABEL_B"
check_fsck
