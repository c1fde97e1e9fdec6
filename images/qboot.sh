#!/usr/bin/env bash
# One qemu run = one boot (spec images-e2e §6): TCG only, serial console to a log file, a time limit,
# no reboot (a guest reboot or panic ends qemu). State carries over through the disk images and the
# OVMF vars file.
#
#   qboot.sh efi|bios DIR LOG [--kernel K --initrd I --append CMDLINE]
#
# DIR holds disk0.img (and disk1.img), state.img and, for efi, vars.fd. Exit status: qemu's (0 when the
# guest powered off), 124 on timeout, 125 when a firmware or loader prompt shows that nothing was
# bootable. E2E_BOOT_TIMEOUT (default 120 s), E2E_MEM (MiB, default 1024) and E2E_ACCEL (default tcg;
# kvm only by explicit choice on developer hardware) tune it.
set -euo pipefail
E2E_PROG=qboot
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: qboot.sh efi|bios DIR LOG [--kernel K --initrd I --append CMDLINE]"
fw=$1 dir=$2 logf=$3
shift 3
need_tools qemu-system-x86_64 timeout

args=(-accel "${E2E_ACCEL:-tcg}" -machine q35 -smp 1 -m "${E2E_MEM:-1024}"
      -nodefaults -no-user-config -nographic -display none -monitor none -no-reboot)
case $fw in
efi)
	[ -f "$OVMF_CODE" ] || die "$OVMF_CODE missing (install ovmf)"
	[ -f "$dir/vars.fd" ] || die "$dir/vars.fd missing"
	args+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
	       -drive "if=pflash,format=raw,file=$dir/vars.fd")
	;;
bios) ;;
*) die "firmware must be efi or bios, not $fw" ;;
esac
args+=(-drive "if=none,id=d0,format=raw,file=$dir/disk0.img" -device virtio-blk-pci,drive=d0,bootindex=1)
if [ -f "$dir/disk1.img" ]; then
	args+=(-drive "if=none,id=d1,format=raw,file=$dir/disk1.img" -device virtio-blk-pci,drive=d1,bootindex=2)
fi
args+=(-drive "if=none,id=st,format=raw,file=$dir/state.img" -device virtio-blk-pci,drive=st)
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) args+=(-kernel "$2") ;;
	--initrd) args+=(-initrd "$2") ;;
	--append) args+=(-append "$2") ;;
	*) die "unknown option $1" ;;
	esac
	shift 2
done
args+=(-serial "file:$logf")
rm -f "$logf"
[ -n "${E2E_SHOW_QEMU:-}" ] && log "qemu-system-x86_64 ${args[*]}"
rc=0
timeout -k 5 "${E2E_BOOT_TIMEOUT:-120}" qemu-system-x86_64 "${args[@]}" </dev/null >"$logf.qemu" 2>&1 &
qpid=$!
# Never leave qemu behind: timeout passes the signal on to it.
trap 'kill $qpid 2>/dev/null || true' EXIT INT TERM
# A firmware or loader prompt means nothing bootable was found: no need to wait for the time limit.
while kill -0 $qpid 2>/dev/null; do
	if grep -aqE 'Shell> |grub> |Press ESC in [0-9] seconds to skip startup\.nsh' "$logf" 2>/dev/null; then
		log "$(basename "$logf"): firmware or loader prompt reached (nothing bootable); stopping qemu"
		kill $qpid 2>/dev/null || true
		wait $qpid 2>/dev/null || true
		exit 125
	fi
	sleep 0.5
done
wait $qpid || rc=$?
trap - EXIT INT TERM
[ -s "$logf.qemu" ] || rm -f "$logf.qemu"
exit $rc
