#!/usr/bin/env bash
# grub mode (BIOS): init gives grub.cfg and a 1024-byte grubenv; pins set saved_entry; a corrupt
# or full grubenv refuses that ESP; a grub ESP and a systemd-boot ESP in one run each keep their
# layout, in both orders (spec §11 tests 18, 22, 28; §9 rows 17-18).
source "$(dirname "$0")/common.sh"
EXP=$SRC_DIR/tests/integration/esp/expected
R=$TMP/root
esp_root "$R" bios 6.8.12-4-pve 6.8.12-2-pve
mkdir -p "$TMP/g1"
run espctl --root "$R" --esp-dir 1111-AAAA="$TMP/g1" init
expect_rc 0 "init on bios gives grub"
expect_file "$(esp_tree "$TMP/g1")" "$EXP/grub.tree" "grub tree"
expect_file "$(cat "$TMP/g1/grub/grub.cfg")" "$EXP/grub.cfg" "grub.cfg"
expect_eq "$(stat -c %s "$TMP/g1/grub/grubenv")" 1024 "grubenv is 1024 bytes"
if command -v grub-editenv >/dev/null; then
        expect_eq "$(grub-editenv "$TMP/g1/grub/grubenv" list)" "" "grub-editenv reads an empty block"
fi
run espctl --root "$R" --esp-dir 1111-AAAA="$TMP/g1" init --mode systemd-boot
expect_rc 2 "systemd-boot on bios refused"
expect_match "$ERR" "systemd-boot needs UEFI" "the reason is named"

# pin: saved_entry; next-boot: next_entry; unpin: both gone
E=(--root "$R" --esp-dir 1111-AAAA="$TMP/g1")
run kernel-select "${E[@]}" pin 6.8.12-2-pve
expect_rc 0 "pin on grub"
expect_match "$(grep 'set default' "$TMP/g1/grub/grub.cfg")" 'set default="proxmox-6.8.12-2-pve"' "grub.cfg default is the pin"
if command -v grub-editenv >/dev/null; then
        expect_eq "$(grub-editenv "$TMP/g1/grub/grubenv" list)" "saved_entry=proxmox-6.8.12-2-pve" "saved_entry set (read by grub-editenv)"
        run kernel-select "${E[@]}" pin 6.8.12-4-pve --next-boot
        expect_eq "$(grub-editenv "$TMP/g1/grub/grubenv" list | sort)" "$(printf 'next_entry=proxmox-6.8.12-4-pve\nsaved_entry=proxmox-6.8.12-2-pve')" "next_entry set for the next boot"
        new_boot "$R"
        run espctl "${E[@]}" refresh
        expect_eq "$(grub-editenv "$TMP/g1/grub/grubenv" list)" "saved_entry=proxmox-6.8.12-2-pve" "a spent pin is not armed again"
        run kernel-select "${E[@]}" unpin
        expect_eq "$(grub-editenv "$TMP/g1/grub/grubenv" list)" "" "unpin clears saved_entry"
fi
expect_eq "$(stat -c %s "$TMP/g1/grub/grubenv")" 1024 "grubenv keeps its size"

# corrupt grubenv: exit 2 for that ESP, file untouched; --force recreates it
printf 'garbage' | dd of="$TMP/g1/grub/grubenv" bs=1 seek=0 conv=notrunc status=none
run kernel-select "${E[@]}" pin 6.8.12-2-pve --no-refresh
snap "$TMP/g1" corrupt
run espctl "${E[@]}" refresh
expect_rc 2 "grubenv without signature"
expect_match "$ERR" "ESP 1111-AAAA: grub/grubenv: expected a GRUB environment block" "corrupt grubenv message"
expect_unchanged "$TMP/g1" corrupt "corrupt grubenv: ESP untouched"
run espctl "${E[@]}" --force refresh
expect_rc 0 "--force recreates grubenv"
expect_eq "$(head -c 24 "$TMP/g1/grub/grubenv")" "# GRUB Environment Block" "signature back"

# full grubenv: exit 2, untouched
{ printf '# GRUB Environment Block\nfiller='; head -c 991 /dev/zero | tr '\0' x; printf '\n'; } | head -c 1024 >"$TMP/g1/grub/grubenv"
snap "$TMP/g1" full
run espctl "${E[@]}" refresh
expect_rc 2 "full grubenv"
expect_match "$ERR" "variables do not fit in 1024 bytes" "full grubenv message"
expect_unchanged "$TMP/g1" full "full grubenv: ESP untouched"
rm -f "$R/etc/kernel/proxmox-boot-pin"
run espctl "${E[@]}" --force refresh

# mixed modes in one run, both orders: each ESP keeps its own layout
R2=$TMP/mixed
esp_root "$R2" uefi 6.8.12-4-pve
mkdir -p "$TMP/sd" "$TMP/gr"
run espctl --root "$R2" --esp-dir 2222-BBBB="$TMP/gr" init grub
expect_rc 0 "init grub on uefi"
run espctl --root "$R2" --esp-dir 3333-CCCC="$TMP/sd" init
expect_rc 0 "init systemd-boot"
printf 'kernel 6.9.1-1-pve\n' >"$R2/boot/vmlinuz-6.9.1-1-pve"
printf 'initrd 6.9.1-1-pve\n' >"$R2/boot/initrd.img-6.9.1-1-pve"
for order in "2222-BBBB 3333-CCCC" "3333-CCCC 2222-BBBB"; do
        printf '%s\n' $order >"$R2/etc/kernel/proxmox-boot-uuids"
        run espctl --root "$R2" --esp-dir 2222-BBBB="$TMP/gr" --esp-dir 3333-CCCC="$TMP/sd" --force refresh
        expect_rc 0 "mixed refresh ($order)"
        t_check "grub ESP has flat kernels ($order)" test -f "$TMP/gr/vmlinuz-6.9.1-1-pve"
        t_check "grub ESP has no BLS entries ($order)" test ! -e "$TMP/gr/loader/entries"
        t_check "systemd-boot ESP has its entry ($order)" test -f "$TMP/sd/loader/entries/proxmox-6.9.1-1-pve.conf"
        t_check "systemd-boot ESP has no flat kernels ($order)" test ! -e "$TMP/sd/vmlinuz-6.9.1-1-pve"
done
t_done
