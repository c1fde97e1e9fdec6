# U3 uefi-fallback (spec images-e2e §8): boot counting with 2 tries. B (newer) never comes up (its initrd
# carries /etc/e2e/bad); after two failed attempts systemd-boot sorts it last and A boots, and the toolkit's
# boot-complete blesses A.

requires_toolkit espctl kernel-select
new_disks efi uefi
stage_kernels "$LABEL_A" --bad "$LABEL_B"
stage_toolkit_root tries=2
esp_init_step P 0
step P 'espctl $TK refresh'
step 3 'espctl $TK status' any
make_state

boot P
check_cmd "entry A counted +2" esp_exists "${ESP_IMGS[0]}" "$ESP_OFF" "/loader/entries/proxmox-$LABEL_A+2.conf"
check_cmd "entry B counted +2" esp_exists "${ESP_IMGS[0]}" "$ESP_OFF" "/loader/entries/proxmox-$LABEL_B+2.conf"

boot 1 label="$LABEL_B" status=bad-kernel
check_cmd "B renamed +1-1 by the loader" esp_exists "${ESP_IMGS[0]}" "$ESP_OFF" "/loader/entries/proxmox-$LABEL_B+1-1.conf"
boot 2 label="$LABEL_B" status=bad-kernel
check_cmd "B renamed +0-2 (no tries left)" esp_exists "${ESP_IMGS[0]}" "$ESP_OFF" "/loader/entries/proxmox-$LABEL_B+0-2.conf"
boot 3 label="$LABEL_A"
check_cmd "A blessed (no counter)" esp_exists "${ESP_IMGS[0]}" "$ESP_OFF" "/loader/entries/proxmox-$LABEL_A.conf"
check_match "status reports B as failed" "$LABEL_B.*bad|bad.*$LABEL_B" "$(printf '%s\n' "${OUT_LINES[@]}")"
check_fsck
