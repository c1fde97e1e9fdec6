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

# attach VAR IMAGE: a loop device with its partitions as /dev/loopNpK, its path in $VAR.
# (Not a command substitution: the subshell would lose LOOPS and leak the device.)
# Partitions are added from user space (partx parses the table, BLKPG adds them) and the loop
# device is attached without partition scanning: kernels without GPT support (this build
# machine's) would otherwise drop them again at the next open of the whole disk.
attach() {
        local -n _dev=$1
        local i n
        _dev=$(losetup -f --show "$2") || return 1
        LOOPS+=("$_dev")
        partx -a "$_dev" 2>/dev/null || true
        n=$(sfdisk -d "$2" 2>/dev/null | grep -c 'start=')
        for i in $(seq 50); do
                [ -b "${_dev}p$n" ] && break
                sleep 0.1
        done
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
# Digest of the parts of a disk image anything here may write: the first and last MiB (tables)
# and the first 4 MiB of each partition (mkfs.vfat's boot sectors, FATs and root directory).
# Hashing the whole sparse images would read gigabytes of zeros.
sha() {
        local f=$1 size start
        size=$(stat -c %s "$f")
        {
                head -c 1048576 "$f"
                tail -c 1048576 "$f"
                for start in $(sfdisk -d "$f" 2>/dev/null | sed -n 's/.*start= *\([0-9]*\),.*/\1/p'); do
                        dd if="$f" bs=1M count=4 iflag=skip_bytes skip=$((start * 512)) status=none
                done
                echo "$size"
        } | sha256sum | cut -d' ' -f1
}
