#!/usr/bin/env bash
# Benchmark of ksm-early apply on a fake tree (spec §16: < 2 ms wall, exactly one write per
# changed knob). Prints numbers and ratios against /bin/true and a no-op rerun; asserts only
# the write count, never the timing.
set -euo pipefail
: "${BUILD_DIR:?BUILD_DIR not set}"
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-ksm.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=../integration/ksm-early/fake.sh
source "$HERE/../integration/ksm-early/fake.sh"
EXE=$BUILD_DIR/ksm-early/ksm-early
[ -x "$EXE" ] || { echo "ksm-early bench: no $EXE (build first)"; exit 1; }
N=${BENCH_RUNS:-200}
POLICY='{"apiVersion":"ksm-early/v1alpha1","ksmConfiguration":{"nodeLabelSelector":{},"tuning":{"sleepMillisecs":50,"maxPageSharing":512,"useZeroPages":true,"advisor":{"maxCpu":40}}}}'
CHANGED="advisor_max_cpu max_page_sharing run sleep_millisecs use_zero_pages"

fake_root "$TMP/orig"; policy "$TMP/orig" "$POLICY"
# /run is tmpfs on a real host: the run directory goes on tmpfs here too, or ext4's fsyncs
# would be measured instead of ksm-early.
RUNFS=$(mktemp -d /dev/shm/bench-ksm-run.XXXXXX 2>/dev/null || mktemp -d "$TMP/run.XXXXXX")
trap 'rm -rf "$TMP" "$RUNFS"' EXIT
# Median wall time in microseconds of N runs of "$@", each on a fresh copy when $1 = fresh.
bench() {
        local mode=$1; shift
        local t=() i a b
        for i in $(seq "$N"); do
                if [ "$mode" = fresh ]; then rm -rf "$TMP/r" "$RUNFS/k"; cp -a "$TMP/orig" "$TMP/r"; fi
                a=${EPOCHREALTIME/./}; "$@" >/dev/null 2>&1; b=${EPOCHREALTIME/./}
                t+=($(( b - a )))
        done
        printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (N + 1) / 2 ))p"
}
apply_us=$(bench fresh "$EXE" --root "$TMP/r" --run-dir "$RUNFS/k")
noop_us=$(bench same "$EXE" --root "$TMP/r" --run-dir "$RUNFS/k")
true_us=$(bench same /bin/true)
SEXE=${STATIC_DIR:-/nonexistent}/ksm-early/ksm-early
static_us=
[ -x "$SEXE" ] && static_us=$(bench fresh "$SEXE" --root "$TMP/r" --run-dir "$RUNFS/k")

rm -rf "$TMP/r" "$RUNFS/k"; cp -a "$TMP/orig" "$TMP/r"
strace -f -c -o "$TMP/count" "$EXE" --root "$TMP/r" --run-dir "$RUNFS/k" >/dev/null 2>&1
syscalls=$(awk '/^[0-9 .]+total$/ {print $3} / total$/ {print $(NF-2)}' "$TMP/count" | tail -1)
rm -rf "$TMP/r" "$RUNFS/k"; cp -a "$TMP/orig" "$TMP/r"
strace -f -y -e trace=write -o "$TMP/writes" "$EXE" --root "$TMP/r" --run-dir "$RUNFS/k" >/dev/null 2>&1
knob_writes=$(grep -o 'kernel/mm/ksm/[a-z_]*' "$TMP/writes" | sed 's|.*/||' | sort | tr '\n' ' ' | sed 's/ $//')
strace -f -c -o "$TMP/count2" "$EXE" --root "$TMP/r" --run-dir "$RUNFS/k" >/dev/null 2>&1
noop_syscalls=$(awk '/ total$/ {print $(NF-2)}' "$TMP/count2" | tail -1)
noop_writes=$(strace -f -y -e trace=write,rename,renameat,renameat2 -o /dev/stdout "$EXE" --root "$TMP/r" --run-dir "$RUNFS/k" 2>/dev/null | grep -c -e 'kernel/mm/ksm' -e 'rename' || true)

echo "ksm-early bench ($N runs each, median wall time incl. fork+exec):"
printf '  apply, 5 knobs changed:   %6d us  (%.1fx /bin/true)  target < 2000 us\n' "$apply_us" "$(awk -v a="$apply_us" -v b="$true_us" 'BEGIN{print a/b}')"
printf '  apply, no-op rerun:       %6d us  (%.1fx /bin/true)\n' "$noop_us" "$(awk -v a="$noop_us" -v b="$true_us" 'BEGIN{print a/b}')"
printf '  /bin/true baseline:       %6d us  (fork+exec cost of this machine)\n' "$true_us"
printf '  apply minus baseline:     %6d us  (ksm-early itself: dynamic loading, reads, writes)\n' "$(( apply_us - true_us ))"
if [ -n "$static_us" ]; then
        printf '  apply, static binary:     %6d us  (%.1fx /bin/true; the initramfs binary)  target < 2000 us\n' "$static_us" "$(awk -v a="$static_us" -v b="$true_us" 'BEGIN{print a/b}')"
        printf '  static minus baseline:    %6d us\n' "$(( static_us - true_us ))"
fi
echo "  syscalls (strace -c -f):  apply $syscalls, no-op rerun $noop_syscalls"
echo "  knob writes:              $knob_writes"
echo "  no-op rerun writes/renames: $noop_writes"
if [ -x "${STATIC_DIR:-/nonexistent}/ksm-early/ksm-early" ]; then
        echo "  static binary size:       $(stat -c %s "$STATIC_DIR/ksm-early/ksm-early") bytes (target <= 1.5 MB)"
fi
[ "$knob_writes" = "$CHANGED" ] || { echo "ksm-early bench: expected one write per changed knob ($CHANGED), got: $knob_writes"; exit 1; }
[ "$noop_writes" = 0 ] || { echo "ksm-early bench: the no-op rerun wrote something"; exit 1; }
