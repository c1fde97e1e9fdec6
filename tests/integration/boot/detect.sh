#!/usr/bin/env bash
# boot-detect on fixture trees (spec §11 test 26): uefi + systemd-boot, uefi + GRUB 2.12,
# uefi without LoaderInfo with BootCurrent on a shim path, another loader, bios, malformed
# variables. Golden text and JSON, field queries, exit 3 for EFI fields on bios and without
# sysfs, usage errors; boot-detect never changes the tree.
source "$TESTLIB"
HERE=$SRC_DIR/tests/integration/boot
EXP=$HERE/expected

KINDS="sdboot grub212 shim other malformed bios"
python3 "$HERE/mkfixture.py" "$TMP" $KINDS
for kind in $KINDS; do
        T=$TMP/$kind
        snap "$T" "$kind"
        run boot-detect --root "$T"
        expect_rc 0 "$kind: text"
        expect_file "$OUT" "$EXP/$kind.txt" "$kind: text output"
        expect_file "$ERR" "$EXP/$kind.err" "$kind: warnings"
        run boot-detect --root "$T" --json
        expect_rc 0 "$kind: json"
        expect_file "$OUT" "$EXP/$kind.json" "$kind: json output"
        printf '%s\n' "$OUT" >"$TMP/$kind.json"
        expect_unchanged "$T" "$kind" "$kind: tree untouched"
done

t_check "every JSON document parses" python3 -c 'import json,sys; [json.load(open(f)) for f in sys.argv[1:]]' \
        $(for k in $KINDS; do echo "$TMP/$k.json"; done)

# Field queries print only the values, one per line.
run boot-detect --root "$TMP/sdboot" loader entry-oneshot device-part-uuid
expect_rc 0 "field query"
expect_eq "$OUT" $'systemd-boot\nproxmox-6.8.12-2-pve.conf\n1b2c3d4e-5f60-4718-a9b0-c1d2e3f40516' "field values"
run boot-detect --root "$TMP/shim" loader boot-current
expect_eq "$OUT" $'grub\nBoot000A description="debian" path=\\EFI\\debian\\SHIMX64.EFI part-guid=1b2c3d4e-5f60-4718-a9b0-c1d2e3f40516' \
        "shim path gives grub"
run boot-detect --root "$TMP/sdboot" --json loader boot-current
expect_rc 0 "json field query"
expect_eq "$OUT" "$(cat "$EXP/sdboot-fields.json")" "json has only the requested keys"
run boot-detect --root "$TMP/malformed" entry-oneshot loader-features
expect_rc 0 "malformed: field query"
expect_eq "$OUT" $'xy\n-' "malformed: value without NUL accepted, malformed one absent"
expect_match "$ERR" "warning: malformed EFI variable LoaderFeatures-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f: expected attributes within 0x7f, got 0x80000007" \
        "malformed: warning names the variable"

# The narrower overrides replace --root.
run boot-detect --root /nonexistent --sysfs-root "$TMP/grub212/sys" --efivars-dir "$TMP/sdboot/sys/firmware/efi/efivars" loader
expect_rc 0 "overrides"
expect_eq "$OUT" "systemd-boot" "efivars from --efivars-dir"

# EFI fields on bios: exit 3, the value still printed; firmware alone is fine.
snap "$TMP/bios" bios2
run boot-detect --root "$TMP/bios" firmware efivars
expect_rc 0 "bios: non-EFI fields"
expect_eq "$OUT" $'bios\nno' "bios: values"
run boot-detect --root "$TMP/bios" firmware loader
expect_rc 3 "bios: EFI field"
expect_eq "$OUT" $'bios\nunknown' "bios: values still printed"
expect_eq "$ERR" "boot-detect: loader: needs EFI variables, not available at $TMP/bios/sys/firmware/efi/efivars (firmware bios)" \
        "bios: message"
run boot-detect --root "$TMP/bios" --json entry-oneshot boot-current
expect_rc 3 "bios: json EFI fields"
expect_eq "$OUT" $'{\n  "entry_oneshot": null,\n  "boot_current": null\n}' "bios: json printed with nulls"
expect_unchanged "$TMP/bios" bios2 "bios: tree untouched"

# uefi with the efivars directory missing.
run boot-detect --root "$TMP/sdboot" --efivars-dir "$TMP/none" efivars entry-default
expect_rc 3 "no efivars directory"
expect_eq "$OUT" $'no\n-' "no efivars: values"

# sysfs missing: exit 3, JSON still printed.
mkdir -p "$TMP/nosys"
run boot-detect --root "$TMP/nosys"
expect_rc 3 "no sysfs"
expect_eq "$ERR" "boot-detect: sysfs not mounted at $TMP/nosys/sys" "no sysfs: message"
expect_eq "$OUT" "" "no sysfs: no text"
run boot-detect --root "$TMP/nosys" --json
expect_rc 3 "no sysfs: json"
expect_file "$OUT" "$EXP/nosys.json" "no sysfs: json with nulls"

# Usage errors: exit 1 before anything is read.
run boot-detect --root "$TMP/sdboot" --bogus
expect_rc 1 "unknown option"
expect_match "$ERR" "unknown or incomplete option: --bogus" "unknown option: message"
run boot-detect --root "$TMP/sdboot" no-such-field
expect_rc 1 "unknown field"
expect_eq "$ERR" "boot-detect: unknown field: no-such-field (see --help)" "unknown field: message"
expect_eq "$OUT" "" "unknown field: nothing printed"
run boot-detect --root
expect_rc 1 "missing option argument"
run boot-detect --help
expect_rc 0 "help"
expect_match "$OUT" "usage: boot-detect" "help text"

t_done
