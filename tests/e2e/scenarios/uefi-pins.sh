# U1 uefi-pins (spec images-e2e §8): OVMF + systemd-boot on the uefi layout, the toolkit run in the guest.
# Newest by default (version order, not string order), permanent pin, next-boot pin that boots once and
# then reverts (LoaderEntryOneShot, consumed by the loader), unpin.

requires_toolkit espctl kernel-select
new_disks efi uefi
stage_kernels "$LABEL_A" "$LABEL_B"
stage_toolkit_root
esp_init_step P 0
step P 'espctl $TK refresh'
step 1 "kernel-select \$TK pin $LABEL_A"
step 2 "kernel-select \$TK pin $LABEL_B --next-boot"
step 4 'kernel-select $TK unpin'
make_state

boot P
check_provisioned_sdboot 0
differential_check 0

boot 1 label="$LABEL_B" partuuid="$PARTUUID_ESP_0"
boot 2 label="$LABEL_A"
check_eq "one-shot armed for B in the vars file" "proxmox-$LABEL_B.conf" "$(var_str LoaderEntryOneShot)"
boot 3 label="$LABEL_B"
check_eq "one-shot consumed by the loader" "<absent>" "$(var_str LoaderEntryOneShot)"
boot 4 label="$LABEL_A"
boot 5 label="$LABEL_B"
check_fsck
