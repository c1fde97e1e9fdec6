#!/usr/bin/env bash
# verify-esp.py must be able to fail: on ESPs made by espctl (one systemd-boot, one grub) it
# accepts the real state, then rejects each kind of damage the invariants exist for (spec §7.4).
source "$SRC_DIR/tests/integration/pins/common.sh" || exit 1
V=(python3 "$SRC_DIR/tests/fault/verify-esp.py")
R=$TMP/root
pins_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve
mkdir -p "$TMP/esp1" "$TMP/g1"
run espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" init
expect_rc 0 "init systemd-boot ESP"
run espctl --root "$R" --esp-dir 1111-AAAA="$TMP/g1" init grub
expect_rc 0 "init grub ESP"
E=(--root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir 1111-AAAA="$TMP/g1")
run kernel-select "${E[@]}" pin 6.8.12-2-pve --next-boot
expect_rc 0 "pin --next-boot (one-shot and next_entry)"
cp -a "$TMP/esp1" "$TMP/esp1.good"; cp -a "$TMP/g1" "$TMP/g1.good"; cp -a "$EV" "$TMP/ev.good"

out=$("${V[@]}" --efivars "$EV" --record "$TMP/before.json" "$TMP/esp1" "$TMP/g1"); rc=$?
expect_eq "$rc" 0 "the real state passes"
expect_eq "$out" "verify-esp: 2 ESPs ok (esp1 3 entries, g1 3 entries)" "entries counted on both ESPs"

# damage DESCRIPTION EXPECTED-REGEX COMMAND...: the command damages a fresh copy; the verifier must
# exit 1 naming the broken invariant.
damage() {
        local what=$1 want=$2; shift 2
        rm -rf "$TMP/esp1" "$TMP/g1" "$EV"
        cp -a "$TMP/esp1.good" "$TMP/esp1"; cp -a "$TMP/g1.good" "$TMP/g1"; cp -a "$TMP/ev.good" "$EV"
        "$@"
        local o r=0
        o=$("${V[@]}" --efivars "$EV" --before "$TMP/before.json" "$TMP/esp1" "$TMP/g1") || r=$?
        expect_eq "$r" 1 "$what: rejected"
        expect_match "$o" "$want" "$what: names the invariant"
}
K=EFI/proxmox/6.8.12-4-pve/vmlinuz-6.8.12-4-pve
damage "truncated kernel behind an entry" "esp1: I1: .*vmlinuz-6.8.12-4-pve: size 0" truncate -s 0 "$TMP/esp1/$K"
damage "same-size corrupt initrd" "esp1: I1: .*initrd.img-6.8.12-2-pve: size 20 crc" \
        sh -c "printf 'initrd 6.8.12-2-pvX\n' >'$TMP/esp1/EFI/proxmox/6.8.12-2-pve/initrd.img-6.8.12-2-pve'"
damage "kernel missing" "esp1: I1: .*which does not exist" rm "$TMP/esp1/$K"
damage "entry without manifest record" "I1: .*no file/pending record" sed -i "\\|$K|d" "$TMP/esp1/espctl-manifest"
damage "entry with an unterminated quote" "I1: .*unterminated quote" \
        sh -c "printf 'title \"x\n' >>'$TMP/esp1/loader/entries/proxmox-6.5.13-6-pve.conf'"
damage "loader.conf default names nothing" "esp1: I3: loader.conf default" \
        sed -i 's/^default .*/default proxmox-9*/' "$TMP/esp1/loader/loader.conf"
damage "all entries gone (I4)" "esp1: I4: had 3 valid entries" sh -c "rm '$TMP'/esp1/loader/entries/*"
damage "grub menuentry kernel corrupt" "g1: I1: grub.cfg menuentry proxmox-6.8.12-4-pve" \
        sh -c "printf 'kernel 6.8.12-4-pvX\n' >'$TMP/g1/vmlinuz-6.8.12-4-pve'"
damage "grub.cfg default names nothing" "g1: I3: grub.cfg set default" \
        sed -i 's/^set default=.*/set default="proxmox-1.0"/' "$TMP/g1/grub/grub.cfg"
damage "grub.cfg unbalanced" "g1: I2: grub/grub.cfg" sed -i '$d' "$TMP/g1/grub/grub.cfg"
damage "grubenv next_entry names nothing" "g1: I3: grubenv next_entry=proxmox-9" \
        sed -i 's/^next_entry=.*/next_entry=proxmox-9/' "$TMP/g1/grub/grubenv"
damage "grubenv changes size" "g1: I2: grubenv was 1024 bytes, now 1023" truncate -s 1023 "$TMP/g1/grub/grubenv"
damage "grubenv without signature" "g1: I2: grub/grubenv: no signature" \
        sh -c "printf 'garbage' | dd of='$TMP/g1/grub/grubenv' conv=notrunc status=none"
damage "one-shot names a missing entry" "esp1: I3: LoaderEntryOneShot=proxmox-7.0.conf" \
        efi_set "$EV" LoaderEntryOneShot proxmox-7.0.conf '\x07'
damage "malformed manifest" "esp1: I1: espctl-manifest:4" sed -i '4s/.*/file x/' "$TMP/esp1/espctl-manifest"
t_done
