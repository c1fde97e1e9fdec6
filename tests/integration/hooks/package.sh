#!/usr/bin/env bash
# The Debian package, built by hooks/debian/build-deb.sh from this build's binaries: its file
# list and conffiles, then install, reinstall, remove and purge with dpkg --root into an empty
# test root (maintainer scripts run chrooted there, under busybox sh).
source "$(dirname "$0")/common.sh"
[ "$(id -u)" = 0 ] || { echo "dpkg --root needs root (chroot for the maintainer scripts)"; exit 77; }
command -v dpkg-deb >/dev/null && [ -x /bin/busybox ] || { echo "dpkg-deb or busybox-static missing"; exit 77; }
EXP=$SRC_DIR/tests/integration/hooks/expected

run_cmd bash "$SRC_DIR/hooks/debian/build-deb.sh" --bin-dir "$BUILD_DIR" --out "$TMP/deb" --no-lintian
expect_rc 0 "build-deb.sh"
DEBF=$(ls "$TMP"/deb/early-boot-toolkit_*.deb 2>/dev/null | head -1)
t_check "a .deb was written" test -f "$DEBF"
# The docs/*.md files change with the project: compared with docs/ itself, the rest with the list.
LIST=$(dpkg-deb -c "$DEBF" | awk '{print $1, $6}' | sed 's#^\([^ ]*\) \./#\1 /#')
expect_file "$(printf '%s\n' "$LIST" | grep -v '^-rw-r--r-- /usr/share/doc/early-boot-toolkit/.*\.md$')" "$EXP/package.list" "package contents and modes"
expect_eq "$(printf '%s\n' "$LIST" | sed -n 's#^-rw-r--r-- /usr/share/doc/early-boot-toolkit/\(.*\.md\)$#\1#p' | grep -v '^README.md$' | sort)" \
        "$(cd "$SRC_DIR/docs" && ls ./*.md | sed 's#^\./##' | sort)" "every docs/*.md shipped"
expect_file "$(dpkg-deb -f "$DEBF" Package Section Priority Architecture Recommends)" "$EXP/package.control" "control fields"
expect_eq "$(dpkg-deb -I "$DEBF" conffiles)" "$(cat "$SRC_DIR/hooks/debian/conffiles")" "conffiles"
X=$TMP/x
dpkg-deb -x "$DEBF" "$X"
expect_eq "$(grep -v '^#' "$X/etc/kernel/espctl.conf" | grep -c .)" "0" "espctl.conf: every line commented out"
t_check "the unit's EnvironmentFile is shipped" grep -q '^EnvironmentFile=-/etc/default/ksm-early$' "$X/usr/lib/systemd/system/ksm-early.service"
expect_eq "$(grep -v '^#' "$X/etc/default/ksm-early" | grep -c .)" "0" "/etc/default/ksm-early: commented out"
t_check "postinst.d and postrm.d hooks are the same script" cmp "$X/etc/kernel/postinst.d/zz-espctl" "$X/etc/kernel/postrm.d/zz-espctl"
t_check "man page made from --help" sh -c "zcat '$X/usr/share/man/man8/espctl.8.gz' | grep -q 'boot-complete'"
# espctl reads the shipped, all-comments espctl.conf without complaint.
R=$TMP/root
host_root "$R" 6.8.12-4-pve
cp "$X/etc/kernel/espctl.conf" "$R/etc/kernel/espctl.conf"
run espctl --root "$R" --esp-dir "$TMP/esp0" --dry-run refresh
t_check "shipped espctl.conf parses (no warning)" test -z "$(printf '%s' "$ERR" | grep -i 'espctl.conf')"

# dpkg --root: an empty root with a dpkg database and busybox for the maintainer scripts.
T=$TMP/target
mkdir -p "$T/var/lib/dpkg/info" "$T/var/lib/dpkg/updates" "$T/bin" "$T/dev" "$T/etc/kernel/postinst.d"
touch "$T/var/lib/dpkg/status"
cp /bin/busybox "$T/bin/busybox"
for a in sh echo cat rm test '[' ls; do ln -s busybox "$T/bin/$a"; done
mknod -m 666 "$T/dev/null" c 1 3 2>/dev/null || : >"$T/dev/null"
snap "$T" empty
run_cmd dpkg --root="$T" -i "$DEBF"
expect_rc 0 "dpkg --root -i"
expect_match "$OUT" "no unit was enabled" "first install says no unit was enabled"
t_check "no error output" test -z "$ERR"
expect_eq "$(dpkg --root="$T" -s early-boot-toolkit | sed -n 's/^Status: //p')" "install ok installed" "installed"
t_check "espctl in /usr/sbin" test -x "$T/usr/sbin/espctl"
t_check "no unit enabled" test ! -e "$T/etc/systemd/system"
# Reinstall (configure with the old version) beside proxmox-boot-tool's hook: a notice, no change.
printf '#!/bin/sh\nexit 0\n' >"$T/etc/kernel/postinst.d/zz-proxmox-boot"
chmod 755 "$T/etc/kernel/postinst.d/zz-proxmox-boot"
echo "prefix=acme" >>"$T/etc/kernel/espctl.conf"
run_cmd dpkg --root="$T" --force-confold -i "$DEBF"
expect_rc 0 "reinstall"
expect_match "$OUT" "proxmox-boot-tool's kernel hooks are active" "passive notice beside proxmox-boot-tool"
t_check "reinstall does not repeat the first-install notice" test -z "$(printf '%s' "$OUT" | grep 'no unit was enabled')"
expect_eq "$(tail -1 "$T/etc/kernel/espctl.conf")" "prefix=acme" "a modified conffile is kept"
t_check "proxmox-boot-tool's hook left alone" test -x "$T/etc/kernel/postinst.d/zz-proxmox-boot"
rm "$T/etc/kernel/postinst.d/zz-proxmox-boot"
# remove: binaries gone, conffile hooks stay and still exit 0 on the next kernel installation.
run_cmd dpkg --root="$T" -r early-boot-toolkit
expect_rc 0 "dpkg --root -r"
t_check "no error output on remove" test -z "$ERR"
t_check "binaries gone" test ! -e "$T/usr/sbin/espctl"
t_check "conffile hook kept after remove" test -x "$T/etc/kernel/postinst.d/zz-espctl"
run_cmd ESPCTL="$T/usr/sbin/espctl" ESPCTL_HOOK_CONTAINER=no DEB_MAINT_PARAMS=configure "$T/etc/kernel/postinst.d/zz-espctl" 6.8.12-4-pve
expect_rc 0 "left-behind hook exits 0 without espctl"
# purge: back to the empty root.
run_cmd dpkg --root="$T" -P early-boot-toolkit
expect_rc 0 "dpkg --root -P"
t_check "no error output on purge" test -z "$ERR"
rm -f "$T/var/lib/dpkg/status-old" "$T/var/lib/dpkg/diversions-old" "$T/var/lib/dpkg/lock"* "$T/var/lib/dpkg/triggers/Unincorp"
expect_eq "$(cd "$T" && find . -path ./var/lib/dpkg -prune -o -print | LC_ALL=C sort | tr '\n' ' ')" \
        ". ./bin ./bin/[ ./bin/busybox ./bin/cat ./bin/echo ./bin/ls ./bin/rm ./bin/sh ./bin/test ./dev ./dev/null ./var ./var/lib " \
        "purge leaves the root as it was (the emptied /etc/kernel directories go too)"
t_check "package unknown to dpkg after purge" sh -c "! dpkg --root='$T' -s early-boot-toolkit >/dev/null 2>&1"
t_done
