#!/usr/bin/env bash
# /etc/kernel/postinst.d/zz-espctl and postrm.d/zz-espctl run the way a kernel package's
# maintainer scripts run them: run-parts --report --exit-on-error --arg=VERSION --arg=IMAGE,
# DEB_MAINT_PARAMS holding the maintainer script's arguments (plain or single-quoted).
source "$(dirname "$0")/common.sh"
R=$TMP/root
host_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve
init_esps "$R" || { t_fail "fixture: espctl init"; t_done; exit 1; }
POSTINST=$R/etc/kernel/postinst.d
POSTRM=$R/etc/kernel/postrm.d
postinst() { # DEB_MAINT_PARAMS VERSION
        run_cmd DEB_MAINT_PARAMS="$1" run-parts --report --exit-on-error --arg="$2" --arg="$R/boot/vmlinuz-$2" "$POSTINST"
}
postrm() {
        run_cmd DEB_MAINT_PARAMS="$1" run-parts --report --exit-on-error --arg="$2" --arg="$R/boot/vmlinuz-$2" "$POSTRM"
}

# A new kernel (first install: "configure" without a previous version) reaches both ESPs.
add_kernel "$R" 6.8.12-10-pve
reset_calls
postinst "configure" 6.8.12-10-pve
expect_rc 0 "postinst configure of a new kernel"
t_check "new kernel on both ESPs" has_entry 6.8.12-10-pve
t_check "oldest of the two series dropped meanwhile" no_entry 6.8.12-2-pve
expect_eq "$(calls)" "$(printf '%s\n' --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2" \
        --graceful --wait 120 refresh --installing 6.8.12-10-pve --)" "argv: ESPCTL_OPTS, --graceful --wait, refresh --installing V"
expect_match "$ERR" "2F7A-2067 ok" "espctl's summary reaches stderr (stdout is for debconf)"
expect_eq "$OUT" "" "nothing on stdout"
t_check "ESPs identical" diff -r "$TMP/esp1" "$TMP/esp2"

# An older kernel, not among the two newest nor the newest of the previous series, is kept
# while it is being installed: only --installing puts it there.
add_kernel "$R" 6.5.11-8-pve
snap "$TMP/esp1" abort
postinst "abort-upgrade 6.5.11-9-pve" 6.5.11-8-pve
expect_rc 0 "postinst abort-upgrade"
expect_unchanged "$TMP/esp1" abort "abort-upgrade syncs nothing"
postinst "abort-remove" 6.5.11-8-pve
expect_rc 0 "postinst abort-remove"
expect_unchanged "$TMP/esp1" abort "abort-remove syncs nothing"
postinst "'configure' '6.5.11-7-pve'" 6.5.11-8-pve
expect_rc 0 "postinst with single-quoted DEB_MAINT_PARAMS (reinstall/upgrade)"
t_check "older kernel being installed is on both ESPs" has_entry 6.5.11-8-pve
run espctl $ESPCTL_OPTS refresh
t_check "a plain refresh drops it again (the hook's --installing kept it)" no_entry 6.5.11-8-pve

# Without DEB_MAINT_PARAMS (old kernel packages, a manual run-parts) the hook runs.
run_cmd env -u DEB_MAINT_PARAMS "$POSTINST/zz-espctl" 6.5.11-8-pve "$R/boot/vmlinuz-6.5.11-8-pve"
expect_rc 0 "postinst without DEB_MAINT_PARAMS"
t_check "synced without DEB_MAINT_PARAMS" has_entry 6.5.11-8-pve
run espctl $ESPCTL_OPTS refresh

# Removal: dpkg deletes the files, then runs postrm "remove"; "upgrade" is skipped, "purge" runs.
del_kernel "$R" 6.8.12-10-pve
snap "$TMP/esp1" up
postrm "upgrade 6.8.12-10-pve" 6.8.12-10-pve
expect_rc 0 "postrm upgrade"
expect_unchanged "$TMP/esp1" up "postrm upgrade syncs nothing"
reset_calls
postrm "remove" 6.8.12-10-pve
expect_rc 0 "postrm remove"
t_check "removed kernel gone from both ESPs" no_entry 6.8.12-10-pve
t_check "the next one back" has_entry 6.8.12-2-pve
expect_match "$(calls)" "--removing" "postrm passes --removing"
expect_match "$(calls | tail -2 | head -1)" "^6\.8\.12-10-pve$" "postrm passes the version last"
postrm "purge" 6.8.12-10-pve
expect_rc 0 "postrm purge"
# --removing matters when the files are still there (a removal through another path).
postrm "remove" 6.8.12-4-pve
t_check "--removing drops a kernel whose files still exist" no_entry 6.8.12-4-pve
run espctl $ESPCTL_OPTS refresh
t_check "and a plain refresh brings it back" has_entry 6.8.12-4-pve

# Containers: detected by systemd-detect-virt, or forced; nothing happens, exit 0.
add_kernel "$R" 6.5.11-8-pve
snap "$TMP/esp1" ct1
snap "$TMP/esp2" ct2
reset_calls
run_cmd FAKE_VIRT=lxc DEB_MAINT_PARAMS=configure run-parts --report --exit-on-error --arg=6.5.11-8-pve "$POSTINST"
expect_rc 0 "postinst in a container (systemd-detect-virt)"
expect_match "$ERR" "container" "container notice"
expect_unchanged "$TMP/esp1" ct1 "container: ESP 1 untouched"
expect_unchanged "$TMP/esp2" ct2 "container: ESP 2 untouched"
expect_eq "$(ncalls)" "0" "container: espctl never ran"
run_cmd ESPCTL_HOOK_CONTAINER=yes DEB_MAINT_PARAMS=remove "$POSTRM/zz-espctl" 6.8.12-4-pve
expect_rc 0 "postrm with ESPCTL_HOOK_CONTAINER=yes"
expect_unchanged "$TMP/esp1" ct1 "forced container: ESP 1 untouched"
run_cmd ESPCTL_HOOK_CONTAINER=maybe DEB_MAINT_PARAMS=configure "$POSTINST/zz-espctl" 6.5.11-8-pve
expect_rc 1 "bad ESPCTL_HOOK_CONTAINER"
expect_match "$ERR" "ESPCTL_HOOK_CONTAINER: expected auto, yes or no, got 'maybe'" "its message"
run_cmd FAKE_VIRT=lxc ESPCTL_HOOK_CONTAINER=no DEB_MAINT_PARAMS=configure "$POSTINST/zz-espctl" 6.5.11-8-pve
expect_rc 0 "ESPCTL_HOOK_CONTAINER=no overrides the detection"
t_check "and syncs" has_entry 6.5.11-8-pve

# proxmox-boot-tool's hook beside ours: ours stays passive (nothing migrates silently).
printf '#!/bin/sh\necho pbt "$@" >>%s/pbt.calls\n' "$TMP" >"$POSTINST/zz-proxmox-boot"
chmod 755 "$POSTINST/zz-proxmox-boot"
add_kernel "$R" 6.8.12-11-pve
snap "$TMP/esp1" pbt
postinst configure 6.8.12-11-pve
expect_rc 0 "postinst beside zz-proxmox-boot"
expect_match "$ERR" "zz-proxmox-boot is active" "passive notice"
expect_unchanged "$TMP/esp1" pbt "ESP left to proxmox-boot-tool"
expect_eq "$(cat "$TMP/pbt.calls")" "pbt 6.8.12-11-pve $R/boot/vmlinuz-6.8.12-11-pve" "run-parts still ran proxmox-boot-tool's hook"
# Diverted away (dpkg-divert --rename gives a name with a dot, which run-parts skips): ours syncs.
mv "$POSTINST/zz-proxmox-boot" "$POSTINST/zz-proxmox-boot.espctl-diverted"
postinst configure 6.8.12-11-pve
expect_rc 0 "postinst after the diversion"
t_check "synced after the diversion" has_entry 6.8.12-11-pve
rm "$POSTINST/zz-proxmox-boot.espctl-diverted"

# Real failures are reported by postinst (espctl's message and code), only warned by postrm.
OPTS_OK=$ESPCTL_OPTS
export ESPCTL_OPTS="--root $R --esp-dir 2F7A-2067=$TMP/esp1"
snap "$TMP/esp1" fail
postinst configure 6.8.12-11-pve
expect_rc 1 "postinst with a registered ESP missing: run-parts --exit-on-error fails"
expect_match "$ERR" "espctl: ESP A0B1-C2D3" "espctl's message"
expect_match "$ERR" "zz-espctl: espctl refresh failed \(exit 3\)" "the hook names espctl's exit code"
run_cmd DEB_MAINT_PARAMS=configure "$POSTINST/zz-espctl" 6.8.12-11-pve
expect_rc 3 "the hook itself exits with espctl's code"
run_cmd DEB_MAINT_PARAMS=remove "$POSTRM/zz-espctl" 6.8.12-11-pve
expect_rc 0 "postrm only warns"
expect_match "$ERR" "zz-espctl: warning: espctl refresh failed \(exit 3\)" "postrm warning"
export ESPCTL_OPTS=$OPTS_OK
cp "$R/etc/kernel/cmdline" "$TMP/cmdline.saved"
echo "quiet" >"$R/etc/kernel/cmdline"
snap "$TMP/esp1" noroot
run_cmd DEB_MAINT_PARAMS=configure "$POSTINST/zz-espctl" 6.8.12-11-pve
expect_rc 2 "command line without root=: espctl's exit 2"
expect_match "$ERR" "root=" "espctl's message about root="
expect_unchanged "$TMP/esp1" noroot "nothing written"
cp "$TMP/cmdline.saved" "$R/etc/kernel/cmdline"

# No ESP registered: exit 0 (--graceful), nothing written anywhere.
R2=$TMP/bare
host_root "$R2" 6.8.12-4-pve
snap "$R2/etc" bare
snap "$R2/boot" bareboot
run_cmd ESPCTL_OPTS="--root $R2" DEB_MAINT_PARAMS=configure run-parts --report --exit-on-error --arg=6.8.12-4-pve "$R2/etc/kernel/postinst.d"
expect_rc 0 "no ESP registered: postinst exits 0"
expect_match "$ERR" "no ESP registered" "espctl's notice"
expect_unchanged "$R2/etc" bare "no ESP registered: root untouched (etc)"
expect_unchanged "$R2/boot" bareboot "no ESP registered: root untouched (boot)"
expect_eq "$(ls -A "$R2/run")" "espctl.lock" "no ESP registered: root untouched (run: only the lock file)"
run_cmd ESPCTL_OPTS="--root $R2" DEB_MAINT_PARAMS=remove "$R2/etc/kernel/postrm.d/zz-espctl" 6.8.12-4-pve
expect_rc 0 "no ESP registered: postrm exits 0"

# espctl gone (package removed, conffile hooks left behind): exit 0.
run_cmd ESPCTL=$TMP/nonexistent/espctl DEB_MAINT_PARAMS=configure "$POSTINST/zz-espctl" 6.8.12-11-pve
expect_rc 0 "espctl not installed"
expect_match "$ERR" "not installed" "its notice"

# Usage errors: no version; run from another directory.
run_cmd DEB_MAINT_PARAMS=configure "$POSTINST/zz-espctl"
expect_rc 1 "no version argument"
expect_match "$ERR" "expected the kernel version" "its message"
cp "$POSTINST/zz-espctl" "$TMP/zz-espctl"
run_cmd "$TMP/zz-espctl" 6.8.12-11-pve
expect_rc 1 "not in postinst.d or postrm.d"

# No shell: hostile versions and options reach espctl as single, literal arguments.
reset_calls
run_cmd ESPCTL_OPTS="--root $R *" DEB_MAINT_PARAMS=configure "$POSTINST/zz-espctl" '$(touch '"$TMP"'/pwned); touch '"$TMP"'/pwned2'
t_check "no command ran from the version" test ! -e "$TMP/pwned" -a ! -e "$TMP/pwned2"
expect_eq "$(calls)" "$(printf '%s\n' --root "$R" '*' --graceful --wait 120 refresh --installing '$(touch '"$TMP"'/pwned); touch '"$TMP"'/pwned2' --)" \
        "argv literal: '*' not globbed, the version one argument"
run_cmd ESPCTL_WAIT='1;touch x' DEB_MAINT_PARAMS=configure "$POSTINST/zz-espctl" 6.8.12-11-pve
expect_rc 1 "ESPCTL_WAIT must be digits"
t_done
