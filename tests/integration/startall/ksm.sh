#!/bin/bash
# ksm: merge (spec test 25): start goes through "ksm-early exec --merge --"; a missing ksm-early
# fails that guest only.
source "$(dirname "$0")/common.sh"
cat >"$TMP/ksm-early" <<F
#!/bin/sh
# fake ksm-early: records its argv, then runs the rest as "exec" would
printf '%s\n' "\$*" >>"$D/ksm-args"
[ "\$1" = exec ] && [ "\$2" = --merge ] && [ "\$3" = -- ] || exit 1
shift 3
exec "\$@"
F
chmod +x "$TMP/ksm-early"
guest 1 '"order": 1, "up": 0, "ksm": "merge",'
guest 2 '"order": 2, "up": 0,'
gs startall --ksm-early "$TMP/ksm-early"
expect_rc 0 "startall with ksm: merge"
expect_eq "$(cat "$D/ksm-args")" "exec --merge -- /bin/sh $FG $D start 1" "ksm-early got exec --merge -- and the start argv"
expect_eq "$(begins start)" "1 2" "the start itself ran through it; the other guest directly"
gs list
expect_match "$OUT" "\[ksm-early exec --merge --\] /bin/sh" "list shows the wrapper"
gs stopall >/dev/null
: >"$D/record"
gs startall --ksm-early "$TMP/absent-ksm-early"
expect_rc 6 "missing ksm-early"
expect_match "$ERR" "Starting VM 1 \(guest-1\) failed: ksm: merge is set but ksm-early was not found" "reason given"
expect_eq "$(begins start)" "2" "only that guest fails"
gs stopall >/dev/null
: >"$D/record"
printf '#!/bin/sh\nexit 6\n' >"$TMP/failing-ksm-early"; chmod +x "$TMP/failing-ksm-early"
gs startall --ksm-early "$TMP/failing-ksm-early"
expect_rc 6 "ksm-early exit 6 (prctl failed)"
expect_match "$ERR" "Starting VM 1 \(guest-1\) failed: exit status 6" "never started silently without merging"
t_done
