#!/usr/bin/env bash
# kernel-select list, text and JSON, over a matrix of fake roots (spec §11 test 20).
source "${TESTLIB:?run through meson test}" || exit 1
EXP=$SRC_DIR/tests/integration/kernel-select/expected

# 1. Images only, running kernel, a manual kernel that is gone, a version without initrd.
R=$TMP/images
make_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve 6.5.11-8-pve:noinitrd 6.8.12-10-pve
set_running "$R" 6.8.12-2-pve
printf '# keep\n6.2.16-1-pve\n' >"$R/etc/kernel/proxmox-boot-manual-kernels"
mkdir -p "$R/lib/modules/6.8.0-1-pve" # modules-only
run kernel-select --root "$R" list
expect_rc 0 "images-only list"
expect_file "$OUT" "$EXP/images.txt" "images-only text"
expect_eq "$ERR" "kernel-select: warning: 6.2.16-1-pve selected (manual) but /boot/vmlinuz-6.2.16-1-pve is missing; not synced" "warning for the missing manual kernel"
run kernel-select --root "$R" list --json
expect_rc 0 "images-only json"
expect_file "$OUT" "$EXP/images.json" "images-only json"
t_check "json parses" python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["default"]=="6.8.12-10-pve"' "$OUT"

# 2. dpkg status with series packages: an image without package is not a candidate.
R=$TMP/dpkg
make_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve 6.11.0-1-pve
cat >"$R/var/lib/dpkg/status" <<'DPKG'
Package: proxmox-kernel-6.8.12-4-pve-signed
Status: install ok installed

Package: proxmox-kernel-6.8.12-2-pve-signed
Status: install ok installed

Package: proxmox-kernel-6.5.13-6-pve-signed
Status: install ok installed

Package: proxmox-kernel-6.8
Status: install ok installed

Package: proxmox-kernel-6.5
Status: install ok installed
DPKG
run kernel-select --root "$R" list --json
expect_rc 0 "dpkg list"
expect_file "$OUT" "$EXP/dpkg.json" "dpkg json"

# 3. Debian kernels, no -pve, pins: permanent pin and an active next-boot pin.
R=$TMP/debian
make_root "$R" 6.1.0-9-amd64 6.1.0-13-amd64 6.1.0-18-amd64 5.10.0-30-amd64
echo 6.1.0-9-amd64 >"$R/etc/kernel/proxmox-boot-pin"
printf '5.10.0-30-amd64\n# espctl boot_id=3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162\n' >"$R/etc/kernel/next-boot-pin"
run kernel-select --root "$R" list
expect_rc 0 "debian list"
expect_file "$OUT" "$EXP/debian.txt" "debian text with pins"
run kernel-select --root "$R" list --json
expect_match "$OUT" '"next_boot_state": "active"' "next-boot pin active in this boot"
expect_match "$OUT" '"default": "6.1.0-9-amd64"' "permanent pin is the default"
new_boot "$R"
run kernel-select --root "$R" list --json
expect_match "$OUT" '"next_boot_state": "spent"' "after a reboot the pin is spent"
printf '5.10.0-30-amd64\n' >"$R/etc/kernel/next-boot-pin"
run kernel-select --root "$R" list --json
expect_match "$OUT" '"next_boot_state": "legacy"' "a one-line pin is legacy"
expect_match "$OUT" '"default": "5.10.0-30-amd64"' "a legacy next-boot pin is the default"

# 4. Empty root: nothing installed.
R=$TMP/empty
make_root "$R"
run kernel-select --root "$R" list --json
expect_rc 0 "empty list"
expect_match "$OUT" '"default": null' "no default without kernels"

# 5. list writes nothing, not even the lock file.
snap "$TMP/images" images
run kernel-select --root "$TMP/images" list
expect_unchanged "$TMP/images" images "list leaves the root byte-identical"
t_done
