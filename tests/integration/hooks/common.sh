# Fixtures for the hook tests: a fake host root with kernels, the hooks installed where the
# package puts them, two systemd-boot ESP stand-ins, and a fake systemd-detect-virt (the test
# machine itself may be a container). The hooks reach espctl through ESPCTL/ESPCTL_OPTS.
source "$SRC_DIR/tests/integration/esp/common.sh" || exit 1
HOOKS=$SRC_DIR/hooks
ESPCTL_BIN=$(bin espctl) || exit 1

# Fake systemd-detect-virt: FAKE_VIRT names the virtualisation (default none); exit 0 only in a
# container, as the real one with --container.
FAKEBIN=$TMP/fakebin
mkdir -p "$FAKEBIN"
cat >"$FAKEBIN/systemd-detect-virt" <<'SH'
#!/bin/sh
v=${FAKE_VIRT:-none}
case " $* " in *" --quiet "* | *" -q "*) ;; *) echo "$v" ;; esac
[ "$v" != none ]
SH
chmod 755 "$FAKEBIN/systemd-detect-virt"
export PATH="$FAKEBIN:$PATH"
unset DEB_MAINT_PARAMS INITRAMFS_TOOLS_KERNEL_HOOK ESPCTL_HOOK_CONTAINER ESPCTL_WAIT
unset KERNEL_INSTALL_VERBOSE KERNEL_INSTALL_LAYOUT KERNEL_INSTALL_BOOT_ROOT

# A recording espctl: appends its arguments (one per line, then "--") to $TMP/espctl.calls and
# runs the real espctl, so tests see exactly which argv a hook passed and how often.
cat >"$TMP/espctl-rec" <<SH
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >>"$TMP/espctl.calls"
echo -- >>"$TMP/espctl.calls"
exec "$ESPCTL_BIN" "\$@"
SH
chmod 755 "$TMP/espctl-rec"
calls() { cat "$TMP/espctl.calls" 2>/dev/null; }
ncalls() { if [ -f "$TMP/espctl.calls" ]; then grep -c "^--$" "$TMP/espctl.calls"; else echo 0; fi; }
reset_calls() { rm -f "$TMP/espctl.calls"; }

# host_root ROOT V...: esp_root (UEFI) plus the hooks where the package installs them.
host_root() {
        local root=$1; shift
        esp_root "$root" uefi "$@"
        mkdir -p "$root/etc/kernel/postinst.d" "$root/etc/kernel/postrm.d" \
                "$root/etc/initramfs/post-update.d" "$root/usr/lib/kernel/install.d"
        cp -L "$HOOKS/kernel/postinst.d/zz-espctl" "$root/etc/kernel/postinst.d/zz-espctl"
        cp -L "$HOOKS/kernel/postrm.d/zz-espctl" "$root/etc/kernel/postrm.d/zz-espctl"
        cp -L "$HOOKS/initramfs/post-update.d/espctl" "$root/etc/initramfs/post-update.d/espctl"
        cp -L "$HOOKS/kernel-install/90-espctl.install" "$root/usr/lib/kernel/install.d/90-espctl.install"
}
# init_esps ROOT: two registered ESP stand-ins, $TMP/esp1 and $TMP/esp2, initialised and synced;
# exports ESPCTL and ESPCTL_OPTS for the hooks.
init_esps() {
        local root=$1
        mkdir -p "$TMP/esp1" "$TMP/esp2"
        "$ESPCTL_BIN" --root "$root" --esp-dir 2F7A-2067="$TMP/esp1" init >/dev/null 2>&1 || return 1
        "$ESPCTL_BIN" --root "$root" --esp-dir A0B1-C2D3="$TMP/esp2" init >/dev/null 2>&1 || return 1
        export ESPCTL=$TMP/espctl-rec
        export ESPCTL_OPTS="--root $root --esp-dir 2F7A-2067=$TMP/esp1 --esp-dir A0B1-C2D3=$TMP/esp2"
}
# add_kernel ROOT V: the files a kernel package and initramfs-tools leave in /boot.
add_kernel() {
        printf 'kernel %s\n' "$2" >"$1/boot/vmlinuz-$2"
        printf 'initrd %s\n' "$2" >"$1/boot/initrd.img-$2"
        mkdir -p "$1/lib/modules/$2"
}
del_kernel() { rm -rf "$1/boot/vmlinuz-$2" "$1/boot/initrd.img-$2" "$1/lib/modules/$2"; }

# run_cmd [VAR=value]... CMD ARG...: run any command (a hook, run-parts, kernel-install) with
# that environment; stdout, stderr and exit code land in $OUT, $ERR, $RC.
run_cmd() {
        local envs=()
        while [ $# -gt 0 ] && [[ $1 == [A-Za-z_]*=* ]]; do envs+=("$1"); shift; done
        RC=0
        env "${envs[@]}" "$@" >"$TMP/.out" 2>"$TMP/.err" || RC=$?
        OUT=$(cat "$TMP/.out")
        ERR=$(cat "$TMP/.err")
}
# has_entry V: V's entry and kernel are on both ESPs.
has_entry() {
        local d
        for d in "$TMP/esp1" "$TMP/esp2"; do
                [ -f "$d/loader/entries/proxmox-$1.conf" ] && [ -f "$d/EFI/proxmox/$1/vmlinuz-$1" ] || return 1
        done
}
no_entry() {
        local d
        for d in "$TMP/esp1" "$TMP/esp2"; do
                [ ! -e "$d/loader/entries/proxmox-$1.conf" ] && [ ! -e "$d/EFI/proxmox/$1" ] || return 1
        done
}
