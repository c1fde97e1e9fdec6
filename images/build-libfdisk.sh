#!/usr/bin/env bash
# Builds static libfdisk + libblkid + libuuid from Debian's util-linux source package (DESIGN.md §5):
# Debian 12 ships no libfdisk.a. The system's apt configuration is not changed: a private sources.list
# with a deb-src line (same archive URI and keyring as the system's deb lines) and private lists/cache
# directories are used for `apt-get update` and `apt-get source --download-only`.
#
# Prints ONE line on stdout: the directory holding fdisk.pc, blkid.pc and uuid.pc, for
# `meson setup --pkg-config-path`. Everything else goes to stderr. The result is cached under
# $UTIL_LINUX_STATIC_DIR (default build/util-linux-static/); a second run prints the path at once.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${UTIL_LINUX_STATIC_DIR:-$TOP/build/util-linux-static}
SUITE=${UTIL_LINUX_SUITE:-bookworm}
PREFIX=$OUT/prefix
PCDIR=$PREFIX/lib/pkgconfig
STAMP=$OUT/done

log() { printf 'build-libfdisk: %s\n' "$*" >&2; }
die() { printf 'build-libfdisk: %s\n' "$*" >&2; exit 1; }

if [ -f "$STAMP" ] && [ -f "$PCDIR/fdisk.pc" ] && [ -f "$PREFIX/lib/libfdisk.a" ]; then
        printf '%s\n' "$PCDIR"
        exit 0
fi

for tool in apt-get dpkg-source make gcc; do
        command -v "$tool" >/dev/null || die "$tool not found: run ./build.sh deps static"
done

# The archive URI and keyring of the system's "deb" source for $SUITE, from deb822 .sources files
# or one-line .list files. Prints "URI KEYRING" (KEYRING may be empty).
system_archive() {
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
                [ -f "$f" ] || continue
                # deb822: paragraphs separated by blank lines; take the first with Types: deb and the suite.
                awk -v suite="$SUITE" '
                        function flush() {
                                if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uri != "") {
                                        print uri, key; found = 1; exit
                                }
                                types = suites = uri = key = ""
                        }
                        /^[ \t]*$/ { flush(); next }
                        /^#/ { next }
                        tolower($1) == "types:" { $1 = ""; types = substr($0, 2) }
                        tolower($1) == "suites:" { $1 = ""; suites = substr($0, 2) }
                        tolower($1) == "uris:" { uri = $2 }
                        tolower($1) == "signed-by:" { key = $2 }
                        END { if (!found) flush() }
                ' "$f"
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
                [ -f "$f" ] || continue
                # deb [signed-by=K ...] URI SUITE COMPONENTS
                awk -v suite="$SUITE" '
                        $1 != "deb" { next }
                        {
                                key = ""; i = 2
                                if ($2 ~ /^\[/) {
                                        for (; i <= NF; i++) {
                                                if ($i ~ /signed-by=/) { k = $i; sub(/.*signed-by=/, "", k); sub(/\]$/, "", k); key = k }
                                                if ($i ~ /\]$/) { i++; break }
                                        }
                                }
                                if ($(i + 1) == suite) { print $i, key; exit }
                        }
                ' "$f"
        done
}

read -r URI KEYRING < <(system_archive | head -n 1) || true
[ -n "${URI:-}" ] || die "no 'deb' source for $SUITE in /etc/apt/sources.list{,.d/}: cannot derive the deb-src line"

APTDIR=$OUT/apt
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$OUT/src"
opts=""
[ -n "${KEYRING:-}" ] && opts="[signed-by=$KEYRING] "
printf 'deb-src %s%s %s main\n' "$opts" "$URI" "$SUITE" >"$APTDIR/sources.list"
APT=(apt-get -q -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts=/nonexistent
     -o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache"
     -o APT::Sandbox::User=root)

t0=$(date +%s)
cd "$OUT/src"
if ! ls util-linux_*.dsc >/dev/null 2>&1; then
        log "fetching util-linux source ($(cat "$APTDIR/sources.list"))"
        "${APT[@]}" update >&2
        "${APT[@]}" source --download-only util-linux >&2
fi
dsc=$(ls util-linux_*.dsc | sort -V | tail -n 1)
srcdir=$OUT/src/tree
if [ ! -f "$srcdir/configure.ac" ]; then
        rm -rf "$srcdir"
        log "unpacking $dsc"
        dpkg-source --no-check -x "$dsc" "$srcdir" >&2
fi

cd "$srcdir"
if [ ! -f Makefile ]; then
        [ -x configure ] || { log "running autogen.sh"; ./autogen.sh >&2; }
        log "configure"
        ./configure --prefix="$PREFIX" --disable-all-programs --enable-libfdisk --enable-libblkid \
                --enable-libuuid --enable-static --disable-shared --without-python --without-systemd \
                --without-udev --disable-nls >"$OUT/configure.log" 2>&1 ||
                { tail -n 30 "$OUT/configure.log" >&2; die "configure failed (full log: $OUT/configure.log)"; }
fi
log "make libfdisk.la libblkid.la libuuid.la (+ their .pc files)"
make -j"$(nproc)" libfdisk.la libblkid.la libuuid.la libfdisk/fdisk.pc libblkid/blkid.pc libuuid/uuid.pc >"$OUT/make.log" 2>&1 ||
        { tail -n 30 "$OUT/make.log" >&2; die "make failed (full log: $OUT/make.log)"; }

# Install only the three libraries, their headers and .pc files: `make install` would build the rest of
# the tree's default targets too.
rm -rf "$PREFIX"
mkdir -p "$PREFIX/lib" "$PCDIR" "$PREFIX/include/libfdisk" "$PREFIX/include/blkid" "$PREFIX/include/uuid"
cp .libs/libfdisk.a .libs/libblkid.a .libs/libuuid.a "$PREFIX/lib/"
cp libfdisk/src/libfdisk.h "$PREFIX/include/libfdisk/"
cp libblkid/src/blkid.h "$PREFIX/include/blkid/"
cp libuuid/src/uuid.h "$PREFIX/include/uuid/"
cp libfdisk/fdisk.pc libblkid/blkid.pc libuuid/uuid.pc "$PCDIR/"

version=$(sed -n 's/^Version: *//p' "$PCDIR/fdisk.pc")
printf '%s %s\n' "$dsc" "$version" >"$STAMP"
log "util-linux $version static libraries in $PREFIX ($(($(date +%s) - t0)) s)"
printf '%s\n' "$PCDIR"
