#!/usr/bin/env bash
# Test disks, built without root, loop devices or mounts on the host (spec images-e2e §4).
#
#   disk.sh layout uefi|uefi2|bios DIR   GPT in sparse file(s) DIR/disk0.img [disk1.img] with fixed ids and
#                                        empty FAT32 ESP(s); bios also gets GRUB's boot code (§4.4)
#   disk.sh state STAGE OUT              ext4 state disk (label E2ESTATE, fixed UUID) from directory STAGE
#   disk.sh bios-code DISK               embed GRUB (boot.img + core.img) with grub-bios-setup
#   disk.sh fsck DISK OFFSET             fsck.fat -n of the FAT at OFFSET (on a copy: it has no offset option)
set -euo pipefail
E2E_PROG=disk
. "$(dirname "$0")/lib.sh"

ESP_SECTORS=$((ESP_MIB * 2048))

# An empty FAT32 formatted on its own file (mkfs sizes clusters from it), then copied into place.
format_esp() { # disk offset volid
	local fat=$1.fat.tmp
	rm -f "$fat"
	mkfs.vfat -F 32 -n ESP -i "$3" -C "$fat" $((ESP_MIB * 1024)) >/dev/null || die "mkfs.vfat failed"
	dd if="$fat" of="$1" bs=1M seek=$(($2 / 1048576)) conv=notrunc,sparse status=none || die "dd into $1 failed"
	rm -f "$fat"
}

gpt() { # disk size_mib sfdisk-script
	rm -f "$1"
	truncate -s "${2}M" "$1"
	sfdisk -q --no-reread --no-tell-kernel "$1" <<<"$3" >/dev/null || die "sfdisk failed on $1"
}

layout() {
	local lay=$1 dir=$2
	mkdir -p "$dir"
	case $lay in
	uefi | uefi2)
		gpt "$dir/disk0.img" $((ESP_MIB + 2)) "label: gpt
label-id: $DISK_ID_0
start=2048, size=$ESP_SECTORS, type=$GUID_ESP, uuid=$PARTUUID_ESP_0, name=\"ESP\""
		format_esp "$dir/disk0.img" "$(esp_offset uefi)" "$FATID_ESP_0"
		if [ "$lay" = uefi2 ]; then
			gpt "$dir/disk1.img" $((ESP_MIB + 2)) "label: gpt
label-id: $DISK_ID_1
start=2048, size=$ESP_SECTORS, type=$GUID_ESP, uuid=$PARTUUID_ESP_1, name=\"ESP\""
			format_esp "$dir/disk1.img" "$(esp_offset uefi)" "$FATID_ESP_1"
		fi
		;;
	bios)
		gpt "$dir/disk0.img" $((ESP_MIB + 3)) "label: gpt
label-id: $DISK_ID_0
start=2048, size=2048, type=$GUID_BIOS_BOOT, uuid=$PARTUUID_BIOS, name=\"BIOS\"
start=4096, size=$ESP_SECTORS, type=$GUID_ESP, uuid=$PARTUUID_ESP_0, name=\"ESP\""
		format_esp "$dir/disk0.img" "$(esp_offset bios)" "$FATID_ESP_0"
		bios_code "$dir/disk0.img"
		;;
	*) die "unknown layout $lay (uefi, uefi2, bios)" ;;
	esac
}

# core.img: GRUB's own image with the modules the toolkit's grub.cfg needs, its prefix on the ESP
# (partition 2, grub/). Built once per cache.
core_img() {
	local dir=$E2E_CACHE/grub mods="biosdisk part_gpt fat normal linux serial terminal configfile echo test loadenv"
	local key
	key=$(printf '%s\n' "$mods" "$(stat -c %Y "$GRUB_PC_DIR/kernel.img")" | sha256sum | cut -c1-12)
	if [ ! -f "$dir/$key/core.img" ]; then
		mkdir -p "$dir/$key"
		grub-mkimage -O i386-pc -d "$GRUB_PC_DIR" -o "$dir/$key/core.img.tmp" -p '(hd0,gpt2)/grub' $mods ||
			die "grub-mkimage failed"
		mv "$dir/$key/core.img.tmp" "$dir/$key/core.img"
		cp "$GRUB_PC_DIR/boot.img" "$dir/$key/"
	fi
	printf '%s\n' "$dir/$key"
}

# grub-bios-setup embeds core.img into the BIOS boot partition and writes boot.img to the MBR. It wants
# the directory holding boot.img/core.img to sit on a device it can resolve; a tmpfs mounted in a private
# (user) mount namespace with the disk image's path as its source name satisfies that without root,
# loop devices or host mounts. GRUB does the embedding itself; no byte is patched by hand.
bios_code() { # disk
	local disk src mnt
	disk=$(realpath "$1")
	need_tools grub-mkimage unshare "$GRUB_PC_DIR/grub-bios-setup"
	src=$(core_img)
	mnt=$(mktemp -d "$disk.grubdir.XXXXXX")
	printf '(hd0) %s\n' "$disk" >"$mnt.map"
	local script='set -e; mount -t tmpfs "$1" "$2"; cp "$3/boot.img" "$3/core.img" "$2/";
		"$4" -s -d "$2" -m "$5" "$1"'
	local ns rc=1
	for ns in "-Urm" "-m"; do
		if unshare $ns true 2>/dev/null; then
			unshare $ns sh -c "$script" sh "$disk" "$mnt" "$src" "$GRUB_PC_DIR/grub-bios-setup" "$mnt.map" && rc=0
			break
		fi
	done
	rmdir "$mnt"
	rm -f "$mnt.map"
	[ $rc -eq 0 ] || die "grub-bios-setup failed on $disk (needs a private mount namespace: unprivileged user namespaces or root)"
}

state() { # stage out
	local stage=$1 out=$2 mib
	mib=$(($(du -sm --apparent-size "$stage" | cut -f1) + 48))
	rm -f "$out"
	truncate -s "${mib}M" "$out"
	mkfs.ext4 -q -F -d "$stage" -L "$STATE_LABEL" -U "$STATE_UUID" -E root_owner=0:0 -O ^has_journal "$out" ||
		die "mkfs.ext4 -d failed"
}

fsck_esp() { # disk offset
	local tmp=$1.fsck.tmp rc=0
	dd if="$1" of="$tmp" bs=1M skip=$(($2 / 1048576)) count="$ESP_MIB" conv=sparse status=none
	fsck.fat -n "$tmp" >"$tmp.log" 2>&1 || rc=$?
	[ $rc -eq 0 ] || cat "$tmp.log" >&2
	rm -f "$tmp" "$tmp.log"
	return $rc
}

cmd=${1:-}
shift || true
case $cmd in
layout) [ $# -eq 2 ] || die "usage: disk.sh layout LAYOUT DIR"; need_tools sfdisk mkfs.vfat; layout "$@" ;;
state) [ $# -eq 2 ] || die "usage: disk.sh state STAGE OUT"; need_tools mkfs.ext4; state "$@" ;;
bios-code) [ $# -eq 1 ] || die "usage: disk.sh bios-code DISK"; bios_code "$@" ;;
fsck) [ $# -eq 2 ] || die "usage: disk.sh fsck DISK OFFSET"; fsck_esp "$@" ;;
*) die "usage: disk.sh layout|state|bios-code|fsck ..." ;;
esac
