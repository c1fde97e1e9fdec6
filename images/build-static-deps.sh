#!/usr/bin/env bash
# Static libraries for `./build.sh static` from Debian's source packages (DESIGN.md §5): Debian 12
# ships no libfdisk.a/libblkid.a, and nothing at all built against musl.
#
#   images/build-static-deps.sh glibc   libfdisk + libblkid + libuuid (util-linux) for gcc
#   images/build-static-deps.sh musl    the same plus zlib and jansson, all built with musl-gcc
#                                       (musl-tools); the Linux UAPI headers come from the system
#                                       through a directory of links (musl ships none)
#
# The system's apt configuration is not changed: a private sources.list with a deb-src line (same
# archive URI and keyring as the system's deb lines) and private lists/cache directories are used
# for `apt-get update` and `apt-get source --download-only`.
#
# Prints ONE line on stdout: the directory holding the .pc files, for `meson setup
# --pkg-config-path` (musl: use it as PKG_CONFIG_LIBDIR, so nothing of the system is picked).
# Everything else goes to stderr. Cached under $STATIC_DEPS_DIR (default build/static-deps-LIBC/);
# a second run prints the path at once.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
LIBC=${1:-glibc}
case $LIBC in
glibc) CC=gcc; LIBS="util-linux" ;;
musl) CC=musl-gcc; LIBS="zlib jansson util-linux" ;;
*) printf 'usage: %s glibc|musl\n' "$0" >&2; exit 1 ;;
esac
OUT=${STATIC_DEPS_DIR:-$TOP/build/static-deps-$LIBC}
SUITE=${STATIC_DEPS_SUITE:-bookworm}
PREFIX=$OUT/prefix
PCDIR=$PREFIX/lib/pkgconfig
STAMP=$OUT/done

log() { printf 'build-static-deps(%s): %s\n' "$LIBC" "$*" >&2; }
die() { log "$*"; exit 1; }

if [ -f "$STAMP" ] && [ -f "$PCDIR/fdisk.pc" ] && [ -f "$PREFIX/lib/libfdisk.a" ]; then
        printf '%s\n' "$PCDIR"
        exit 0
fi

for tool in apt-get dpkg-source make "$CC"; do
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
export CC
CFLAGS="-Os -ffunction-sections -fdata-sections"
if [ "$LIBC" = musl ]; then
        # musl-gcc searches only musl's headers: the kernel's UAPI headers (linux/, asm/) are linked in.
        KINC=$OUT/kernel-include
        mkdir -p "$KINC"
        for d in linux asm-generic mtd; do ln -sfn "/usr/include/$d" "$KINC/$d"; done
        ln -sfn "/usr/include/$(gcc -dumpmachine)/asm" "$KINC/asm"
        CFLAGS="$CFLAGS -isystem $KINC"
fi
export CFLAGS
rm -rf "$PREFIX"
mkdir -p "$PREFIX/lib" "$PCDIR" "$OUT/src"

# source PKG: the unpacked tree of Debian's source package PKG; echoes its path.
source_tree() {
        local pkg=$1 dsc tree=$OUT/src/$1
        cd "$OUT/src"
        if ! ls "${pkg}"_*.dsc >/dev/null 2>&1; then
                log "fetching $pkg source ($(cat "$APTDIR/sources.list"))"
                [ -f "$APTDIR/updated" ] || { "${APT[@]}" update >&2 && touch "$APTDIR/updated"; }
                "${APT[@]}" source --download-only "$pkg" >&2
        fi
        dsc=$(ls "${pkg}"_*.dsc | sort -V | tail -n 1)
        if [ ! -f "$tree/.unpacked" ]; then
                rm -rf "$tree"
                log "unpacking $dsc"
                dpkg-source --no-check -x "$dsc" "$tree" >&2
                touch "$tree/.unpacked"
        fi
        echo "$tree"
}

# run LOG CMD...: a build step whose output goes to OUT/LOG, the tail shown when it fails.
run() {
        local logf=$OUT/$1; shift
        "$@" >"$logf" 2>&1 || { tail -n 30 "$logf" >&2; die "$* failed (full log: $logf)"; }
}

build_zlib() {
        cd "$(source_tree zlib)"
        log "zlib: configure, make libz.a"
        run zlib-configure.log ./configure --static --prefix="$PREFIX"
        run zlib-make.log make -j"$(nproc)" libz.a
        cp libz.a "$PREFIX/lib/"
        mkdir -p "$PREFIX/include"
        cp zlib.h zconf.h "$PREFIX/include/"
        cat >"$PCDIR/zlib.pc" <<PC
prefix=$PREFIX
Name: zlib
Description: zlib compression library (static, $LIBC)
Version: $(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' zlib.h)
Libs: -L\${prefix}/lib -lz
Cflags: -I\${prefix}/include
PC
}

build_jansson() {
        cd "$(source_tree jansson)"
        [ -x configure ] || { log "jansson: autoreconf"; run jansson-autoreconf.log autoreconf -fi; }
        log "jansson: configure, make"
        run jansson-configure.log ./configure --prefix="$PREFIX" --disable-shared --enable-static
        run jansson-make.log make -j"$(nproc)"
        run jansson-install.log make install
}

build_util_linux() {
        cd "$(source_tree util-linux)"
        [ -x configure ] || { log "util-linux: autogen.sh"; run util-linux-autogen.log ./autogen.sh; }
        log "util-linux: configure"
        run util-linux-configure.log ./configure --prefix="$PREFIX" --disable-all-programs --enable-libfdisk \
                --enable-libblkid --enable-libuuid --enable-static --disable-shared --without-python \
                --without-systemd --without-udev --disable-nls
        log "util-linux: make libfdisk.la libblkid.la libuuid.la (+ their .pc files)"
        run util-linux-make.log make -j"$(nproc)" libfdisk.la libblkid.la libuuid.la libfdisk/fdisk.pc \
                libblkid/blkid.pc libuuid/uuid.pc
        # Only the three libraries, their headers and .pc files: `make install` would build the rest
        # of the tree's default targets too.
        mkdir -p "$PREFIX/include/libfdisk" "$PREFIX/include/blkid" "$PREFIX/include/uuid"
        cp .libs/libfdisk.a .libs/libblkid.a .libs/libuuid.a "$PREFIX/lib/"
        cp libfdisk/src/libfdisk.h "$PREFIX/include/libfdisk/"
        cp libblkid/src/blkid.h "$PREFIX/include/blkid/"
        cp libuuid/src/uuid.h "$PREFIX/include/uuid/"
        cp libfdisk/fdisk.pc libblkid/blkid.pc libuuid/uuid.pc "$PCDIR/"
}

for lib in $LIBS; do "build_${lib//-/_}"; done
printf '%s %s\n' "$LIBC" "$LIBS" >"$STAMP"
log "static $LIBS in $PREFIX ($(($(date +%s) - t0)) s)"
printf '%s\n' "$PCDIR"
