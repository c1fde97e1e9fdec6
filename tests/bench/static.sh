#!/usr/bin/env bash
# Static binaries (issue 10): each one's stripped size against the 1.5 MB target and the wall time
# of `--version` (best of 10), next to /bin/true as this machine's process-start baseline.
set -euo pipefail
S=${STATIC_DIR:?}
LIMIT=1500000
source "$(dirname "$0")/lib/common.sh"
[ -d "$S" ] || { echo "static bench: $S missing (./build.sh static)" >&2; exit 1; }
base=$(best_of 10 /bin/true)
echo "static binaries ($S): stripped size (target <= $LIMIT bytes) and --version start-up"
printf '  %-16s %12s %10s\n' binary bytes --version
rc=0
for f in kernel-select/kernel-select esp/espctl boot/boot-detect ksm-early/ksm-early startall/guest-startall; do
        exe=$S/$f
        [ -x "$exe" ] || { printf '  %-16s missing\n' "${f##*/}"; rc=1; continue; }
        [ "$exe.stripped" -nt "$exe" ] || strip -o "$exe.stripped" "$exe"
        size=$(stat -c %s "$exe.stripped")
        verdict=ok; [ "$size" -le $LIMIT ] || { verdict="OVER TARGET"; rc=1; }
        printf '  %-16s %12d %8.1f ms  %s\n' "${f##*/}" "$size" "$(echo "$(best_of 10 "$exe" --version) * 1000" | bc -l)" "$verdict"
done
printf '  %-16s %12s %8.1f ms  (process start on this machine)\n' /bin/true "" "$(echo "$base * 1000" | bc -l)"
exit $rc
