# G1 bios-pins (spec images-e2e §8): SeaBIOS + GRUB (boot code embedded by grub-bios-setup, grub.cfg and
# grubenv written by the toolkit in the guest). GRUB default, permanent pin (saved_entry), next_entry
# one-shot cleared by GRUB itself, unpin. `espctl init DEVICE` and `reinit` run grub-install on the
# ESP's disk: a stand-in for it (the guest has no GRUB tools; the boot code comes from the image)
# records each call, and the boots after reinit prove the ESP it rewrote.

requires_toolkit espctl kernel-select
new_disks bios bios
stage_kernels "$LABEL_A" "$LABEL_B"
stage_toolkit_root
mkdir -p "$STAGE/usr/sbin"
printf '#!/bin/sh\necho "$*" >>"${0%%/*}/../../grub-install.log"\n' >"$STAGE/usr/sbin/grub-install"
chmod 755 "$STAGE/usr/sbin/grub-install"
esp_init_step P 0
step P 'espctl $TK refresh'
step 1 "kernel-select \$TK pin $LABEL_A"
step 2 "kernel-select \$TK pin $LABEL_B --next-boot"
step 4 'kernel-select $TK unpin'
step 4 'espctl $TK reinit'
make_state

boot P
check_cmd "grub.cfg on the ESP" esp_exists "${ESP_IMGS[0]}" "$ESP_OFF" /grub/grub.cfg
check_eq "grubenv is 1024 bytes" 1024 "$(esp_get "${ESP_IMGS[0]}" "$ESP_OFF" /grub/grubenv | wc -c)"
differential_check 0
GRUB_INSTALL_RE='^--target=i386-pc --directory=/sysroot/usr/lib/grub/i386-pc --no-floppy --boot-directory=/[^ ]+ --bootloader-id=proxmox /dev/vda$'
if [ "${E2E_ESP_ACCESS:-device}" = device ]; then
	check_match "init ran grub-install on the ESP's disk" "$GRUB_INSTALL_RE" "$(state_cat /grub-install.log)"
fi

boot 1 label="$LABEL_B"
boot 2 label="$LABEL_A"
check_eq "next_entry names B" "next_entry=proxmox-$LABEL_B" "$(grubenv_var next_entry)"
boot 3 label="$LABEL_B"
check_eq "next_entry cleared by GRUB" "next_entry=" "$(grubenv_var next_entry)"
boot 4 label="$LABEL_A"
if [ "${E2E_ESP_ACCESS:-device}" = device ]; then
	check_eq "reinit ran grub-install once more" 2 "$(state_cat /grub-install.log | grep -cE "$GRUB_INSTALL_RE")"
fi
boot 5 label="$LABEL_B"
check_fsck
