#!/usr/bin/env bash
# The one entry point of the early-boot toolkit: deps | build | test | demo | e2e | bench | static | fuzz | deb.
set -euo pipefail
cd "$(dirname "$0")"
TOP=$PWD

# Packages for building and testing (tier "test"), and for images and boots (tier "e2e").
DEPS_TEST=(gcc meson ninja-build pkg-config file libblkid-dev libfdisk-dev uuid-dev zlib1g-dev
           libjansson-dev libcmocka-dev efivar dosfstools mtools fdisk util-linux valgrind strace
           systemd busybox-static clang libclang-rt-14-dev python3 bc grub-common iproute2 libcap2-bin)
DEPS_E2E=(qemu-system-x86 ovmf systemd-boot-efi grub-pc-bin grub-efi-amd64-bin cpio xz-utils
          zstd kmod dpkg-dev grub-common busybox-static dosfstools mtools fdisk e2fsprogs binutils
          util-linux python3 gcc)
DEPS_STATIC=(dpkg-dev autoconf automake libtool gettext autopoint bison flex musl-tools make xz-utils)
DEPS_DEB=(dpkg-dev lintian)

usage() {
        cat <<'USAGE'
usage: ./build.sh COMMAND

  deps [tier...]  install build/test dependencies with apt-get (tiers: test e2e static deb; default test)
  build           meson + ninja into build/ (dynamic, optimised)
  test            deps, ASan+UBSan build in build-test/, unit and integration tests with totals
  demo [--quick]  the main job on an embedded demo host (images/demo.sh), then on a demo disk
                  booted twice in qemu (images/demo-boot.sh); --quick stops after the first part
  e2e             build images and boot them in qemu (tests/e2e/)
  bench           benchmarks; prints ratios and sizes (tests/bench/*.sh)
  static          fully static binaries in build-static/, prints their sizes
  fuzz [SECONDS]  libFuzzer targets under clang (tests/fuzz/), each for SECONDS (default 30)
  deb             a Debian package in build-deb/
  valgrind        the unit and integration suites under valgrind memcheck (errors fail)
  --help          this text
USAGE
}

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

missing_pkgs() {
        local p out=()
        for p in "$@"; do
                dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || out+=("$p")
        done
        printf '%s\n' "${out[@]}"
}

deps() {
        local tiers=("$@") pkgs=() t
        [ ${#tiers[@]} -gt 0 ] || tiers=(test)
        for t in "${tiers[@]}"; do
                case $t in
                test) pkgs+=("${DEPS_TEST[@]}") ;;
                e2e) pkgs+=("${DEPS_E2E[@]}") ;;
                static) pkgs+=("${DEPS_STATIC[@]}") ;;
                deb) pkgs+=("${DEPS_DEB[@]}") ;;
                *) die "unknown dependency tier: $t" ;;
                esac
        done
        mapfile -t need < <(missing_pkgs "${pkgs[@]}" | sed '/^$/d')
        [ ${#need[@]} -eq 0 ] && return 0
        log "installing: ${need[*]}"
        local sudo=()
        [ "$(id -u)" -eq 0 ] || sudo=(sudo)
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

setup() { # dir, meson options...
        local dir=$1; shift
        if [ ! -f "$dir/build.ninja" ]; then
                meson setup "$dir" "$@" >/dev/null
        else
                meson configure "$dir" "$@" >/dev/null
        fi
}

build() {
        deps test
        setup build -Dbuildtype=debugoptimized
        ninja -C build
}

run_suite() { # builddir suite
        local dir=$1 suite=$2 rc=0
        log "suite $suite"
        meson test -C "$dir" --suite "$suite" --print-errorlogs --num-processes 2 --no-rebuild --timeout-multiplier 4 || rc=$?
        return $rc
}

test_() {
        deps test
        # ASan+UBSan; fault injection compiled in so crash-point tests run in the same build.
        setup build-test -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
                -Dfault_injection=true -Dtests=enabled
        ninja -C build-test
        export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
        local rc=0
        run_suite build-test unit || rc=1
        run_suite build-test integration || rc=1
        if [ $rc -ne 0 ]; then log "TESTS FAILED"; return 1; fi
        log "all tests passed"
}

valgrind_() {
        deps test
        # No sanitizers here (valgrind and ASan do not mix). Unit tests run wrapped in memcheck;
        # in the integration suite lib.sh's `run` wraps every binary (--error-exitcode=97 fails the
        # check); children spawned by a checked binary (kernel-select -> espctl) are traced too,
        # scripts and fake guests are not. The fault sweeps (suite 'fault') run thousands of
        # processes and have their own build; skipped.
        setup build-vg -Dbuildtype=debug -Dtests=enabled -Dfault_injection=true
        ninja -C build-vg
        local vg=(valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite)
        local start=$SECONDS rc=0 urc=0
        meson test -C build-vg --print-errorlogs --num-processes 2 --no-rebuild --suite unit \
                --timeout-multiplier 10 --wrapper "${vg[*]}" || urc=$?
        log "valgrind: unit suite $([ $urc -eq 0 ] && echo clean || echo FAILED) in $((SECONDS - start)) s"
        start=$SECONDS
        TOOLKIT_VALGRIND=1 VALGRIND_OPTS="--trace-children=yes --trace-children-skip=*/bash,*/sh,*/env,*/python3*,*/fake-guest,*/sleep,*/true" \
                meson test -C build-vg --print-errorlogs --num-processes 2 --no-rebuild \
                --timeout-multiplier 10 --suite integration --no-suite fault || rc=$?
        log "valgrind: integration suite $([ $rc -eq 0 ] && echo clean || echo FAILED) in $((SECONDS - start)) s"
        [ $urc -eq 0 ] && [ $rc -eq 0 ]
}

demo() {
        build >/dev/null
        BUILD_DIR=$TOP/build bash images/demo.sh
        if [ "${1:-}" = --quick ]; then return 0; fi
        # Then the same job on a real disk: two firmware boots in qemu (spec images-e2e §11).
        deps test e2e
        printf '\n== boot demo: a GPT disk with a real vfat ESP, booted twice in qemu (about 2 minutes; the first\n   run also builds the static musl libraries, about 3 minutes)\n'
        bash images/demo-boot.sh
}

e2e() {
        deps test e2e static
        # The toolkit scenarios boot the static binaries; without a successful static build they are
        # skipped (never passed on stale binaries) and e2e fails after the rest has run.
        local static_ok=1
        static >/dev/null || static_ok=0
        if [ $static_ok -eq 0 ]; then
                log "static build FAILED: toolkit scenarios are skipped"
                E2E_TOOLKIT_DIR=/nonexistent bash tests/e2e/run.sh "$@" || true
                return 1
        fi
        bash tests/e2e/run.sh "$@"
}

static() {
        deps test static
        # musl (DESIGN.md §5): every library rebuilt with musl-gcc from Debian's sources, cached under
        # build/static-deps-musl/; the Linux UAPI headers come in through -isystem. STATIC_LIBC=glibc
        # gives the glibc build instead (system zlib/jansson, util-linux libraries built here).
        local libc=${STATIC_LIBC:-musl} pc opts=() envs=()
        pc=$(bash images/build-static-deps.sh "$libc") || { log "static: building the $libc libraries failed"; return 1; }
        if [ "$libc" = musl ]; then
                # also for ninja: a regeneration must find the musl libraries, never the system's
                envs=(CC=musl-gcc PKG_CONFIG_LIBDIR="$pc")
                opts=(-Dc_args="-ffunction-sections -fdata-sections -isystem ${pc%/prefix/lib/pkgconfig}/kernel-include")
        else
                opts=(-Dc_args="-ffunction-sections -fdata-sections" --pkg-config-path "$pc")
        fi
        # A build directory configured for the other C library starts over.
        if [ -f build-static/build.ninja ] && [ "$(cat build-static/.libc 2>/dev/null)" != "$libc" ]; then
                rm -rf build-static
        fi
        # LTO and section garbage collection drop what the static libraries bring but we never call
        # (issue 10: each binary <= 1.5 MB).
        opts+=(-Dbuildtype=minsize -Dstatic_binaries=true -Dtests=disabled -Ddefault_library=static -Db_lto=true
               -Dc_link_args="-Wl,--gc-sections")
        if [ -f build-static/build.ninja ]; then
                env "${envs[@]}" meson configure build-static "${opts[@]}" >/dev/null
        else
                env "${envs[@]}" meson setup build-static "${opts[@]}" >/dev/null
        fi
        echo "$libc" >build-static/.libc
        env "${envs[@]}" ninja -C build-static
        local f
        for f in build-static/*/kernel-select build-static/*/espctl build-static/*/boot-detect \
                 build-static/*/ksm-early build-static/*/guest-startall; do
                [ -x "$f" ] || continue
                strip -o "$f.stripped" "$f"
                printf '%-16s %9d bytes stripped  %s, %s\n' "$(basename "$f")" "$(stat -c %s "$f.stripped")" \
                        "$(file -b "$f" | cut -d, -f1-2,4 | tr -s ' ')" "$libc"
        done
}

bench() {
        build >/dev/null
        [ -d build-static ] || static >/dev/null || true
        local f rc=0
        for f in tests/bench/*.sh; do
                [ -f "$f" ] || continue
                BUILD_DIR=$TOP/build STATIC_DIR=$TOP/build-static bash "$f" || rc=1
        done
        return $rc
}

fuzz() {
        deps test
        # libFuzzer targets built with clang (ASan+UBSan) into build-fuzz/, each run SECONDS.
        bash tests/fuzz/run.sh "${1:-30}" "${@:2}"
}

deb() {
        deps test static deb
        static >/dev/null
        bash hooks/debian/build-deb.sh
}

cmd=${1:---help}
shift || true
case $cmd in
deps) deps "$@" ;;
build) build ;;
test) test_ ;;
demo) demo "$@" ;;
e2e) e2e "$@" ;;
bench) bench ;;
static) static ;;
fuzz) fuzz "$@" ;;
deb) deb ;;
valgrind) valgrind_ ;;
-h | --help | help) usage ;;
*) usage >&2; exit 1 ;;
esac
