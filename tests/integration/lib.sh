# Helpers for integration tests: fake roots, expected-output comparison, tree snapshots.
# Sourced by every tests/integration/<area>/*.sh. Each check prints "ok"/"FAIL"; t_done prints
# the totals and exits non-zero on any failure.
set -u
: "${BUILD_DIR:?BUILD_DIR not set (run through meson test)}"
: "${SRC_DIR:?SRC_DIR not set}"
T_PASS=0
T_FAIL=0
T_NAME=${T_NAME:-$(basename "$0" .sh)}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ebt-${T_NAME}.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Path of a built binary: bin kernel-select -> $BUILD_DIR/kernel-select/kernel-select.
bin() {
        local f
        for f in "$BUILD_DIR/$1/$1" "$BUILD_DIR"/*/"$1"; do
                [ -x "$f" ] && { echo "$f"; return; }
        done
        echo "no binary $1 under $BUILD_DIR" >&2
        return 1
}

# Run a built binary (under valgrind when TOOLKIT_VALGRIND=1); stdout, stderr and exit code
# land in $OUT, $ERR, $RC. Leading VAR=value words set the environment: run FAULT_AT=3:EIO espctl ...
run() {
        local envs=()
        while [ $# -gt 0 ] && [[ $1 == [A-Za-z_]*=* ]]; do envs+=("$1"); shift; done
        local prog=$1; shift
        local exe; exe=$(bin "$prog") || return 1
        local pre=()
        if [ "${TOOLKIT_VALGRIND:-0}" = 1 ]; then
                pre=(valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite)
        fi
        RC=0
        env "${envs[@]}" "${pre[@]}" "$exe" "$@" >"$TMP/.out" 2>"$TMP/.err" || RC=$?
        OUT=$(cat "$TMP/.out")
        ERR=$(cat "$TMP/.err")
        if [ "$RC" = 97 ]; then t_fail "valgrind reported errors in $prog $*: $ERR"; fi
}

t_ok() { T_PASS=$((T_PASS + 1)); echo "ok   $*"; }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $*"; }
t_check() { # description, command...
        local what=$1; shift
        if "$@"; then t_ok "$what"; else t_fail "$what"; fi
}
expect_rc() { # expected-code description
        if [ "$RC" = "$1" ]; then t_ok "$2 (exit $RC)"; else t_fail "$2: exit $RC, expected $1; stderr: $ERR"; fi
}
expect_eq() { # actual expected description
        if [ "$1" = "$2" ]; then t_ok "$3"; else
                t_fail "$3"; diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/    /' | head -40
        fi
}
expect_match() { # text regex description
        if printf '%s' "$1" | grep -Eq -- "$2"; then t_ok "$3"; else t_fail "$3: '$2' not in: $1"; fi
}
expect_file() { # actual-text expected-file description
        if [ "${UPDATE_EXPECTED:-0}" = 1 ]; then printf '%s\n' "$1" >"$2"; fi
        if [ -f "$2" ] && [ "$1" = "$(cat "$2")" ]; then t_ok "$3"; else
                t_fail "$3 (vs $2)"; diff -u "$2" <(printf '%s\n' "$1") | sed 's/^/    /' | head -40
        fi
}

# Snapshot of a tree: path, type, mode, size, inode, mtime and content hash of every entry.
# Directories show only name and mode: a temp file created and removed changes their mtime
# without changing the tree.
tree_snapshot() {
        local skip=(\( -name '.snap.*' -o -name .out -o -name .err \) -prune -o)  # the harness's own files
        (cd "$1" && find . "${skip[@]}" \( -type d -printf '%p d %m\n' \) -o -printf '%p %y %m %s %i %T@\n' | sort && \
         find . "${skip[@]}" -type f -print0 | sort -z | xargs -0 -r sha256sum)
}
snap() { tree_snapshot "$1" >"$TMP/.snap.$2"; }
expect_unchanged() { # dir tag description
        if diff -q "$TMP/.snap.$2" <(tree_snapshot "$1") >/dev/null; then t_ok "$3"; else
                t_fail "$3"; diff -u "$TMP/.snap.$2" <(tree_snapshot "$1") | sed 's/^/    /' | head -20
        fi
}

t_done() {
        echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
        [ "$T_FAIL" -eq 0 ]
}

# A fake root: make_root DIR [V[:noinitrd]]... creates /boot images (content "kernel V"), initrds,
# /lib/modules/V, /etc/kernel, /run, /proc with a fixed boot id and a command line with root=.
make_root() {
        local root=$1; shift
        mkdir -p "$root"/{boot,etc/kernel,run,lib/modules,proc/sys/kernel/random,var/lib/dpkg}
        echo "3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162" >"$root/proc/sys/kernel/random/boot_id"
        echo "BOOT_IMAGE=/boot/vmlinuz root=ZFS=rpool/ROOT/pve-1 boot=zfs quiet" >"$root/proc/cmdline"
        local spec v
        for spec in "$@"; do
                v=${spec%%:*}
                printf 'kernel %s\n' "$v" >"$root/boot/vmlinuz-$v"
                [ "$spec" = "$v:noinitrd" ] || printf 'initrd %s\n' "$v" >"$root/boot/initrd.img-$v"
                mkdir -p "$root/lib/modules/$v"
        done
}
# set_running ROOT V: the running kernel as /proc/sys/kernel/osrelease says.
set_running() { echo "$2" >"$1/proc/sys/kernel/osrelease"; }
# new_boot ROOT: a reboot happened (another boot id).
new_boot() { echo "0badc0de-0000-4000-8000-000000000001" >"$1/proc/sys/kernel/random/boot_id"; }
