# ksm-early loop (spec §12) on fake trees with the kernel emulator: KubeVirt's pressure rule
# tick by tick with `loop --once` and /proc/meminfo rewritten between ticks (T33-T35), the
# policy checks (E6), usage errors, and the long-running loop: SIGHUP ticks at once, a bad
# policy keeps the last good one, the interval ticks by itself, SIGTERM exits 0 leaving KSM.
source "$TESTLIB"
source "$(dirname "$0")/fake.sh"
K=ksm-early-kemu
API='"apiVersion":"ksm-early/v1alpha1"'
MEM_TOTAL=65680332; MEM_PRESSURE=5183928; MEM_CALM=39207804
ONP() { printf '{%s,"ksmConfiguration":{"nodeLabelSelector":{},"activation":"OnPressure"%s}}' "$API" "${1:-}"; }
mem() { printf 'MemTotal:       %s kB\nMemFree:         1000 kB\nMemAvailable:   %s kB\n' "$MEM_TOTAL" "$2" >"$1/proc/meminfo"; }
tick() { run $K loop --once --root "$1"; [ "$RC" = 0 ] || t_fail "tick failed (exit $RC): $ERR"; }
ticks() { local i; for ((i = 0; i < $2; i++)); do tick "$1"; done; }
LOG() { kemu_log "$1" | tr '\n' ' '; }
STATE() { cat "$1/run/ksm-early/state.json"; }
pages() { knob "$1" pages_to_scan; }

# T33: KubeVirt "adapt to memory pressure", with the default loop parameters.
R=$TMP/t33; fake_root "$R"; policy "$R" "$(ONP)"; mem "$R" $MEM_CALM
tick "$R"; expect_eq "$(knob "$R" run)" "0" "T33 calm: run stays 0"
expect_eq "$(LOG "$R")" "" "T33 calm: no sysfs write"
expect_eq "$(cat "$R/run/ksm-early/node-labels")" "kubevirt.io/ksm-enabled=true" "T33 calm: label true (eligible)"
mem "$R" $MEM_PRESSURE; tick "$R"
expect_eq "$(knob "$R" run),$(pages "$R"),$(knob "$R" sleep_millisecs)" "1,100,27" "T33 pressure: run=1, pages 100, sleep 27"
expect_eq "$(LOG "$R")" "sleep_millisecs=27 run=1 " "T33 pressure: sleep and run written, pages already 100"
expect_match "$(STATE "$R")" '"managed": true' "T33 managed"
expect_eq "$(cat "$R/run/ksm-early/node-annotations")" "kubevirt.io/ksm-handler-managed=true" "T33 annotation true"
tick "$R"; expect_eq "$(pages "$R")" "400" "T33 then 400"
ticks "$R" 3; expect_eq "$(pages "$R")" "1250" "T33 3 ticks later 1250 (capped)"
mem "$R" $MEM_CALM; : >"$R/sys/.kemu/log"; tick "$R"
expect_eq "$(pages "$R"),$(knob "$R" sleep_millisecs),$(knob "$R" run)" "1200,63,1" "T33 calm: 1200, sleep 63"
expect_eq "$(LOG "$R")" "sleep_millisecs=63 pages_to_scan=1200 " "T33 calm: only what differs is written"
ticks "$R" 15; expect_eq "$(pages "$R")" "450" "T33 15 ticks later 450"
: >"$R/sys/.kemu/log"; n=0
while [ "$(knob "$R" run)" = 1 ] && [ $n -lt 30 ]; do tick "$R"; n=$((n + 1)); done
expect_eq "$(knob "$R" run)" "0" "T33 within 30 more ticks run=0 (after $n)"
expect_eq "$(kemu_log "$R" | tail -n 1)" "run=0" "T33 the stop writes run=0 only"
expect_match "$(STATE "$R")" '"managed": false' "T33 managed false after the stop"
expect_match "$(STATE "$R")" '"pages_to_scan": "100"' "T33 previous pages_to_scan kept"
expect_eq "$(cat "$R/run/ksm-early/node-annotations")" "kubevirt.io/ksm-handler-managed=false" "T33 annotation false"
: >"$R/sys/.kemu/log"; tick "$R"; expect_eq "$(LOG "$R")" "" "T33 calm and stopped: nothing written"

# T34: KubeVirt's override test (effective values), calm memory but freePercent 1.0.
L34='"pagesBoost":123,"pagesDecay":-50,"pagesMin":166,"pagesMax":789,"pagesInit":166,"sleepMsBaseline":1213'
R=$TMP/t34; fake_root "$R"; policy "$R" "$(ONP ",\"loop\":{$L34,\"freePercent\":1.0}")"; mem "$R" $MEM_CALM
tick "$R"
expect_eq "$(knob "$R" run),$(pages "$R"),$(knob "$R" sleep_millisecs)" "1,166,768" "T34 run=1, pages 166, sleep 768"
tick "$R"; expect_eq "$(pages "$R")" "289" "T34 then 289"
ticks "$R" 5; expect_eq "$(pages "$R")" "789" "T34 5 ticks later 789"
policy "$R" "$(ONP ",\"loop\":{$L34,\"freePercent\":0.1}")"
tick "$R"; expect_eq "$(pages "$R"),$(knob "$R" run)" "739,1" "T34 freePercent 0.1 -> 739"
n=0; while [ "$(knob "$R" run)" = 1 ] && [ $n -lt 16 ]; do tick "$R"; n=$((n + 1)); done
expect_eq "$(knob "$R" run)" "0" "T34 stopped within 16 more ticks (after $n)"
# Its raw inputs: decay 45 and init 1011 are out of range -> exit 2, nothing written.
R=$TMP/t34raw; fake_root "$R"; mem "$R" $MEM_PRESSURE
policy "$R" "$(ONP ',"loop":{"pagesBoost":123,"pagesDecay":45,"pagesMin":166,"pagesMax":789,"pagesInit":1011,"sleepMsBaseline":1213}')"
spec_snap "$R" t34raw
run $K loop --once --root "$R" --json; expect_rc 2 "T34 raw inputs rejected"
expect_match "$ERR" 'loop.pagesDecay: expected an integer in -4294967295..0, got 45' "T34 pagesDecay named"
expect_match "$ERR" 'loop.pagesInit: expected pagesInit in pagesMin..pagesMax \(166..789\), got 1011' "T34 pagesInit named"
expect_match "$OUT" '"code": "E6"' "T34 E6 in --json"
expect_spec_unchanged "$R" t34raw "T34 tree unchanged, no run directory"

# T35: MemAvailable = MemTotal -> the tick is skipped with a warning, nothing written.
R=$TMP/t35; fake_root "$R"; policy "$R" "$(ONP)"; mem "$R" $MEM_TOTAL; spec_snap "$R" t35
run $K loop --once --root "$R" --json; expect_rc 0 "T35 E21 tick skipped"
expect_match "$ERR" 'tick skipped \(E21\): MemAvailable 65680332 kB >= MemTotal 65680332 kB' "T35 warning"
expect_match "$OUT" '"skipped": true' "T35 --json says skipped"
expect_spec_unchanged "$R" t35 "T35 fresh tree unchanged (no run directory)"
mem "$R" $MEM_PRESSURE; tick "$R"; expect_eq "$(knob "$R" run)" "1" "T35 setup: managed run=1"
mem "$R" $((MEM_TOTAL + 5)); spec_snap "$R" t35b; : >"$R/sys/.kemu/log"
tick "$R"; expect_eq "$(LOG "$R")" "" "T35 MemAvailable > MemTotal: no write"
expect_spec_unchanged "$R" t35b "T35 running tree unchanged"
# An unmanaged run=1 (ksmtuned, an admin) is never written, under pressure or not (E19).
R=$TMP/t35ext; fake_root "$R"; policy "$R" "$(ONP)"; set_knob "$R" run 1; mem "$R" $MEM_PRESSURE
ticks "$R" 3; mem "$R" $MEM_CALM; ticks "$R" 3
expect_eq "$(LOG "$R")" "" "T35 external run=1: no write in 6 ticks"
expect_eq "$(knob "$R" run),$(pages "$R")" "1,100" "T35 external KSM untouched"
expect_eq "$(cat "$R/run/ksm-early/node-labels"),$(cat "$R/run/ksm-early/node-annotations")" \
        "kubevirt.io/ksm-enabled=true,kubevirt.io/ksm-handler-managed=false" "T35 external: label true, annotation false"

# Ineligible (§12 step 2): a managed KSM is stopped by the policy's disableAction, as apply does.
R=$TMP/inel; fake_root "$R"; mem "$R" $MEM_PRESSURE
policy "$R" '{'$API',"ksmConfiguration":{"disableAction":"Unmerge","activation":"OnPressure","nodeLabelSelector":{"matchLabels":{"t":"1"}}}}'
run $K loop --once --root "$R" --label t=1; expect_rc 0 "ineligible setup: started under pressure"
run $K loop --once --root "$R" --label t=0; expect_rc 0 "ineligible: tick"
expect_eq "$(LOG "$R")" "sleep_millisecs=27 run=1 run=2 " "ineligible: Unmerge writes run=2 only"
expect_match "$(STATE "$R")" '"managed": false' "ineligible: managed false"

# E6: loop needs activation OnPressure and advisor mode none; nothing created.
R=$TMP/e6; fake_root "$R"; mem "$R" $MEM_PRESSURE
policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{}}}'; spec_snap "$R" e6
run $K loop --once --root "$R" --json; expect_rc 2 "E6 activation Always"
expect_match "$ERR" 'policy.json: .ksmConfiguration.activation: loop needs "OnPressure", got "Always"' "E6 message"
expect_match "$OUT" '"code": "E6"' "E6 in --json"
run $K loop --root "$R"; expect_rc 2 "E6 also ends the long-running loop at once"
expect_spec_unchanged "$R" e6 "E6 tree unchanged"
policy "$R" "$(ONP ',"tuning":{"advisor":{"mode":"scan-time"}}')"; spec_snap "$R" e6b
run $K loop --once --root "$R"; expect_rc 2 "E6 advisor scan-time"
expect_match "$ERR" '.ksmConfiguration.tuning.advisor.mode: loop needs "none", got "scan-time"' "E6 advisor message"
expect_spec_unchanged "$R" e6b "E6 advisor: tree unchanged"
# E12: the kernel's advisor is in scan-time and the policy leaves it: refused before any write.
policy "$R" "$(ONP)"; set_knob "$R" advisor_mode "none [scan-time]"; spec_snap "$R" e12
run $K loop --once --root "$R"; expect_rc 4 "E12 kernel advisor scan-time"
expect_match "$ERR" 'advisor_mode is "scan-time"' "E12 message"
expect_spec_unchanged "$R" e12 "E12 tree unchanged (run directory removed again)"
# The policy switching the advisor to none makes it work; pages follow the mode's reset.
policy "$R" "$(ONP ',"tuning":{"advisor":{"mode":"none"}}')"; set_knob "$R" pages_to_scan 500
tick "$R"; expect_eq "$(LOG "$R")" "advisor_mode=none sleep_millisecs=27 run=1 " "advisor none, then the rule (pages reset to 100)"
expect_eq "$(pages "$R")" "100" "pages_to_scan 100 after the mode change"
# E8: meminfo unreadable -> exit 3, nothing written.
R=$TMP/e8; fake_root "$R"; policy "$R" "$(ONP)"; rm "$R/proc/meminfo"; spec_snap "$R" e8
run $K loop --once --root "$R"; expect_rc 3 "E8 no /proc/meminfo"
expect_match "$ERR" "cannot read memory sizes: $R/proc/meminfo" "E8 message"
expect_spec_unchanged "$R" e8 "E8 tree unchanged"
# --proc-dir moves meminfo with the rest of /proc.
mkdir -p "$TMP/proc2/sys/kernel/random"; cp -r "$TMP/t33/proc/." "$TMP/proc2/"
printf 'MemTotal: 100 kB\nMemAvailable: 10 kB\n' >"$TMP/proc2/meminfo"
run $K loop --once --root "$R" --proc-dir "$TMP/proc2" --json; expect_rc 0 "--proc-dir: meminfo from there"
expect_match "$OUT" '"memTotal": 100' "--proc-dir: MemTotal 100"

# Usage errors (exit 1) and out-of-range --interval (exit 2): the tree stays as it is.
R=$TMP/usage; fake_root "$R"; policy "$R" "$(ONP)"; spec_snap "$R" usage
run $K loop --once --bogus --root "$R"; expect_rc 1 "unknown option"
expect_match "$ERR" 'unknown or incomplete option: --bogus' "unknown option message"
run $K loop --interval abc --root "$R"; expect_rc 1 "malformed --interval"
expect_match "$ERR" 'malformed --interval: expected seconds, got "abc"' "malformed --interval message"
run $K loop --interval --root "$R"; expect_rc 1 "--interval without a value (it takes --root) is malformed"
run $K loop --once extra --root "$R"; expect_rc 1 "extra argument"
expect_match "$ERR" 'unexpected argument: extra' "extra argument message"
run $K apply --once --root "$R"; expect_rc 1 "--once with apply"
expect_match "$ERR" '--once is an option of loop only' "--once with apply message"
run $K status --interval 5 --root "$R"; expect_rc 1 "--interval with status"
run $K loop --interval 0 --root "$R"; expect_rc 2 "--interval 0 out of range"
expect_match "$ERR" 'invalid --interval: expected 1..86400 seconds, got 0' "--interval 0 message"
run $K loop --interval 86401 --root "$R"; expect_rc 2 "--interval 86401 out of range"
run $K loop --interval 99999999999 --root "$R"; expect_rc 2 "--interval above u32 out of range"
expect_spec_unchanged "$R" usage "usage errors: tree unchanged"
run $K --help; expect_match "$OUT" 'ksm-early loop \[OPTIONS\] \[--interval SECONDS\] \[--once\]' "--help shows loop"

# --dry-run: the plan of one tick, nothing created or written.
R=$TMP/dry; fake_root "$R"; policy "$R" "$(ONP)"; mem "$R" $MEM_PRESSURE; spec_snap "$R" dry
run $K loop --once --dry-run --root "$R"; expect_rc 0 "--dry-run"
expect_eq "$OUT" "write sleep_millisecs: 20 -> 27
write run: 0 -> 1
pressure yes: pages_to_scan 100, sleep_millisecs 27, running
label kubevirt.io/ksm-enabled=true
annotation kubevirt.io/ksm-handler-managed=true" "--dry-run plan"
expect_spec_unchanged "$R" dry "--dry-run: tree unchanged"

# A crash at every write point of a starting and of a stopping tick (FAULT_AT=n:crash) never
# leaves run=1 without managed: true on disk (§6), and the next tick converges.
crash_sweep() { # name root meminfo-after-crash want-run
        local name=$1 R=$2 i N bad=0
        cp -a "$R" "$TMP/$name.orig"
        FAULT_AT=count run $K loop --once --root "$R"; expect_rc 0 "$name: counting write points"
        N=$(printf '%s\n' "$ERR" | sed -n 's/^fault-points: //p')
        t_check "$name: write points counted (${N:-0})" test "${N:-0}" -gt 3
        for i in $(seq 1 "${N:-0}"); do
                rm -rf "$R"; cp -a "$TMP/$name.orig" "$R"
                FAULT_AT=$i:crash run $K loop --once --root "$R"
                [ "$RC" = 99 ] || { bad=1; echo "point $i: exit $RC"; }
                if [ "$(knob "$R" run)" = 1 ] && ! grep -q '"managed": true' "$R/run/ksm-early/state.json" 2>/dev/null; then
                        bad=1; echo "point $i: run=1 without managed: true on disk"
                fi
                run $K loop --once --root "$R"
                [ "$RC" = 0 ] && [ "$(knob "$R" run)" = "$4" ] || { bad=1; echo "point $i: the next tick did not converge"; }
        done
        t_check "$name: every crash point keeps the claim; the next tick converges" test $bad = 0
}
R=$TMP/crash-start; fake_root "$R"; policy "$R" "$(ONP)"; mem "$R" $MEM_PRESSURE
crash_sweep crash-start "$R" $MEM_PRESSURE 1
R=$TMP/crash-stop; fake_root "$R"; policy "$R" "$(ONP)"; mem "$R" $MEM_PRESSURE; tick "$R"
mem "$R" $MEM_CALM; expect_eq "$(pages "$R"),$(knob "$R" run)" "100,1" "crash-stop setup: running at 100, one decay stops it"
crash_sweep crash-stop "$R" $MEM_CALM 0

# The long-running loop. Bounded polls, no fixed sleeps: the loop's own writes are awaited.
poll() { local i; for ((i = 0; i < 300; i++)); do "$@" && return 0; sleep 0.1; done; return 1; }
run_is() { [ "$(knob "$1" run)" = "$2" ]; }
pages_is() { [ "$(pages "$1")" = "$2" ]; }
R=$TMP/sig; fake_root "$R"; policy "$R" "$(ONP)"; mem "$R" $MEM_CALM
EXE=$(bin $K)
"$EXE" loop --root "$R" --interval 3600 2>"$TMP/sig.err" &
PID=$!
t_check "loop: first tick at start" poll test -f "$R/run/ksm-early/state.json"
mem "$R" $MEM_PRESSURE; kill -HUP $PID
t_check "SIGHUP ticks at once: run=1" poll run_is "$R" 1
expect_eq "$(pages "$R")" "100" "SIGHUP tick: pages 100"
policy "$R" '{"apiVersion":'; kill -HUP $PID
t_check "a bad policy keeps the last good one: the next tick boosts to 400" poll pages_is "$R" 400
t_check "the bad policy is reported" poll grep -q 'keeping the last good ones' "$TMP/sig.err"
expect_match "$(cat "$TMP/sig.err")" 'invalid policy: .*policy.json:[0-9]+:[0-9]+: ' "the syntax error is logged"
kill -TERM $PID; RC=0; wait $PID || RC=$?
expect_rc 0 "SIGTERM exits 0"
expect_eq "$(knob "$R" run),$(pages "$R")" "1,400" "SIGTERM leaves KSM as it is"
expect_eq "$(kemu_log "$R" | grep -c '^run=')" "1" "SIGTERM wrote no run=0"
expect_match "$(cat "$TMP/sig.err")" 'SIGTERM: loop ends, KSM left as it is' "SIGTERM logged"
# SIGINT as well; and --interval ticks by itself.
R=$TMP/int; fake_root "$R"; policy "$R" "$(ONP)"; mem "$R" $MEM_CALM
"$EXE" loop --root "$R" --interval 1 2>"$TMP/int.err" &
PID=$!
t_check "interval: first tick" poll test -f "$R/run/ksm-early/state.json"
mem "$R" $MEM_PRESSURE
t_check "interval: a later tick without a signal starts KSM" poll run_is "$R" 1
kill -INT $PID; RC=0; wait $PID || RC=$?
expect_rc 0 "SIGINT exits 0"
expect_eq "$(knob "$R" run)" "1" "SIGINT leaves KSM running"

t_done
