#!/usr/bin/env bash
# Boot counting (spec §11 test 25, §4.3, §6 boot-complete): tries=3 gives new entries +3 and keeps
# existing names; after the loader renames an entry (+2-1) a refresh writes nothing; boot-complete
# with LoaderBootCountPath blesses on every ESP; a permanent pin blesses its version. Q(V) for the
# one-shot: proxmox-V+* when V is counted on every ESP, else V is blessed and proxmox-V.conf used.
source "$(dirname "$0")/common.sh"
R=$TMP/root
pins_root "$R" 6.8.12-4-pve 6.8.12-2-pve
mkdir -p "$TMP/esp1" "$TMP/esp2"
for pair in 2F7A-2067="$TMP/esp1" A0B1-C2D3="$TMP/esp2"; do
        run espctl --root "$R" --esp-dir "$pair" init
        expect_rc 0 "init ${pair%%=*}"
done
E=(--root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2")
entries() { (cd "$1/loader/entries" && ls | tr '\n' ' '); }
add_kernel() { printf 'kernel %s\n' "$1" >"$R/boot/vmlinuz-$1"; printf 'initrd %s\n' "$1" >"$R/boot/initrd.img-$1"; mkdir -p "$R/lib/modules/$1"; }

echo "tries=3" >>"$R/etc/kernel/espctl.conf"
snap "$TMP/esp1" t3
run espctl "${E[@]}" refresh
expect_rc 0 "refresh with tries=3"
expect_unchanged "$TMP/esp1" t3 "existing uncounted entries keep their names"
add_kernel 6.8.12-10-pve
run espctl "${E[@]}" refresh
expect_rc 0 "a new kernel"
expect_eq "$(entries "$TMP/esp1")" "proxmox-6.8.12-10-pve+3.conf proxmox-6.8.12-4-pve.conf " "new entry +3, existing name kept"
expect_eq "$(entries "$TMP/esp2")" "proxmox-6.8.12-10-pve+3.conf proxmox-6.8.12-4-pve.conf " "same on ESP 2"
expect_match "$(cat "$TMP/esp1/espctl-manifest")" "entry loader/entries/proxmox-6.8.12-10-pve.conf " "manifest records the name without counter"

# the loader tried it once: +2-1; a refresh writes nothing
for d in "$TMP/esp1" "$TMP/esp2"; do
        mv "$d/loader/entries/proxmox-6.8.12-10-pve+3.conf" "$d/loader/entries/proxmox-6.8.12-10-pve+2-1.conf"
done
snap "$TMP/esp1" renamed1
snap "$TMP/esp2" renamed2
run FAULT_AT=count espctl "${E[@]}" refresh
expect_rc 0 "refresh after the loader's rename"
expect_eq "$OUT" "$(printf '2F7A-2067: up to date\nA0B1-C2D3: up to date')" "up to date"
expect_match "$ERR" "fault-points: 0" "zero write points"
expect_unchanged "$TMP/esp1" renamed1 "ESP 1 untouched"
expect_unchanged "$TMP/esp2" renamed2 "ESP 2 untouched"

# boot-complete with LoaderBootCountPath blesses on every ESP
efi_set "$EV" LoaderBootCountPath '\loader\entries\proxmox-6.8.12-10-pve+2-1.conf'
run espctl "${E[@]}" boot-complete
expect_rc 0 "boot-complete"
expect_eq "$(entries "$TMP/esp1")" "proxmox-6.8.12-10-pve.conf proxmox-6.8.12-4-pve.conf " "blessed on ESP 1"
expect_eq "$(entries "$TMP/esp2")" "proxmox-6.8.12-10-pve.conf proxmox-6.8.12-4-pve.conf " "blessed on ESP 2"
expect_match "$ERR" "ESP 2F7A-2067: 6.8.12-10-pve marked good" "reported"
t_check "ESPs identical" diff -r "$TMP/esp1" "$TMP/esp2"
rm "$EV/LoaderBootCountPath-$GUID"
snap "$TMP/esp1" blessed
run FAULT_AT=count espctl "${E[@]}" refresh
expect_match "$ERR" "fault-points: 0" "a refresh after blessing writes nothing"
expect_unchanged "$TMP/esp1" blessed "ESP untouched"

# Q(V) counted on every ESP: the one-shot names proxmox-V+*, the entries stay counted
add_kernel 6.8.12-11-pve
run espctl "${E[@]}" refresh
expect_eq "$(entries "$TMP/esp1")" "proxmox-6.8.12-10-pve.conf proxmox-6.8.12-11-pve+3.conf " "another new kernel +3"
run kernel-select "${E[@]}" pin 6.8.12-11-pve --next-boot
expect_rc 0 "pin a counted version for the next boot"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "proxmox-6.8.12-11-pve+*" "Q(V) = proxmox-V+* when counted everywhere"
expect_var_oracle "$EV" LoaderEntryOneShot "proxmox-6.8.12-11-pve+*"
expect_eq "$(entries "$TMP/esp2")" "proxmox-6.8.12-10-pve.conf proxmox-6.8.12-11-pve+3.conf " "entries keep their counters"
# mixed: counted on one ESP, plain on the other -> blessed everywhere, proxmox-V.conf
mv "$TMP/esp2/loader/entries/proxmox-6.8.12-11-pve+3.conf" "$TMP/esp2/loader/entries/proxmox-6.8.12-11-pve.conf"
run espctl "${E[@]}" refresh
expect_rc 0 "refresh with a mixed counter state"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "proxmox-6.8.12-11-pve.conf" "Q(V) = proxmox-V.conf when mixed"
expect_eq "$(entries "$TMP/esp1")" "proxmox-6.8.12-10-pve.conf proxmox-6.8.12-11-pve.conf " "V blessed on ESP 1 for the one-shot"
expect_match "$ERR" "ESP 2F7A-2067: 6.8.12-11-pve marked good \(the one-shot names it\)" "blessing reported"
run kernel-select "${E[@]}" unpin --next-boot
expect_rc 0 "unpin --next-boot"
expect_eq "$(efi_get "$EV" LoaderEntryOneShot)" "<absent>" "one-shot gone"

# a permanent pin blesses its version
add_kernel 6.8.12-12-pve
run espctl "${E[@]}" refresh
expect_eq "$(entries "$TMP/esp1")" "proxmox-6.8.12-11-pve.conf proxmox-6.8.12-12-pve+3.conf " "new kernel counted"
run kernel-select "${E[@]}" pin 6.8.12-12-pve
expect_rc 0 "permanent pin of a counted version"
expect_eq "$(entries "$TMP/esp1")" "proxmox-6.8.12-11-pve.conf proxmox-6.8.12-12-pve.conf " "blessed on ESP 1"
expect_eq "$(entries "$TMP/esp2")" "proxmox-6.8.12-11-pve.conf proxmox-6.8.12-12-pve.conf " "blessed on ESP 2"
expect_eq "$(loader_default "$TMP/esp1")" "proxmox-6.8.12-12-pve.conf" "default names the plain entry"
t_check "ESPs identical" diff -r "$TMP/esp1" "$TMP/esp2"
# Q(V) ambiguous: V=6.6.0 counted everywhere, but proxmox-6.6.0+* also matches 6.6.0+x's entry
R2=$TMP/root2
pins_root "$R2" 6.6.0 6.6.0+x
echo "tries=3" >>"$R2/etc/kernel/espctl.conf"
mkdir -p "$TMP/a1" "$TMP/a2"
run espctl --root "$R2" --esp-dir 2F7A-2067="$TMP/a1" init
run espctl --root "$R2" --esp-dir A0B1-C2D3="$TMP/a2" init
expect_eq "$(entries "$TMP/a1")" "proxmox-6.6.0+3.conf proxmox-6.6.0+x+3.conf " "both new entries counted"
run kernel-select --root "$R2" --esp-dir 2F7A-2067="$TMP/a1" --esp-dir A0B1-C2D3="$TMP/a2" pin 6.6.0 --next-boot
expect_rc 0 "pin --next-boot on an ambiguous pattern"
expect_eq "$(efi_get "$R2/sys/firmware/efi/efivars" LoaderEntryOneShot)" "proxmox-6.6.0.conf" "Q(V) = proxmox-V.conf: the pattern would match 6.6.0+x"
expect_eq "$(entries "$TMP/a1")" "proxmox-6.6.0+x+3.conf proxmox-6.6.0.conf " "6.6.0 blessed, 6.6.0+x keeps its counter"
expect_eq "$(entries "$TMP/a2")" "proxmox-6.6.0+x+3.conf proxmox-6.6.0.conf " "on both ESPs"
t_done
