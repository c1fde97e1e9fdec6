#!/bin/bash
# startall/stopall order, onboot, up delays, failure isolation, --vms, no shell, list, dry run.
source "$(dirname "$0")/common.sh"

# spec test 1: ids compare as numbers, unordered last
guest 10 '"order": 2, "up": 0,'; guest 20 '"order": 1, "up": 0,'; guest 40 '"order": 1, "up": 0,'
guest 50 '"order": 0, "up": 0,'; guest 30 '"up": 0,'; guest 9 '"order": 3, "up": 0,'
guest 100 '"order": 3, "up": 0,'
guest 60 '"onboot": false, "order": 0, "up": 0,' 2>/dev/null
# onboot false: rewrite 60 without the duplicate key
sed -i 's/"onboot": true, "onboot": false/"onboot": false/' "$G/60.json"
gs startall
expect_rc 0 "startall"
expect_eq "$(begins start)" "50 20 40 10 9 100 30" "start order: ascending groups, ids numeric, unordered last, onboot off skipped"
expect_match "$OUT" "startall: 7 started, 0 failed" "summary"

# spec test 8: stop order is the exact reverse, every defined guest
: >"$D/record"
gs stopall
expect_rc 0 "stopall"
expect_eq "$(begins shutdown)" "30 100 9 10 40 20 50" "stop order: unordered first, descending, ids descending (60 skipped: not running)"
expect_match "$OUT" "stopall: 7 stopped \(0 forced\), 0 failed" "stop summary"

# spec test 2: --force starts the onboot-off guest in its place
: >"$D/record"
gs startall --force
expect_eq "$(begins start)" "50 60 20 40 10 9 100 30" "--force starts onboot false in order"
gs stopall >/dev/null

# spec test 13: --vms
: >"$D/record"
gs startall --vms "40,10"
expect_rc 0 "startall --vms 40,10"
expect_eq "$(begins start)" "40 10" "--vms: only those, in plan order"
gs stopall >/dev/null
: >"$D/record"
gs startall --vms "60;40"
expect_eq "$(begins start)" "40" "--vms: onboot still applies without --force"
gs stopall >/dev/null
: >"$D/record"
snap "$R" before
gs startall --vms 999
expect_rc 1 "--vms with an undefined id is a usage error"
expect_match "$ERR" "--vms: guest 999 is not defined" "message names the id"
expect_eq "$(cat "$D/record")" "" "no command ran"
expect_unchanged "$R" before "tree untouched"
gs startall --vms "4x"
expect_rc 1 "--vms with a non-number"

# spec test 12: list --json shows defaults and the effective argv
rm -f "$G"/*.json
guest 1 '"order": 5,'; guest 2 '"type": "ct",'
gs list --json
expect_rc 0 "list --json"
got=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for g in d["guests"]:
    print(g["id"], g["type"], g["up"], g["down"], g["order"], g["start"][0], g["start"][3], g["start-timeout"])')
expect_eq "$got" "1 vm 3 180 5 /bin/sh start 300
2 ct 0 180 None /bin/sh start 300" "list --json: up 3 (vm) / 0 (ct), down 180, order null, argv"
gs list --json --timeout 7
expect_match "$OUT" '"down": 7' "--timeout sets the effective down"

# spec tests 3/4/5: up delay, vm default 3 s, ct none, failure isolation, no trailing wait
rm -f "$G"/*.json; : >"$D/record"
guest 1 '"order": 1, "up": 1,'; guest 2 '"order": 2, "up": 2,'; cfg 2 start_rc=1
guest 3 '"order": 3, "type": "ct",'; guest 4 '"order": 4,'; guest 5 '"order": 5, "up": 2,'
gs startall
expect_rc 6 "a failed start gives exit 6"
expect_range "$(gap_ms "$(ts start 1 end)" "$(ts start 2 begin)")" 1000 1500 "up: 1 s after guest 1"
expect_range "$(gap_ms "$(ts start 2 end)" "$(ts start 3 begin)")" 0 500 "no wait after a failed start"
expect_range "$(gap_ms "$(ts start 3 end)" "$(ts start 4 begin)")" 0 500 "ct without up: no wait"
expect_range "$(gap_ms "$(ts start 4 end)" "$(ts start 5 begin)")" 3000 3500 "vm without up: 3 s"
tail_ms=$(tail -1 "$LOG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["duration_ms"])')
last_end=$(grep '"id":5,' "$LOG" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["mono_end_ms"])')
expect_range "$((tail_ms - last_end))" 0 500 "no wait after the last guest (run-end vs its end)"
expect_match "$ERR" "Starting VM 2 \(guest-2\) failed: exit status 1" "failure reported"
expect_match "$OUT" "startall: 4 started, 1 failed" "summary counts the failure"
expect_match "$OUT" "Waiting 1 s \(startup delay of VM 1\) before the next guest" "progress names the delay"
python3 - "$LOG" <<'PY' >"$TMP/log.txt"
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["event"] == "action" and d["id"] == 2 and d["verb"] == "startall":
        print(d["status"], d["rc"])
PY
expect_eq "$(tail -1 "$TMP/log.txt")" "failed 1" "task log: guest 2 failed rc 1"

# spec test 22: every line parses, one action per command, durations match the fake's
python3 - "$LOG" "$D/record" <<'PY' >"$TMP/check.txt"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
runs = {}
for d in lines:
    assert d["v"] == 1 and d["run"] and d["ts"].endswith("Z"), d
    runs.setdefault(d["run"], []).append(d)
last = list(runs.values())[-1]
assert last[0]["event"] == "run-begin" and last[-1]["event"] == "run-end", "begin/end"
acts = [d for d in last if d["event"] == "action"]
rec = [l.split() for l in open(sys.argv[2])]
begins = {(r[1], r[2]): int(r[0]) for r in rec if r[3] == "begin"}
ends = {(r[1], r[2]): int(r[0]) for r in rec if r[3] == "end"}
assert len(acts) == len(begins), (len(acts), len(begins))
worst = 0
for a in acts:
    k = (a["action"], str(a["id"]))
    fake = (ends[k] - begins[k]) / 1e6
    worst = max(worst, abs(a["duration_ms"] - fake))
    assert a["duration_ms"] >= fake - 1, (a, fake)
end = last[-1]
assert (end["ok"], end["failed"], end["exit"]) == (4, 1, 6), end
print("ok", len(acts), "worst %d ms" % worst if worst > 100 else "within100")
PY
expect_eq "$(cat "$TMP/check.txt")" "ok 5 within100" "task log: lines parse, one action per command, duration_ms within 100 ms (shared machine)"

# spec test 20: no shell anywhere
rm -f "$G"/*.json; : >"$D/record"
cat >"$G/7.json" <<J
{"id": 7, "onboot": true, "up": 0, "start": ["/bin/sh", "$FG", "$D", "start", "7", "; touch $D/pwned", "\$(touch $D/pwned)", "*"]}
J
gs startall
expect_rc 0 "start with shell metacharacters"
expect_eq "$(cat "$D/7.args")" "; touch $D/pwned
\$(touch $D/pwned)
*" "arguments arrive literally"
t_check "no pwned file" test ! -e "$D/pwned"

# spec test 26: dry run runs nothing, writes nothing
rm -f "$D"/*.running; : >"$D/record"
snap "$R" dry
gs startall --dry-run
expect_rc 0 "startall --dry-run"
expect_match "$OUT" "Would start VM 7 \(guest-7\)" "dry run prints the plan"
expect_eq "$(cat "$D/record")" "" "dry run ran nothing"
expect_unchanged "$R" dry "dry run wrote nothing"
gs stopall --dry-run
expect_rc 0 "stopall --dry-run"
expect_unchanged "$R" dry "stopall dry run wrote nothing"

# nothing selected
rm -f "$G"/*.json
gs startall
expect_rc 0 "no guests"
expect_match "$OUT" "startall: nothing to do" "nothing to do"
t_done
