# Shared helpers of the guest-startall integration tests: a fake root with guests made of
# fake-guest calls, and timestamp arithmetic on the fakes' record file.
source "$TESTLIB"
FG="$SRC_DIR/tests/integration/startall/fake-guest"
R="$TMP/root"          # --root
G="$R/etc/guest-startall/guests.d"
D="$TMP/rec"           # fake-guest state and record
LOG="$R/var/log/tasks.jsonl"
mkdir -p "$G" "$D" "$R/run"
: >"$D/record"

# guest ID 'extra json members,' — every command is the fake with its action
guest() {
        local id=$1 extra=${2:-}
        cat >"$G/$id.json" <<J
{"id": $id, "onboot": true, $extra
 "start": ["/bin/sh", "$FG", "$D", "start", "$id"],
 "shutdown": ["/bin/sh", "$FG", "$D", "shutdown", "$id"],
 "stop": ["/bin/sh", "$FG", "$D", "stop", "$id"],
 "status": ["/bin/sh", "$FG", "$D", "status", "$id"]}
J
}
cfg() { echo "$2" >>"$D/$1.cfg"; } # cfg ID 'start_rc=1'
gs() { run guest-startall --root "$R" --log "$LOG" "$@"; }

# ns timestamp of "<action> <id> begin|end" (first occurrence)
ts() { awk -v a="$1" -v i="$2" -v e="$3" '$2 == a && $3 == i && $4 == e { print $1; exit }' "$D/record"; }
# ids in order of their "<action> ... begin" lines
begins() { awk -v a="$1" '$2 == a && $4 == "begin" { printf "%s%s", sep, $3; sep = " " } END { print "" }' "$D/record"; }
# milliseconds from ns a to ns b
gap_ms() { echo $(( ($2 - $1) / 1000000 )); }
# check lo <= value < hi (ms)
expect_range() { # value lo hi description
        if [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; then t_ok "$4 ($1 ms)"; else
                t_fail "$4: $1 ms not in [$2, $3)"; fi
}
now_ns() { date +%s%N; }
count_records() { grep -c " $1 " "$D/record" || true; }
# ms from the launcher's begin of action a1 to its begin of a2 for guest ID (last run in the log);
# the launcher's own clock, so a fake's slow startup does not shift the window.
log_gap() { # id a1 a2
        python3 - "$LOG" "$1" "$2" "$3" <<'PY'
import json, sys
path, gid, a1, a2 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lines = [json.loads(l) for l in open(path)]
run = lines[-1]["run"]
t = {}
for d in lines:
    if d["run"] == run and d["event"] == "action" and d["id"] == gid and d["mono_begin_ms"] is not None:
        t.setdefault(d["action"], d["mono_begin_ms"])
print(t[a2] - t[a1])
PY
}
# ms from the launcher's begin of guest A's first action to guest B's (last run in the log)
log_gap_ids() {
        python3 - "$LOG" "$1" "$2" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
run = lines[-1]["run"]
t = {}
for d in lines:
    if d["run"] == run and d["event"] == "action" and d["mono_begin_ms"] is not None:
        t.setdefault(d["id"], d["mono_begin_ms"])
print(t[int(sys.argv[3])] - t[int(sys.argv[2])])
PY
}
