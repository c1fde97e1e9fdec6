#!/usr/bin/env bash
# espctl init + refresh on two systemd-boot ESP stand-ins: first sync, byte-identical ESPs,
# no-op refresh writes nothing, upgrade plan, removal, --installing, re-spun kernel,
# corruption repaired, entries' content (spec §11 tests 7-11, 16, 28).
source "$(dirname "$0")/common.sh"
EXP=$SRC_DIR/tests/integration/esp/expected
R=$TMP/root
esp_root "$R" uefi 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve 6.5.11-8-pve
mkdir -p "$TMP/esp1" "$TMP/esp2"
E=(--root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2")

# init each ESP: payload, loader.conf, registration, first refresh
run espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" init
expect_rc 0 "init ESP 1"
expect_eq "$OUT" "2F7A-2067 ok: 6 files copied (0.1 kB), 0 versions removed, 3 entries" "init refreshes ESP 1"
run espctl --root "$R" --esp-dir a0b1-c2d3="$TMP/esp2" init
expect_rc 0 "init ESP 2 (lower-case serial accepted)"
expect_eq "$(cat "$R/etc/kernel/proxmox-boot-uuids")" "$(printf '2F7A-2067\nA0B1-C2D3')" "both serials registered"
expect_file "$(esp_tree "$TMP/esp1")" "$EXP/first-sync.tree" "first sync tree"
expect_file "$(cat "$TMP/esp1/loader/entries/proxmox-6.8.12-4-pve.conf")" "$EXP/entry-6.8.12-4-pve.conf" "entry content"
expect_file "$(cat "$TMP/esp1/loader/loader.conf")" "$EXP/loader.conf" "loader.conf"
expect_file "$(cat "$TMP/esp1/espctl-manifest")" "$EXP/first-sync.manifest" "manifest"
t_check "both ESPs byte-identical" diff -r "$TMP/esp1" "$TMP/esp2"
expect_eq "$(cat "$TMP/esp1/EFI/proxmox/6.8.12-4-pve/vmlinuz-6.8.12-4-pve")" "kernel 6.8.12-4-pve" "kernel bytes copied"

# init again writes nothing
snap "$TMP/esp1" init1
run espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" init
expect_rc 0 "repeated init"
expect_unchanged "$TMP/esp1" init1 "repeated init writes nothing"

# no-op refresh: zero write points, nothing touched
snap "$TMP/esp1" noop1
snap "$TMP/esp2" noop2
snap "$R/run" noopr
run FAULT_AT=count espctl "${E[@]}" refresh
expect_rc 0 "no-op refresh"
expect_eq "$OUT" "$(printf '2F7A-2067: up to date\nA0B1-C2D3: up to date')" "no-op says up to date"
expect_match "$ERR" "fault-points: 0" "no-op refresh passes zero write points"
expect_unchanged "$TMP/esp1" noop1 "no-op leaves ESP 1 untouched (inodes, mtimes)"
expect_unchanged "$TMP/esp2" noop2 "no-op leaves ESP 2 untouched"
expect_unchanged "$R/run" noopr "no-op leaves the cache untouched"

# upgrade: a new kernel; the dry-run plan, then the real run
printf 'kernel 6.8.12-10-pve\n' >"$R/boot/vmlinuz-6.8.12-10-pve"
printf 'initrd 6.8.12-10-pve\n' >"$R/boot/initrd.img-6.8.12-10-pve"
snap "$TMP/esp1" up1
run espctl "${E[@]}" --dry-run refresh
expect_rc 0 "upgrade dry run"
expect_file "$OUT" "$EXP/upgrade.plan" "upgrade plan"
expect_unchanged "$TMP/esp1" up1 "dry run writes nothing"
run espctl "${E[@]}" refresh
expect_rc 0 "upgrade"
expect_eq "$OUT" "$(printf '2F7A-2067 ok: 2 files copied (0.0 kB), 1 version removed, 3 entries\nA0B1-C2D3 ok: 2 files copied (0.0 kB), 1 version removed, 3 entries')" "upgrade summary"
expect_file "$(esp_tree "$TMP/esp1")" "$EXP/upgrade.tree" "upgrade tree"
t_check "ESPs identical after the upgrade" diff -r "$TMP/esp1" "$TMP/esp2"

# --installing an older kernel keeps it; --removing drops one
run espctl "${E[@]}" refresh --installing 6.5.11-8-pve
expect_rc 0 "--installing"
t_check "installed older kernel synced" test -f "$TMP/esp1/loader/entries/proxmox-6.5.11-8-pve.conf"
run espctl "${E[@]}" refresh --removing 6.8.12-10-pve
expect_rc 0 "--removing"
t_check "removed kernel's entry gone" test ! -e "$TMP/esp1/loader/entries/proxmox-6.8.12-10-pve.conf"
t_check "removed kernel's directory gone" test ! -e "$TMP/esp1/EFI/proxmox/6.8.12-10-pve"
t_check "older kernel dropped again" test ! -e "$TMP/esp1/EFI/proxmox/6.5.11-8-pve"
run espctl "${E[@]}" refresh
expect_rc 0 "back to normal"

# re-spun kernel: same size, other bytes -> replaced, entry kept
printf 'kernel 6.8.12-4-pvX\n' >"$R/boot/vmlinuz-6.8.12-4-pve"
run espctl "${E[@]}" refresh
expect_rc 0 "re-spun"
expect_eq "$(cat "$TMP/esp2/EFI/proxmox/6.8.12-4-pve/vmlinuz-6.8.12-4-pve")" "kernel 6.8.12-4-pvX" "re-spun kernel replaced"
t_check "re-spun entry kept" test -f "$TMP/esp2/loader/entries/proxmox-6.8.12-4-pve.conf"

# corruption: a changed mtime is noticed; a restored mtime needs --verify
f=$TMP/esp1/EFI/proxmox/6.8.12-4-pve/initrd.img-6.8.12-4-pve
printf 'initrd 6.8.12-4-pvX\n' >"$f"
run espctl "${E[@]}" refresh
expect_eq "$(cat "$f")" "initrd 6.8.12-4-pve" "corrupted file with new mtime repaired"
touch -r "$f" "$TMP/stamp"
printf 'initrd 6.8.12-4-pvY\n' >"$f"
touch -r "$TMP/stamp" "$f"
run espctl "${E[@]}" status --verify
expect_rc 2 "status --verify finds the corruption"
run espctl "${E[@]}" refresh
expect_eq "$(cat "$f")" "initrd 6.8.12-4-pvY" "same mtime and size: the cache trusts it"
run espctl "${E[@]}" refresh --verify
expect_eq "$(cat "$f")" "initrd 6.8.12-4-pve" "refresh --verify repairs it"
run espctl "${E[@]}" status --verify
expect_rc 0 "status --verify consistent again"
t_check "no temp files" test -z "$(find "$TMP/esp1" "$TMP/esp2" -name '*.tmp-espctl')"

# a pin from kernel-select reaches loader.conf on both ESPs through the lock hand-over
run kernel-select "${E[@]}" pin 6.5.13-6-pve
expect_rc 0 "kernel-select pin runs espctl refresh"
expect_match "$(cat "$TMP/esp2/loader/loader.conf")" "default proxmox-6.5.13-6-pve.conf" "pin sets the default"
run kernel-select "${E[@]}" unpin
expect_match "$(cat "$TMP/esp1/loader/loader.conf")" "default proxmox-\*" "unpin restores proxmox-*"
t_done
