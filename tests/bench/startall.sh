#!/bin/bash
# guest-startall benchmarks (spec §12), printed only, never asserted:
#  B1 startall of 1000 no-op guests (ten order groups of 100, up 0, task log on), serial and --parallel 8
#  B2 stopall of the same set;  B3 list (1000 files parsed and validated).
# Baseline: 1000 fork+exec of /bin/true from bash, the floor for any launcher.
set -euo pipefail
BUILD_DIR=${BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}
EXE=$BUILD_DIR/startall/guest-startall
[ -x "$EXE" ] || { echo "startall bench: no $EXE (build first)" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
G=$T/etc/guest-startall/guests.d
mkdir -p "$G" "$T/run"
for id in $(seq 1 1000); do
        printf '{"id": %d, "onboot": true, "order": %d, "up": 0, "start": ["/bin/true"], "shutdown": ["/bin/true"]}\n' \
                "$id" $(( (id - 1) / 100 )) >"$G/$id.json"
done
secs() { # command... -> elapsed seconds
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null
        t1=$(date +%s%N)
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
}
base=$(secs bash -c 'for i in $(seq 1000); do /bin/true; done')
b1=$(secs "$EXE" --root "$T" startall)
b1p=$(secs "$EXE" --root "$T" startall --parallel 8)
b2=$(secs "$EXE" --root "$T" stopall)
b3=$(secs "$EXE" --root "$T" list)
lines=$(wc -l <"$T/run/guest-startall/tasks.jsonl")
ratio() { awk -v a="$1" -v b="$base" 'BEGIN { printf "%.2f", a / b }'; }
echo "startall bench (1000 guests, 10 groups, up 0, task log on: $lines lines)"
printf '  baseline  1000 x /bin/true from bash  %6.3f s\n' "$base"
printf '  B1 startall             %6.3f s  (target < 1 s)  ratio to baseline %s\n' "$b1" "$(ratio "$b1")"
printf '  B1 startall --parallel 8 %5.3f s                  ratio to baseline %s\n' "$b1p" "$(ratio "$b1p")"
printf '  B2 stopall              %6.3f s  (target < 1 s)  ratio to baseline %s\n' "$b2" "$(ratio "$b2")"
printf '  B3 list                 %6.3f s  (target < 0.1 s)\n' "$b3"
if [ -x "${STATIC_DIR:-/nonexistent}/startall/guest-startall" ]; then
        printf '  static binary size      %s bytes\n' "$(stat -c %s "$STATIC_DIR/startall/guest-startall")"
fi
