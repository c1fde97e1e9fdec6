#!/usr/bin/env bash
# Every kernel-select error case: exit code, one clear line, the tree byte-identical (§11 test 21).
source "${TESTLIB:?run through meson test}" || exit 1
R=$TMP/root
make_root "$R" 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve:noinitrd
echo 6.8.12-2-pve >"$R/etc/kernel/proxmox-boot-pin"
touch "$R/run/espctl.lock"
snap "$R" start
KS=(kernel-select --root "$R" --no-refresh)

err_case() { # code expected-stderr-regex args...
        local code=$1 re=$2; shift 2
        run "${KS[@]}" "$@"
        expect_rc "$code" "$*"
        expect_match "$ERR" "$re" "$* message"
        expect_unchanged "$R" start "$* leaves the tree byte-identical"
}
err_case 2 "cannot pin 6.9.9-1-pve: /boot/vmlinuz-6.9.9-1-pve not found" pin 6.9.9-1-pve
err_case 2 "installed kernels: 6.8.12-4-pve 6.8.12-2-pve 6.5.13-6-pve" pin 6.9.9-1-pve
err_case 2 "cannot pin 6.5.13-6-pve: /boot/initrd.img-6.5.13-6-pve not found" pin 6.5.13-6-pve
err_case 2 "invalid version: '../x'" pin ../x
err_case 2 "invalid version: 'a b'" pin "a b"
err_case 2 "a series name is not a kernel" pin 6.8
err_case 2 "invalid version" pin "$(printf '6.8\001')"
err_case 2 "invalid version" pin "6.8.12-4-pve+3"
err_case 2 "cannot add 6.9.9-1-pve" add 6.9.9-1-pve
err_case 2 "invalid version: '/etc/passwd'" add /etc/passwd
err_case 2 "invalid version" remove "a/b"
err_case 1 "unknown verb" frobnicate
err_case 1 "missing verb"
err_case 1 "wrong number of arguments" pin
err_case 1 "wrong number of arguments" pin a b
err_case 1 "option not valid for: list" list --next-boot
err_case 1 "option not valid for: add" add 6.8.12-4-pve --efi-default
err_case 1 "" list --bogus
err_case 1 "--wait expects seconds" --wait x list

# an invalid espctl.conf stops before anything is written
echo "timeout=900" >"$R/etc/kernel/espctl.conf"
snap "$R" start
err_case 2 "invalid configuration: $R/etc/kernel/espctl.conf:1: timeout: expected 0-600, got '900'" pin 6.8.12-4-pve
rm "$R/etc/kernel/espctl.conf"

# an unwritable /etc/kernel: exit 4, the pin file unchanged
if [ "$(id -u)" != 0 ]; then
        chmod 555 "$R/etc/kernel"
        snap "$R" start
        err_case 4 "writing $R/etc/kernel/proxmox-boot-pin failed" pin 6.8.12-4-pve
        chmod 755 "$R/etc/kernel"
fi
# an injected ENOSPC at the write: exit 4, no temp file, old pin intact
snap "$R" start
run FAULT_AT=2:ENOSPC kernel-select --root "$R" --no-refresh pin 6.8.12-4-pve
expect_rc 4 "ENOSPC while writing the pin"
expect_unchanged "$R" start "ENOSPC leaves the tree byte-identical"
t_done
