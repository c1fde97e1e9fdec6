#!/bin/bash
# Proxmox compat reader (spec test 21): onboot/startup/template/snapshot sections/HA, qm and pct argv.
source "$(dirname "$0")/common.sh"
P="$R/etc/pve"
mkdir -p "$P/qemu-server" "$P/lxc" "$P/ha" "$P/local"
for prog in qm pct; do
        cat >"$TMP/$prog" <<F
#!/bin/sh
# fake $prog: records its argv, keeps a running flag per id
echo "\$(date +%s%N) $prog \$*" >>"$D/record"
case \$1 in
start) : >"$D/\$2.running" ;;
shutdown|stop) rm -f "$D/\$2.running" ;;
status) if [ -e "$D/\$2.running" ]; then echo "status: running"; else echo "status: stopped"; fi ;;
esac
F
        chmod +x "$TMP/$prog"
done
printf 'name: a\nonboot: 1\nstartup: order=1,up=1,down=5\n' >"$P/qemu-server/100.conf"
printf '#description\nhostname: b\nonboot: 1\nstartup: 2\n' >"$P/lxc/101.conf"
printf 'onboot: 1\ntemplate: 1\n' >"$P/qemu-server/102.conf"
printf 'name: d\n\n[snap1]\nonboot: 1\n' >"$P/qemu-server/103.conf"
printf 'name: e\nonboot: 1\nstartup: order=1,foo=2\n' >"$P/qemu-server/104.conf"
printf 'onboot: 1\n' >"$P/qemu-server/105.conf"
printf 'vm: 105\n\tstate started\n' >"$P/ha/resources.cfg"
pve() { gs --pve --qm "$TMP/qm" --pct "$TMP/pct" "$@"; }
cmds() { awk '{ $1 = ""; sub(/^ /, ""); print }' "$D/record" | grep -v ' status ' | paste -sd'|'; }

pve list --json
expect_rc 0 "list --pve"
got=$(printf '%s' "$OUT" | python3 -c '
import json, sys
for g in json.load(sys.stdin)["guests"]:
    print(g["id"], g["type"], g["name"], g["order"], g["up"], g["down"], g["startall"], g["template"], g["ha"])')
expect_eq "$got" "100 vm a 1 1 5 True False False
101 ct b 2 0 180 True False False
102 vm guest-102 None 3 180 False True False
103 vm d None 3 180 False False False
104 vm e None 3 180 True False False
105 vm guest-105 None 3 180 False False True" "parsed: startup, hostname, template, snapshot section ignored, HA"

pve startall
expect_rc 0 "startall --pve"
expect_eq "$(cmds)" "qm start 100|pct start 101|qm start 104" "qm/pct argv; 102 template, 103 snapshot-only, 105 HA untouched"
expect_match "$ERR" "warning: $P/qemu-server/104.conf:3: startup: expected order=N,up=N,down=N, got \"order=1,foo=2\"" "bad startup: warning naming file:line"
: >"$D/record"
pve startall --vms 105
expect_rc 0 "--vms 105"
expect_eq "$(cmds)" "qm start 105" "an HA guest starts when named"
rm -f "$D/105.running"

: >"$D/record"
pve stopall
expect_rc 0 "stopall --pve"
expect_eq "$(cmds)" "qm shutdown 104 --timeout 180|pct shutdown 101 --timeout 180|qm shutdown 100 --timeout 5" \
        "stop order and --timeout argv (unordered first)"
expect_match "$OUT" "VM 103 \(d\) is not running, skipped" "status: only 'status: running' counts"

pve check --strict
expect_rc 2 "check --strict: compat warnings are errors"
mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
touch "$R/etc/systemd/system/multi-user.target.wants/pve-guests.service"
pve check
expect_rc 0 "check: warnings only"
expect_match "$ERR" "pve-guests.service would start and stop the same guests" "warns about pve-guests.service"

# the same id native and compat is an error
guest 100 '"up": 0,'
: >"$D/record"
pve startall
expect_rc 2 "id from two sources"
expect_match "$ERR" "100.conf: id 100: expected one definition per id, also in $G/100.json" "names both files"
expect_eq "$(cat "$D/record")" "" "nothing started"
t_done
