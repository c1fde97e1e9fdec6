#!/usr/bin/env bash
# The boot demo of spec images-e2e §11 (images/demo.sh is the fake-root demo behind ./build.sh demo):
# a small demo disk with two kernel labels (one Debian cloud kernel under two names); espctl init +
# refresh, `kernel-select pin --next-boot` and espctl status in a provisioning boot; then two firmware
# boots, printing which kernel each one started.
#   images/demo-boot.sh [--bios] [--keep]
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/images/lib.sh"
E2E_PROG=demo
fw=efi keep=()
for a in "$@"; do
	case $a in
	--bios) fw=bios ;;
	--keep) keep=(-k) ;;
	*) die "usage: images/demo-boot.sh [--bios] [--keep]" ;;
	esac
done
bash "$TOP/build.sh" static >/dev/null || die "static build failed: the guest needs static binaries"
t0=$(date +%s)
echo "demo: kernels: 6.1.0-9-demo, 6.1.0-10-demo (one Debian cloud kernel image under two names)"
echo "demo: provisioning: espctl init, espctl refresh, kernel-select pin 6.1.0-9-demo --next-boot, espctl status"
rc=0
DEMO_FW=$fw E2E_SCENARIO_DIR=$TOP/images/demo bash "$TOP/tests/e2e/run.sh" -j 1 "${keep[@]}" demo >"$E2E_WORK/demo.out" 2>&1 || rc=$?
W=$E2E_WORK/demo
show() { grep -a '^E2E: ' "$1" | tr -d '\r' | sed -n "s/^E2E: $2=//p" | head -n 1; }
grep -a '^E2E: out ' "$W/boot-P.log" 2>/dev/null | tr -d '\r' | sed 's/^E2E: out /  | /'
for n in 1 2; do
	[ -f "$W/boot-$n.log" ] || break
	why="(next-boot pin, consumed by the loader)"
	[ $n = 2 ] && why="(default: newest)"
	if [ $fw = efi ]; then
		printf 'demo: boot %s: %-14s entry %s   %s\n' $n "$(show "$W/boot-$n.log" label)" "$(show "$W/boot-$n.log" entry)" "$why"
	else
		printf 'demo: boot %s: %-14s %s   %s\n' $n "$(show "$W/boot-$n.log" label)" \
			"$(show "$W/boot-$n.log" cmdline | grep -o 'BOOT_IMAGE=[^ ]*')" "$why"
	fi
done
if [ $rc -eq 0 ]; then
	echo "demo: OK: the pinned kernel booted once, then the newest came back (3 boots, $(($(date +%s) - t0)) s)"
else
	grep -a -E '^(FAIL|SKIP)' "$E2E_WORK/demo.out" | head -n 20
	echo "demo: FAILED (full output: $E2E_WORK/demo.out, disks and logs: $W)"
fi
if [ ${#keep[@]} -gt 0 ] && [ -d "$W" ]; then
	echo "demo: boot it by hand: E2E_SHOW_QEMU=1 bash images/qboot.sh $fw $W $W/manual.log"
fi
exit $rc
