#!/bin/bash
# Every bad definition and node-config case: one stderr line naming file:line[:col] and the key,
# exit 2, no guest started, tree byte-identical; check lists them all.
source "$(dirname "$0")/common.sh"
guest 1 '"up": 0,'   # a valid guest, which must not start either
S='"start": ["/bin/true"]'
N=0
bad() { # description content expected-regex [mode|symlink]
        local what=$1 content=$2 re=$3 how=${4:-}
        N=$((N + 1))
        rm -f "$G/5.json" "$TMP/target.json"
        if [ "$how" = symlink ]; then
                printf '%s\n' "$content" >"$TMP/target.json"
                ln -s "$TMP/target.json" "$G/5.json"
        else
                printf '%s\n' "$content" >"$G/5.json"
                [ -n "$how" ] && chmod "$how" "$G/5.json"
        fi
        : >"$D/record"
        snap "$R" bad
        gs startall
        expect_rc 2 "$what: startall refuses"
        expect_match "$ERR" "^guest-startall: invalid guest definition: $G/5\.json$re" "$what: message"
        expect_eq "$(printf '%s\n' "$ERR" | grep -c 'guests.d/5.json')" 1 "$what: exactly one line about the file"
        expect_match "$ERR" "nothing was started" "$what: says nothing started"
        expect_eq "$(cat "$D/record")" "" "$what: no guest started"
        expect_unchanged "$R" bad "$what: tree unchanged"
        gs check
        expect_rc 2 "$what: check exits 2"
        # keep this file for the combined check below
        [ "$how" = symlink ] && return
        cp "$G/5.json" "$TMP/all.$N.json"
        [ -n "$how" ] && chmod "$how" "$TMP/all.$N.json"
}
bad "syntax error" $'{"id": 5,\n "onboot": true\n '"$S"'}' ":3:[0-9]+: '}' expected"
bad "duplicate key" $'{"id": 5,\n "onboot": true,\n "onboot": false, '"$S"'}' ":3:[0-9]+: duplicate object key near '\"onboot\"'"
bad "unknown key" $'{"id": 5,\n  "onbot": true, '"$S"'}' ":2:3: onbot: unknown key"
bad "onboot string" $'{"id": 5,\n  "onboot": "yes", '"$S"'}' ":2:3: onboot: expected true or false, got \"yes\""
bad "order -1" $'{"id": 5,\n  "order": -1, '"$S"'}' ":2:3: order: expected an integer 0-2147483647, got -1"
bad "up real" $'{"id": 5,\n  "up": 1.5, '"$S"'}' ":2:3: up: expected an integer 0-86400 \(seconds\), got 1.5"
bad "start string" $'{"id": 5,\n  "start": "qemu -name x"}' ":2:3: start: must be an array of strings; commands never go through a shell"
bad "start empty" $'{"id": 5,\n  "start": []}' ":2:3: start: expected a non-empty array"
bad "start relative" $'{"id": 5,\n  "start": ["qemu"]}' ":2:3: start: expected an absolute path"
bad "id mismatch" $'{"id": 6,\n  "start": ["/bin/true"]}' ":1:2: id: expected 5 \(the number in the file name\), got 6"
bad "missing start" '{"id": 5}' ": start: expected an array of strings, got nothing \(required\)"
bad "NUL in argv" '{"id": 5, "start": ["/bin/true", "a\u0000b"]}' ":1:11: start: expected strings without NUL"
bad "mode 0666" '{"id": 5, "start": ["/bin/true"]}' ": unsafe owner or mode 0666" 0666
bad "symlink" '{"id": 5, "start": ["/bin/true"]}' ": expected a regular file, got a symlink" symlink

# files the reader ignores
rm -f "$G/5.json"
for f in 5.json.dpkg-old .6.json 07.json 8.json~ notes.txt; do echo garbage >"$G/$f"; done
: >"$D/record"
gs startall
expect_rc 0 "backups, hidden and odd names are ignored"
expect_eq "$(begins start)" "1" "only the valid guest started"
rm -f "$G"/5.json.dpkg-old "$G"/.6.json "$G"/07.json "$G"/8.json~ "$G"/notes.txt
gs stopall >/dev/null

# check lists every problem at once
n=0
for f in "$TMP"/all.*.json; do
        n=$((n + 1)); cp -p "$f" "$G/$((100 + n)).json"
        sed -i "s/\"id\": 5/\"id\": $((100 + n))/" "$G/$((100 + n)).json"
done
gs check
expect_rc 2 "check with every bad file"
expect_eq "$(printf '%s\n' "$ERR" | grep -c 'invalid guest definition')" "$n" "check reports each of the $n files"
rm -f "$G"/1[0-9][0-9].json

# node config (E3): each bad line named, exit 2, nothing started
NC="$R/etc/guest-startall/node.conf"
badnode() { # description content regex
        printf '%s\n' "$2" >"$NC"
        : >"$D/record"; snap "$R" node
        gs startall --boot
        expect_rc 2 "node.conf $1: refused"
        expect_match "$ERR" "invalid node config: $NC:$3" "node.conf $1: message"
        expect_eq "$(cat "$D/record")" "" "node.conf $1: nothing started"
        expect_unchanged "$R" node "node.conf $1: tree unchanged"
}
badnode "delay 301" $'# node\nstartall-onboot-delay: 301' "2: startall-onboot-delay: expected an integer 0-300"
badnode "delay -1" $'\nstartall-onboot-delay: -1' "2: startall-onboot-delay: expected an integer 0-300"
badnode "delay abc" 'startall-onboot-delay: abc' "1: startall-onboot-delay: expected"
badnode "delay 2x" 'startall-onboot-delay: 2x' "1: startall-onboot-delay: expected"
badnode "no colon" $'acme: x\nstartall-onboot-delay 2' "2: expected \"key: value\""
badnode "duplicate" $'startall-onboot-delay: 1\nstartall-onboot-delay: 1' "2: startall-onboot-delay: expected each key once"
badnode "wakeonlan" 'wakeonlan: aa-bb-cc-dd-ee-ff' "1: wakeonlan: expected ':' separators"
badnode "wakeonlan subkey" 'wakeonlan: 02:00:00:00:00:01,foo=1' "1: wakeonlan: expected only mac, bind-interface"
printf 'description: a Proxmox key we ignore\nstartall-onboot-delay: 0\n' >"$NC"
gs startall
expect_rc 0 "unknown node keys are ignored"

# guests.d unreadable (not missing) is a configuration error
rm -f "$NC"
chmod 0777 "$G"
gs startall
expect_rc 2 "world-writable guests.d refused"
expect_match "$ERR" "unsafe guest directory: $G" "names the directory"
chmod 0755 "$G"
t_done
