# Scenario vocabulary of the e2e boot tests (sourced by run.sh in each scenario's subshell).
# A scenario script (tests/e2e/scenarios/NAME.sh) declares its disks, the kernels and steps on the state
# disk, then boots and checks; every check prints "PASS <scenario> <check>" or
# "FAIL <scenario> <check>: <expected> / <got>". A failed boot prints the last 40 serial lines and ends
# the scenario. Exit status of the subshell: 0 all passed, 1 a check failed, 77 skipped.
# shellcheck shell=bash

. "$TOP/images/lib.sh"
E2E_PROG=e2e
LOADER_GUID=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f

N_PASS=0
N_FAIL=0
N_BOOTS=0
BOOT_SECS=0
declare -A STEP_RC=()   # "boot:k" -> expected rc of step k of a boot (0, nz or any)
declare -A E=()         # E2E key -> value of the last boot
STEPS_OUT=()            # "k rc cmd" of the last boot
OUT_LINES=()            # "out" lines of the last boot

pass() { N_PASS=$((N_PASS + 1)); echo "PASS $SCN $1"; }
fail() { N_FAIL=$((N_FAIL + 1)); echo "FAIL $SCN $1: $2 / $3"; }
check_eq() { # what expected got
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$2" "$3"; fi
}
check_match() { # what regex got
	if [[ $3 =~ $2 ]]; then pass "$1"; else fail "$1" "/$2/" "$3"; fi
}
check_cmd() { # what command...: passes when the command succeeds
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ $rc -eq 0 ]; then pass "$what"; else fail "$what" "success" "exit $rc: $(tail -n 3 <<<"$out" | tr '\n' ' ')"; fi
}

# Writes the result file and leaves the scenario subshell.
scenario_end() {
	local rc=0
	[ $N_FAIL -eq 0 ] || rc=1
	printf 'pass %d fail %d boots %d boot_secs %d\n' $N_PASS $N_FAIL $N_BOOTS $BOOT_SECS >"$W/result"
	exit $rc
}
abort() { # what expected got: a check that makes the rest of the scenario meaningless
	fail "$@"
	scenario_end
}
skip() { # reason
	echo "SKIP $SCN: $*"
	printf 'skip %s\n' "$*" >"$W/result"
	exit 77
}

# --- the toolkit ------------------------------------------------------------------------------------

# Skips the scenario unless every named toolkit binary was found (static, in build-static/).
requires_toolkit() { # name...
	local b missing=()
	for b in "$@"; do
		[ -n "${TOOLKIT[$b]:-}" ] || missing+=("$b")
	done
	[ ${#missing[@]} -eq 0 ] || skip "toolkit binaries not built: ${missing[*]} (./build.sh static)"
}

# --- disks and the state disk -----------------------------------------------------------------------

# new_disks efi|bios LAYOUT: fresh disks (and a fresh OVMF vars copy) in the scenario directory.
new_disks() {
	FW=$1 LAYOUT=$2
	bash "$TOP/images/disk.sh" layout "$LAYOUT" "$W" || abort "disks" "layout $LAYOUT built" "disk.sh failed"
	ESP_OFF=$(esp_offset "$LAYOUT")
	ESP_IMGS=("$W/disk0.img")
	[ "$LAYOUT" = uefi2 ] && ESP_IMGS+=("$W/disk1.img")
	if [ "$FW" = efi ]; then
		cp "$OVMF_VARS" "$W/vars.fd"
		chmod u+w "$W/vars.fd"
	fi
	STAGE=$W/stage
	rm -rf "$STAGE"
	mkdir -p "$STAGE/e2e/steps"
	echo 0 >"$STAGE/e2e/boot"
	if [ "${E2E_ESP_ACCESS:-device}" = dir ]; then
		local i
		for i in "${!ESP_IMGS[@]}"; do
			printf '%s %s\n' "$(esp_serial "$i")" "$(esp_device "$i")" >>"$STAGE/e2e/esp-mounts"
		done
	fi
}

# The guest's view of ESP i: its block device and its FAT serial.
esp_device() { # esp-index
	case $LAYOUT:$1 in
	bios:0) echo /dev/vda2 ;;
	*:0) echo /dev/vda1 ;;
	*:1) echo /dev/vdb1 ;;
	esac
}
esp_serial() { # esp-index
	local id
	[ "$1" = 0 ] && id=$FATID_ESP_0 || id=$FATID_ESP_1
	echo "${id:0:4}-${id:4:4}"
}

# The step that initialises ESP i: `espctl init DEVICE` (the toolkit probes and mounts it), or with
# E2E_ESP_ACCESS=dir `espctl --esp-dir SERIAL=DIR init` on the ESP /init mounted.
esp_init_step() { # boot esp-index [init arguments...]
	local n=$1 i=$2
	shift 2
	if [ "${E2E_ESP_ACCESS:-device}" = dir ]; then
		step "$n" "espctl \$TK_BASE \$TK_ESP$i init${*:+ $*}"
	else
		step "$n" "espctl \$TK init $(esp_device "$i")${*:+ $*}"
	fi
}

# The initrd of a kernel label: the base archive plus the label segment (--bad: a kernel that fails).
label_initrd() { # label [--bad]
	local out=$W/initrd.img-$1${2:+-bad}
	[ -f "$out" ] || bash "$TOP/images/initrd.sh" label "$BASE_INITRD" "$1" "$out" ${2:-} >&2 ||
		abort "initrd" "initrd for $1" "initrd.sh failed"
	printf '%s\n' "$out"
}

# Kernels the toolkit finds under --root: /boot/vmlinuz-L and /boot/initrd.img-L (one kernel image under
# several names, hard-linked so the state disk stays small). "--bad L" marks L as a kernel that fails.
stage_kernels() { # [--bad] label...
	local bad= l first=
	mkdir -p "$STAGE/boot"
	for l in "$@"; do
		if [ "$l" = --bad ]; then bad=--bad; continue; fi
		if [ -z "$first" ]; then
			cp "$KROOT/boot/vmlinuz-$KVER" "$STAGE/boot/vmlinuz-$l"
			first=$STAGE/boot/vmlinuz-$l
		else
			ln "$first" "$STAGE/boot/vmlinuz-$l"
		fi
		cp "$(label_initrd "$l" $bad)" "$STAGE/boot/initrd.img-$l"
		bad=
	done
}

# What the toolkit reads on a host (spec images-e2e §4.3): command line, machine id, os-release, the
# loader payloads it installs, menu timeout 0 (a 3 s menu would cost 3 s per boot).
stage_toolkit_root() { # [espctl.conf lines...]
	mkdir -p "$STAGE/etc/kernel" "$STAGE/usr/lib/systemd/boot/efi" "$STAGE/usr/lib/grub/i386-pc" "$STAGE/run"
	printf '%s\n' "$E2E_CMDLINE" >"$STAGE/etc/kernel/cmdline"
	printf '5e2e0000000040008000000000000001\n' >"$STAGE/etc/machine-id"
	printf 'PRETTY_NAME="E2E test root"\nID=debian\nVERSION_ID=12\n' >"$STAGE/etc/os-release"
	cp "$SDBOOT_EFI" "$STAGE/usr/lib/systemd/boot/efi/"
	cp "$GRUB_PC_DIR"/*.mod "$GRUB_PC_DIR"/*.lst "$STAGE/usr/lib/grub/i386-pc/"
	{
		echo "timeout=0"
		local l
		for l in "$@"; do echo "$l"; done
	} >"$STAGE/etc/kernel/espctl.conf"
}

# step BOOT 'command line' [expected rc: 0 (default), nz, any]. BOOT is P (provisioning) or 1, 2, ...
# The guest runs it with sh -c; "$TK" expands to the toolkit's --root/--sysfs-root/... options.
step() {
	local n=$1 cmd=$2 want=${3:-0} f=$STAGE/e2e/steps/$1.sh k
	printf '%s\n' "$cmd" >>"$f"
	k=$(grep -cv '^\(#.*\)\?$' "$f")
	STEP_RC[$n:$k]=$want
}

# Expected exit of step K of a boot (K = 0 is /init's boot-complete): 0, nz or any.
step_rc() { # boot k rc
	STEP_RC[$1:$2]=$3
}

make_state() {
	bash "$TOP/images/disk.sh" state "$STAGE" "$W/state.img" || abort "state disk" "built" "disk.sh state failed"
}

# A file of the state disk after the guest changed it (debugfs reads ext4 without mounting).
state_cat() { # path
	debugfs -R "cat $1" "$W/state.img" 2>/dev/null
}

# --- hand-made ESP content (no toolkit) -------------------------------------------------------------

# systemd-boot on ESP i with one BLS entry per label and loader.conf's default on DEFAULT.
handmade_sdboot() { # esp-index default-label label...
	local img=${ESP_IMGS[$1]} def=$2 l
	shift 2
	esp_mkdir "$img" "$ESP_OFF" /EFI /EFI/BOOT /EFI/systemd /EFI/proxmox /loader /loader/entries
	esp_put "$img" "$ESP_OFF" "$SDBOOT_EFI" /EFI/BOOT/BOOTX64.EFI
	esp_put "$img" "$ESP_OFF" "$SDBOOT_EFI" /EFI/systemd/systemd-bootx64.efi
	for l in "$@"; do
		esp_mkdir "$img" "$ESP_OFF" "/EFI/proxmox/$l"
		esp_put "$img" "$ESP_OFF" "$KROOT/boot/vmlinuz-$KVER" "/EFI/proxmox/$l/vmlinuz-$l"
		esp_put "$img" "$ESP_OFF" "$(label_initrd "$l")" "/EFI/proxmox/$l/initrd.img-$l"
		esp_put_str "$img" "$ESP_OFF" "/loader/entries/proxmox-$l.conf" "title    E2E hand-made
version  $l
sort-key proxmox
options  $E2E_CMDLINE
linux    /EFI/proxmox/$l/vmlinuz-$l
initrd   /EFI/proxmox/$l/initrd.img-$l
"
	done
	esp_put_str "$img" "$ESP_OFF" /loader/loader.conf "timeout 0
default proxmox-$def.conf
"
}

# GRUB mode on the bios ESP: kernels flat in the root, grub/grub.cfg as the toolkit writes it (spec
# esp-boot-kernel §4.4) with default DEFAULT and an empty 1024-byte grubenv.
handmade_grub() { # default-label label...
	local img=${ESP_IMGS[0]} def=$1 l cfg
	shift
	esp_mkdir "$img" "$ESP_OFF" /grub
	cfg="# hand-made by tests/e2e
set timeout=0
set default=\"proxmox-$def\"
if [ -s \"\$prefix/grubenv\" ]; then
  load_env next_entry saved_entry
fi
if [ -n \"\$next_entry\" ]; then
  set default=\"\$next_entry\"
  set next_entry=
  save_env next_entry
elif [ -n \"\$saved_entry\" ]; then
  set default=\"\$saved_entry\"
fi
"
	for l in "$@"; do
		esp_put "$img" "$ESP_OFF" "$KROOT/boot/vmlinuz-$KVER" "/vmlinuz-$l"
		esp_put "$img" "$ESP_OFF" "$(label_initrd "$l")" "/initrd.img-$l"
		cfg+="
menuentry 'E2E hand-made, Linux $l' --id proxmox-$l {
  linux /vmlinuz-$l $E2E_CMDLINE
  initrd /initrd.img-$l
}
"
	done
	esp_put_str "$img" "$ESP_OFF" /grub/grub.cfg "$cfg"
	grub-editenv "$W/grubenv" create
	esp_put "$img" "$ESP_OFF" "$W/grubenv" /grub/grubenv
}

# --- EFI variables in the vars file -------------------------------------------------------------------

vars() { "$OVMF_VARS_TOOL" "$W/vars.fd" "$@"; }
# Value of a systemd-boot variable in the vars file, or "<absent>".
var_str() { vars get "$1" "$LOADER_GUID" --str 2>/dev/null || echo "<absent>"; }

# --- boots ---------------------------------------------------------------------------------------------

# boot N [label=L] [entry=E] [partuuid=U] [status=ok|bad-kernel] [firmware=efi|bios]
#   N = P: the provisioning boot (direct kernel boot of the "provision" initrd under the scenario's
#   firmware). Otherwise a firmware boot from the disks; label= is the kernel expected to start, entry=
#   overrides the expected loader entry (default proxmox-L.conf, with or without a boot counter).
boot() {
	local n=$1 want_label= want_entry= want_uuid= want_status=ok want_fw=$FW kv
	shift
	for kv in "$@"; do
		case $kv in
		label=*) want_label=${kv#label=} ;;
		entry=*) want_entry=${kv#entry=} ;;
		partuuid=*) want_uuid=${kv#partuuid=} ;;
		status=*) want_status=${kv#status=} ;;
		firmware=*) want_fw=${kv#firmware=} ;;
		*) abort "boot $n" "known expectation" "$kv" ;;
		esac
	done
	local logf=$W/boot-$n.log qargs=() rc=0 t0 t1
	if [ "$n" = P ]; then
		qargs=(--kernel "$KROOT/boot/vmlinuz-$KVER" --initrd "$(label_initrd provision)" --append "$E2E_CMDLINE")
		want_label=provision
	fi
	t0=$(date +%s.%N)
	bash "$TOP/images/qboot.sh" "$FW" "$W" "$logf" "${qargs[@]}" || rc=$?
	t1=$(date +%s.%N)
	local secs
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	N_BOOTS=$((N_BOOTS + 1))
	BOOT_SECS=$(awk -v a="$BOOT_SECS" -v s="$secs" 'BEGIN { printf "%d", a + s + 0.5 }')
	echo "TIME $SCN boot $n: ${secs} s"
	parse_log "$logf"
	local what="boot $n"
	if [ $rc -ne 0 ] || [ -z "${E[end]:-}" ]; then
		local why="qemu exit $rc"
		[ $rc -eq 124 ] && why="timeout after ${E2E_BOOT_TIMEOUT:-120} s"
		[ $rc -eq 125 ] && why="firmware or loader prompt, nothing bootable"
		[ -z "${E[end]:-}" ] && why="$why, no 'E2E: end' line"
		boot_failed "$what" "a complete boot" "$why"
	fi
	check_eq "$what end" "status=$want_status" "${E[end]}"
	if [ "$n" != P ]; then
		check_eq "$what counter" "boot=$n" "${E[begin]:-}"
	fi
	check_eq "$what firmware" "$want_fw" "${E[firmware]:-}"
	if [ -n "$want_label" ]; then
		[ "${E[label]:-}" = "$want_label" ] || boot_failed "$what label" "$want_label" "${E[label]:-<none>}"
		pass "$what label $want_label"
	fi
	if [ "$n" != P ] && [ -n "$want_label" ]; then
		if [ "$want_fw" = efi ]; then
			if [ -n "$want_entry" ]; then
				check_eq "$what loader entry" "$want_entry" "${E[entry]:-}"
			else
				check_match "$what loader entry" "^proxmox-${want_label//./\\.}(\\+[0-9]+(-[0-9]+)?)?\\.conf\$" "${E[entry]:-}"
			fi
			check_match "$what loader" '^systemd-boot ' "${E[loader]:-}"
		else
			check_match "$what BOOT_IMAGE" "(^| )BOOT_IMAGE=/vmlinuz-${want_label//./\\.}( |\$)" "${E[cmdline]:-}"
		fi
	fi
	if [ -n "$want_uuid" ]; then
		check_eq "$what esp-partuuid" "${want_uuid,,}" "${E[esp-partuuid],,}"
	fi
	if [ -n "${E[detect]:-}" ]; then
		check_detect "$what"
	fi
	check_steps "$n"
	# Later boots depend on what provisioning wrote: stop here rather than time out on empty ESPs.
	if [ "$n" = P ] && [ "$STEP_FAILED" = 1 ]; then
		abort "provisioning" "every step exit 0" "a step failed (see above)"
	fi
}

boot_failed() { # what expected got
	echo "---- $SCN: last 40 lines of $(basename "$logf") ----"
	tail -n 40 "$logf" 2>/dev/null | tr -d '\r' | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'
	[ -s "$logf.qemu" ] && { echo "---- qemu stderr ----"; tail -n 10 "$logf.qemu"; }
	echo "---- end of $SCN log ----"
	abort "$@"
}

parse_log() { # logfile: fills E, STEPS_OUT and OUT_LINES from the "E2E: " lines at column 0
	E=()
	STEPS_OUT=()
	OUT_LINES=()
	local line
	while IFS= read -r line; do
		line=${line%$'\r'}
		[[ $line == "E2E: "* ]] || continue
		line=${line#E2E: }
		case $line in
		"out "*) OUT_LINES+=("${line#out }") ;;
		"step "*) STEPS_OUT+=("${line#step }") ;;
		begin\ * | end\ *) E[${line%% *}]=${line#* } ;;
		*=*) E[${line%%=*}]=${line#*=} ;;
		esac
	done <"$1"
}

# Every step ran with its expected exit code (unknown steps count as expected 0).
check_steps() { # boot
	local s k rc cmd want
	STEP_FAILED=0
	declare -A seen=()
	for s in "${STEPS_OUT[@]}"; do
		[[ $s =~ ^n=([0-9]+)\ rc=([0-9]+)\ cmd=(.*)$ ]] || { fail "boot $1 step line" "n=K rc=R cmd=C" "$s"; continue; }
		k=${BASH_REMATCH[1]} rc=${BASH_REMATCH[2]} cmd=${BASH_REMATCH[3]}
		seen[$k]=1
		want=${STEP_RC[$1:$k]:-0}
		case $want in
		any) pass "boot $1 step $k ($cmd) rc=$rc" ;;
		nz) if [ "$rc" != 0 ]; then pass "boot $1 step $k ($cmd) failed as expected (rc=$rc)"; else fail "boot $1 step $k ($cmd)" "non-zero exit" "rc=0"; fi ;;
		*) check_eq "boot $1 step $k ($cmd) rc" "$want" "$rc" ;;
		esac
		if [ "$rc" != 0 ] && [ "$want" != nz ] && [ "$want" != any ]; then
			local from=$((${#OUT_LINES[@]} > 10 ? ${#OUT_LINES[@]} - 10 : 0))
			[ ${#OUT_LINES[@]} -eq 0 ] || printf '    | %s\n' "${OUT_LINES[@]:$from}"
			STEP_FAILED=1
		fi
	done
	for k in "${!STEP_RC[@]}"; do
		[ "${k%%:*}" = "$1" ] || continue
		[ -n "${seen[${k#*:}]:-}" ] || fail "boot $1 step ${k#*:}" "ran" "no step line"
	done
}

# boot-detect's view (one JSON line) agrees with the firmware's and the loader's.
check_detect() { # what
	local got
	got=$(python3 - "${E[detect]}" "${E[firmware]}" "${E[entry]:-}" <<'PY' 2>&1
import json, sys
d = json.loads(sys.argv[1])
fw = d.get("firmware")
want_fw = ("uefi", "efi") if sys.argv[2] == "efi" else ("bios", "legacy")
if fw not in want_fw:
    print(f"firmware {fw!r}, expected {want_fw!r}"); sys.exit(1)
if sys.argv[2] == "efi" and (d.get("entry_selected") or "") != sys.argv[3]:
    print(f"entry_selected {d.get('entry_selected')!r}, expected {sys.argv[3]!r}"); sys.exit(1)
print("ok")
PY
	) || true
	check_eq "$1 boot-detect" ok "$got"
}

# --- host checks -----------------------------------------------------------------------------------------

# Every ESP of the scenario passes fsck.fat -n.
check_fsck() {
	local i
	for i in "${!ESP_IMGS[@]}"; do
		check_cmd "fsck.fat ESP $i" bash "$TOP/images/disk.sh" fsck "${ESP_IMGS[$i]}" "$ESP_OFF"
	done
}

esp_file_eq() { # what esp-index path expected-content
	local got
	got=$(esp_get "${ESP_IMGS[$2]}" "$ESP_OFF" "$3" 2>/dev/null | tr -d '\r') || got="<absent>"
	check_eq "$1" "$4" "$got"
}

# Copies ESP i's tree to DIR (FAT metadata aside).
esp_snapshot() { # esp-index dir
	rm -rf "$2"
	esp_tree "${ESP_IMGS[$1]}" "$ESP_OFF" "$2"
}

# Zeroes the first MiB of ESP i: boot sector, FSInfo and backup boot sector are gone.
break_esp() { # esp-index
	dd if=/dev/zero of="${ESP_IMGS[$1]}" bs=1M seek=$((ESP_OFF / 1048576)) count=1 conv=notrunc status=none
}

# What `espctl init` + `refresh` leave on a systemd-boot ESP (spec esp-boot-kernel §3), for labels A and B.
check_provisioned_sdboot() { # esp-index
	local img=${ESP_IMGS[$1]} p l found
	for p in /EFI/BOOT/BOOTX64.EFI /EFI/systemd/systemd-bootx64.efi /loader/loader.conf /espctl-manifest; do
		check_cmd "ESP $1 has $p" esp_exists "$img" "$ESP_OFF" "$p"
	done
	for l in "$LABEL_A" "$LABEL_B"; do
		check_cmd "ESP $1 has vmlinuz-$l" esp_exists "$img" "$ESP_OFF" "/EFI/proxmox/$l/vmlinuz-$l"
		check_cmd "ESP $1 has initrd.img-$l" esp_exists "$img" "$ESP_OFF" "/EFI/proxmox/$l/initrd.img-$l"
		found=$(mdir -b -i "$img@@$ESP_OFF" ::/loader/entries 2>/dev/null | sed 's|.*/||' |
			grep -E "^proxmox-${l//./\\.}(\\+[0-9]+(-[0-9]+)?)?\\.conf\$" || true)
		check_match "ESP $1 has an entry for $l" "^proxmox-" "$found"
	done
}

# Both ESPs hold the same tree, byte for byte (loader/random-seed aside).
check_esps_identical() { # what
	esp_snapshot 0 "$W/tree0"
	esp_snapshot 1 "$W/tree1"
	local d
	d=$(diff -r -x random-seed "$W/tree0" "$W/tree1" 2>&1 | head -n 5)
	check_eq "ESP trees identical $1" "" "$d"
}

# The same refresh run on the host over the staged root (plain directories, --esp-dir) must give the
# tree the guest wrote onto real vfat (spec images-e2e §4.3), FAT metadata aside.
differential_check() { # esp-index
	local espctl=${TOOLKIT[espctl]} root=$W/diff-root dir=$W/diff-esp out rc=0
	rm -rf "$root" "$dir"
	cp -a "$STAGE" "$root"
	mkdir -p "$dir" "$root/sys" "$root/run"
	[ "$FW" = efi ] && mkdir -p "$root/sys/firmware/efi/efivars"
	local opts=(--root "$root" --sysfs-root "$root/sys" --run-dir "$root/run" --proc-dir /proc --esp-dir "$dir")
	out=$("$espctl" "${opts[@]}" init 2>&1 && "$espctl" "${opts[@]}" refresh 2>&1) || rc=$?
	if [ $rc -ne 0 ]; then
		fail "differential check" "host init + refresh exit 0" "exit $rc: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
		return
	fi
	esp_snapshot "$1" "$W/tree-guest"
	local d
	d=$(diff -r -x random-seed "$W/tree-guest" "$dir" 2>&1 | head -n 5)
	check_eq "differential check: guest ESP $1 tree = host refresh of the same root" "" "$d"
}

grubenv_var() { # name: "name=value" from the ESP's grubenv ("name=" when unset)
	esp_get "${ESP_IMGS[0]}" "$ESP_OFF" /grub/grubenv >"$W/grubenv.now" 2>/dev/null || true
	grub-editenv "$W/grubenv.now" list 2>/dev/null | grep "^$1=" || echo "$1="
}
