# U2 uefi-two-esps (spec images-e2e §8): two disks, one ESP each, kept identical by refresh and pin in the
# guest; with the first ESP's boot area zeroed, OVMF falls through to the second disk, `espctl status`
# fails naming the broken ESP and `espctl refresh` still updates the good one.

requires_toolkit espctl kernel-select
new_disks efi uefi2
stage_kernels "$LABEL_A" "$LABEL_B"
stage_toolkit_root
esp_init_step P 0
esp_init_step P 1
step P 'espctl $TK refresh'
step 1 "kernel-select \$TK pin $LABEL_A"
step 2 'espctl $TK status' nz
step 2 'espctl $TK refresh' any
step_rc 2 0 any   # boot-complete with a registered ESP missing: reports it (exit 3), still blesses the rest
make_state

boot P
check_provisioned_sdboot 0
check_provisioned_sdboot 1
check_esps_identical "after provisioning"
differential_check 0

boot 1 label="$LABEL_B" partuuid="$PARTUUID_ESP_0"
check_esps_identical "after pin"
esp_file_eq "pin reached ESP 1" 1 /loader/loader.conf "$(esp_get "${ESP_IMGS[0]}" "$ESP_OFF" /loader/loader.conf | tr -d '\r')"

break_esp 0
boot 2 label="$LABEL_A" partuuid="$PARTUUID_ESP_1"
check_match "status names the broken ESP" "5E2E-00E0" "$(printf '%s\n' "${OUT_LINES[@]}")"
check_provisioned_sdboot 1
ESP_IMGS=("${ESP_IMGS[1]}")   # fsck only the ESP that is meant to be intact
check_fsck
