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
R=$T/root
mkdir -p "$R"/{boot,etc/kernel,run,proc/sys/kernel/random,sys/firmware/efi,usr/lib/systemd/boot/efi} "$T/e1" "$T/e2"
echo "root=/dev/sda1 quiet" >"$R/etc/kernel/cmdline"
echo 00000000-0000-4000-8000-000000000000 >"$R/proc/sys/kernel/random/boot_id"
printf 'payload #### LoaderInfo: systemd-boot 252 ####\n' >"$R/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
for v in 6.8.12-2-pve 6.8.12-4-pve 6.5.13-6-pve; do
        head -c $((3 * 1024 * 1024)) /dev/urandom >"$R/boot/vmlinuz-$v"
        head -c $((7 * 1024 * 1024)) /dev/urandom >"$R/boot/initrd.img-$v"
done
E=(--root "$R" --esp-dir 2F7A-2067="$T/e1" --esp-dir A0B1-C2D3="$T/e2")
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
# best TIMES CMD...: the shortest wall time of TIMES runs
best() {
        local n=$1 b=999 i t0 t1 s; shift
        for ((i = 0; i < n; i++)); do
                t0=$(now); "$@" >/dev/null; t1=$(now)
                s=$(secs "$t0" "$t1"); (( $(echo "$s < $b" | bc -l) )) && b=$s
        done
        echo "$b"
}

mkdir -p "$T/c1" "$T/c2"
t0=$(now)
for d in "$T/c1" "$T/c2"; do cp "$R"/boot/* "$d/"; done
sync
t1=$(now)
copy=$(secs "$t0" "$t1")

"$B/esp/espctl" --root "$R" --esp-dir 2F7A-2067="$T/e1" init -q >/dev/null
"$B/esp/espctl" --root "$R" --esp-dir A0B1-C2D3="$T/e2" init -q >/dev/null
"$B/esp/espctl" "${E[@]}" -q refresh >/dev/null
pin_unpin() { "$KSEL" "${E[@]}" -q pin 6.5.13-6-pve && "$KSEL" "${E[@]}" -q unpin; }
pair=$(best 5 pin_unpin)
"$KSEL" "${E[@]}" -q pin 6.5.13-6-pve >/dev/null
grep -q '^default proxmox-6.5.13-6-pve.conf' "$T/e1/loader/loader.conf" || { echo "kernel-select bench: pin did not take" >&2; exit 1; }
"$KSEL" "${E[@]}" -q unpin >/dev/null
start=$(best 5 "$KSEL" --version)
pin=$(echo "$pair / 2" | bc -l)
printf 'kernel-select bench: pin/unpin on 2 ESPs x 3 kernels, %d MB of images\n' $(( $(du -sk "$R/boot" | cut -f1) * 2 / 1024 ))
printf '  cp + sync (baseline)       %8.3f s\n' "$copy"
printf '  pin (or unpin), each       %8.4f s   %.0fx faster than the copy\n' "$pin" "$(echo "$copy / $pin" | bc -l)"
printf '  process start (--version)  %8.4f s   (two processes per pin: kernel-select and espctl)\n' "$start"
