#!/usr/bin/env bash
# Benchmark (issue 4): refresh of 2 ESPs x 3 kernels (~60 MB of images) against a naive full copy
# (cp + sync) of the same files, measured in the same run. Targets: no-op >= 100x faster than the
# copy; full refresh <= 1.2x the copy. Prints ratios; never fails on timing.
set -euo pipefail
B=${BUILD_DIR:?}
ESPCTL=$B/esp/espctl
T=$(mktemp -d /var/tmp/espctl-bench.XXXXXX)
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

# baseline: the naive copy proxmox-boot-tool does on every run
mkdir -p "$T/c1" "$T/c2"
t0=$(now)
for d in "$T/c1" "$T/c2"; do cp "$R"/boot/* "$d/"; done
sync
t1=$(now)
copy=$(secs "$t0" "$t1")

"$ESPCTL" --root "$R" --esp-dir 2F7A-2067="$T/e1" init -q >/dev/null
"$ESPCTL" --root "$R" --esp-dir A0B1-C2D3="$T/e2" init -q >/dev/null
rm -rf "$T/e1"/EFI/proxmox/* "$T/e2"/EFI/proxmox/* "$T/e1/espctl-manifest" "$T/e2/espctl-manifest" "$R/run/espctl"
printf 'espctl-manifest 1\nprefix proxmox\nmode systemd-boot\n' | tee "$T/e1/espctl-manifest" >"$T/e2/espctl-manifest"
sync
t0=$(now); "$ESPCTL" "${E[@]}" -q refresh >/dev/null; t1=$(now)
full=$(secs "$t0" "$t1")
# no-op: best of 5 (warm cache, as after any refresh in the same boot)
noop=999
for i in 1 2 3 4 5; do
        t0=$(now); "$ESPCTL" "${E[@]}" -q refresh >/dev/null; t1=$(now)
        s=$(secs "$t0" "$t1"); (( $(echo "$s < $noop" | bc -l) )) && noop=$s
done
# process start alone (exec + dynamic loading), best of 5: on some VMs it dominates a no-op
start=999
for i in 1 2 3 4 5; do
        t0=$(now); "$ESPCTL" --version >/dev/null; t1=$(now)
        s=$(secs "$t0" "$t1"); (( $(echo "$s < $start" | bc -l) )) && start=$s
done
# no-op after a reboot: /run is empty, every crc is read once
rm -rf "$R/run/espctl"
t0=$(now); "$ESPCTL" "${E[@]}" -q refresh >/dev/null; t1=$(now)
cold=$(secs "$t0" "$t1")
printf 'espctl bench: 2 ESPs x 3 kernels, %d MB of images\n' $(( $(du -sk "$R/boot" | cut -f1) * 2 / 1024 ))
printf '  cp + sync (baseline)       %8.3f s\n' "$copy"
printf '  full refresh               %8.3f s   ratio %.2fx of the copy (target <= 1.2)\n' "$full" "$(echo "$full / $copy" | bc -l)"
printf '  no-op refresh              %8.4f s   %.0fx faster than the copy (target >= 100)\n' "$noop" "$(echo "$copy / $noop" | bc -l)"
work=$(echo "$noop - $start" | bc -l); (( $(echo "$work < 0.0001" | bc -l) )) && work=0.0001
printf '  process start (--version)  %8.4f s   (this machine'"'"'s exec cost, in every run above)\n' "$start"
printf '  no-op work without start   %8.4f s   %.0fx faster than the copy\n' "$work" "$(echo "$copy / $work" | bc -l)"
printf '  no-op refresh, cold cache  %8.3f s   %.1fx faster than the copy\n' "$cold" "$(echo "$copy / $cold" | bc -l)"
