# ksm-early against the kernel emulator (ksm-early-kemu, spec §15): EBUSY/EINVAL/EROFS/ENOMEM
# as the kernel answers them, write order, rollback (T12-T21, T26), and a crash at every write
# point (FAULT_AT=n:crash) never leaves an ownerless KSM (§6).
source "$TESTLIB"
source "$(dirname "$0")/fake.sh"
K=ksm-early-kemu
API='"apiVersion":"ksm-early/v1alpha1"'
TUN() { printf '{%s,"ksmConfiguration":{"nodeLabelSelector":{}%s,"tuning":%s}}' "$API" "${2:-}" "$1"; }
LOG() { kemu_log "$1" | tr '\n' ' '; }

# T12: mergeAcrossNodes false, pages_shared 5, no permission -> exit 4, no write logged.
R=$TMP/t12; fake_root "$R"; set_knob "$R" pages_shared 5; policy "$R" "$(TUN '{"mergeAcrossNodes":false}')"
snap "$R/sys/kernel" s; snap "$R/run" r
run $K --root "$R" --json; expect_rc 4 "T12 EBUSY refused in planning"
expect_match "$ERR" 'pages_shared is 5' "T12 message"; expect_match "$OUT" '"code": "E13"' "T12 E13"
expect_eq "$(LOG "$R")" "" "T12 no write logged"
expect_unchanged "$R/sys/kernel" s "T12 sysfs unchanged"; expect_unchanged "$R/run" r "T12 run unchanged"

# T13: the same with allowUnmergeForReconfigure -> run=2, merge_across_nodes=0, run=1.
R=$TMP/t13; fake_root "$R"; set_knob "$R" pages_shared 5
policy "$R" "$(TUN '{"mergeAcrossNodes":false}' ',"allowUnmergeForReconfigure":true')"
run $K --root "$R"; expect_rc 0 "T13 unmerge for reconfiguration"
expect_eq "$(LOG "$R")" "run=2 merge_across_nodes=0 run=1 " "T13 write log"
expect_eq "$(knob "$R" merge_across_nodes),$(knob "$R" run),$(knob "$R" pages_shared)" "0,1,0" "T13 final values"

# T14: EBUSY injected twice on merge_across_nodes -> exit 4, rolled back, unchanged.
R=$TMP/t14; fake_root "$R"; policy "$R" "$(TUN '{"mergeAcrossNodes":false,"sleepMillisecs":30}')"
kemu_fail "$R" merge_across_nodes "EBUSY 2"; spec_snap "$R" t14
run $K --root "$R" --json; expect_rc 4 "T14 EBUSY twice"
expect_eq "$(LOG "$R")" "merge_across_nodes=0 EBUSY merge_across_nodes=0 EBUSY " "T14 one retry, then give up"
expect_match "$OUT" '"code": "E13"' "T14 E13"; expect_match "$ERR" 'merge_across_nodes: writing 0 gave EBUSY' "T14 message"
expect_spec_unchanged "$R" t14 "T14 tree unchanged (state and run directory removed)"
R=$TMP/t14b; fake_root "$R"; policy "$R" "$(TUN '{"mergeAcrossNodes":false}')"
kemu_fail "$R" merge_across_nodes "EBUSY 1"
run $K --root "$R"; expect_rc 0 "T14 EBUSY once: the retry succeeds"
expect_eq "$(LOG "$R")" "merge_across_nodes=0 EBUSY merge_across_nodes=0 run=1 " "T14 retry log"

# T15: EINVAL on sleep_millisecs after the advisor writes -> reverse rollback, unchanged.
R=$TMP/t15; fake_root "$R"
policy "$R" "$(TUN '{"sleepMillisecs":30,"advisor":{"maxCpu":50,"mode":"scan-time"}}')"
kemu_fail "$R" sleep_millisecs EINVAL; spec_snap "$R" t15
run $K --root "$R" --json; expect_rc 4 "T15 EINVAL on sleep_millisecs"
expect_eq "$(LOG "$R")" "advisor_max_cpu=50 advisor_mode=scan-time sleep_millisecs=30 EINVAL advisor_mode=none advisor_max_cpu=70 " \
        "T15 writes, then the reverse rollback"
expect_match "$OUT" '"code": "E12"' "T15 E12"
expect_spec_unchanged "$R" t15 "T15 tree unchanged (pages_to_scan restored by the mode)"

# T16: advisor parameters precede advisor_mode; scan-time -> none, pages_to_scan follows the mode.
R=$TMP/t16; fake_root "$R"; set_knob "$R" advisor_mode "none [scan-time]"; set_knob "$R" pages_to_scan 500
policy "$R" "$(TUN '{"pagesToScan":300,"advisor":{"mode":"none","maxCpu":40,"targetScanTime":100}}')"
run $K --root "$R"; expect_rc 0 "T16 scan-time -> none"
expect_eq "$(LOG "$R")" "advisor_target_scan_time=100 advisor_max_cpu=40 advisor_mode=none pages_to_scan=300 run=1 " "T16 order"
expect_eq "$(knob "$R" pages_to_scan),$(knob "$R" advisor_mode)" "300,[none] scan-time" "T16 final values"
expect_match "$(cat "$R/run/ksm-early/state.json")" '"pages_to_scan": "500"' "T16 previous pages_to_scan kept"
: >"$R/sys/.kemu/log"; run $K --root "$R"; expect_eq "$(LOG "$R")" "" "T16 rerun writes nothing"
# E12 in planning: pagesToScan while the kernel stays in scan-time.
R=$TMP/e12; fake_root "$R"; set_knob "$R" advisor_mode "none [scan-time]"
policy "$R" "$(TUN '{"pagesToScan":300}')"; snap "$R/sys/kernel" s
run $K --root "$R"; expect_rc 4 "E12 pagesToScan blocked by scan-time"
expect_match "$ERR" 'advisor_mode stays "scan-time"' "E12 message"; expect_eq "$(LOG "$R")" "" "E12 nothing written"
expect_unchanged "$R/sys/kernel" s "E12 sysfs unchanged"
# E6 in planning: a lone advisor bound against the kernel's other one.
R=$TMP/e6; fake_root "$R"; policy "$R" "$(TUN '{"advisor":{"minPagesToScan":40000}}')"
run $K --root "$R"; expect_rc 2 "E6 lone minPagesToScan above the kernel's max"
expect_match "$ERR" 'minPagesToScan: expected <= the kernel.s advisor_max_pages_to_scan \(30000\), got 40000' "E6 message"

# T17: EROFS on every file -> exit 4, unchanged.
R=$TMP/t17; fake_root "$R"; policy "$R" "$(TUN '{"sleepMillisecs":30,"useZeroPages":true}')"
for f in run sleep_millisecs use_zero_pages; do kemu_fail "$R" $f EROFS; done
spec_snap "$R" t17
run $K --root "$R" --json; expect_rc 4 "T17 EROFS"
expect_match "$ERR" 'sleep_millisecs: writing 30 gave EROFS' "T17 names file and errno"; expect_match "$OUT" '"code": "E11"' "T17 E11"
expect_spec_unchanged "$R" t17 "T17 tree unchanged"

# T18: ENOMEM on run=2 when stopping with Unmerge -> exit 4, run 0, managed false, label false.
R=$TMP/t18; fake_root "$R"
policy "$R" '{'$API',"ksmConfiguration":{"disableAction":"Unmerge","nodeLabelSelector":{"matchLabels":{"t":"1"}}}}'
run $K --root "$R" --label t=1; expect_rc 0 "T18 setup: enabled"
kemu_fail "$R" run ENOMEM
run $K --root "$R" --label t=0 --json; expect_rc 4 "T18 ENOMEM on run=2"
expect_match "$OUT" '"code": "E14"' "T18 E14"
expect_eq "$(knob "$R" run)" "0" "T18 the kernel set run=0"
expect_match "$(cat "$R/run/ksm-early/state.json")" '"managed": false' "T18 managed false"
expect_eq "$(cat "$R/run/ksm-early/node-labels")" "kubevirt.io/ksm-enabled=false" "T18 label false"

# T20: rename failure on node-labels after run=1 -> exit 5, all rolled back, unchanged.
R=$TMP/t20; fake_root "$R"; policy "$R" "$(TUN '{"sleepMillisecs":30}')"; mkdir -p "$R/run/ksm-early/node-labels"
spec_snap "$R" t20
run $K --root "$R" --json; expect_rc 5 "T20 output rename fails"
expect_match "$OUT" '"code": "E17"' "T20 E17"
expect_eq "$(LOG "$R")" "sleep_millisecs=30 run=1 run=0 sleep_millisecs=20 " "T20 knobs written then reverted"
expect_spec_unchanged "$R" t20 "T20 tree unchanged"

# T26: strictKnobs with smart_scan missing -> exit 4, unchanged.
R=$TMP/t26; fake_root "$R"; rm "$R/sys/kernel/mm/ksm/smart_scan"
policy "$R" "$(TUN '{"smartScan":false}' '')"; sed -i 's/^{/{"strictKnobs":true,/' "$R/etc/ksm-early/policy.json"
snap "$R/sys/kernel" s; snap "$R/run" r
run $K --root "$R" --json; expect_rc 4 "T26 strictKnobs"
expect_match "$OUT" '"code": "E15"' "T26 E15"; expect_eq "$(LOG "$R")" "" "T26 nothing written"
expect_unchanged "$R/sys/kernel" s "T26 sysfs unchanged"; expect_unchanged "$R/run" r "T26 run unchanged"

# T21 and crash safety: crash at every write point (the emulator has the production write
# points, and like sysfs keeps a knob's value when a crash falls between open and write). At each crash,
# run=1 implies state.json says managed: true; a rerun then converges.
P=$K
R=$TMP/t21; fake_root "$R"; policy "$R" "$(TUN '{"sleepMillisecs":30}')"
cp -a "$R" "$TMP/t21.orig"
FAULT_AT=count run $P --root "$R"; expect_rc 0 "T21 counting write points"
N=$(printf '%s\n' "$ERR" | sed -n 's/^fault-points: //p')
t_check "T21 write points counted ($N)" test "${N:-0}" -gt 5
bad=0
for i in $(seq 1 "$N"); do
        rm -rf "$R"; cp -a "$TMP/t21.orig" "$R"
        FAULT_AT=$i:crash run $P --root "$R"
        [ "$RC" = 99 ] || { bad=1; echo "point $i: exit $RC"; }
        if [ "$(knob "$R" run)" = 1 ] && ! grep -q '"managed": true' "$R/run/ksm-early/state.json" 2>/dev/null; then
                bad=1; echo "point $i: run=1 without managed: true on disk"
        fi
        run $P --root "$R"
        [ "$RC" = 0 ] && [ "$(knob "$R" run)" = 1 ] && [ "$(knob "$R" sleep_millisecs)" = 30 ] &&
                grep -q '"managed": true' "$R/run/ksm-early/state.json" || { bad=1; echo "point $i: rerun did not converge"; }
done
t_check "T21 every crash point: never run=1 without managed on disk; rerun converges" test $bad = 0

# ENOSPC and EIO at every write point (issue 10): exit 4 (a knob) or 5 (E17, a file), and the
# whole rollback of §8.4: sysfs, state, outputs and a run directory this run made, as before.
for err in ENOSPC EIO; do
        bad=0
        for i in $(seq 1 "$N"); do
                rm -rf "$R"; cp -a "$TMP/t21.orig" "$R"
                spec_snap "$R" before
                FAULT_AT=$i:$err run $P --root "$R"
                case $RC in 4 | 5) ;; *) bad=1; echo "$err at point $i: exit $RC" ;; esac
                diff -q "$TMP/.spec.before" <(spec_snapshot "$R") >/dev/null || { bad=1; echo "$err at point $i: tree changed"; }
        done
        t_check "T21 $err at each of the $N write points: exit 4 or 5, tree as before" test $bad = 0
done
t_done
