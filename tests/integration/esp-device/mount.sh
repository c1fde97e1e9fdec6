#!/usr/bin/env bash
# Mounting a real ESP (spec §1.2): private namespace, read-only mount under <run>/espctl/mnt,
# read-write remount, unmount. Needs root, loop devices and a kernel that mounts vfat (the e2e
# guest); skipped elsewhere. The host's mount table never shows the ESP.
source "$(dirname "$0")/common.sh"
need_loop_devices
grep -qw vfat /proc/filesystems || modprobe vfat 2>/dev/null || true
grep -qw vfat /proc/filesystems || skip "the kernel cannot mount vfat"
command -v mkfs.vfat >/dev/null && command -v mtype >/dev/null || skip "needs mkfs.vfat and mtools"

gpt_image "$TMP/esp.img" 400M "start=2048, size=614400, type=$ESP_GUID"
mkfs.vfat -F 32 -i 2F7A2067 --offset 2048 "$TMP/esp.img" 307200 >/dev/null
attach E "$TMP/esp.img"
[ -b "${E}p1" ] || skip "the kernel did not create partition devices for $E"
mkdir -p "$TMP/run"

run_tool mount-cycle "$TMP/run" 2F7A-2067 "${E}p1"
expect_rc 0 "mount cycle"
expect_match "$OUT" "^mounted: $TMP/run/espctl/mnt/2F7A-2067$" "mounted at <run>/espctl/mnt/<serial>"
expect_match "$OUT" "^write before remount: Read-only file system$" "mounted read-only"
expect_match "$OUT" "^remount rw: ok$" "remounted read-write"
expect_match "$OUT" "^write after remount: ok$" "writable after the remount"
expect_match "$OUT" "^file mode: 0600$" "umask=0077"
expect_match "$OUT" "^unmount: ok$" "unmounted"
expect_match "$OUT" "^directory after unmount: removed$" "mount directory removed"
t_check "host mount table never showed it" bash -c "! grep -q espctl/mnt /proc/self/mountinfo"
losetup -d "$E"; LOOPS=()
expect_eq "$(MTOOLS_SKIP_CHECK=1 mtype -i "$TMP/esp.img@@$((2048 * 512))" ::espctl-test)" \
        "written by device-tool" "the write reached the disk (syncfs before unmount)"

run_tool mount-cycle "$TMP/run" 2F7A-2067 "$TMP/nope"
expect_match "$OUT" "^mount: " "mount of a missing device fails"
t_check "no mount directory left" test ! -e "$TMP/run/espctl/mnt/2F7A-2067"
t_done
