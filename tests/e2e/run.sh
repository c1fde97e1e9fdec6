#!/usr/bin/env bash
# Runs the e2e boot scenarios (tests/e2e/scenarios/*.sh) in qemu and reports
# "PASS/FAIL <scenario> <check>" lines, per-boot times and "N passed, M failed, K skipped" (scenarios).
#
#   tests/e2e/run.sh [-j N] [-k] [-l] [SCENARIO...]
#     -j N  scenarios side by side, about one core each (default $E2E_JOBS, else "auto": one per
#           core when the machine is idle, 1 when its load average says others are busy)
#     -k    keep every scenario's directory (failed ones are always kept) under build/images/
#     -l    list the scenarios and exit
#
# Scenarios that need toolkit binaries not yet built (static, build-static/) are SKIPPED, never passed.
# Exit 0 when nothing failed (and, with E2E_REQUIRED=1, nothing was skipped); 1 otherwise.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TOP
. "$TOP/images/lib.sh"
E2E_PROG=e2e
SCEN_DIR=${E2E_SCENARIO_DIR:-$TOP/tests/e2e/scenarios}

jobs=${E2E_JOBS:-auto}
keep=0
list=0
while getopts 'j:kl' o; do
	case $o in
	j) jobs=$OPTARG ;;
	k) keep=1 ;;
	l) list=1 ;;
	*) exit 1 ;;
	esac
done
shift $((OPTIND - 1))

if [ "$jobs" = auto ]; then
	ncpu=$(nproc)
	load=$(cut -d' ' -f1 /proc/loadavg)
	jobs=$(awk -v l="$load" -v n="$ncpu" 'BEGIN { j = int(n - l); print (j < 1 ? 1 : j) }')
fi
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "-j wants a positive number, got $jobs"

mapfile -t all < <(cd "$SCEN_DIR" && ls ./*.sh | sed 's|^\./||; s|\.sh$||' | sort)
if [ $list -eq 1 ]; then printf '%s\n' "${all[@]}"; exit 0; fi
if [ $# -gt 0 ]; then
	for s in "$@"; do [ -f "$SCEN_DIR/$s.sh" ] || die "no scenario $s (tests/e2e/run.sh -l lists them)"; done
	scenarios=("$@")
else
	# The hand-made scenarios prove the pipeline itself; they run first.
	mapfile -t scenarios < <(printf '%s\n' "${all[@]}" | grep '^handmade-' || true; printf '%s\n' "${all[@]}" | grep -v '^handmade-' || true)
fi

T0=$(date +%s)
# Host tools: their absence fails the run (spec §9), it is not a skip.
need_tools qemu-system-x86_64 sfdisk mkfs.vfat fsck.fat mcopy mmd mtype mkfs.ext4 debugfs grub-mkimage \
	grub-editenv readelf gzip python3 cc
for f in "$OVMF_CODE" "$OVMF_VARS" "$SDBOOT_EFI" "$GRUB_PC_DIR/boot.img" "$GRUB_PC_DIR/grub-bios-setup"; do
	[ -e "$f" ] || die "$f missing (run ./build.sh deps e2e)"
done

read -r KVER KROOT < <(bash "$TOP/images/fetch.sh") || die "cannot fetch the guest kernel"
export KVER KROOT

# Toolkit binaries from the static build (each must be static; initrd.sh refuses others).
TOOLKIT_DIR=${E2E_TOOLKIT_DIR:-$TOP/build-static}
declare -A TOOLKIT=()
tk_bins=()
for b in espctl kernel-select boot-detect; do
	for f in "$TOOLKIT_DIR/$b" "$TOOLKIT_DIR"/*/"$b"; do
		if [ -x "$f" ] && [ -f "$f" ]; then
			TOOLKIT[$b]=$f
			tk_bins+=("$f")
			break
		fi
	done
done
log "kernel $KVER; toolkit: $(for b in espctl kernel-select boot-detect; do printf '%s=%s ' "$b" "${TOOLKIT[$b]:+yes}"; done)"

# Base initramfs, cached by its inputs.
mkdir -p "$E2E_CACHE/initrd"
key=$( { echo "$KVER"; sha256sum "$TOP/images/init" "$TOP/images/initrd.sh" "${E2E_BUSYBOX:-/bin/busybox}" "${tk_bins[@]}" | cut -d' ' -f1; } | sha256sum | cut -c1-16)
BASE_INITRD=$E2E_CACHE/initrd/base-$key.cpio.gz
if [ ! -f "$BASE_INITRD" ]; then
	bash "$TOP/images/initrd.sh" base "$KROOT" "$KVER" "$BASE_INITRD" "${tk_bins[@]}" || die "base initramfs failed"
fi
export BASE_INITRD

# Host helper for the OVMF vars file.
OVMF_VARS_TOOL=$E2E_CACHE/ovmf-vars
if [ ! -x "$OVMF_VARS_TOOL" ] || [ "$TOP/images/ovmf-vars.c" -nt "$OVMF_VARS_TOOL" ]; then
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$OVMF_VARS_TOOL" "$TOP/images/ovmf-vars.c" || die "ovmf-vars build failed"
fi
export OVMF_VARS_TOOL
log "prepared in $(($(date +%s) - T0)) s"

# One scenario in a subshell; output to its log, result in its directory.
run_one() { # name
	local name=$1 rc=0
	local W=$E2E_WORK/$name
	rm -rf "$W"
	mkdir -p "$W"
	(
		set -euo pipefail
		SCN=$name
		# shellcheck source=tests/e2e/lib.sh
		. "$TOP/tests/e2e/lib.sh"
		# shellcheck disable=SC1090
		. "$SCEN_DIR/$name.sh"
		scenario_end
	) >"$W/output" 2>&1 </dev/null || rc=$?
	echo "$rc" >"$W/exit"
}

declare -A started=()
pending=("${scenarios[@]}")
running=()
report() { # name: print a finished scenario's output and tally it
	local name=$1 W=$E2E_WORK/$1 rc
	rc=$(cat "$W/exit" 2>/dev/null || echo 1)
	cat "$W/output"
	case $rc in
	0) S_PASS=$((S_PASS + 1)) ;;
	77) S_SKIP=$((S_SKIP + 1)) ;;
	*)
		S_FAIL=$((S_FAIL + 1))
		grep -q '^pass ' "$W/result" 2>/dev/null || echo "FAIL $name: scenario script failed (exit $rc)"
		echo "e2e: $name failed; its disks and logs are kept in $W"
		;;
	esac
	local k1 p k2 f k3 b k4 s
	if [ -f "$W/result" ] && read -r k1 p k2 f k3 b k4 s <"$W/result" && [ "$k1" = pass ]; then
		C_PASS=$((C_PASS + p)) C_FAIL=$((C_FAIL + f)) BOOTS=$((BOOTS + b)) BOOT_SECS=$((BOOT_SECS + s))
	fi
	if [ "$rc" = 0 ] && [ $keep -eq 0 ]; then
		rm -f "$W"/*.img "$W"/initrd.img-* "$W/vars.fd"
		rm -rf "$W/stage"
	fi
}
S_PASS=0 S_FAIL=0 S_SKIP=0 C_PASS=0 C_FAIL=0 BOOTS=0 BOOT_SECS=0

# Interrupted: end every process this runner started (scenario subshells, qboot, timeout, qemu), by pid.
kill_tree() { # pid
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$c"; done
	kill "$1" 2>/dev/null || true
}
cleanup() {
	local p
	for p in $(jobs -p); do kill_tree "$p"; done
}
trap cleanup EXIT INT TERM

while [ ${#pending[@]} -gt 0 ] || [ ${#running[@]} -gt 0 ]; do
	while [ ${#pending[@]} -gt 0 ] && [ ${#running[@]} -lt "$jobs" ]; do
		name=${pending[0]}
		pending=("${pending[@]:1}")
		run_one "$name" &
		started[$name]=$!
		running+=("$name")
	done
	wait -n 2>/dev/null || true
	still=()
	for name in "${running[@]}"; do
		if kill -0 "${started[$name]}" 2>/dev/null; then
			still+=("$name")
		else
			wait "${started[$name]}" 2>/dev/null || true
			report "$name"
		fi
	done
	running=("${still[@]}")
done
trap - EXIT INT TERM

total=$(($(date +%s) - T0))
echo "e2e: $C_PASS checks passed, $C_FAIL failed; $BOOTS boots ($BOOT_SECS s of qemu), suite wall time $total s, -j $jobs"
echo "e2e: $S_PASS passed, $S_FAIL failed, $S_SKIP skipped"
[ $S_FAIL -eq 0 ] || exit 1
if [ "${E2E_REQUIRED:-0}" = 1 ] && [ $S_SKIP -gt 0 ]; then
	echo "e2e: E2E_REQUIRED=1 and $S_SKIP scenario(s) skipped"
	exit 1
fi
exit 0
