#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz-*.c) with clang, ASan and UBSan, and runs each for
# SECONDS (./build.sh fuzz [SECONDS]).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     default 30 s, every target
#   FUZZ_JOBS=2      run two targets at a time (default 1: the machine is shared)
#   FUZZ_MERGE=1     afterwards, merge what was found into the kept corpus (tests/fuzz/corpus/)
#   FUZZ_BUILD=DIR   build directory (default build-fuzz/)
#
# Each target starts from its kept corpus tests/fuzz/corpus/<target>/ (read only) plus a work
# corpus under the build directory, where new inputs go. A crash, a leak, a timeout (-timeout=10)
# or a property violation (FUZZ_ASSERT) fails the run; the input is saved as
# <build>/artifacts/<target>-crash-<sha1> and the command to reproduce it is printed. Reproducers
# of reported bugs are kept in tests/fuzz/crashes/ (see its README).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
SECS=${1:-30}
shift || true
B=${FUZZ_BUILD:-$TOP/build-fuzz}
CC=${CC_FUZZ:-clang}

# target -> sources outside lib/ (lib/*.c is linked into every target)
declare -A SRC=(
        [bls]="boot/bls.c"
        [loader-conf]="boot/loader-conf.c"
        [grub-cfg]="boot/grub-cfg.c boot/bls.c"
        [grubenv]=""
        [efivar]=""
        [parse]=""
        [kconfig]="kernel-select/kconfig.c"
        [dpkg-status]="kernel-select/inventory.c kernel-select/kconfig.c"
        [manifest]="esp/manifest.c"
        [registration]="esp/registration.c"
        [cmdline]="esp/cmdline.c"
        [esp-cache]="esp/cache.c"
        [ksm-policy]="ksm-early/policy.c ksm-early/selector.c ksm-early/labels.c ksm-early/knobs.c"
        [ksm-labels]="ksm-early/labels.c ksm-early/state.c"
        [startall-guest]="startall/guests.c startall/guest.c"
        [startall-pve]="startall/pve.c startall/guests.c startall/guest.c startall/nodeconf.c"
)
ALL=(bls loader-conf grub-cfg grubenv efivar parse kconfig dpkg-status manifest registration cmdline
     esp-cache ksm-policy ksm-labels startall-guest startall-pve)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")

command -v "$CC" >/dev/null || { echo "fuzz: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
CFLAGS=(-g -O1 -std=gnu11 -D_GNU_SOURCE '-DTOOLKIT_VERSION="fuzz"' -I"$TOP" -fno-omit-frame-pointer
        -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -Wall -Wno-unused-parameter -Werror)
LDFLAGS=(-fsanitize=fuzzer,address,undefined)
LIBS=(-lz -ljansson)

# Object of one source, rebuilt when the source or any header of the tree is newer.
NEWEST_H=$(find "$TOP/lib" "$TOP/boot" "$TOP/esp" "$TOP/kernel-select" "$TOP/ksm-early" "$TOP/startall" \
           "$HERE" -name '*.h' -printf '%T@\n' | sort -n | tail -1)
obj() {
        local src=$1 o=$B/obj/${1%.c}.o
        mkdir -p "$(dirname "$o")"
        if [ ! -f "$o" ] || [ "$TOP/$src" -nt "$o" ] || \
           awk -v h="$NEWEST_H" -v o="$(stat -c %Y "$o")" 'BEGIN { exit !(h > o) }'; then
                "$CC" "${CFLAGS[@]}" -c "$TOP/$src" -o "$o"
        fi
        echo "$o"
}

build_start=$(date +%s)
mkdir -p "$B/artifacts" "$B/corpus"
mapfile -t LIB_OBJS < <(cd "$TOP" && for f in lib/*.c; do obj "$f"; done)
for t in "${TARGETS[@]}"; do
        [ -n "${SRC[$t]+x}" ] || { echo "fuzz: unknown target $t (known: ${ALL[*]})" >&2; exit 1; }
        objs=("${LIB_OBJS[@]}")
        for s in ${SRC[$t]}; do objs+=("$(obj "$s")"); done
        objs+=("$(cd "$TOP" && obj "tests/fuzz/fuzz-$t.c")")
        "$CC" "${LDFLAGS[@]}" "${objs[@]}" "${LIBS[@]}" -o "$B/fuzz-$t"
done
echo "fuzz: built ${#TARGETS[@]} targets in $(( $(date +%s) - build_start )) s"

# One target: returns non-zero on any finding.
run_one() {
        local t=$1
        local log=$B/fuzz-$t.log work=$B/corpus/$t kept=$HERE/corpus/$t # after t: local expands first
        mkdir -p "$work" "$kept"
        local rc=0 start=$(date +%s)
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$B/fuzz-$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
                -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$B/artifacts/$t-" \
                "$work" "$kept" >"$log" 2>&1 || rc=$?
        local runs cov
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        if [ $rc -eq 0 ]; then
                printf 'fuzz: %-15s ok    %9s runs in %3d s, coverage %s, corpus %d+%d\n' "$t" "${runs:-?}" \
                        $(( $(date +%s) - start )) "${cov:-?}" "$(ls "$kept" | wc -l)" "$(ls "$work" | wc -l)"
        else
                local art
                art=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
                printf 'fuzz: %-15s FAIL  (exit %d) %s\n' "$t" "$rc" \
                        "$(grep -m1 -E 'runtime error|ERROR|Timeout|leak' "$log" || true) $(grep -m1 -o 'in LLVMFuzzerTestOneInput [^ ]*' "$log" || true)"
                printf '      log: %s\n      reproduce: %s %s\n' "$log" "$B/fuzz-$t" "${art:-<see log>}"
        fi
        if [ "${FUZZ_MERGE:-0}" = 1 ] && [ $rc -eq 0 ]; then
                "$B/fuzz-$t" -merge=1 -close_fd_mask=3 -max_len=8192 "$kept" "$work" >>"$log" 2>&1 || true
        fi
        return $rc
}
export -f run_one
export B HERE SECS

run_start=$(date +%s)
fails=0
if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then
        printf '%s\n' "${TARGETS[@]}" | xargs -P "$FUZZ_JOBS" -I{} bash -c 'run_one "$@"' _ {} || fails=1
else
        for t in "${TARGETS[@]}"; do run_one "$t" || fails=$((fails + 1)); done
fi
echo "fuzz: ${#TARGETS[@]} targets, ${SECS} s each, $(( $(date +%s) - run_start )) s in all; $([ $fails -eq 0 ] && echo 'no findings' || echo 'FINDINGS: see above')"
[ $fails -eq 0 ]
