#!/usr/bin/env bash
# Guest initramfs (spec images-e2e §5.1).
#
#   initrd.sh base KROOT KVER OUT [TOOLKIT_BINARY...]
#       busybox-static, /init, the kernel's own modules needed for virtio disks, vfat and efivarfs (in
#       depends= order; the build fails if one is missing) and the toolkit binaries (each must be static:
#       the guest has no libc). Packed with busybox cpio (newc) and gzip -1.
#   initrd.sh label BASE LABEL OUT [--bad]
#       BASE plus a tiny appended cpio holding /etc/e2e/label (and /etc/e2e/bad for a kernel meant to
#       fail); the kernel unpacks concatenated archives in order.
set -euo pipefail
E2E_PROG=initrd
. "$(dirname "$0")/lib.sh"

BUSYBOX=${E2E_BUSYBOX:-/bin/busybox}
# What the guest needs; dependencies are added from each module's depends= string.
MODULES=(virtio_pci virtio_blk vfat nls_cp437 nls_ascii efivarfs)

pack() { # dir out: a reproducible newc archive, owned by root
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc -R 0:0 2>/dev/null) |
		gzip -1 -n >"$2.tmp"
	mv "$2.tmp" "$2"
}

is_static() { # binary
	local h
	h=$(readelf -lW "$1" 2>/dev/null) || return 1
	! grep -qE '^ *(INTERP|DYNAMIC) ' <<<"$h"
}

module_file() { # moddir name: the .ko path (names may use - or _)
	local alt=${2//_/-} f
	f=$(find "$1" \( -name "$2.ko" -o -name "$2.ko.xz" -o -name "$2.ko.zst" \
		-o -name "$alt.ko" -o -name "$alt.ko.xz" -o -name "$alt.ko.zst" \) -print -quit)
	[ -n "$f" ] || die "module $2 not found under $1"
	printf '%s\n' "$f"
}

# Copies module $2 (after its dependencies) into $3 and appends it to $3/order.
add_module() { # moddir name outdir
	local moddir=$1 name=${2//-/_} out=$3 f dep deps
	grep -qx "$name" "$out/order" 2>/dev/null && return 0
	f=$(module_file "$moddir" "$name")
	case $f in
	*.xz) xz -dc "$f" >"$out/$name.ko" ;;
	*.zst) zstd -qdc "$f" >"$out/$name.ko" ;;
	*) cp "$f" "$out/$name.ko" ;;
	esac
	deps=$(tr '\0' '\n' <"$out/$name.ko" | sed -n 's/^depends=//p' | head -n 1)
	for dep in ${deps//,/ }; do
		add_module "$moddir" "$dep" "$out"
	done
	grep -qx "$name" "$out/order" 2>/dev/null || echo "$name" >>"$out/order"
}

base() {
	local kroot=$1 kver=$2 out=$3 b; shift 3
	local moddir=$kroot/lib/modules/$kver
	[ -d "$moddir" ] || die "no modules in $moddir"
	is_static "$BUSYBOX" || die "$BUSYBOX is not static (install busybox-static)"
	for b in "$@"; do
		is_static "$b" || die "$b is not a static binary (build it with ./build.sh static)"
	done
	local stage
	stage=$(mktemp -d "${out}.stage.XXXXXX")
	trap 'rm -rf "$stage"' RETURN
	mkdir -p "$stage"/{bin,usr/bin,etc/e2e,lib/e2e-modules,dev,proc,sys,run,tmp,sysroot}
	cp "$BUSYBOX" "$stage/bin/busybox"
	cp "$IMAGES_DIR/init" "$stage/init"
	chmod 0755 "$stage/init"
	: >"$stage/lib/e2e-modules/order"
	local m
	for m in "${MODULES[@]}"; do
		add_module "$moddir" "$m" "$stage/lib/e2e-modules"
	done
	for b in "$@"; do
		strip -o "$stage/usr/bin/$(basename "$b")" "$b" || die "strip $b failed"
	done
	pack "$stage" "$out"
	log "base initramfs $(basename "$out"): $(stat -c %s "$out") bytes; modules: $(tr '\n' ' ' <"$stage/lib/e2e-modules/order")${*:+; toolkit: $(for b in "$@"; do basename "$b"; done | tr '\n' ' ')}"
}

label() {
	local basefile=$1 lbl=$2 out=$3 bad=${4:-}
	[ -f "$basefile" ] || die "no base initramfs $basefile"
	local stage
	stage=$(mktemp -d "${out}.stage.XXXXXX")
	trap 'rm -rf "$stage"' RETURN
	mkdir -p "$stage/etc/e2e"
	printf '%s\n' "$lbl" >"$stage/etc/e2e/label"
	[ "$bad" = --bad ] && : >"$stage/etc/e2e/bad"
	pack "$stage" "$stage.seg"
	cat "$basefile" "$stage.seg" >"$out"
	rm -f "$stage.seg"
}

cmd=${1:-}
shift || true
case $cmd in
base) [ $# -ge 3 ] || die "usage: initrd.sh base KROOT KVER OUT [BINARY...]"; base "$@" ;;
label) [ $# -ge 3 ] || die "usage: initrd.sh label BASE LABEL OUT [--bad]"; label "$@" ;;
*) die "usage: initrd.sh base|label ..." ;;
esac
