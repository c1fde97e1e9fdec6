#!/usr/bin/env bash
# kernel-select add/remove/pin/unpin on a fake root: file contents, kept comments, dry runs,
# the lock, and the refresh hand-over (spec §5.4).
source "${TESTLIB:?run through meson test}" || exit 1
R=$TMP/root
make_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve 6.5.11-8-pve
KS=(kernel-select --root "$R" --no-refresh)
M=$R/etc/kernel/proxmox-boot-manual-kernels

printf '# my kernels\n\n6.2.16-1-pve\n' >"$M"
run "${KS[@]}" add 6.5.11-8-pve
expect_rc 0 "add"
expect_eq "$(cat "$M")" "$(printf '# my kernels\n\n6.2.16-1-pve\n6.5.11-8-pve')" "add appends and keeps comments"
snap "$R" before
run "${KS[@]}" add 6.5.11-8-pve
expect_rc 0 "add again"
expect_match "$ERR" "already in the manual list" "add again says so"
expect_unchanged "$R" before "add again writes nothing"
run "${KS[@]}" remove 6.2.16-1-pve
expect_rc 0 "remove"
expect_eq "$(cat "$M")" "$(printf '# my kernels\n\n6.5.11-8-pve')" "remove drops only that line"
run "${KS[@]}" remove 6.2.16-1-pve
expect_rc 0 "remove absent"
expect_match "$ERR" "not in the manual list" "remove absent says so"
run "${KS[@]}" list --json
expect_match "$OUT" '"manual"' "list shows manual"

# pin / unpin
run "${KS[@]}" pin 6.8.12-2-pve
expect_rc 0 "pin"
expect_eq "$(cat "$R/etc/kernel/proxmox-boot-pin")" "6.8.12-2-pve" "pin file holds the version"
run "${KS[@]}" pin 6.5.13-6-pve
expect_match "$ERR" "6.5.13-6-pve pinned \(replacing 6.8.12-2-pve\)" "a replaced pin is named"
run kernel-select --root "$R" list --json
expect_match "$OUT" '"default": "6.5.13-6-pve"' "the pin is the default"
run "${KS[@]}" pin 6.8.12-4-pve --next-boot
expect_rc 0 "pin --next-boot"
expect_eq "$(cat "$R/etc/kernel/next-boot-pin")" "$(printf '6.8.12-4-pve\n# espctl boot_id=3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162')" "next-boot pin carries the boot id"
run "${KS[@]}" unpin --next-boot
expect_rc 0 "unpin --next-boot"
t_check "next-boot pin deleted" test ! -e "$R/etc/kernel/next-boot-pin"
t_check "permanent pin kept" test -e "$R/etc/kernel/proxmox-boot-pin"
run "${KS[@]}" unpin
expect_rc 0 "unpin"
t_check "permanent pin deleted" test ! -e "$R/etc/kernel/proxmox-boot-pin"
t_check "no temp files left" test -z "$(find "$R" -name '*.tmp-espctl')"

# dry runs write nothing (also no lock file)
rm -f "$R/run/espctl.lock"
snap "$R" dry
for args in "pin 6.8.12-2-pve" "pin 6.8.12-2-pve --next-boot" "add 6.5.13-6-pve" "remove 6.5.11-8-pve" "unpin"; do
        # shellcheck disable=SC2086
        run kernel-select --root "$R" --dry-run $args
        expect_rc 0 "--dry-run $args"
done
expect_unchanged "$R" dry "dry runs leave the root byte-identical"
run kernel-select --root "$R" --dry-run pin 6.8.12-2-pve
expect_match "$OUT" "would write $R/etc/kernel/proxmox-boot-pin: 6.8.12-2-pve" "dry run prints the plan"

# the lock: a held lock gives exit 5 and changes nothing
touch "$R/run/espctl.lock"
snap "$R" locked
flock "$R/run/espctl.lock" sleep 3 &
sleep 0.5
run "${KS[@]}" pin 6.8.12-2-pve
expect_rc 5 "pin while locked"
expect_eq "$ERR" "kernel-select: busy: $R/run/espctl.lock is held by another run" "busy message"
expect_unchanged "$R" locked "busy run writes nothing"
run "${KS[@]}" --wait 10 pin 6.8.12-2-pve
expect_rc 0 "pin --wait succeeds once the lock is free"
wait

# refresh hand-over: a fake espctl beside a copy of the binary sees our options and the lock fd
mkdir -p "$TMP/bin"
cp "$(bin kernel-select)" "$TMP/bin/kernel-select"
# spawned programs get a fixed environment (PATH, LC_ALL), so the fake's paths are baked in
cat >"$TMP/bin/espctl" <<FAKE
#!/bin/sh
echo "\$@" >"$TMP/espctl.log"
for a; do [ "\$prev" = --lock-fd ] && fd=\$a; prev=\$a; done
# the inherited descriptor must hold the lock: another exclusive flock must fail
flock -n -x "$R/run/espctl.lock" true && echo lock-free >>"$TMP/espctl.log"
[ -e "/proc/self/fd/\$fd" ] && echo fd-open >>"$TMP/espctl.log"
exit \$(cat "$TMP/espctl.rc")
FAKE
chmod +x "$TMP/bin/espctl"
if [ "${TOOLKIT_VALGRIND:-0}" != 1 ]; then
        echo 0 >"$TMP/espctl.rc"
        RC=0; "$TMP/bin/kernel-select" --root "$R" --esp-dir 1234-ABCD="$TMP/esp" pin 6.8.12-4-pve 2>/dev/null || RC=$?
        expect_rc 0 "pin runs espctl refresh"
        expect_match "$(cat "$TMP/espctl.log")" "^--root $R --esp-dir 1234-ABCD=$TMP/esp --lock-fd [0-9]+ refresh" "espctl gets our options and the lock fd"
        expect_match "$(cat "$TMP/espctl.log")" "fd-open" "the lock descriptor is inherited"
        expect_eq "$(grep -c lock-free "$TMP/espctl.log")" 0 "the lock is held during the child"
        echo 4 >"$TMP/espctl.rc"
        RC=0; "$TMP/bin/kernel-select" --root "$R" unpin 2>/dev/null || RC=$?
        expect_rc 4 "espctl exit 4 passes through"
        echo 9 >"$TMP/espctl.rc"
        RC=0; "$TMP/bin/kernel-select" --root "$R" unpin 2>/dev/null || RC=$?
        expect_rc 6 "other espctl failures become 6"
        rm "$TMP/bin/espctl"
        RC=0; "$TMP/bin/kernel-select" --root "$R" unpin 2>"$TMP/err" || RC=$?
        if [ -x /usr/sbin/espctl ]; then t_ok "espctl installed system-wide: skip the missing case"; else
                expect_rc 3 "missing espctl: exit 3"
                expect_match "$(cat "$TMP/err")" "espctl not installed" "missing espctl is named"
        fi
fi
t_done
