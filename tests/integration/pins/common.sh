# Fixtures for the pin tests (spec §11 tests 22-25): a UEFI fake root whose efivars directory
# holds regular files, a fake systemd-boot that announces itself through LoaderInfo and
# LoaderFeatures, ESP stand-ins made by `espctl init`, and readers for the variables: ours (the
# raw file) and libefivar's efivar CLI (the oracle).
source "$SRC_DIR/tests/integration/esp/common.sh" || exit 1
GUID=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f

# efi_set DIR NAME VALUE [ATTR-BYTE]: a Boot Loader Interface string variable as efivarfs shows it.
efi_set() {
        local attr=${4:-\\x06}
        { printf "$attr\\x00\\x00\\x00"; printf '%s' "$3" | iconv -f UTF-8 -t UTF-16LE; printf '\0\0'; } >"$1/$2-$GUID"
}
# efi_get DIR NAME: the string value, or "<absent>".
efi_get() {
        local f=$1/$2-$GUID
        [ -e "$f" ] || { echo "<absent>"; return; }
        tail -c +5 "$f" | iconv -f UTF-16LE -t UTF-8 | tr -d '\0'
}
# efi_attr DIR NAME: the attribute word as two hex digits of its first byte.
efi_attr() { od -An -tx1 -N4 "$1/$2-$GUID" | tr -d ' \n'; }
# sdboot_fw DIR: systemd-boot 252 with entry-oneshot (bit 3) and boot-counting (bit 4).
sdboot_fw() {
        efi_set "$1" LoaderInfo "systemd-boot 252.38-1~deb12u1"
        printf '\x06\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00' >"$1/LoaderFeatures-$GUID"
}
# oracle DIR NAME: libefivar's reading (attributes and UTF-16LE bytes), or exit 77 skip marker.
oracle() { EFIVARFS_PATH=$1/ LIBEFIVAR_OPS=efivarfs efivar -p -n "$GUID-$2"; }
oracle_bytes() { sed -n '/^Value:/,$p' | tail -n +2 | cut -c11-58 | tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//'; }
utf16_bytes() {
        { printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE; printf '\0\0'; } | od -An -tx1 -v | tr -s ' \n' '  ' |
                sed 's/^ *//; s/ *$//'
}
ORACLE_ATTRS=$'Attributes:\n\tNon-Volatile\n\tBoot Service Access\n\tRuntime Service Access'
# expect_var_oracle DIR NAME VALUE: efivar reads attributes 0x7 and VALUE's UTF-16LE bytes.
expect_var_oracle() {
        command -v efivar >/dev/null || { t_ok "$2: efivar not installed, oracle skipped"; return; }
        local out rc=0
        out=$(oracle "$1" "$2") || rc=$?
        expect_eq "$rc" 0 "efivar reads $2"
        expect_eq "$(printf '%s\n' "$out" | sed -n '/^Attributes:/,/^Value:/p' | sed '$d')" "$ORACLE_ATTRS" "$2: attributes NV, BS, RT (efivar)"
        expect_eq "$(printf '%s\n' "$out" | oracle_bytes)" "$(utf16_bytes "$3")" "$2: UTF-16LE bytes of $3 (efivar)"
}

# pins_root ROOT V...: UEFI fake root with systemd-boot variables and a grub x86_64-efi payload.
pins_root() {
        local root=$1; shift
        esp_root "$root" uefi "$@"
        mkdir -p "$root/usr/lib/grub/x86_64-efi"
        printf 'fake module\n' >"$root/usr/lib/grub/x86_64-efi/normal.mod"
        EV=$root/sys/firmware/efi/efivars
        sdboot_fw "$EV"
}
# three_esps: two systemd-boot ESPs and a grub one (uefi) under $TMP, initialised for root $R;
# sets E to the options that name all three.
three_esps() {
        mkdir -p "$TMP/esp1" "$TMP/esp2" "$TMP/g1"
        local pair
        for pair in 2F7A-2067="$TMP/esp1" A0B1-C2D3="$TMP/esp2"; do
                run espctl --root "$R" --esp-dir "$pair" init
                expect_rc 0 "init ${pair%%=*}"
        done
        run espctl --root "$R" --esp-dir 1111-AAAA="$TMP/g1" init grub
        expect_rc 0 "init grub ESP"
        E=(--root "$R" --esp-dir 2F7A-2067="$TMP/esp1" --esp-dir A0B1-C2D3="$TMP/esp2" --esp-dir 1111-AAAA="$TMP/g1")
}
# loader_default ESP: the default line of loader.conf.
loader_default() { sed -n 's/^default *//p' "$1/loader/loader.conf"; }
# grubenv_list ESP: name=value lines of the grubenv block, sorted.
grubenv_list() { grep -v '^#' "$1/grub/grubenv" | sort; }
