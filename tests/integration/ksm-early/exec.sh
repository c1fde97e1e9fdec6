# ksm-early exec on this machine's kernel (T30-T32): the per-process opt-in is seen by the child
# in /proc/self/ksm_stat. Skipped (77) where the kernel has no ksm_stat (before 6.4 / no KSM).
source "$TESTLIB"
K=ksm-early
if [ ! -r /proc/self/ksm_stat ] || ! grep -q ksm_merge_any /proc/self/ksm_stat; then
        echo "SKIP: /proc/self/ksm_stat has no ksm_merge_any on this kernel ($(uname -r))"; exit 77
fi
EXE=$(bin $K)
SECCOMP=$BUILD_DIR/tests/integration/ksm-early/seccomp-deny-merge

# T30: --merge (default) -> the child reads ksm_merge_any: yes.
run $K exec -- /bin/sh -c 'grep ksm_merge_any /proc/self/ksm_stat'; expect_rc 0 "T30 exec --merge"
expect_eq "$OUT" "ksm_merge_any: yes" "T30 child sees ksm_merge_any: yes"
run $K exec --merge -- /bin/sh -c 'grep ksm_merge_any /proc/self/ksm_stat'
expect_eq "$OUT" "ksm_merge_any: yes" "T30 explicit --merge"
# The flag survives fork: a grandchild of the exec'd shell has it too.
run $K exec -- /bin/sh -c '/bin/sh -c "grep ksm_merge_any /proc/self/ksm_stat"'
expect_eq "$OUT" "ksm_merge_any: yes" "T30 inherited across fork+exec"
# argv only: arguments reach the program untouched, no shell in between.
run $K exec -- /bin/echo 'a b' '$HOME' ';'
expect_eq "$OUT" 'a b $HOME ;' "exec passes argv untouched"

# T31: prctl fails with EINVAL (seccomp) -> exit 6, PROG not run; --best-effort runs it.
t_check "T31 seccomp helper built" test -x "$SECCOMP"
RC=0; "$SECCOMP" "$EXE" exec -- /bin/sh -c 'echo ran' >"$TMP/o" 2>"$TMP/e" || RC=$?
expect_eq "$RC" 6 "T31 prctl EINVAL -> exit 6"
expect_eq "$(cat "$TMP/o")" "" "T31 PROG not run"
expect_match "$(cat "$TMP/e")" 'prctl failed: PR_SET_MEMORY_MERGE 1: Invalid argument' "T31 message"
RC=0; "$SECCOMP" "$EXE" exec --best-effort -- /bin/sh -c 'echo ran' >"$TMP/o" 2>"$TMP/e" || RC=$?
expect_eq "$RC,$(cat "$TMP/o")" "0,ran" "T31 --best-effort runs PROG"
expect_match "$(cat "$TMP/e")" 'warning: prctl PR_SET_MEMORY_MERGE 1 failed' "T31 --best-effort warns"

# T32: --no-merge under a flagged parent -> no; missing PROG -> 127; not executable -> 126.
# The inner binary is the unsanitized build: clearing the flag makes the kernel unmerge every
# mapping, and ASan's shadow mapping spans terabytes (minutes of system time).
run $K exec --merge -- "$(bin ksm-early-nosan)" exec --no-merge -- /bin/sh -c 'grep ksm_merge_any /proc/self/ksm_stat'
expect_rc 0 "T32 --no-merge under a flagged parent"
expect_eq "$OUT" "ksm_merge_any: no" "T32 flag cleared"
run $K exec -- /nonexistent/prog; expect_rc 127 "T32 missing PROG"
expect_match "$ERR" 'cannot execute /nonexistent/prog' "T32 message"
printf 'x' >"$TMP/noexec"; chmod 0644 "$TMP/noexec"
run $K exec -- "$TMP/noexec"; expect_rc 126 "T32 PROG not executable"
run $K exec --dry-run -- /bin/true; expect_rc 0 "exec --dry-run"
expect_eq "$OUT" "prctl PR_SET_MEMORY_MERGE 1, then exec /bin/true" "exec --dry-run prints the plan"
t_done
