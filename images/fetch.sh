#!/usr/bin/env bash
# Downloads the guest kernel and extracts it, never installing it (spec §2): the ABI package is resolved
# from the metapackage at run time (the mirror moves), fetched with `apt-get download` and unpacked with
# `dpkg-deb -x`. Cached under $E2E_CACHE keyed by package name and version, so a warm rerun needs no
# network. Prints "KVER KROOT" on stdout: the kernel's `uname -r` and the extracted tree.
set -euo pipefail
E2E_PROG=fetch
. "$(dirname "$0")/lib.sh"

META=${E2E_KERNEL_META:-linux-image-cloud-amd64}
need_tools apt-get apt-cache dpkg-deb

mkdir -p "$E2E_CACHE/debs"
pkg=${E2E_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	# First "Depends: linux-image-<digit>..." of the metapackage.
	pkg=$(apt-cache depends "$META" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		# No package lists yet (fresh machine): fall back to a cached download, else update once.
		cached=$(ls "$E2E_CACHE"/debs/linux-image-[0-9]*.deb 2>/dev/null | sort -V | tail -n 1 || true)
		if [ -n "$cached" ]; then
			pkg=$(dpkg-deb -f "$cached" Package)
		else
			log "apt-get update (no package lists)"
			apt-get update -qq >&2
			pkg=$(apt-cache depends "$META" | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
		fi
	fi
fi
[ -n "$pkg" ] || die "cannot resolve the kernel package from $META"

deb=$(ls "$E2E_CACHE/debs/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$deb" ]; then
	log "downloading $pkg"
	(cd "$E2E_CACHE/debs" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' >&2) || true
	deb=$(ls "$E2E_CACHE/debs/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	[ -n "$deb" ] || die "apt-get download $pkg failed"
fi
ver=$(dpkg-deb -f "$deb" Version)
kroot=$E2E_CACHE/kroot/${pkg}_$ver
if [ ! -f "$kroot/.extracted" ]; then
	log "extracting $(basename "$deb")"
	rm -rf "$kroot"
	mkdir -p "$kroot"
	dpkg-deb -x "$deb" "$kroot"
	touch "$kroot/.extracted"
fi
kver=$(ls "$kroot/boot" | sed -n 's/^vmlinuz-//p' | head -n 1)
[ -n "$kver" ] && [ -d "$kroot/lib/modules/$kver" ] || die "$deb holds no vmlinuz and modules"
printf '%s %s\n' "$kver" "$kroot"
