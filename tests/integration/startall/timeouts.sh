#!/bin/bash
# Start timeout, status skip, shutdown timeout with forced stop, --force-stop 0, --timeout vs down.
source "$(dirname "$0")/common.sh"

# spec test 6: start timeout kills the whole group, the next guest starts
guest 1 '"order": 1, "up": 0, "start-timeout": 1,'; cfg 1 start_hang=1
guest 2 '"order": 2, "up": 0,'
gs startall
expect_rc 6 "a timed-out start gives exit 6"
expect_range "$(log_gap_ids 1 2)" 1000 1500 "killed after [1.0, 1.5) s and the next guest starts"
child=$(cat "$D/1.child")
# gone, or a zombie waiting for a reaper that is not ours (containers may lack a real init)
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
t_check "the hanging child $child is gone" gone "$child"
expect_match "$ERR" "Starting VM 1 \(guest-1\) failed: timed out after 1 s" "timeout reported"
expect_match "$(grep '"id":1,' "$LOG" | tail -1)" '"status":"timeout","rc":null,"signal":"SIGTERM"' "log: timeout, rc null, signal"

# spec test 7: status says running: no start, skipped-running, exit 0
: >"$D/record"; rm -f "$D"/*.cfg
gs startall --vms 2
expect_rc 0 "already running"
expect_eq "$(count_records start)" "0" "no start record"
expect_match "$OUT" "VM 2 \(guest-2\) is already running, skipped" "skip reported"
expect_match "$(grep '"id":2,' "$LOG" | tail -1)" '"status":"skipped-running"' "log: skipped-running"

# spec test 9: shutdown hangs past down: killed, stop follows, forced, exit 0
rm -f "$G"/*.json "$D"/*.running "$D"/*.cfg; : >"$D/record"
guest 5 '"down": 1,'; cfg 5 shutdown_hang=1; touch "$D/5.running"
gs stopall
expect_rc 0 "forced stop counts as success"
expect_range "$(log_gap 5 shutdown stop)" 1000 1500 "shutdown cut at [1.0, 1.5) s, stop right after"
expect_match "$OUT" "VM 5 \(guest-5\) did not shut down within 1 s, forcing stop" "progress line"
expect_match "$OUT" "stopall: 1 stopped \(1 forced\), 0 failed" "summary"
t_check "guest is stopped" test ! -e "$D/5.running"
expect_eq "$(grep '"verb":"stopall"' "$LOG" | grep '"event":"action"'  | python3 -c '
import json, sys
print(" ".join(json.loads(l)["action"] + ":" + json.loads(l)["status"] for l in sys.stdin))')" \
        "shutdown:timeout stop:ok" "log: shutdown timeout, then stop ok"

# spec test 10: --force-stop 0 leaves it running
: >"$D/record"; touch "$D/5.running"
gs stopall --force-stop 0
expect_rc 6 "--force-stop 0: exit 6"
expect_eq "$(count_records stop)" "0" "no stop record"
t_check "guest still running" test -e "$D/5.running"
expect_match "$ERR" "VM 5 \(guest-5\) did not shut down within 1 s; left running" "named in the errors"

# shutdown that fails is forced too
: >"$D/record"; rm -f "$D/5.cfg"; cfg 5 shutdown_rc=3
gs stopall
expect_rc 0 "failed shutdown forced"
expect_match "$OUT" "shutdown failed \(exit status 3\), forcing stop" "reason shown"

# spec test 11: --timeout for guests without down; down wins
rm -f "$G"/*.json "$D"/*.cfg; : >"$D/record"
guest 6 '"order": 2,'; cfg 6 shutdown_hang=1
guest 7 '"order": 1, "down": 2,'; cfg 7 shutdown_hang=1
touch "$D/6.running" "$D/7.running"
gs stopall --timeout 1
expect_rc 0 "stopall --timeout 1"
expect_range "$(log_gap 6 shutdown stop)" 1000 1500 "no down: cut at --timeout 1 s"
expect_range "$(log_gap 7 shutdown stop)" 2000 2500 "down 2 overrides --timeout"

# no shutdown command: straight to stop; neither: failed
rm -f "$G"/*.json "$D"/*.cfg; : >"$D/record"
cat >"$G/8.json" <<J
{"id": 8, "start": ["/bin/true"], "stop": ["/bin/sh", "$FG", "$D", "stop", "8"]}
J
cat >"$G/9.json" <<J
{"id": 9, "start": ["/bin/true"]}
J
gs stopall
expect_rc 6 "a guest without commands fails"
expect_eq "$(begins stop)" "8" "no shutdown: straight to stop"
expect_match "$ERR" "VM 9 \(guest-9\) cannot be stopped" "neither command: named"

# a start command that cannot be executed
rm -f "$G"/*.json; : >"$D/record"
cat >"$G/11.json" <<J
{"id": 11, "onboot": true, "up": 0, "start": ["/nonexistent/vmctl", "start"]}
J
guest 12 '"up": 0,'
gs startall
expect_rc 6 "exec failure"
expect_match "$ERR" "cannot execute /nonexistent/vmctl: No such file or directory" "errno text"
expect_eq "$(begins start)" "12" "the next guest still starts"
t_done
