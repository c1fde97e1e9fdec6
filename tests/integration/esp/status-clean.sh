#!/usr/bin/env bash
# espctl status (text, JSON, --verify, states) and clean (--dry-run, removal keeps other lines)
# (spec §11 tests 27, 29).
source "$(dirname "$0")/common.sh"
EXP=$SRC_DIR/tests/integration/esp/expected
R=$TMP/root
esp_root "$R" uefi 6.8.12-4-pve 6.8.12-2-pve
mkdir -p "$TMP/esp1" "$TMP/esp2"
run espctl --root "$R" --esp-dir 2F7A-2067="$TMP/esp1" init
run espctl --root "$R" --esp-dir A0B1-C2D3="$TMP/esp2" init
E=(--root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2")
snap "$TMP" st
run espctl "${E[@]}" status
expect_rc 0 "status ok"
expect_file "$(printf '%s\n' "$OUT" | sed 's/ *$//')" "$EXP/status.txt" "status text"
run espctl "${E[@]}" status --json
expect_rc 0 "status json"
t_check "status JSON has the spec keys" python3 -c '
import json,sys
d=json.loads(sys.argv[1]); e=d["esps"][0]
for k in ["serial","device","state","mode","platform","free_bytes","size_bytes","default","next_entry","in_sync","versions"]:
    assert k in e, k
assert e["state"]=="ok" and e["mode"]=="systemd-boot" and e["in_sync"] is True
v=e["versions"][0]; assert v["version"]=="6.8.12-4-pve" and v["default"] is True and v["files_ok"] is True
assert "invalid_lines" in d' "$OUT"
run espctl "${E[@]}" --quiet status
expect_eq "$OUT" "" "--quiet prints nothing"
expect_unchanged "$TMP" st "status writes nothing"
# the variables that override loader.conf are shown (and LoaderEntryDefault warned)
python3 - "$R/sys/firmware/efi/efivars" <<'PY'
import sys, struct
d = sys.argv[1]
for name, val in (("LoaderEntryOneShot", "proxmox-6.8.12-2-pve.conf"), ("LoaderEntryDefault", "other.conf")):
    with open(f"{d}/{name}-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f", "wb") as f:
        f.write(struct.pack("<I", 7) + (val + "\0").encode("utf-16-le"))
PY
run espctl "${E[@]}" status
expect_match "$OUT" "next boot \(LoaderEntryOneShot\): proxmox-6.8.12-2-pve.conf" "status shows the armed one-shot"
expect_match "$ERR" "warning: LoaderEntryDefault=other.conf overrides loader.conf" "status warns about LoaderEntryDefault"
run espctl "${E[@]}" status --json
expect_match "$OUT" '"entry_oneshot_var": "proxmox-6.8.12-2-pve.conf"' "JSON entry_oneshot_var"
rm "$R/sys/firmware/efi/efivars/"Loader*
rm "$TMP/esp2/EFI/systemd/systemd-bootx64.efi"
run espctl "${E[@]}" status
expect_rc 2 "missing payload: inconsistent"
expect_match "$OUT" "ESP A0B1-C2D3: inconsistent" "inconsistent state shown"

# clean: missing and repeated serials go, comments, invalid lines and order stay
printf '# keep me\n2F7A-2067\n1FDE-91BC\nbogus\nA0B1-C2D3\n2f7a-2067\n' >"$R/etc/kernel/proxmox-boot-uuids"
snap "$R" cl
run espctl "${E[@]}" --dry-run clean
expect_rc 0 "clean --dry-run"
expect_eq "$OUT" "$(printf 'would remove 1FDE-91BC (line 3)\nwould remove 2F7A-2067 (line 6, repeated)')" "dry run names the lines"
expect_unchanged "$R" cl "clean --dry-run writes nothing"
run espctl "${E[@]}" clean
expect_rc 0 "clean"
expect_eq "$(cat "$R/etc/kernel/proxmox-boot-uuids")" "$(printf '# keep me\n2F7A-2067\nbogus\nA0B1-C2D3')" "clean keeps other lines byte for byte"
rm "$R/etc/kernel/proxmox-boot-uuids"
run espctl "${E[@]}" clean
expect_rc 3 "clean without the file"
t_done
