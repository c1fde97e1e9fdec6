#!/usr/bin/env bash
# espctl format on real partitions (loop devices): every refusal of spec §9 rows 20-21 with its
# exit code, its message and the disk unchanged; success prints the serial libblkid reports.
source "$(dirname "$0")/common.sh"
need_loop_devices

gpt_image "$TMP/disk.img" 2100M \
        "start=2048, size=614400, type=$ESP_GUID" \
        "start=616448, size=614400, type=$LINUX_GUID" \
        "start=1230848, size=409600, type=$ESP_GUID" \
        "start=1640448, size=1228800, type=$ESP_GUID"
truncate -s 400M "$TMP/mbr.img"
printf 'label: dos\nstart=2048, size=614400, type=ef\n' | sfdisk -q --no-reread --no-tell-kernel "$TMP/mbr.img" >/dev/null
attach D "$TMP/disk.img"
attach M "$TMP/mbr.img"
[ -b "${D}p4" ] && [ -b "${M}p1" ] || skip "the kernel did not create partition devices for $D"

refused() { # description expected-message-regex args...
        local what=$1 msg=$2; shift 2
        local before; before=$(sha "$TMP/disk.img"):$(sha "$TMP/mbr.img")
        run_espctl format "$@"
        expect_rc 2 "$what"
        expect_match "$ERR" "^espctl: format refused: $msg" "$what: message"
        expect_eq "$OUT" "" "$what: nothing on stdout"
        expect_eq "$(sha "$TMP/disk.img"):$(sha "$TMP/mbr.img")" "$before" "$what: disks unchanged"
}

refused "whole disk" "$D: not a partition" "$D"
refused "MBR partition" "${M}p1: partition table is MBR \(dos\), expected GPT" "${M}p1"
refused "wrong type" "${D}p2: partition type is 0fc63daf-8483-4772-8e79-3d69d8477de4, expected the ESP type c12a7328-f81f-11d2-ba4b-00a0c93ec93b; set the type first, e.g. \`sgdisk -t 2:EF00 $D\`" "${D}p2"
refused "200 MiB" "${D}p3: size 200M \(209715200 bytes\) is too small, expected at least 256 MiB" "${D}p3"
refused "character device" "/dev/null: not a block device" /dev/null

run_espctl format "$TMP/nope"
expect_rc 3 "missing device"
expect_match "$ERR" "^espctl: format: $TMP/nope: device not found" "missing device: message"

# Mounted (by major:minor in <proc>/self/mountinfo): refused even with --force.
mkdir -p "$TMP/proc/self"
majmin=$(printf '%d:%d' "0x$(stat -c %t "${D}p4")" "0x$(stat -c %T "${D}p4")")
echo "99 1 $majmin / /boot/efi rw - vfat ${D}p4 rw" >"$TMP/proc/self/mountinfo"
refused "mounted" "${D}p4: mounted on /boot/efi" --proc-dir "$TMP/proc" --force "${D}p4"

# Dry run: the plan, nothing written.
before=$(sha "$TMP/disk.img")
run_espctl --dry-run format "${D}p4"
expect_rc 0 "dry run"
expect_eq "$OUT" "would run mkfs.vfat -F 32 ${D}p4" "dry run: plan"
expect_eq "$(sha "$TMP/disk.img")" "$before" "dry run: disk unchanged"

# Success: 300 MiB warns, prints the serial blkid sees.
run_espctl format "${D}p1"
expect_rc 0 "format p1"
expect_match "$ERR" "espctl: warning: ${D}p1: size 300M is below the recommended 512 MiB" "format p1: size warning"
expect_match "$OUT" '^[0-9A-F]{4}-[0-9A-F]{4}$' "format p1: serial printed"
expect_eq "$OUT" "$(blkid -p -s UUID -o value "${D}p1")" "format p1: serial is blkid's"
expect_match "$(sfdisk -d "$TMP/disk.img")" "start= *616448, size= *614400, type=$LINUX_GUID" "partition table unchanged"

# A filesystem is there now: refused without --force, formatted again with it.
refused "existing vfat" "${D}p1: contains a vfat filesystem \(use --force\)" "${D}p1"
run_espctl format --force --json "${D}p1"
expect_rc 0 "format --force"
serial=$(blkid -p -s UUID -o value "${D}p1")
expect_match "$OUT" "\"serial\": \"$serial\"" "format --force --json: serial"

# 600 MiB: no warning (mkfs.vfat's own banner is passed through to stderr).
run_espctl format --quiet "${D}p4"
expect_rc 0 "format p4"
t_check "format p4: no warning" bash -c '! grep -q "^espctl:" <<<"$1"' _ "$ERR"
expect_eq "$OUT" "$(blkid -p -s UUID -o value "${D}p4")" "format p4: serial"

t_done
