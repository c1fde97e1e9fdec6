#!/usr/bin/env bash
# Benchmark (issue 10): `kernel-select pin V` and `unpin` on 2 ESPs x 3 kernels (~60 MB of images),
# each a pin-file edit plus an espctl refresh that only rewrites loader.conf, against the naive
# full copy (cp + sync) that proxmox-boot-tool's refresh does for a pin. Prints ratios; never
# fails on timing.
set -euo pipefail
B=${BUILD_DIR:?}
KSEL=$B/kernel-select/kernel-select
T=$(mktemp -d /var/tmp/kselect-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/lib/common.sh"
esp_bench_root "$T"
copy=$(naive_copy "$T")

"$B/esp/espctl" --root "$R" --esp-dir 2F7A-2067="$T/e1" init -q >/dev/null
"$B/esp/espctl" --root "$R" --esp-dir A0B1-C2D3="$T/e2" init -q >/dev/null
"$B/esp/espctl" "${E[@]}" -q refresh >/dev/null
pin_unpin() { "$KSEL" "${E[@]}" -q pin 6.5.13-6-pve && "$KSEL" "${E[@]}" -q unpin; }
pair=$(best_of 5 pin_unpin)
"$KSEL" "${E[@]}" -q pin 6.5.13-6-pve >/dev/null
grep -q '^default proxmox-6.5.13-6-pve.conf' "$T/e1/loader/loader.conf" || { echo "kernel-select bench: pin did not take" >&2; exit 1; }
"$KSEL" "${E[@]}" -q unpin >/dev/null
start=$(best_of 5 "$KSEL" --version)
pin=$(echo "$pair / 2" | bc -l)
printf 'kernel-select bench: pin/unpin on 2 ESPs x 3 kernels, %d MB of images\n' "$(images_mb)"
printf '  cp + sync (baseline)       %8.3f s\n' "$copy"
printf '  pin (or unpin), each       %8.4f s   %.0fx faster than the copy\n' "$pin" "$(echo "$copy / $pin" | bc -l)"
printf '  process start (--version)  %8.4f s   (two processes per pin: kernel-select and espctl)\n' "$start"
