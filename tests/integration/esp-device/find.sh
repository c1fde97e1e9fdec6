#!/usr/bin/env bash
# Finding ESPs on real block devices: esp_device_probe on a loop partition agrees with blkid,
# a serial carried by two partitions is found twice (init refuses it), and espctl list shows
# the ESPs with their registration.
source "$(dirname "$0")/common.sh"
need_loop_devices
command -v mkfs.vfat >/dev/null || skip "needs mkfs.vfat"

gpt_image "$TMP/a.img" 700M "start=2048, size=614400, type=$ESP_GUID" \
        "start=616448, size=409600, type=$LINUX_GUID"
# A serial of this run only: another run of this test (another build directory) may have its
# own clones attached at the same time.
hex=$(printf '%04X%04X' $((RANDOM % 0xfff0 + 1)) $((RANDOM % 0xfff0 + 1)))
S=${hex:0:4}-${hex:4:4}
mkfs.vfat -F 32 -i "$hex" --offset 2048 "$TMP/a.img" 307200 >/dev/null
cp --sparse=always "$TMP/a.img" "$TMP/b.img" # a cloned disk: same serial
attach A "$TMP/a.img"
[ -b "${A}p1" ] || skip "the kernel did not create partition devices for $A"

run_tool probe "${A}p1"
expect_rc 0 "probe"
expect_match "$OUT" "^DEVPATH=${A}p1$" "probe: path"
for key in PART_ENTRY_SCHEME:SCHEME PART_ENTRY_TYPE:PART_TYPE PART_ENTRY_UUID:PART_UUID TYPE:TYPE UUID:UUID; do
        b=${key%%:*} o=${key##*:}
        expect_match "$OUT" "^$o=$(blkid -p -s "$b" -o value "${A}p1")\$" "probe: $o equals blkid's $b"
done
expect_match "$OUT" "^PARTNO=1$" "probe: partition number"
expect_match "$OUT" "^DISK=$A$" "probe: parent disk"
expect_match "$OUT" "^SIZE=314572800$" "probe: size"

run_tool find "${S,,}"
expect_rc 0 "find one"
expect_eq "$OUT" "${A}p1" "find: the one device"

run_tool check --init "${A}p1"
expect_rc 0 "init check on a unique serial"

# Before a mount: the registered serial must be the device's vfat serial.
run_tool verify $S "${A}p1"
expect_rc 0 "verify: serial matches"
expect_eq "$ERR" "" "verify: ESP type, no warning"
run_tool verify 0000-0001 "${A}p1"
expect_rc 2 "verify: other serial"
expect_eq "$OUT" "refused: ${A}p1: expected a vfat filesystem with serial 0000-0001, got vfat with serial $S" "verify: message"
run_tool verify $S "${A}p2"
expect_rc 2 "verify: no filesystem"
expect_eq "$OUT" "refused: ${A}p2: expected a vfat filesystem with serial $S, got no filesystem" "verify: empty partition"

mkdir -p "$TMP/root/etc/kernel"
printf '# ESPs\n%s\nDEAD-BEEF\n' "$S" >"$TMP/root/etc/kernel/proxmox-boot-uuids"
snap "$TMP/root" root
run_espctl --root "$TMP/root" list
expect_rc 0 "list"
expect_match "$OUT" '^DEVICE +SERIAL +SIZE +FSTYPE +MOUNTED +REGISTERED$' "list: header"
expect_match "$OUT" "^${A}p1 +$S +300M +vfat +- +yes$" "list: the ESP, registered"
expect_match "$OUT" "^- +DEAD-BEEF +- +- +- +yes$" "list: registered serial without device"
t_check "list: no Linux partition" bash -c "! grep -q '${A}p2' <<<\"\$1\"" _ "$OUT"
run_espctl --root "$TMP/root" list --json
expect_rc 0 "list --json"
expect_match "$OUT" "\"device\": \"${A}p1\"" "list --json: device"
expect_unchanged "$TMP/root" root "list writes nothing"

attach B "$TMP/b.img"
run_tool find $S
expect_rc 0 "find duplicates"
expect_eq "$(sort <<<"$OUT")" "$(printf '%s\n' "${A}p1" "${B}p1" | sort)" "find: both clones"
run_tool check --init "${A}p1"
expect_rc 2 "init check refuses a duplicate serial"
expect_match "$OUT" "^refused: ${A}p1: serial $S is also carried by ${B}p1; give the cloned disk a new serial$" "duplicate: message"
run_espctl --root "$TMP/root" list
expect_match "$OUT" "^${B}p1 +$S " "list: the clone too"

t_done
