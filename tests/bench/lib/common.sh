# Shared by the benches (sourced): timing helpers, and for espctl and kernel-select a fake root with
# 3 kernels of random bytes (~30 MB), two ESP stand-ins and the naive copy baseline.
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
# best_of N CMD...: the shortest wall time of N runs
best_of() {
        local n=$1 b=999 i t0 t1 s; shift
        for ((i = 0; i < n; i++)); do
                t0=$(now); "$@" >/dev/null; t1=$(now)
                s=$(secs "$t0" "$t1"); (( $(echo "$s < $b" | bc -l) )) && b=$s
        done
        echo "$b"
}
# esp_bench_root T: sets R (root under T), E (espctl/kernel-select options for ESPs T/e1, T/e2).
esp_bench_root() {
        local t=$1 v
        R=$t/root
        mkdir -p "$R"/{boot,etc/kernel,run,proc/sys/kernel/random,sys/firmware/efi,usr/lib/systemd/boot/efi} "$t/e1" "$t/e2"
        echo "root=/dev/sda1 quiet" >"$R/etc/kernel/cmdline"
        echo 00000000-0000-4000-8000-000000000000 >"$R/proc/sys/kernel/random/boot_id"
        printf 'payload #### LoaderInfo: systemd-boot 252 ####\n' >"$R/usr/lib/systemd/boot/efi/systemd-bootx64.efi"
        for v in 6.8.12-2-pve 6.8.12-4-pve 6.5.13-6-pve; do
                head -c $((3 * 1024 * 1024)) /dev/urandom >"$R/boot/vmlinuz-$v"
                head -c $((7 * 1024 * 1024)) /dev/urandom >"$R/boot/initrd.img-$v"
        done
        E=(--root "$R" --esp-dir 2F7A-2067="$t/e1" --esp-dir A0B1-C2D3="$t/e2")
}
# naive_copy T: seconds for what proxmox-boot-tool does on every run: copy all to both ESPs, sync.
naive_copy() {
        local t0 t1 d
        mkdir -p "$1/c1" "$1/c2"
        t0=$(now)
        for d in "$1/c1" "$1/c2"; do cp "$R"/boot/* "$d/"; done
        sync
        t1=$(now)
        secs "$t0" "$t1"
}
images_mb() { echo $(( $(du -sk "$R/boot" | cut -f1) * 2 / 1024 )); }
