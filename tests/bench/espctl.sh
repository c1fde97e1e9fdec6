#!/usr/bin/env bash
# Benchmark (issue 4): refresh of 2 ESPs x 3 kernels (~60 MB of images) against a naive full copy
# (cp + sync) of the same files, measured in the same run. Targets: no-op >= 100x faster than the
# copy; full refresh <= 1.2x the copy. Prints ratios; never fails on timing.
set -euo pipefail
B=${BUILD_DIR:?}
ESPCTL=$B/esp/espctl
T=$(mktemp -d /var/tmp/espctl-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/lib/common.sh"
esp_bench_root "$T"
copy=$(naive_copy "$T")

"$ESPCTL" --root "$R" --esp-dir 2F7A-2067="$T/e1" init -q >/dev/null
"$ESPCTL" --root "$R" --esp-dir A0B1-C2D3="$T/e2" init -q >/dev/null
rm -rf "$T/e1"/EFI/proxmox/* "$T/e2"/EFI/proxmox/* "$T/e1/espctl-manifest" "$T/e2/espctl-manifest" "$R/run/espctl"
printf 'espctl-manifest 1\nprefix proxmox\nmode systemd-boot\n' | tee "$T/e1/espctl-manifest" >"$T/e2/espctl-manifest"
sync
t0=$(now); "$ESPCTL" "${E[@]}" -q refresh >/dev/null; t1=$(now)
full=$(secs "$t0" "$t1")
# no-op: best of 5 (warm cache, as after any refresh in the same boot)
noop=$(best_of 5 "$ESPCTL" "${E[@]}" -q refresh)
# process start alone (exec + dynamic loading), best of 5: on some VMs it dominates a no-op
start=$(best_of 5 "$ESPCTL" --version)
# no-op after a reboot: /run is empty, every crc is read once
rm -rf "$R/run/espctl"
t0=$(now); "$ESPCTL" "${E[@]}" -q refresh >/dev/null; t1=$(now)
cold=$(secs "$t0" "$t1")
printf 'espctl bench: 2 ESPs x 3 kernels, %d MB of images\n' "$(images_mb)"
printf '  cp + sync (baseline)       %8.3f s\n' "$copy"
printf '  full refresh               %8.3f s   ratio %.2fx of the copy (target <= 1.2)\n' "$full" "$(echo "$full / $copy" | bc -l)"
printf '  no-op refresh              %8.4f s   %.0fx faster than the copy (target >= 100)\n' "$noop" "$(echo "$copy / $noop" | bc -l)"
work=$(echo "$noop - $start" | bc -l); (( $(echo "$work < 0.0001" | bc -l) )) && work=0.0001
printf '  process start (--version)  %8.4f s   (this machine'"'"'s exec cost, in every run above)\n' "$start"
printf '  no-op work without start   %8.4f s   %.0fx faster than the copy\n' "$work" "$(echo "$copy / $work" | bc -l)"
printf '  no-op refresh, cold cache  %8.3f s   %.1fx faster than the copy\n' "$cold" "$(echo "$copy / $cold" | bc -l)"
