# One real run of ksm-early against this machine's /sys/kernel/mm/ksm, in --dry-run: default
# paths (so the statfs sysfs check runs), nothing written anywhere. A throw-away policy and run
# directory are passed explicitly, so the machine's /etc and /run are not involved either.
source "$TESTLIB"
K=ksm-early
[ -r /sys/kernel/mm/ksm/run ] || { echo "SKIP: no /sys/kernel/mm/ksm on this machine"; exit 77; }
printf '{"apiVersion":"ksm-early/v1alpha1","ksmConfiguration":{"nodeLabelSelector":{},"tuning":{"sleepMillisecs":%s}}}\n' \
        "$(( $(cat /sys/kernel/mm/ksm/sleep_millisecs) + 1 ))" >"$TMP/policy.json"
before=$(grep -r . /sys/kernel/mm/ksm/ 2>/dev/null | grep -v -e pages_ -e full_scans -e general_profit -e ksm_zero -e stable_node | sort)
run $K --dry-run --json --policy "$TMP/policy.json" --run-dir "$TMP/run"
expect_rc 0 "dry run against the real /sys/kernel/mm/ksm"
expect_match "$OUT" '"available": true' "KSM available on this machine"
expect_match "$OUT" '"file": "sleep_millisecs"' "plan has the sleep_millisecs write"
expect_match "$OUT" '"dryRun": true' "marked as a dry run"
after=$(grep -r . /sys/kernel/mm/ksm/ 2>/dev/null | grep -v -e pages_ -e full_scans -e general_profit -e ksm_zero -e stable_node | sort)
expect_eq "$after" "$before" "real knobs unchanged"
t_check "no run directory created" test ! -e "$TMP/run"
run $K status --json --run-dir "$TMP/run" --policy "$TMP/policy.json"
expect_rc 0 "status on the real machine"
expect_match "$OUT" "\"bootId\": \"$(cat /proc/sys/kernel/random/boot_id)\"" "status reads the real boot id"
t_done
