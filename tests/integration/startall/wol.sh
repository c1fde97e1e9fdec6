#!/bin/bash
# Wake-on-LAN (spec test 24): the magic packet byte for byte on a loopback UDP receiver.
source "$(dirname "$0")/common.sh"
NODES="$R/etc/guest-startall/nodes"
mkdir -p "$NODES"
echo 'wakeonlan: 02:AB:cd:00:11:22,bind-interface=eth0' >"$NODES/peer.conf"

# receiver: binds an ephemeral port on 127.0.0.1, prints the port, then hex of each datagram
receive() {
        python3 -u - "$TMP/port" <<'PY' >"$TMP/got" &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(2.0)
try:
    while True:
        data = s.recv(4096)
        print(len(data), data.hex())
except socket.timeout:
    pass
PY
        RECV=$!
        for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.05; done
        PORT=$(cat "$TMP/port")
}
expected_hex() { python3 -c "import sys; m = bytes.fromhex(sys.argv[1].replace(':', '')); print(102, (b'\xff' * 6 + m * 16).hex())" "$1"; }

rm -f "$TMP/port"; receive
run guest-startall --root "$R" --log "$LOG" wakeonlan peer --broadcast-address 127.0.0.1 --port "$PORT" --bind-interface lo
# (binding to lo keeps the default eth0 of peer.conf out: that one is the target's, not ours)
expect_rc 0 "wakeonlan peer"
wait "$RECV"
expect_eq "$(cat "$TMP/got")" "$(expected_hex 02:ab:cd:00:11:22)" "exactly one 102-byte packet: 6 x FF + 16 x MAC from nodes/peer.conf"
expect_match "$OUT" "Wake-on-LAN packet sent to 02:ab:cd:00:11:22 via 127.0.0.1:$PORT" "progress line"
expect_match "$(tail -1 "$LOG")" '"action":"wakeonlan".*"status":"ok"' "task log line"

rm -f "$TMP/port"; receive
run guest-startall --root "$R" --no-log wakeonlan --mac 0a:00:00:00:00:01 --broadcast-address 127.0.0.1 --port "$PORT" --count 2
expect_rc 0 "wakeonlan --mac --count 2"
wait "$RECV"
expect_eq "$(cat "$TMP/got")" "$(expected_hex 0a:00:00:00:00:01)
$(expected_hex 0a:00:00:00:00:01)" "two packets with the MAC from --mac"

# defaults of the local node config
echo 'wakeonlan: 02:00:00:00:00:09,broadcast-address=127.0.0.1' >"$R/etc/guest-startall/node.conf"
rm -f "$TMP/port"; receive
run guest-startall --root "$R" --no-log wakeonlan peer --port "$PORT"
expect_rc 0 "broadcast address from the local node config"
wait "$RECV"
expect_eq "$(cut -c1-3 "$TMP/got")" "102" "received via the local default address"
rm "$R/etc/guest-startall/node.conf"

run guest-startall --root "$R" wakeonlan peer --dry-run
expect_rc 0 "--dry-run"
expect_match "$OUT" "via 255.255.255.255:9 \\(MAC" "default broadcast and port 9, no binding (the target's bind-interface is not ours)"

echo 'wakeonlan: 03:00:00:00:00:01' >"$NODES/multi.conf"
echo 'description: none' >"$NODES/nomac.conf"
snap "$R" wol
for mac in 01:00:5e:00:00:01 02:00:00:00:00 02-00-00-00-00-01 020000000001 zz:00:00:00:00:01; do
        run guest-startall --root "$R" wakeonlan --mac "$mac" --dry-run
        expect_rc 2 "--mac $mac refused"
        expect_match "$ERR" "bad option: --mac: expected" "--mac $mac: names the option"
done
expect_match "$ERR" "a bare hex string|expected six" "hint for the bare form"
run guest-startall --root "$R" wakeonlan multi --dry-run
expect_rc 2 "multicast MAC in a node config"
expect_match "$ERR" "$NODES/multi.conf:1: wakeonlan: expected a unicast MAC" "names file:line"
run guest-startall --root "$R" wakeonlan nomac
expect_rc 2 "no wakeonlan entry"
expect_match "$ERR" "no MAC for node nomac: $NODES/nomac.conf" "names the file"
run guest-startall --root "$R" wakeonlan absent
expect_rc 2 "no node config"
run guest-startall --root "$R" wakeonlan "$(hostname -s)"
expect_rc 2 "local node"
expect_match "$ERR" "cannot wake the local node" "local node refused"
run guest-startall --root "$R" wakeonlan ../etc
expect_rc 2 "node name outside [A-Za-z0-9-]"
run guest-startall --root "$R" wakeonlan --mac 02:00:00:00:00:01 --broadcast-address 10.1 --dry-run
expect_rc 2 "short IPv4 form refused"
run guest-startall --root "$R" wakeonlan --mac 02:00:00:00:00:01 --bind-interface 'Eth0' --dry-run
expect_rc 2 "bad interface name"
expect_unchanged "$R" wol "refusals wrote nothing"
run guest-startall --root "$R" wakeonlan --mac 02:00:00:00:00:01 --bind-interface nosuch0 --broadcast-address 127.0.0.1 --no-log
expect_rc 4 "--bind-interface nosuch0: socket error"
expect_match "$ERR" "SO_BINDTODEVICE" "names the failing call"
run guest-startall --root "$R" wakeonlan
expect_rc 1 "neither NODE nor --mac: usage"
t_done
