#!/usr/bin/env bash
# /usr/lib/kernel/install.d/90-espctl.install run by the real kernel-install(8) (systemd's,
# KERNEL_INSTALL_PLUGINS limiting it to this plugin), which passes add/remove, the version, the
# entry directory and the image, and exports KERNEL_INSTALL_*.
source "$(dirname "$0")/common.sh"
command -v kernel-install >/dev/null || { echo "kernel-install not installed"; exit 77; }
R=$TMP/root
host_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve 6.5.11-8-pve
init_esps "$R" || { t_fail "fixture: espctl init"; t_done; exit 1; }
PLUGIN=$R/usr/lib/kernel/install.d/90-espctl.install
mkdir -p "$TMP/kconf" "$TMP/bootroot"
KI=(KERNEL_INSTALL_PLUGINS="$PLUGIN" KERNEL_INSTALL_CONF_ROOT="$TMP/kconf" MACHINE_ID=0123456789abcdef0123456789abcdef
    BOOT_ROOT="$TMP/bootroot")

# add: an older kernel (not otherwise selected) reaches both ESPs.
reset_calls
run_cmd "${KI[@]}" kernel-install add 6.5.11-8-pve "$R/boot/vmlinuz-6.5.11-8-pve" "$R/boot/initrd.img-6.5.11-8-pve"
expect_rc 0 "kernel-install add"
t_check "added kernel on both ESPs" has_entry 6.5.11-8-pve
expect_eq "$(calls)" "$(printf '%s\n' --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2" \
        --graceful --wait 120 refresh --installing 6.5.11-8-pve --)" "argv of add"
t_check "nothing written to kernel-install's BOOT_ROOT" test -z "$(ls -A "$TMP/bootroot")"
# -v: KERNEL_INSTALL_VERBOSE=1 becomes --verbose.
reset_calls
run_cmd "${KI[@]}" kernel-install -v add 6.5.11-8-pve "$R/boot/vmlinuz-6.5.11-8-pve"
expect_rc 0 "kernel-install -v add"
expect_match "$(calls)" "^--verbose$" "--verbose passed on"
# remove: --removing drops it even though its files are still in /boot.
reset_calls
run_cmd "${KI[@]}" kernel-install remove 6.5.13-6-pve
expect_rc 0 "kernel-install remove"
t_check "removed kernel gone from both ESPs" no_entry 6.5.13-6-pve
expect_match "$(calls)" "^--removing$" "--removing passed"
# inspect and unknown commands: nothing to do.
snap "$TMP/esp1" same
reset_calls
run_cmd "${KI[@]}" kernel-install inspect
expect_rc 0 "kernel-install inspect"
run_cmd "$PLUGIN" frobnicate 6.5.11-8-pve
expect_rc 0 "unknown command: exit 0"
expect_eq "$(ncalls)" "0" "espctl not run for inspect or unknown commands"
# Under a Debian kernel package's maintainer script zz-espctl syncs instead.
run_cmd "${KI[@]}" DEB_MAINT_PARAMS=configure kernel-install add 6.5.13-6-pve "$R/boot/vmlinuz-6.5.13-6-pve"
expect_rc 0 "add under dpkg"
expect_unchanged "$TMP/esp1" same "left to zz-espctl under dpkg"
# Containers.
run_cmd "${KI[@]}" FAKE_VIRT=systemd-nspawn kernel-install add 6.5.13-6-pve "$R/boot/vmlinuz-6.5.13-6-pve"
expect_rc 0 "add in a container"
expect_unchanged "$TMP/esp1" same "container: ESP untouched"
expect_eq "$(ncalls)" "0" "container: espctl never ran"
# Failures: add reports espctl's code (kernel-install fails), remove warns.
run_cmd "${KI[@]}" ESPCTL_OPTS="--root $R --esp-dir 2F7A-2067=$TMP/esp1" kernel-install add 6.5.13-6-pve "$R/boot/vmlinuz-6.5.13-6-pve"
expect_rc 3 "add with a registered ESP missing: kernel-install fails with the code"
expect_match "$ERR" "90-espctl.install: espctl refresh failed \(exit 3\)" "failure reported"
run_cmd "${KI[@]}" ESPCTL_OPTS="--root $R --esp-dir 2F7A-2067=$TMP/esp1" "$PLUGIN" add 6.5.13-6-pve /x "$R/boot/vmlinuz-6.5.13-6-pve"
expect_rc 3 "the plugin exits with espctl's code"
run_cmd "${KI[@]}" ESPCTL_OPTS="--root $R --esp-dir 2F7A-2067=$TMP/esp1" kernel-install remove 6.5.11-8-pve
expect_rc 0 "remove only warns"
expect_match "$ERR" "warning: espctl refresh failed" "remove warning"
# No ESP registered; espctl missing; no version.
R2=$TMP/bare
host_root "$R2" 6.8.12-4-pve
snap "$R2/etc" bare
snap "$R2/boot" bareboot
run_cmd "${KI[@]}" ESPCTL_OPTS="--root $R2" kernel-install add 6.8.12-4-pve "$R2/boot/vmlinuz-6.8.12-4-pve"
expect_rc 0 "no ESP registered: exit 0"
expect_unchanged "$R2/etc" bare "no ESP registered: nothing written (etc)"
expect_unchanged "$R2/boot" bareboot "no ESP registered: nothing written (boot)"
expect_eq "$(ls -A "$R2/run")" "espctl.lock" "no ESP registered: nothing written (run: only the lock file)"
run_cmd ESPCTL=/nonexistent "$PLUGIN" add 6.8.12-4-pve /x "$R/boot/vmlinuz-6.8.12-4-pve"
expect_rc 0 "espctl not installed"
run_cmd "$PLUGIN" add
expect_rc 1 "add without a version"
t_done
