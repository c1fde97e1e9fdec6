# Shared by the images/ scripts (sourced, not run): paths, fixed identifiers of the test disks, logging
# and the mtools helpers that reach a FAT partition inside a disk image without mounting it.
# shellcheck shell=bash

IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$IMAGES_DIR/.." && pwd)
# Downloads, the extracted kernel, the base initramfs and GRUB's core.img: reused across runs.
E2E_CACHE=${E2E_CACHE:-$TOP/build/e2e-cache}
# One directory per scenario (disks, vars file, boot logs), kept when the scenario fails.
E2E_WORK=${E2E_WORK:-$TOP/build/images}

# Firmware and loader payloads (Debian 12 packages ovmf, systemd-boot-efi, grub-pc-bin).
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
SDBOOT_EFI=${SDBOOT_EFI:-/usr/lib/systemd/boot/efi/systemd-bootx64.efi}
GRUB_PC_DIR=${GRUB_PC_DIR:-/usr/lib/grub/i386-pc}

# Fixed identifiers (spec §1.4: deterministic images). "5e2e" stands for "e2e".
GUID_ESP=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
GUID_BIOS_BOOT=21686148-6449-6E6F-744E-656564454649
DISK_ID_0=5E2E0000-0000-4000-8000-0000000000D0
DISK_ID_1=5E2E0000-0000-4000-8000-0000000000D1
PARTUUID_ESP_0=5E2E0000-0000-4000-8000-0000000000E0   # ESP of disk0 (p1, or p2 on bios)
PARTUUID_ESP_1=5E2E0000-0000-4000-8000-0000000000E1   # ESP of disk1
PARTUUID_BIOS=5E2E0000-0000-4000-8000-0000000000B0
FATID_ESP_0=5E2E00E0     # FAT volume id; blkid shows it as 5E2E-00E0
FATID_ESP_1=5E2E00E1
STATE_LABEL=E2ESTATE
STATE_UUID=5e2e0000-0000-4000-8000-00000000057a
ESP_MIB=260
# Kernel labels (spec §8): A older, B newer; version order and string order disagree.
LABEL_A=6.1.0-9-e2e
LABEL_B=6.1.0-10-e2e
E2E_CMDLINE="root=LABEL=$STATE_LABEL console=ttyS0 panic=-1 loglevel=3"

export MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=1

log() { printf '%s: %s\n' "${E2E_PROG:-images}" "$*" >&2; }
die() { printf '%s: %s\n' "${E2E_PROG:-images}" "$*" >&2; exit 1; }

need_tools() {
	local t missing=()
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || [ -x "$t" ] || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] || die "missing host tools: ${missing[*]} (run ./build.sh deps e2e)"
}

# ESP byte offset inside a disk of a layout: the ESP starts at 1 MiB, or 2 MiB on bios (after the
# BIOS boot partition).
esp_offset() { # layout
	case $1 in
	bios) echo $((2 * 1024 * 1024)) ;;
	*) echo $((1024 * 1024)) ;;
	esac
}

# mtools on the FAT inside an image: "IMG@@OFFSET" names the partition.
esp_mkdir() { # img offset dir...
	local img=$1 off=$2 d; shift 2
	for d in "$@"; do
		mmd -D s -i "$img@@$off" "::$d" 2>/dev/null || mdir -i "$img@@$off" "::$d" >/dev/null ||
			die "mmd $d failed on $img@@$off"
	done
}
esp_put() { # img offset src dest  (dest directory must exist)
	mcopy -o -i "$1@@$2" "$3" "::$4" || die "mcopy $3 -> $1@@$2::$4 failed"
}
esp_put_str() { # img offset dest string
	printf '%s' "$4" | mcopy -o -i "$1@@$2" - "::$3" || die "mcopy - -> $1@@$2::$3 failed"
}
esp_get() { # img offset path  (to stdout)
	mtype -i "$1@@$2" "::$3"
}
esp_exists() { # img offset path
	mdir -b -i "$1@@$2" "::$3" >/dev/null 2>&1
}
esp_tree() { # img offset destdir: copy the whole FAT tree out
	mkdir -p "$3"
	mcopy -s -n -m -i "$1@@$2" '::*' "$3/" 2>/dev/null || true
}
