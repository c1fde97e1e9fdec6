#!/usr/bin/env bash
# The systemd units: systemd-analyze verify (syntax, known keys, dependencies resolvable against
# this machine's units) and the orderings the specs give, read from the files.
source "$(dirname "$0")/common.sh"
U=$SRC_DIR/hooks/systemd
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed"; exit 77; }

# ini KEY FILE: every value of KEY (any section), space-joined.
ini() { sed -n "s/^$1=//p" "$2" | tr '\n' ' ' | sed 's/ $//'; }
has_word() { [[ " $1 " == *" $2 "* ]]; }

# verify on copies whose /usr/sbin points at stand-ins (the binaries are not installed here).
mkdir -p "$TMP/units" "$TMP/sbin"
for b in espctl ksm-early guest-startall; do printf '#!/bin/sh\n' >"$TMP/sbin/$b"; chmod 755 "$TMP/sbin/$b"; done
for f in "$U"/*.service; do sed "s#/usr/sbin/#$TMP/sbin/#g" "$f" >"$TMP/units/${f##*/}"; done
RC=0
OUT=$(cd "$TMP/units" && systemd-analyze verify --man=no ./*.service 2>&1) || RC=$?
expect_rc 0 "systemd-analyze verify of every unit"
expect_eq "$OUT" "" "verify prints no complaint"

B=$U/espctl-boot-complete.service
expect_eq "$(ini Type "$B")" "oneshot" "boot-complete: oneshot"
t_check "boot-complete: Requires=boot-complete.target" has_word "$(ini Requires "$B")" boot-complete.target
t_check "boot-complete: After=boot-complete.target" has_word "$(ini After "$B")" boot-complete.target
expect_eq "$(ini WantedBy "$B")" "multi-user.target" "boot-complete: WantedBy=multi-user.target"
expect_match "$(ini ExecStart "$B")" "^/usr/sbin/espctl .*boot-complete$" "boot-complete: runs espctl boot-complete"
expect_match "$(ini ExecStart "$B")" "--graceful" "boot-complete: graceful without ESPs"

K=$U/ksm-early.service
G=$U/guest-startall.service
L=$U/ksm-early-loop.service
expect_eq "$(ini ExecStart "$L")" '/usr/sbin/ksm-early loop $KSM_EARLY_ARGS' "ksm-early-loop: runs the loop"
t_check "ksm-early-loop: After=ksm-early.service" has_word "$(ini After "$L")" ksm-early.service
t_check "ksm-early-loop: Conflicts=ksmtuned.service" has_word "$(ini Conflicts "$L")" ksmtuned.service
expect_match "$(ini ExecReload "$L")" 'kill -HUP \$MAINPID' "ksm-early-loop: reload ticks now (SIGHUP)"
t_check "ksm-early-loop: a bad policy (exit 1, 2) is not restarted" has_word "$(ini RestartPreventExitStatus "$L")" 2
expect_eq "$(ini Type "$K")" "oneshot" "ksm-early: oneshot"
for u in guest-startall.service pve-guests.service kubelet.service; do
        t_check "ksm-early: Before=$u" has_word "$(ini Before "$K")" "$u"
done
t_check "ksm-early: no ConditionPathExists on the KSM directory (E9 still publishes)" test -z "$(ini ConditionPathExists "$K")"
t_check "guest-startall: After=ksm-early.service" has_word "$(ini After "$G")" ksm-early.service
t_check "guest-startall: Wants=ksm-early.service" has_word "$(ini Wants "$G")" ksm-early.service
for u in network-online.target remote-fs.target; do
        t_check "guest-startall: After=$u (guests stop before it goes)" has_word "$(ini After "$G")" "$u"
done
expect_eq "$(ini ExecStart "$G")" "/usr/sbin/guest-startall startall --boot" "guest-startall: startall --boot at start"
expect_eq "$(ini ExecStop "$G")" "/usr/sbin/guest-startall stopall" "guest-startall: stopall at stop"
expect_eq "$(ini RemainAfterExit "$G")" "yes" "guest-startall: RemainAfterExit (ExecStop runs at shutdown)"
# SuccessExitStatus must hold guest-startall's "some guest failed" code, or stopall is skipped.
code=$(sed -n 's/^| \([0-9]\) | some guest.*/\1/p' "$SRC_DIR/docs/usage-startall.md")
expect_eq "$(ini SuccessExitStatus "$G")" "$code" "guest-startall: SuccessExitStatus is the partial-failure code ($code)"
t_done
