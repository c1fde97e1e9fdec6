#!/usr/bin/env bash
# /etc/initramfs/post-update.d/espctl as update-initramfs runs it (run-parts --arg=VERSION
# --arg=INITRD): a rebuilt initrd reaches the ESPs; inside the kernel postinst chain
# (INITRAMFS_TOOLS_KERNEL_HOOK=1) it leaves the sync to zz-espctl, so a kernel install syncs once.
source "$(dirname "$0")/common.sh"
R=$TMP/root
host_root "$R" 6.8.12-4-pve 6.8.12-2-pve
init_esps "$R" || { t_fail "fixture: espctl init"; t_done; exit 1; }
PU=$R/etc/initramfs/post-update.d
post_update() { run_cmd "$@" run-parts --arg=6.8.12-4-pve --arg="$R/boot/initrd.img-6.8.12-4-pve" "$PU"; }

# update-initramfs -u (by hand, or from the initramfs-tools trigger): the new initrd is synced.
printf 'initrd 6.8.12-4-pve rebuilt\n' >"$R/boot/initrd.img-6.8.12-4-pve"
reset_calls
post_update
expect_rc 0 "post-update after a rebuild"
for e in esp1 esp2; do
        expect_eq "$(cat "$TMP/$e/EFI/proxmox/6.8.12-4-pve/initrd.img-6.8.12-4-pve")" "initrd 6.8.12-4-pve rebuilt" "rebuilt initrd on $e"
done
expect_eq "$(calls)" "$(printf '%s\n' --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2" --graceful --wait 120 refresh --)" \
        "argv: plain refresh (a rebuilt initrd adds no version)"
t_check "ESPs identical" diff -r "$TMP/esp1" "$TMP/esp2"
snap "$TMP/esp1" same
post_update
expect_rc 0 "second post-update"
expect_unchanged "$TMP/esp1" same "nothing changed: nothing written"

# Called from the kernel postinst chain: skipped here.
printf 'initrd 6.8.12-4-pve again\n' >"$R/boot/initrd.img-6.8.12-4-pve"
snap "$TMP/esp1" kh
post_update INITRAMFS_TOOLS_KERNEL_HOOK=1
expect_rc 0 "post-update under INITRAMFS_TOOLS_KERNEL_HOOK"
expect_unchanged "$TMP/esp1" kh "left to zz-espctl"

# The whole kernel postinst chain as a kernel package runs it: initramfs-tools (fake: builds the
# initrd and runs post-update.d the way update-initramfs does), then zz-espctl. One sync.
add_kernel "$R" 6.5.13-6-pve
rm "$R/boot/initrd.img-6.5.13-6-pve"
cat >"$R/etc/kernel/postinst.d/initramfs-tools" <<SH
#!/bin/sh
printf 'initrd %s\n' "\$1" >"$R/boot/initrd.img-\$1"
INITRAMFS_TOOLS_KERNEL_HOOK=1 run-parts --arg="\$1" --arg="$R/boot/initrd.img-\$1" "$PU"
SH
chmod 755 "$R/etc/kernel/postinst.d/initramfs-tools"
reset_calls
run_cmd DEB_MAINT_PARAMS=configure run-parts --report --exit-on-error --arg=6.5.13-6-pve --arg="$R/boot/vmlinuz-6.5.13-6-pve" "$R/etc/kernel/postinst.d"
expect_rc 0 "kernel postinst chain"
expect_eq "$(ncalls)" "1" "espctl ran once in the chain"
for e in esp1 esp2; do
        expect_eq "$(cat "$TMP/$e/EFI/proxmox/6.5.13-6-pve/initrd.img-6.5.13-6-pve")" "initrd 6.5.13-6-pve" "new kernel's initrd on $e"
        expect_eq "$(cat "$TMP/$e/EFI/proxmox/6.8.12-4-pve/initrd.img-6.8.12-4-pve")" "initrd 6.8.12-4-pve again" "pending rebuilt initrd on $e too"
done

# Containers, proxmox-boot-tool beside it, no ESP, espctl missing, failures, usage.
printf 'initrd 6.8.12-4-pve third\n' >"$R/boot/initrd.img-6.8.12-4-pve"
snap "$TMP/esp1" ct
post_update FAKE_VIRT=docker
expect_rc 0 "post-update in a container"
expect_unchanged "$TMP/esp1" ct "container: ESP untouched"
printf '#!/bin/sh\nexit 0\n' >"$PU/proxmox-boot-sync"
chmod 755 "$PU/proxmox-boot-sync"
post_update
expect_rc 0 "post-update beside proxmox-boot-sync"
expect_match "$ERR" "proxmox-boot-sync is active" "passive notice"
expect_unchanged "$TMP/esp1" ct "left to proxmox-boot-tool"
rm "$PU/proxmox-boot-sync"
run_cmd ESPCTL=/nonexistent "$PU/espctl" 6.8.12-4-pve "$R/boot/initrd.img-6.8.12-4-pve"
expect_rc 0 "espctl not installed"
run_cmd ESPCTL_OPTS="--root $R --esp-dir 2F7A-2067=$TMP/esp1" "$PU/espctl" 6.8.12-4-pve "$R/boot/initrd.img-6.8.12-4-pve"
expect_rc 3 "a registered ESP missing: espctl's exit code"
expect_match "$ERR" "espctl refresh failed \(exit 3\)" "failure reported"
R2=$TMP/bare
host_root "$R2" 6.8.12-4-pve
snap "$R2/etc" bare
snap "$R2/boot" bareboot
run_cmd ESPCTL_OPTS="--root $R2" "$R2/etc/initramfs/post-update.d/espctl" 6.8.12-4-pve "$R2/boot/initrd.img-6.8.12-4-pve"
expect_rc 0 "no ESP registered: exit 0"
expect_unchanged "$R2/etc" bare "no ESP registered: nothing written (etc)"
expect_unchanged "$R2/boot" bareboot "no ESP registered: nothing written (boot)"
expect_eq "$(ls -A "$R2/run")" "espctl.lock" "no ESP registered: nothing written (run: only the lock file)"
run_cmd "$PU/espctl"
expect_rc 1 "no arguments"
t_done
