#!/bin/bash
# Onboot delay (spec test 14), signals (15) and the run lock (23).
source "$(dirname "$0")/common.sh"
NC="$R/etc/guest-startall/node.conf"
EXE=$(bin guest-startall)
first_begin_ms() { # mono_begin_ms of the first action of the last run
        python3 - "$LOG" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
run = lines[-1]["run"]
print(next(d["mono_begin_ms"] for d in lines if d["run"] == run and d["event"] == "action"))
PY
}
guest 1 '"up": 0,'
printf '# local node\nstartall-onboot-delay: 2\n' >"$NC"
gs startall --boot
expect_rc 0 "startall --boot"
expect_range "$(first_begin_ms)" 2000 2500 "first start 2 s after run-begin"
expect_match "$OUT" "Waiting 2 s \(startall-onboot-delay\) before the first guest" "delay announced"
expect_match "$(grep run-begin "$LOG" | tail -1)" '"boot":true.*"delay_s":2' "run-begin records the delay"
gs stopall >/dev/null
gs startall
expect_range "$(first_begin_ms)" 0 500 "a manual startall is never delayed"
gs stopall >/dev/null

# SIGTERM during the delay: exit 128+15 at once, nothing started, all interrupted
printf 'startall-onboot-delay: 10\n' >"$NC"
guest 2 '"up": 0,'
: >"$D/record"
t0=$(now_ns)
"$EXE" --root "$R" --log "$LOG" startall --boot >"$TMP/o" 2>"$TMP/e" &
pid=$!
sleep 0.5
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
expect_eq "$rc" 143 "SIGTERM during the delay: exit 143"
expect_range "$(gap_ms "$t0" "$(now_ns)")" 0 1500 "ended at once"
expect_eq "$(cat "$D/record")" "" "no start"
expect_eq "$(grep '"event":"action"' "$LOG" | tail -2 | grep -c '"status":"interrupted"')" 2 "both guests logged interrupted"

# SIGTERM after two of four starts during --boot: those two are stopped again, in stop order
rm -f "$NC" "$G"/*.json; : >"$D/record"
for i in 1 2 3 4; do guest $i "\"order\": $i, \"up\": 1,"; done
"$EXE" --root "$R" --log "$LOG" startall --boot >"$TMP/o" 2>"$TMP/e" &
pid=$!
for _ in $(seq 100); do [ "$(count_records start)" -ge 4 ] && break; sleep 0.05; done # 2 starts = 4 lines
sleep 0.3
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
expect_eq "$rc" 143 "interrupted boot: exit 143"
expect_eq "$(begins start)" "1 2" "two guests started"
expect_eq "$(begins shutdown)" "2 1" "they are shut down again in stop order"
expect_match "$(cat "$TMP/o")" "startall: 2 started, 0 failed" "summary"
expect_match "$(grep run-end "$LOG" | tail -1)" '"interrupted":2.*"exit":143' "run-end counts 2 interrupted"

# the lock: a second startall exits 5 at once; stopall makes the first give way
rm -f "$G"/*.json "$D"/*.running; : >"$D/record"
guest 1 '"order": 1, "up": 30,'; cfg 1 start_daemon=1
guest 2 '"order": 2, "up": 0,'
"$EXE" --root "$R" --log "$LOG" startall >"$TMP/o1" 2>"$TMP/e1" &
first=$!
for _ in $(seq 100); do [ -e "$D/1.running" ] && break; sleep 0.05; done
t0=$(now_ns)
gs startall
expect_rc 5 "second startall: busy"
expect_range "$(gap_ms "$t0" "$(now_ns)")" 0 1500 "refused at once"
expect_match "$ERR" "busy: $R/run/lock/guest-startall.lock is held by pid $first" "names the holder"
daemon=$(cat "$D/1.daemon")
lock_held_by_daemon=no
for fd in /proc/"$daemon"/fd/*; do
        [ "$(readlink "$fd")" = "$R/run/lock/guest-startall.lock" ] && lock_held_by_daemon=yes
done
expect_eq "$lock_held_by_daemon" no "a guest's daemon does not inherit the lock descriptor"
gs stopall
expect_rc 0 "stopall takes over"
expect_match "$OUT" "Asking the running startall \(pid $first\) to give way" "stopall signals startall"
rc=0; wait "$first" || rc=$?
expect_eq "$rc" 143 "the first startall ended interrupted"
expect_eq "$(begins start)" "1" "guest 2 was never started"
expect_eq "$(begins shutdown)" "1" "the started guest was stopped"
kill "$daemon" 2>/dev/null
t_done
