# Every error case of ksm-early leaves the tree byte-identical (lib.sh snapshot: content, mode,
# inode, mtime) and reports its exit code, its message and its E-code in --json (spec §13, T9-T11,
# T19). The production binary runs here: nothing in these cases may reach a write.
source "$TESTLIB"
source "$(dirname "$0")/fake.sh"
K=ksm-early
API='"apiVersion":"ksm-early/v1alpha1"'
R=$TMP/root; fake_root "$R"
PF=$R/etc/ksm-early/policy.json

# bad_policy description expected-exit E-code message-regex json
bad_policy() {
        printf '%s' "$5" >"$PF"
        snap "$R" e
        run $K --root "$R" --label test_label=true --json
        expect_rc "$2" "$1"
        expect_match "$ERR" "$4" "$1: message"
        expect_match "$OUT" "\"code\": \"$3\"" "$1: $3 in --json"
        expect_unchanged "$R" e "$1: tree unchanged"
        t_check "$1: no run directory" test ! -e "$R/run/ksm-early"
}
KC() { printf '{%s,"ksmConfiguration":%s}' "$API" "$1"; }
SEL() { KC '{"nodeLabelSelector":'"$1"'}'; }
EXPR() { SEL '{"matchExpressions":['"$1"']}'; }
TUN() { KC '{"nodeLabelSelector":{},"tuning":'"$1"'}'; }

# T9: one policy per E3-E6 case.
bad_policy "T9 trailing garbage" 2 E4 "policy.json:1:[0-9]+: end of file expected" "$(KC '{}') x"
bad_policy "T9 duplicate key in matchLabels" 2 E4 "policy.json:1:[0-9]+: duplicate object key" \
        "$(SEL '{"matchLabels":{"a":"1","a":"2"}}')"
bad_policy "T9 nodeLabelSelecter typo" 2 E4 'policy.json: \.ksmConfiguration\.nodeLabelSelecter: unknown member' \
        "$(KC '{"nodeLabelSelecter":{}}')"
bad_policy "T9 \"100\" as integer" 2 E4 'tuning\.pagesToScan: expected integer, got string "100"' "$(TUN '{"pagesToScan":"100"}')"
bad_policy "T9 100.0 as integer" 2 E4 'tuning\.pagesToScan: expected integer, got real 100' "$(TUN '{"pagesToScan":100.0}')"
bad_policy "T9 operator in" 2 E5 'matchExpressions\[0\]\.operator: "in" is not a valid operator' \
        "$(EXPR '{"key":"a","operator":"in","values":["x"]}')"
bad_policy "T9 operator Gt" 2 E5 'matchExpressions\[0\]\.operator: "Gt" is not a valid operator' \
        "$(EXPR '{"key":"a","operator":"Gt","values":["1"]}')"
bad_policy "T9 In with []" 2 E5 'matchExpressions\[0\]\.values: operator In needs at least one value' \
        "$(EXPR '{"key":"a","operator":"In","values":[]}')"
bad_policy "T9 Exists with values" 2 E5 'matchExpressions\[0\]\.values: operator Exists takes no values' \
        "$(EXPR '{"key":"a","operator":"Exists","values":["x"]}')"
bad_policy "T9 key a/b/c" 2 E5 'key "a/b/c" is not a valid label key: a key has at most one' \
        "$(EXPR '{"key":"a/b/c","operator":"Exists"}')"
bad_policy "T9 key Example.com/x" 2 E5 'key "Example.com/x" is not a valid label key: the prefix' \
        "$(SEL '{"matchLabels":{"Example.com/x":"1"}}')"
N64=$(printf 'a%.0s' $(seq 64))
bad_policy "T9 64-byte name" 2 E5 "key \"$N64\" is not a valid label key: the name" "$(EXPR '{"key":"'$N64'","operator":"Exists"}')"
bad_policy "T9 value -x" 2 E5 '"-x" is not a valid label value' "$(SEL '{"matchLabels":{"a":"-x"}}')"
bad_policy "T9 maxPageSharing 1" 2 E6 'tuning\.maxPageSharing: expected an integer in 2\.\.2147483647, got 1' "$(TUN '{"maxPageSharing":1}')"
bad_policy "T9 maxCpu 5" 2 E6 'advisor\.maxCpu: expected an integer in 10\.\.100, got 5' "$(TUN '{"advisor":{"maxCpu":5}}')"
bad_policy "T9 targetScanTime 0" 2 E6 'advisor\.targetScanTime: expected an integer in 1\.\.' "$(TUN '{"advisor":{"targetScanTime":0}}')"
bad_policy "T9 pagesToScan + scan-time" 2 E6 'pagesToScan cannot be set with advisor.mode "scan-time"' \
        "$(TUN '{"pagesToScan":200,"advisor":{"mode":"scan-time"}}')"
bad_policy "T9 advisor min > max" 2 E6 'expected minPagesToScan <= maxPagesToScan' \
        "$(TUN '{"advisor":{"minPagesToScan":10,"maxPagesToScan":5}}')"
bad_policy "T9 wrong apiVersion" 2 E4 '\.apiVersion: expected "ksm-early/v1alpha1", got "v1"' '{"apiVersion":"v1"}'
bad_policy "T9 missing apiVersion" 2 E4 '\.apiVersion: required member missing' '{}'
bad_policy "T9 u32 overflow" 2 E6 'sleepMillisecs: expected an integer in 0\.\.4294967295, got 4294967296' "$(TUN '{"sleepMillisecs":4294967296}')"
bad_policy "T9 bad publish key" 2 E5 '\.publish\.enabledLabel: label key "a b"' '{'"$API"',"publish":{"enabledLabel":"a b"}}'
bad_policy "T9 OnPressure + sleepMillisecs" 2 E6 'sleepMillisecs cannot be set with activation "OnPressure"' \
        "$(KC '{"activation":"OnPressure","tuning":{"sleepMillisecs":5}}')"
bad_policy "T9 loop pagesDecay 45" 2 E6 'loop\.pagesDecay: expected an integer in -4294967295\.\.0, got 45' \
        "$(KC '{"activation":"OnPressure","loop":{"pagesDecay":45}}')"
bad_policy "T9 loop pagesInit 1011 > pagesMax" 2 E6 'loop\.pagesInit: expected pagesInit in pagesMin\.\.pagesMax' \
        "$(KC '{"activation":"OnPressure","loop":{"pagesMin":166,"pagesMax":789,"pagesInit":1011}}')"
bad_policy "T9 null where not allowed" 2 E4 'tuning: expected object, got null' "$(KC '{"tuning":null}')"
bad_policy "T9 top level array" 2 E4 'policy.json: \.: expected object, got array' '[1]'
head -c 66560 /dev/zero | tr '\0' ' ' >"$TMP/big"; printf '{%s}' "$API" >>"$TMP/big"
bad_policy "T9 65 KiB policy" 2 E3 'expected at most 65536 bytes' "$(cat "$TMP/big")"
# All errors are listed, not only the first.
bad_policy "T9 every error listed" 2 E4 'maxCpu.*' "$(KC '{"typo":1,"tuning":{"advisor":{"maxCpu":5}}}')"
expect_eq "$(printf '%s\n' "$ERR" | grep -c 'invalid policy')" 2 "T9 two errors, two lines"

# E3: explicit policy path missing / not regular.
printf '{%s}' "$API" >"$PF"; snap "$R" e
run $K --root "$R" --policy "$TMP/nope.json"; expect_rc 2 "E3 --policy missing"
expect_match "$ERR" "cannot open policy: $TMP/nope.json: No such file" "E3 message names the path"
run $K --root "$R" --policy "$TMP"; expect_rc 2 "E3 --policy is a directory"
expect_match "$ERR" "expected a regular file" "E3 not regular"
printf 'ksm_early.policy=/etc/ksm-early/missing.json\n' >"$R/proc/cmdline"; snap "$R" e
run $K --root "$R"; expect_rc 2 "E3 ksm_early.policy= path missing"
expect_unchanged "$R" e "E3 tree unchanged"
printf 'quiet\n' >"$R/proc/cmdline"

# T10 / E7: labels.
SELP=$(SEL '{"matchLabels":{"test_label":"true"}}')
bad_labels() { # description labels-file-content regex [args]
        printf '%s' "$SELP" >"$PF"; printf "$2" >"$R/etc/ksm-early/node-labels"; snap "$R" e
        run $K --root "$R" --json "${@:4}"
        expect_rc 2 "$1"; expect_match "$ERR" "$3" "$1: message"
        expect_match "$OUT" '"code": "E7"' "$1: E7"
        expect_unchanged "$R" e "$1: tree unchanged"
        rm -f "$R/etc/ksm-early/node-labels"
}
bad_labels "T10 duplicate key" 'a=1\nb=2\na=3\n' 'node-labels:3: label a: expected each key once'
bad_labels "T10 line without =" 'a=1\njunk\n' 'node-labels:2: expected key=value, got "junk"'
bad_labels "T10 invalid key" 'Bad_Prefix.com/x=1\n' 'node-labels:1: label key "Bad_Prefix.com/x"'
bad_labels "T10 invalid value" 'a=-x\n' 'node-labels:1: value "-x" of label a'
bad_labels "T10 invalid --label key" '' '--label: label key "a/b/c"' --label a/b/c=1
printf 'ksm_early.labels=a=1,a=2\n' >"$R/proc/cmdline"
bad_labels "T10 key twice on the kernel command line" '' 'cmdline: ksm_early.labels: label a: expected each key once'
printf 'quiet\n' >"$R/proc/cmdline"
run $K --root "$R" --labels-file "$TMP/none"; expect_rc 2 "E7 explicit labels file missing"
expect_match "$ERR" "cannot read labels: $TMP/none" "E7 names the file"
# Safety rule: a selector naming kubernetes.io/hostname with no hostname known.
rm "$R/etc/hostname"
printf '%s' "$(EXPR '{"key":"kubernetes.io/hostname","operator":"NotIn","values":["node09"]}')" >"$PF"; snap "$R" e
run $K --root "$R"; expect_rc 2 "T10 hostname selector without hostname"
expect_match "$ERR" 'kubernetes.io/hostname: the selector names it, but no hostname is known' "T10 hostname message"
expect_unchanged "$R" e "T10 hostname: tree unchanged"
printf 'node01\n' >"$R/etc/hostname"

# E1: usage errors.
run $K --frobnicate; expect_rc 1 "E1 unknown option"; expect_match "$ERR" 'usage:' "E1 usage line"
run $K frobnicate; expect_rc 1 "E1 unknown verb"
run $K --label novalue; expect_rc 1 "E1 malformed --label"; expect_match "$ERR" 'malformed --label' "E1 --label message"
run $K exec; expect_rc 1 "E1 exec without --"
run $K exec true; expect_rc 1 "E1 exec without -- before PROG"
run $K exec --; expect_rc 1 "E1 exec without PROG"

# E8: boot_id / cmdline unreadable.
printf '{%s,"ksmConfiguration":{"nodeLabelSelector":{}}}' "$API" >"$PF"
mv "$R/proc/sys/kernel/random/boot_id" "$TMP/bid"; snap "$R" e
run $K --root "$R" --json; expect_rc 3 "E8 boot_id unreadable"
expect_match "$ERR" 'cannot read boot id' "E8 message"; expect_match "$OUT" '"code": "E8"' "E8 in --json"
expect_unchanged "$R" e "E8 tree unchanged"
mv "$TMP/bid" "$R/proc/sys/kernel/random/boot_id"
mv "$R/proc/cmdline" "$TMP/cmdline"; snap "$R" e
run $K --root "$R"; expect_rc 3 "E8 cmdline unreadable"; expect_match "$ERR" 'cannot read kernel command line' "E8 cmdline message"
expect_unchanged "$R" e "E8 cmdline: tree unchanged"
mv "$TMP/cmdline" "$R/proc/cmdline"

# T19: the run directory is a regular file -> exit 5, no sysfs write.
printf 'x' >"$R/run/ksm-early"; snap "$R" e
run $K --root "$R" --json; expect_rc 5 "T19 run directory is a regular file"
expect_match "$OUT" '"code": "E17"' "T19 E17 in --json"
expect_unchanged "$R" e "T19 tree unchanged"
rm "$R/run/ksm-early"
# E17: the NFD directory is missing.
snap "$R" e
run $K --root "$R" --nfd-dir "$TMP/no-nfd"; expect_rc 5 "E17 NFD directory missing"
expect_match "$ERR" "NFD directory not writable: $TMP/no-nfd" "E17 message"
expect_unchanged "$R" e "E17 tree unchanged"
t_done
