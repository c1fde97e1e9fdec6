#!/usr/bin/env bash
# espctl error cases: exit code, message, nothing written (spec §9, §11 tests 12-16).
source "$(dirname "$0")/common.sh"
R=$TMP/root
esp_root "$R" uefi 6.8.12-4-pve 6.8.12-2-pve
mkdir -p "$TMP/esp1" "$TMP/esp2"
run espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" init
run espctl --root "$R" --esp-dir A0B1-C2D3="$TMP/esp2" init
E=(--root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2")
printf 'kernel 6.9.1-1-pve\n' >"$R/boot/vmlinuz-6.9.1-1-pve"
printf 'initrd 6.9.1-1-pve\n' >"$R/boot/initrd.img-6.9.1-1-pve"
snap "$TMP" all

# usage errors: nothing read or written
for args in "" "frobnicate" "reinit x" "clean --dryrun" "refresh extra" "status --installing 1.2"; do
        # shellcheck disable=SC2086
        run espctl "${E[@]}" $args
        expect_rc 1 "usage: '$args'"
done
run espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir "$TMP/esp2" refresh
expect_rc 1 "mixed --esp-dir forms"
run espctl "${E[@]}" refresh --installing "a b"
expect_rc 2 "--installing an invalid version"
expect_match "$ERR" "invalid version: --installing 'a b'" "invalid --installing named"
expect_unchanged "$TMP" all "usage errors write nothing"

# command line without root=: exit 2 before any ESP is touched; --no-root-check accepts it
echo "quiet splash" >"$R/etc/kernel/cmdline"
snap "$TMP" all
run espctl "${E[@]}" refresh
expect_rc 2 "no root="
expect_eq "$ERR" "espctl: kernel command line: $R/etc/kernel/cmdline:1: expected a root= parameter" "no root= message"
expect_unchanged "$TMP" all "no root=: nothing written"
printf 'root=/dev/sda1 \001\n' >"$R/etc/kernel/cmdline"
run espctl "${E[@]}" refresh
expect_rc 2 "control character in the command line"
rm "$R/etc/kernel/cmdline"
run espctl "${E[@]}" --dry-run refresh
expect_rc 0 "fallback to /proc/cmdline (has root=)"
expect_match "$ERR" "using the running command line" "fallback noticed"
echo "root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet" >"$R/etc/kernel/cmdline"

# invalid registration lines warn, valid ESPs are still synced
printf '# ESPs\n2F7A-2067\nsdb2\n2F7A-2067 trailing\na0b1-c2d3\n' >"$R/etc/kernel/proxmox-boot-uuids"
run espctl "${E[@]}" --dry-run refresh
expect_rc 0 "invalid lines are warnings"
expect_match "$ERR" "warning: invalid line: $R/etc/kernel/proxmox-boot-uuids:3: expected XXXX-XXXX, got 'sdb2'" "invalid line named"
expect_match "$ERR" "proxmox-boot-uuids:5: serial 'a0b1-c2d3' is lower case" "lower case warned"
expect_match "$OUT" "A0B1-C2D3: copy" "both ESPs planned"

# a registered serial without stand-in: the others synced, exit 3
printf '2F7A-2067\nA0B1-C2D3\n1FDE-91BC\n' >"$R/etc/kernel/proxmox-boot-uuids"
run espctl "${E[@]}" refresh
expect_rc 3 "missing ESP"
expect_match "$ERR" "ESP 1FDE-91BC: device not found" "missing ESP named"
t_check "the others were synced" test -f "$TMP/esp2/loader/entries/proxmox-6.9.1-1-pve.conf"
run espctl "${E[@]}" status --json
expect_match "$OUT" '"state": "missing"' "status JSON says missing"
printf '2F7A-2067\nA0B1-C2D3\n' >"$R/etc/kernel/proxmox-boot-uuids"

# nothing registered: exit 3, or 0 with --graceful
mv "$R/etc/kernel/proxmox-boot-uuids" "$TMP/uuids"
run espctl --root "$R" refresh
expect_rc 3 "no ESP registered"
expect_match "$ERR" "no ESP registered" "not configured message"
run espctl --root "$R" --graceful refresh
expect_rc 0 "--graceful"
run espctl --root "$R" --graceful boot-complete
expect_rc 0 "--graceful boot-complete without ESPs"
mv "$TMP/uuids" "$R/etc/kernel/proxmox-boot-uuids"

# uninitialised ESP and a newer manifest format: exit 2 for that ESP only
mkdir -p "$TMP/empty"
run espctl --root "$R" --esp-dir "$TMP/empty" refresh
expect_rc 2 "uninitialised ESP"
expect_match "$ERR" "not initialised \(run espctl init\)" "uninitialised message"
sed -i '1s/.*/espctl-manifest 2/' "$TMP/esp1/espctl-manifest"
run espctl "${E[@]}" refresh
expect_rc 2 "newer manifest"
expect_match "$ERR" "ESP 2F7A-2067: manifest format 2 is newer than this espctl" "newer manifest message"
sed -i '1s/.*/espctl-manifest 1/' "$TMP/esp1/espctl-manifest"

# the lock: a second refresh exits 5 and writes nothing
printf 'kernel 6.9.2-1-pve\n' >"$R/boot/vmlinuz-6.9.2-1-pve"
printf 'initrd 6.9.2-1-pve\n' >"$R/boot/initrd.img-6.9.2-1-pve"
touch "$R/run/espctl.lock"
snap "$TMP/esp1" lock
flock "$R/run/espctl.lock" sleep 3 &
sleep 0.5
run espctl "${E[@]}" refresh
expect_rc 5 "busy"
expect_eq "$ERR" "espctl: busy: $R/run/espctl.lock is held by another run" "busy message"
expect_unchanged "$TMP/esp1" lock "busy run writes nothing"
run espctl "${E[@]}" --wait 30 refresh
expect_rc 0 "--wait waits for the lock"
wait

# two concurrent refreshes with --wait: both succeed, result as one run
printf 'kernel 6.9.3-1-pve\n' >"$R/boot/vmlinuz-6.9.3-1-pve"
printf 'initrd 6.9.3-1-pve\n' >"$R/boot/initrd.img-6.9.3-1-pve"
( "$(bin espctl)" "${E[@]}" --wait 30 refresh >/dev/null 2>&1; echo $? >"$TMP/rc1" ) &
( "$(bin espctl)" "${E[@]}" --wait 30 refresh >/dev/null 2>&1; echo $? >"$TMP/rc2" ) &
wait
expect_eq "$(cat "$TMP/rc1") $(cat "$TMP/rc2")" "0 0" "concurrent refreshes both succeed"
t_check "ESPs identical after concurrent runs" diff -r "$TMP/esp1" "$TMP/esp2"

# ESP too small: the space check fails before any write (a tiny tmpfs in a user namespace)
if unshare -Urm true 2>/dev/null; then
        mkdir -p "$TMP/small"
        cat >"$TMP/small.sh" <<SMALL
mount -t tmpfs -o size=64k tmpfs "$TMP/small" || exit 77
cp -a "$TMP/esp1/." "$TMP/small/"
head -c 200000 /dev/urandom >"$R/boot/initrd.img-6.9.4-1-pve"
printf 'kernel 6.9.4-1-pve\n' >"$R/boot/vmlinuz-6.9.4-1-pve"
before=\$(cd "$TMP/small" && find . -type f | sort | xargs sha256sum)
"$(bin espctl)" --root "$R" --esp-dir "$TMP/small" refresh 2>"$TMP/small.err"
echo \$? >"$TMP/small.rc"
after=\$(cd "$TMP/small" && find . -type f | sort | xargs sha256sum)
[ "\$before" = "\$after" ] && echo same >"$TMP/small.same"
SMALL
        unshare -Urm bash "$TMP/small.sh"
        if [ -f "$TMP/small.rc" ]; then
                expect_eq "$(cat "$TMP/small.rc")" 4 "ESP too small: exit 4"
                expect_match "$(cat "$TMP/small.err")" "ESP .*small too small: need [0-9]+ bytes, have [0-9]+" "byte counts named"
                t_check "ESP too small: files byte-identical" test -f "$TMP/small.same"
        else
                t_ok "tmpfs in a user namespace unavailable: skipped"
        fi
        rm -f "$R/boot/"*6.9.4-1-pve
fi

# ENOSPC in the middle of the copy: exit 4, old entries intact, temp removed; the next run repairs
printf 'kernel 6.9.5-1-pve\n' >"$R/boot/vmlinuz-6.9.5-1-pve"
printf 'initrd 6.9.5-1-pve\n' >"$R/boot/initrd.img-6.9.5-1-pve"
run FAULT_AT=count espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --dry-run refresh
run FAULT_AT=8:ENOSPC espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" refresh
expect_rc 4 "ENOSPC mid-run"
expect_match "$ERR" "No space left on device" "ENOSPC named"
t_check "no temp file after ENOSPC" test -z "$(find "$TMP/esp1" -name '*.tmp-espctl')"
run espctl "${E[@]}" refresh
expect_rc 0 "the next refresh repairs"
t_check "repaired entry present" test -f "$TMP/esp1/loader/entries/proxmox-6.9.5-1-pve.conf"
t_done
