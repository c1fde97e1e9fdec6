#!/usr/bin/env bash
# Builds the Debian package early-boot-toolkit as a plain dpkg-deb tree (no debhelper): the static
# binaries, the hooks, the systemd units, the initramfs-tools scripts of ksm-early, default
# configuration files (conffiles), man pages made from --help, the docs, the maintainer scripts;
# then lintian. Called by `./build.sh deb` after `./build.sh static`.
#
# usage: hooks/debian/build-deb.sh [--bin-dir DIR] [--out DIR] [--no-lintian]
#   --bin-dir DIR   build directory holding <area>/<binary> (default build-static; a *.stripped
#                   file beside a binary is preferred, others are stripped here)
#   --out DIR       output directory (default build-deb); the tree is DIR/pkg
#   --no-lintian    skip lintian (tests that package a sanitizer build)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DEB=$TOP/hooks/debian
BIN_DIR=$TOP/build-static
OUT=$TOP/build-deb
LINTIAN=1
while [ $# -gt 0 ]; do
        case $1 in
        --bin-dir) BIN_DIR=${2:?--bin-dir needs a directory}; shift 2 ;;
        --out) OUT=${2:?--out needs a directory}; shift 2 ;;
        --no-lintian) LINTIAN=0; shift ;;
        *) echo "build-deb.sh: unknown argument: $1" >&2; exit 1 ;;
        esac
done
die() { echo "build-deb.sh: $*" >&2; exit 1; }

NAME=early-boot-toolkit
UPSTREAM=$(sed -n "s/^ *version : '\([^']*\)',*$/\1/p" "$TOP/meson.build" | head -1)
[ -n "$UPSTREAM" ] || die "no version in meson.build"
VERSION=$UPSTREAM-1
ARCH=$(dpkg --print-architecture)
# Reproducible: every mtime and the changelog date come from the last commit (or a fixed date).
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$TOP" log -1 --format=%ct 2>/dev/null || echo 1763899200)}
export SOURCE_DATE_EPOCH
PKG=$OUT/pkg
DOC=$PKG/usr/share/doc/$NAME
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/usr/sbin" "$DOC" "$PKG/usr/share/man/man8"

# Binaries, with a one-line summary for their man pages.
declare -A SUMMARY=(
        [espctl]="keep the EFI system partitions in sync with the selected kernels"
        [kernel-select]="select, pin and list the kernels kept on the EFI system partitions"
        [boot-detect]="report firmware, Secure Boot and boot loader state"
        [ksm-early]="apply a KubeVirt-style KSM policy at early boot"
        [guest-startall]="start guests in order at boot, stop them at shutdown"
)
for b in espctl kernel-select boot-detect ksm-early guest-startall; do
        src=
        for f in "$BIN_DIR/$b/$b" "$BIN_DIR"/*/"$b"; do [ -x "$f" ] && { src=$f; break; }; done
        [ -n "$src" ] || die "no $b under $BIN_DIR (run ./build.sh static)"
        if [ -f "$src.stripped" ]; then
                objcopy --remove-section=.comment "$src.stripped" "$PKG/usr/sbin/$b"
                chmod 0755 "$PKG/usr/sbin/$b"
        else
                strip --strip-unneeded --remove-section=.comment -o "$PKG/usr/sbin/$b" "$src"
                chmod 0755 "$PKG/usr/sbin/$b"
        fi
        # Man page from --help: the usage text as the binary prints it.
        help=$("$src" --help 2>&1) || true
        {
                printf '.TH %s 8 "" "%s %s" "System Administration"\n' "$(echo "$b" | tr "[:lower:]" "[:upper:]")" "$NAME" "$UPSTREAM"
                printf '.SH NAME\n%s \\- %s\n' "$b" "${SUMMARY[$b]}"
                printf '.SH SYNOPSIS\n.nf\n'
                printf '%s\n' "$help" | sed -e 's/\\/\\e/g' -e 's/^[.'\'']/\\\&&/'
                printf '.fi\n.SH SEE ALSO\nThe documentation in /usr/share/doc/%s/.\n' "$NAME"
        } | gzip -9n >"$PKG/usr/share/man/man8/$b.8.gz"
done

# Hooks: the kernel and initramfs hooks are conffiles in /etc; the kernel-install plugin is not.
install -D -m 0755 "$TOP/hooks/kernel/postinst.d/zz-espctl" "$PKG/etc/kernel/postinst.d/zz-espctl"
install -D -m 0755 "$TOP/hooks/kernel/postinst.d/zz-espctl" "$PKG/etc/kernel/postrm.d/zz-espctl"
install -D -m 0755 "$TOP/hooks/initramfs/post-update.d/espctl" "$PKG/etc/initramfs/post-update.d/espctl"
install -D -m 0755 "$TOP/hooks/kernel-install/90-espctl.install" "$PKG/usr/lib/kernel/install.d/90-espctl.install"
for u in "$TOP"/hooks/systemd/*.service; do
        install -D -m 0644 "$u" "$PKG/usr/lib/systemd/system/${u##*/}"
done
install -D -m 0755 "$TOP/hooks/initramfs-tools/hooks/ksm-early" "$PKG/usr/share/initramfs-tools/hooks/ksm-early"
install -D -m 0755 "$TOP/hooks/initramfs-tools/scripts/init-premount/ksm-early" \
        "$PKG/usr/share/initramfs-tools/scripts/init-premount/ksm-early"
install -D -m 0644 "$DEB/espctl.conf" "$PKG/etc/kernel/espctl.conf"
install -D -m 0644 "$DEB/default-ksm-early" "$PKG/etc/default/ksm-early"

# Docs, copyright, changelog, lintian overrides.
install -m 0644 "$TOP/README.md" "$DOC/README.md"
for f in "$TOP"/docs/*.md; do install -m 0644 "$f" "$DOC/${f##*/}"; done
install -m 0644 "$DEB/copyright" "$DOC/copyright"
date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
sed -e "s/@VERSION@/$VERSION/" -e "s/^ -- \(.*>\)  .*/ -- \1  $date/" "$DEB/changelog" | gzip -9n >"$DOC/changelog.Debian.gz"
install -D -m 0644 "$DEB/lintian-overrides" "$PKG/usr/share/lintian/overrides/$NAME"

# Control area.
for s in postinst prerm postrm; do install -m 0755 "$DEB/$s" "$PKG/DEBIAN/$s"; done
install -m 0644 "$DEB/conffiles" "$DEB/triggers" "$PKG/DEBIAN/"
built_using=
libc_dev=libc6-dev
[ "$(cat "$TOP/build-static/.libc" 2>/dev/null)" = musl ] && libc_dev=musl-dev
for dev in $libc_dev libblkid-dev zlib1g-dev libjansson-dev; do
        s=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' "$dev" 2>/dev/null) || continue
        built_using=${built_using:+$built_using, }$s
done
size=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" \
        -e "s/@BUILT_USING@/$built_using/" "$DEB/control" >"$PKG/DEBIAN/control"
[ -n "$built_using" ] || sed -i '/^Built-Using: $/d' "$PKG/DEBIAN/control"
(cd "$PKG" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' md5sum) >"$PKG/DEBIAN/md5sums"
chmod 0644 "$PKG/DEBIAN/md5sums"
find "$PKG" -type d -exec chmod 0755 {} +
find "$PKG" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb=$OUT/${NAME}_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$PKG" "$deb" >/dev/null
echo "$deb"
if [ "$LINTIAN" = 1 ]; then
        command -v lintian >/dev/null || die "lintian not installed (./build.sh deps deb)"
        lintian --fail-on error --display-info "$deb" >&2 || die "lintian reported errors"
fi
