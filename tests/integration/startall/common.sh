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
