#!/usr/bin/env bash
# Disk images for test-device: plain files that libblkid and libfdisk probe like disks.
#   gpt.img  GPT, fixed disk and partition GUIDs:
#            p1 ESP 300 MiB vfat (serial 2F7A-2067, label ESPTEST)
#            p2 Linux 300 MiB, empty             (wrong type)
#            p3 ESP 200 MiB, empty               (too small)
#            p4 ESP 600 MiB ext4                 (wrong filesystem)
#            p5 ESP 600 MiB, empty               (a good format target)
#   mbr.img  MBR, p1 type 0xef 300 MiB vfat (serial A0B1-C2D3)
#   fs.img   a bare vfat filesystem (serial 1234-ABCD), no table
#   empty.img 64 MiB of zeros
# Usage: make-images.sh DIR
set -euo pipefail
d=$1
ESP=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
LINUX=0FC63DAF-8483-4772-8E79-3D69D8477DE4
rm -f "$d/gpt.img" "$d/mbr.img" "$d/fs.img" "$d/empty.img"
truncate -s 2100M "$d/gpt.img"
sfdisk -q --no-reread --no-tell-kernel "$d/gpt.img" >/dev/null <<SFD
label: gpt
label-id: 5E1A0000-0000-4000-8000-000000000001
start=2048, size=614400, type=$ESP, uuid=5E1A0000-0000-4000-8000-0000000000A1
start=616448, size=614400, type=$LINUX, uuid=5E1A0000-0000-4000-8000-0000000000A2
start=1230848, size=409600, type=$ESP, uuid=5E1A0000-0000-4000-8000-0000000000A3
start=1640448, size=1228800, type=$ESP, uuid=5E1A0000-0000-4000-8000-0000000000A4
start=2869248, size=1228800, type=$ESP, uuid=5E1A0000-0000-4000-8000-0000000000A5
SFD
mkfs.vfat -F 32 -i 2F7A2067 -n ESPTEST --offset 2048 "$d/gpt.img" 307200 >/dev/null
if command -v mke2fs >/dev/null; then
        mke2fs -q -F -t ext4 -E offset=$((1640448 * 512)) "$d/gpt.img" 600M
fi

truncate -s 400M "$d/mbr.img"
sfdisk -q --no-reread --no-tell-kernel "$d/mbr.img" >/dev/null <<SFD
label: dos
label-id: 0x5e1a0001
start=2048, size=614400, type=ef
SFD
mkfs.vfat -F 32 -i A0B1C2D3 --offset 2048 "$d/mbr.img" 307200 >/dev/null

mkfs.vfat -F 32 -i 1234ABCD -C "$d/fs.img" 307200 >/dev/null
truncate -s 64M "$d/empty.img"
