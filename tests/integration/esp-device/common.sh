# Shared by the esp-device scripts: loop devices over sfdisk images, skip (77) where the
# machine cannot give us partitioned block devices, and espctl (or its stand-in) as $ESPCTL.
source "$TESTLIB"
TOOL="$BUILD_DIR/tests/integration/esp-device/device-tool"
ESP_GUID=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
LINUX_GUID=0FC63DAF-8483-4772-8E79-3D69D8477DE4
LOOPS=()

skip() { echo "SKIP: $*"; exit 77; }

cleanup_loops() {
        local l
        for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done
        rm -rf "$TMP"
}
trap cleanup_loops EXIT

need_loop_devices() {
        [ "$(id -u)" = 0 ] || skip "needs root for loop devices"
        command -v losetup >/dev/null && command -v partx >/dev/null && command -v sfdisk >/dev/null ||
                skip "needs losetup, partx and sfdisk"
        truncate -s 1M "$TMP/probe.img"
        local l
        l=$(losetup -f --show "$TMP/probe.img" 2>/dev/null) || skip "no loop device available"
        losetup -d "$l"
}

# attach IMAGE: a loop device with its partitions as /dev/loopNpK; prints the device.
attach() {
        local l i
        l=$(losetup -f --show "$1") || return 1
        LOOPS+=("$l")
        partx -a "$l" 2>/dev/null || true
        for i in $(seq 50); do
                [ -b "${l}p1" ] && break
                sleep 0.1
        done
        echo "$l"
}

# gpt_image FILE SIZE "start=..,size=..,type=.." ...: a GPT disk image.
gpt_image() {
        local f=$1 size=$2; shift 2
        truncate -s "$size" "$f"
        { echo "label: gpt"; printf '%s\n' "$@"; } | sfdisk -q --no-reread --no-tell-kernel "$f" >/dev/null
}

# The real espctl when the build has it, else the device-tool stand-in with the same verbs.
if ESPCTL_BIN=$(bin espctl 2>/dev/null); then ESPCTL=("$ESPCTL_BIN"); else ESPCTL=("$TOOL" espctl); fi

# run_espctl ARGS...: like run, into $OUT $ERR $RC.
run_espctl() {
        RC=0
        "${ESPCTL[@]}" "$@" >"$TMP/.out" 2>"$TMP/.err" || RC=$?
        OUT=$(cat "$TMP/.out")
        ERR=$(cat "$TMP/.err")
}
run_tool() {
        RC=0
        "$TOOL" "$@" >"$TMP/.out" 2>"$TMP/.err" || RC=$?
        OUT=$(cat "$TMP/.out")
        ERR=$(cat "$TMP/.err")
}
sha() { sha256sum <"$1" | cut -d' ' -f1; }
