# ksm-early apply on fake trees: KubeVirt parity (T1-T5), selectors (T6-T8), idempotence and
# state (T22-T29), outputs (§9). Runs the kernel emulator build, whose log shows every write.
source "$TESTLIB"
source "$(dirname "$0")/fake.sh"
K=ksm-early-kemu
API='"apiVersion":"ksm-early/v1alpha1"'
SEL_TEST='{'$API',"ksmConfiguration":{"nodeLabelSelector":{"matchLabels":{"test_label":"true"}}}}'
STATE() { cat "$1/run/ksm-early/state.json"; }

# T1: no ksmConfiguration -> label/annotation false; an external run=1 is kept on a rerun.
R=$TMP/t1; fake_root "$R"; policy "$R" '{'$API'}'
run $K --root "$R"; expect_rc 0 "T1 apply without ksmConfiguration"
expect_eq "$(cat "$R/run/ksm-early/node-labels")" "kubevirt.io/ksm-enabled=false" "T1 label false"
expect_eq "$(cat "$R/run/ksm-early/node-annotations")" "kubevirt.io/ksm-handler-managed=false" "T1 annotation false"
expect_eq "$(kemu_log "$R")" "" "T1 no sysfs write"
set_knob "$R" run 1
run $K --root "$R"; expect_rc 0 "T1 rerun after external run=1"
expect_eq "$(knob "$R" run)" "1" "T1 external run=1 kept"
expect_eq "$(kemu_log "$R")" "" "T1 still no sysfs write"

# T2: matchLabels {test_label: "true"}.
R=$TMP/t2; fake_root "$R"; policy "$R" "$SEL_TEST"
run $K --root "$R" --label test_label=true; expect_rc 0 "T2 matching node"
expect_eq "$(knob "$R" run)" "1" "T2 run=1"
expect_eq "$(cat "$R/run/ksm-early/node-labels")" "kubevirt.io/ksm-enabled=true" "T2 label true"
expect_eq "$(cat "$R/run/ksm-early/node-annotations")" "kubevirt.io/ksm-handler-managed=true" "T2 managed"
expect_match "$(STATE "$R")" '"managed": true' "T2 state managed"
expect_eq "$(kemu_log "$R")" "run=1" "T2 exactly one write"
R2=$TMP/t2b; fake_root "$R2"
policy "$R2" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{"matchLabels":{"no_matching_label":"true"}}}}'
run $K --root "$R2"; expect_rc 0 "T2 non-matching node"
expect_eq "$(cat "$R2/run/ksm-early/node-labels")" "kubevirt.io/ksm-enabled=false" "T2 label false"
expect_eq "$(kemu_log "$R2")" "" "T2 no write on a fresh tree"

# T3: after T2, test_label=false -> run=0, managed false; with Unmerge -> run=2.
: >"$R/sys/.kemu/log"
run $K --root "$R" --label test_label=false; expect_rc 0 "T3 node no longer selected"
expect_eq "$(knob "$R" run)" "0" "T3 Stop writes run=0"
expect_match "$(STATE "$R")" '"managed": false' "T3 state unmanaged"
expect_eq "$(cat "$R/run/ksm-early/node-labels")" "kubevirt.io/ksm-enabled=false" "T3 label false"
R3=$TMP/t3u; fake_root "$R3"
policy "$R3" '{'$API',"ksmConfiguration":{"disableAction":"Unmerge","nodeLabelSelector":{"matchLabels":{"test_label":"true"}}}}'
run $K --root "$R3" --label test_label=true; expect_rc 0 "T3 Unmerge: enable"
run $K --root "$R3" --label test_label=false; expect_rc 0 "T3 Unmerge: disable"
expect_eq "$(knob "$R3" run)" "2" "T3 Unmerge writes run=2"
expect_eq "$(kemu_log "$R3" | tr '\n' ' ')" "run=1 run=2 " "T3 Unmerge log"

# T4: T2 and T3 with matchExpressions In.
R=$TMP/t4; fake_root "$R"
policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{"matchExpressions":[{"key":"test_label","operator":"In","values":["true"]}]}}}'
run $K --root "$R" --label test_label=true; expect_rc 0 "T4 In matches"
expect_eq "$(knob "$R" run)" "1" "T4 run=1"
run $K --root "$R" --label test_label=false; expect_rc 0 "T4 In no longer matches"
expect_eq "$(knob "$R" run)" "0" "T4 run=0"

# T5: three roots; node01 external run=1; policy selects node02/03.
P5='{'$API',"ksmConfiguration":{"nodeLabelSelector":{"matchExpressions":[{"key":"kubernetes.io/hostname","operator":"In","values":["node02","node03"]}]}}}'
for n in node01 node02 node03; do fake_root "$TMP/t5/$n"; echo "$n" >"$TMP/t5/$n/etc/hostname"; policy "$TMP/t5/$n" "$P5"; done
set_knob "$TMP/t5/node01" run 1
for n in node01 node02 node03; do run $K --root "$TMP/t5/$n"; expect_rc 0 "T5 apply $n"; done
expect_eq "$(knob "$TMP/t5/node01" run),$(knob "$TMP/t5/node02" run),$(knob "$TMP/t5/node03" run)" "1,1,1" "T5 all running"
expect_eq "$(kemu_log "$TMP/t5/node01")" "" "T5 node01 untouched"
for n in node01 node02 node03; do policy "$TMP/t5/$n" '{'$API'}'; run $K --root "$TMP/t5/$n"; expect_rc 0 "T5 policy removed $n"; done
expect_eq "$(knob "$TMP/t5/node01" run),$(knob "$TMP/t5/node02" run),$(knob "$TMP/t5/node03" run)" "1,0,0" "T5 node01 still 1, others stopped"

# T6: no node / every node.
i=0
for kc in '' ',"ksmConfiguration":null' ',"ksmConfiguration":{}' ',"ksmConfiguration":{"nodeLabelSelector":null}'; do
        i=$((i + 1)); R=$TMP/t6n$i; fake_root "$R"; policy "$R" '{'$API$kc'}'
        run $K --root "$R" --json; expect_rc 0 "T6 no node ($kc)"
        expect_match "$OUT" '"matched": false' "T6 not matched ($kc)"
        expect_match "$OUT" '"selector": null' "T6 selector null ($kc)"
        expect_eq "$(knob "$R" run)" "0" "T6 run untouched ($kc)"
done
for s in '{}' '{"matchLabels":{}}' '{"matchExpressions":[]}' '{"matchLabels":null,"matchExpressions":null}'; do
        i=$((i + 1)); R=$TMP/t6e$i; fake_root "$R"; policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":'"$s"'}}'
        run $K --root "$R" --json; expect_rc 0 "T6 every node ($s)"
        expect_match "$OUT" '"selector": ""' "T6 canonical match-all ($s)"
        expect_eq "$(knob "$R" run)" "1" "T6 run=1 ($s)"
done

# T7: the §4.1 table, absent and present keys, through the binary.
t7() { # expressions labels expected-matched description
        local R=$TMP/t7; rm -rf "$R"; fake_root "$R"
        policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{"matchExpressions":['"$1"']}}}'
        local args=() l; for l in $2; do args+=(--label "$l"); done
        run $K --root "$R" --dry-run --json "${args[@]}"
        expect_match "$OUT" "\"matched\": $3" "T7 $4"
}
t7 '{"key":"a","operator":"In","values":["x"]}' '' false "In, key absent"
t7 '{"key":"a","operator":"In","values":["x","y"]}' 'a=y' true "In, value in set"
t7 '{"key":"a","operator":"NotIn","values":["x"]}' '' true "NotIn, key absent"
t7 '{"key":"a","operator":"NotIn","values":["x"]}' 'a=x' false "NotIn, value in set"
t7 '{"key":"a","operator":"NotIn","values":["x"]}' 'a=z' true "NotIn, value not in set"
t7 '{"key":"a","operator":"Exists"}' '' false "Exists, key absent"
t7 '{"key":"a","operator":"Exists","values":[]}' 'a=' true "Exists on an empty value"
t7 '{"key":"a","operator":"DoesNotExist","values":null}' '' true "DoesNotExist, key absent"
t7 '{"key":"a","operator":"DoesNotExist"}' 'a=1' false "DoesNotExist, key present"
R=$TMP/t7b; fake_root "$R"
policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{"matchLabels":{"a":"x"},"matchExpressions":[{"key":"a","operator":"In","values":["y"]}]}}}'
run $K --root "$R" --label a=x --json --dry-run; expect_rc 0 "T7 matchLabels a=x + a In [y] is valid"
expect_match "$OUT" '"matched": false' "T7 ... and never matches"

# T8: canonical strings.
t8() {
        local R=$TMP/t8; rm -rf "$R"; fake_root "$R"
        policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":'"$1"'}}'
        run $K --root "$R" --dry-run --json
        expect_match "$OUT" "\"selector\": \"$2\"" "T8 canonical $2"
}
t8 '{"matchLabels":{"foo":"bar"}}' 'foo=bar'
t8 '{"matchExpressions":[{"key":"baz","operator":"In","values":["qux","norf","qux"]}]}' 'baz in \(norf,qux\)'
t8 '{"matchLabels":{"foo":"bar"},"matchExpressions":[{"key":"baz","operator":"In","values":["qux","norf"]}]}' 'baz in \(norf,qux\),foo=bar'
t8 '{"matchExpressions":[{"key":"b","operator":"NotIn","values":["1"]},{"key":"a","operator":"DoesNotExist"},{"key":"c","operator":"Exists"}]}' '!a,b notin \(1\),c'

# T22: a second apply writes nothing and replaces no file (inode, mtime), in every case.
t22() { # root description label...
        local R=$1 what=$2; shift 2
        run $K --root "$R" "$@"; expect_rc 0 "T22 $what: first apply"
        : >"$R/sys/.kemu/log"; snap "$R/run" t22r; snap "$R/sys/kernel" t22s
        run $K --root "$R" "$@"; expect_rc 0 "T22 $what: second apply"
        expect_eq "$(kemu_log "$R")" "" "T22 $what: no sysfs write"
        expect_unchanged "$R/run" t22r "T22 $what: no file replaced"
        expect_unchanged "$R/sys/kernel" t22s "T22 $what: sysfs untouched"
}
R=$TMP/t22a; fake_root "$R"; policy "$R" "$SEL_TEST"; t22 "$R" enable --label test_label=true
t22 "$R" stop --label test_label=false
R=$TMP/t22c; fake_root "$R"; policy "$R" "$SEL_TEST"; set_knob "$R" run 1; t22 "$R" external
R=$TMP/t22d; fake_root "$R"; policy "$R" "$SEL_TEST"; rm -rf "$R/sys/kernel/mm/ksm"; t22 "$R" unavailable --label test_label=true

# T23: stale boot id -> run stays 1, state rewritten unmanaged, warning.
R=$TMP/t23; fake_root "$R"; policy "$R" "$SEL_TEST"; set_knob "$R" run 1; mkdir -p "$R/run/ksm-early"
printf '{"bootId":"old-boot","managed":true,"previous":{"run":"0"},"version":1}\n' >"$R/run/ksm-early/state.json"
run $K --root "$R" --label test_label=false; expect_rc 0 "T23 stale boot id"
expect_eq "$(knob "$R" run)" "1" "T23 run stays 1"
expect_match "$(STATE "$R")" '"managed": false' "T23 state rewritten unmanaged"
expect_match "$(STATE "$R")" '"bootId": "5e3c0a4e' "T23 state has this boot id"
expect_match "$ERR" 'warning: state .*another boot' "T23 warning"

# T24: corrupt state (bad JSON, version 2) -> unmanaged, rewritten.
for bad in '{"bootId":' '{"bootId":"5e3c0a4e-1111-4222-8333-944455556666","managed":true,"previous":{},"version":2}'; do
        R=$TMP/t24; rm -rf "$R"; fake_root "$R"; policy "$R" "$SEL_TEST"; set_knob "$R" run 1; mkdir -p "$R/run/ksm-early"
        printf '%s\n' "$bad" >"$R/run/ksm-early/state.json"
        run $K --root "$R" --label test_label=false; expect_rc 0 "T24 corrupt state: ${bad:0:30}"
        expect_eq "$(knob "$R" run)" "1" "T24 run stays 1 (not managed)"
        expect_match "$(STATE "$R")" '"version": 1' "T24 state rewritten"
        expect_match "$ERR" 'warning: state' "T24 warning"
done

# T25: no kernel/mm/ksm -> exit 0, label false, nothing written in sys; requireKSM on a matched node -> 3.
R=$TMP/t25; fake_root "$R"; policy "$R" "$SEL_TEST"; rm -rf "$R/sys/kernel/mm/ksm"
run $K --root "$R" --label test_label=true; expect_rc 0 "T25 no KSM"
expect_eq "$(cat "$R/run/ksm-early/node-labels")" "kubevirt.io/ksm-enabled=false" "T25 label false"
expect_match "$ERR" 'warning: KSM is not available' "T25 one warning"
R=$TMP/t25b; fake_root "$R"; rm -rf "$R/sys/kernel/mm/ksm"
policy "$R" '{'$API',"requireKSM":true,"ksmConfiguration":{"nodeLabelSelector":{}}}'
snap "$R" t25
run $K --root "$R" --json; expect_rc 3 "T25 requireKSM on a matched node"
expect_match "$OUT" '"code": "E9"' "T25 E9 in --json"
expect_unchanged "$R" t25 "T25 tree unchanged"
R=$TMP/t25c; fake_root "$R"; set_knob "$R" run garbage; policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{}}}'
run $K --root "$R"; expect_rc 0 "E10 run not 0/1/2"
expect_match "$ERR" 'holds "garbage"' "E10 warning quotes the content"

# T26: smart_scan / advisor_* missing -> warnings, exit 0.
R=$TMP/t26; fake_root "$R"; rm -f "$R"/sys/kernel/mm/ksm/{smart_scan,advisor_*}
policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{},"tuning":{"smartScan":false,"advisor":{"maxCpu":50}}}}'
run $K --root "$R"; expect_rc 0 "T26 missing knobs skipped"
expect_match "$ERR" 'warning: knob smart_scan' "T26 warning smart_scan"
expect_match "$ERR" 'warning: knob advisor_max_cpu' "T26 warning advisor_max_cpu"
expect_eq "$(kemu_log "$R")" "run=1" "T26 only run written"

# T27: external run=1 on an eligible node -> run not written, annotation false, label true; tuning applied (E19).
R=$TMP/t27; fake_root "$R"; set_knob "$R" run 1
policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{},"tuning":{"sleepMillisecs":50}}}'
run $K --root "$R" --json; expect_rc 0 "T27 external owner, eligible"
expect_eq "$(kemu_log "$R")" "sleep_millisecs=50" "T27 run not written, tuning applied"
expect_eq "$(cat "$R/run/ksm-early/node-annotations")" "kubevirt.io/ksm-handler-managed=false" "T27 annotation false"
expect_eq "$(cat "$R/run/ksm-early/node-labels")" "kubevirt.io/ksm-enabled=true" "T27 label true"
expect_match "$OUT" '"owner": "external"' "T27 owner external"

# T28: --dry-run prints the plan; unchanged, no run directory created.
R=$TMP/t28; fake_root "$R"; policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{},"tuning":{"sleepMillisecs":50}}}'
snap "$R" t28
run $K --root "$R" --dry-run; expect_rc 0 "T28 dry run"
expect_eq "$OUT" "write sleep_millisecs: 20 -> 50
write run: 0 -> 1
label kubevirt.io/ksm-enabled=true
annotation kubevirt.io/ksm-handler-managed=true" "T28 plan printed"
expect_unchanged "$R" t28 "T28 tree unchanged"
t_check "T28 no run directory" test ! -e "$R/run/ksm-early"

# T29: two concurrent applies -> one logs the writes, the other none; both exit 0.
R=$TMP/t29; fake_root "$R"; policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{},"tuning":{"sleepMillisecs":50}}}'
EXE=$(bin $K)
"$EXE" --root "$R" & p1=$!
"$EXE" --root "$R" & p2=$!
rc1=0; rc2=0; wait $p1 || rc1=$?; wait $p2 || rc2=$?
expect_eq "$rc1,$rc2" "0,0" "T29 both exit 0"
expect_eq "$(kemu_log "$R" | sort | tr '\n' ' ')" "run=1 sleep_millisecs=50 " "T29 each write once"

# Outputs (§9): kubelet.env, NFD file, publish keys, status.json stable bytes.
R=$TMP/out; fake_root "$R"; mkdir -p "$R/nfd"
policy "$R" '{'$API',"publish":{"enabledLabel":"example.com/ksm","managedAnnotation":"example.com/ksm-managed"},"ksmConfiguration":{"nodeLabelSelector":{}}}'
run $K --root "$R" --nfd-dir "$R/nfd"; expect_rc 0 "outputs: apply with --nfd-dir"
expect_eq "$(cat "$R/run/ksm-early/kubelet.env")" "KSM_EARLY_NODE_LABELS=example.com/ksm=true" "outputs: kubelet.env"
expect_eq "$(cat "$R/nfd/ksm-early")" "# written by ksm-early
example.com/ksm=true
# +no-label
example.com/ksm-managed=true" "outputs: NFD feature file"
expect_eq "$(ls -A "$R/nfd")" "ksm-early" "outputs: no temp left in the NFD dir"
expect_eq "$(stat -c %a "$R/run/ksm-early" "$R/run/ksm-early/state.json" | tr '\n' ' ')" "755 644 " "outputs: modes 0755/0644"
ST=$(cat "$R/run/ksm-early/status.json")
for kv in '"available": true' '"matched": true' '"eligible": true' '"managed": true' '"owner": "ksm-early"' '"selector": ""' '"run": "1"'; do
        expect_match "$ST" "$kv" "outputs: status.json has $kv"
done
expect_match "$ST" '^\{' "outputs: status.json is one object"
t_check "outputs: status.json has no counters" test "$(printf '%s' "$ST" | grep -c pages_)" = 0

# Label sources: file < kernel command line < --label.
R=$TMP/src; fake_root "$R"
policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{"matchLabels":{"a":"3","b":"2","c":"1"}}}}'
printf '# comment\n\n a = 1 \r\nb=1\nc=1\n' >"$R/etc/ksm-early/node-labels"
printf 'quiet ksm_early.labels=a=2,b=2 ro\n' >"$R/proc/cmdline"
run $K --root "$R" --label a=3 --dry-run --json; expect_rc 0 "labels: three sources"
expect_match "$OUT" '"matched": true' "labels: later sources win key by key"
printf 'quiet ksm_early.policy=/etc/other.json\n' >"$R/proc/cmdline"
printf '{%s,"ksmConfiguration":{"nodeLabelSelector":{}}}\n' "$API" >"$R/etc/other.json"
run $K --root "$R" --dry-run --json; expect_rc 0 "policy from ksm_early.policy="
expect_match "$OUT" "\"policy\": \"$R/etc/other.json\"" "policy path taken from the kernel command line"

# E2: no policy at the default path acts as ksmConfiguration: null (stops a managed KSM).
R=$TMP/e2; fake_root "$R"; policy "$R" '{'$API',"ksmConfiguration":{"nodeLabelSelector":{}}}'
run $K --root "$R"; expect_rc 0 "E2 setup: enabled"
rm "$R/etc/ksm-early/policy.json"
run $K --root "$R"; expect_rc 0 "E2 policy absent at the default path"
expect_eq "$(knob "$R" run)" "0" "E2 managed KSM stopped"

# status: read-only view.
snap "$R" st
run $K status --root "$R" --json; expect_rc 0 "status --json"
expect_match "$OUT" '"savedBytes": 0' "status savedBytes"
expect_match "$OUT" '"pages_sharing": 0' "status counters"
run $K status --root "$R"; expect_rc 0 "status text"
expect_match "$OUT" 'run: +0' "status shows run"
expect_unchanged "$R" st "status writes nothing"
t_done
