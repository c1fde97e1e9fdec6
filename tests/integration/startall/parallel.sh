#!/bin/bash
# --parallel (spec tests 16-18): concurrency within a group, the group's largest up, the limit.
source "$(dirname "$0")/common.sh"
# four guests in group 1, start_sleep 1, up 0 1 0 2; group 2 one instant guest
i=0
for up in 0 1 0 2; do
        i=$((i + 1)); guest $i "\"order\": 1, \"up\": $up,"; cfg $i start_sleep=1
done
guest 9 '"order": 2, "up": 0,'
gs startall --parallel 4
expect_rc 0 "startall --parallel 4"
b=$(for i in 1 2 3 4; do ts start $i begin; done | sort -n)
spread=$(gap_ms "$(echo "$b" | head -1)" "$(echo "$b" | tail -1)")
# bounds sit just below what serial starts would give (1 s apart), not at a speed target
expect_range "$spread" 0 900 "the four begins are concurrent"
last_end=$(for i in 1 2 3 4; do ts start $i end; done | sort -n | tail -1)
expect_range "$(gap_ms "$last_end" "$(ts start 9 begin)")" 2000 5000 "group 2 waits the largest up (2 s) after the last end"
expect_match "$OUT" "Waiting 2 s \(largest startup delay of the group, VM 4\) before the next group" "announced"
expect_range "$(grep run-end "$LOG" | tail -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["duration_ms"])')" \
        0 6900 "total < 6.9 s (serial would be >= 7 s)"

# limit: six guests, start_sleep 0.5, --parallel 2: never more than two overlapping
rm -f "$G"/*.json "$D"/*.cfg "$D"/*.running; : >"$D/record"
for i in 1 2 3 4 5 6; do guest $i '"order": 1, "up": 0,'; cfg $i start_sleep=0.5; done
guest 9 '"order": 2, "up": 0,'
gs startall --parallel 2
expect_rc 0 "startall --parallel 2"
maxover=$(awk '$2 == "start" { print $1, ($4 == "begin") ? 1 : -1 }' "$D/record" | sort -n |
          awk '{ n += $2; if (n > m) m = n } END { print m }')
expect_eq "$maxover" 2 "never more than two in flight"
expect_range "$(gap_ms "$(for i in 1 2 3 4 5 6; do ts start $i end; done | sort -n | tail -1)" "$(ts start 9 begin)")" \
        0 500 "group 2 after every group-1 end"

# stopall --parallel: groups descending, group waits for the whole group
: >"$D/record"
for i in 1 2 3 4 5 6; do echo shutdown_sleep=0.5 >>"$D/$i.cfg"; done
gs stopall --parallel 3
expect_rc 0 "stopall --parallel 3"
expect_eq "$(begins shutdown | cut -d' ' -f1)" "9" "group 2 first"
maxover=$(awk '$2 == "shutdown" { print $1, ($4 == "begin") ? 1 : -1 }' "$D/record" | sort -n |
          awk '{ n += $2; if (n > m) m = n } END { print m }')
expect_eq "$maxover" 3 "at most three shutdowns in flight"
t_done
