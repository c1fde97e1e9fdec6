# Fake tree for ksm-early tests (spec §15): proc/{cmdline,meminfo,sys/kernel/random/boot_id},
# etc/hostname, etc/ksm-early/, run/, sys/kernel/mm/ksm/ with Linux 6.18 defaults. Sourced.

# fake_root DIR: a fresh tree; knobs 0644, counters 0444 as on a real kernel.
fake_root() {
        local r=$1 k
        mkdir -p "$r/proc/sys/kernel/random" "$r/etc/ksm-early" "$r/run" "$r/sys/kernel/mm/ksm" "$r/sys/.kemu"
        printf 'BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet\n' >"$r/proc/cmdline"
        printf 'MemTotal:       65680332 kB\nMemAvailable:   39207804 kB\n' >"$r/proc/meminfo"
        printf '5e3c0a4e-1111-4222-8333-944455556666\n' >"$r/proc/sys/kernel/random/boot_id"
        printf 'node01\n' >"$r/etc/hostname"
        local d=$r/sys/kernel/mm/ksm
        printf '0\n' >"$d/run"
        printf '100\n' >"$d/pages_to_scan"
        printf '20\n' >"$d/sleep_millisecs"
        printf '1\n' >"$d/merge_across_nodes"
        printf '256\n' >"$d/max_page_sharing"
        printf '0\n' >"$d/use_zero_pages"
        printf '1\n' >"$d/smart_scan"
        printf '2000\n' >"$d/stable_node_chains_prune_millisecs"
        printf '[none] scan-time\n' >"$d/advisor_mode"
        printf '70\n' >"$d/advisor_max_cpu"
        printf '500\n' >"$d/advisor_min_pages_to_scan"
        printf '30000\n' >"$d/advisor_max_pages_to_scan"
        printf '200\n' >"$d/advisor_target_scan_time"
        for k in full_scans general_profit ksm_zero_pages pages_scanned pages_shared pages_sharing \
                 pages_skipped pages_unshared pages_volatile stable_node_chains stable_node_dups; do
                printf '0\n' >"$d/$k"
                chmod 0444 "$d/$k"
        done
}

knob() { cat "$1/sys/kernel/mm/ksm/$2"; }             # root file
set_knob() { printf '%s\n' "$3" >"$1/sys/kernel/mm/ksm/$2"; }
policy() { printf '%s\n' "$2" >"$1/etc/ksm-early/policy.json"; }   # root json
kemu_log() { cat "$1/sys/.kemu/log" 2>/dev/null; }
kemu_fail() { mkdir -p "$1/sys/.kemu/fail"; printf '%s\n' "$3" >"$1/sys/.kemu/fail/$2"; } # root file "ERRNO [N]"

# The spec's snapshot (§15): sorted (path, type, mode, size, SHA-256) of every file, without
# the emulator's own files under sys/.kemu. Unlike lib.sh's snap it ignores inodes and mtimes,
# which a rolled-back write changes by nature.
spec_snapshot() {
        (cd "$1" && find . -path ./sys/.kemu -prune -o -printf '%p %y %m\n' | sort &&
         find . -path ./sys/.kemu -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
}
spec_snap() { spec_snapshot "$1" >"$TMP/.spec.$2"; }
expect_spec_unchanged() { # dir tag description
        if diff -q "$TMP/.spec.$2" <(spec_snapshot "$1") >/dev/null; then t_ok "$3"; else
                t_fail "$3"; diff -u "$TMP/.spec.$2" <(spec_snapshot "$1") | sed 's/^/    /' | head -20
        fi
}
