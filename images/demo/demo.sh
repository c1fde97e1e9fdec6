# The scenario behind images/demo-boot.sh: one UEFI disk, two kernel labels, a next-boot pin
# made in the provisioning boot, then two firmware boots. DEMO_FW=bios uses the bios layout (GRUB).
A=6.1.0-9-demo
B=6.1.0-10-demo
requires_toolkit espctl kernel-select
if [ "${DEMO_FW:-efi}" = bios ]; then
	new_disks bios bios
	esp_init_step P 0 --no-boot-code
else
	new_disks efi uefi
	esp_init_step P 0
fi
stage_kernels "$A" "$B"
stage_toolkit_root
step P 'espctl $TK refresh'
step P "kernel-select \$TK pin $A --next-boot"
step P 'espctl $TK status'
make_state
boot P
boot 1 label="$A"
boot 2 label="$B"
check_fsck
