#!/usr/bin/env bash
# Every EFI variable we write reads the same with libefivar's efivar CLI (the oracle, spec §11
# tests 22/23): attributes Non-Volatile, Boot Service Access, Runtime Service Access and the
# UTF-16LE bytes with NUL; and what efivar writes, our reader reads. An unchanged write touches
# nothing (inode, mtime), a delete removes the variable.
source "$TESTLIB"
command -v efivar >/dev/null || { echo "efivar not installed: skipped"; exit 77; }
TOOL=$BUILD_DIR/tests/integration/boot/efivar-tool
GUID=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
T=$TMP/root
EV=$T/sys/firmware/efi/efivars
mkdir -p "$EV"

oracle() { # name -> efivar -p output
        EFIVARFS_PATH=$EV/ LIBEFIVAR_OPS=efivarfs efivar -p -n "$GUID-$1"
}
oracle_bytes() { # efivar -p output -> hex bytes, one line
        sed -n '/^Value:/,$p' | tail -n +2 | cut -c11-58 | tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//'
}
utf16_bytes() { # string -> UTF-16LE bytes with NUL, hex, one line
        { printf '%s' "$1" | iconv -f UTF-8 -t UTF-16LE; printf '\0\0'; } | od -An -tx1 -v | tr -s ' \n' '  ' |
                sed 's/^ *//; s/ *$//'
}
ATTRS=$'Attributes:\n\tNon-Volatile\n\tBoot Service Access\n\tRuntime Service Access'

for pair in "LoaderEntryOneShot=proxmox-6.8.12-2-pve.conf" "LoaderEntryDefault=proxmox-6.8.12-4-pve+*" \
            "LoaderEntryDefault=Prüfung-€-😀.conf" "LoaderEntryOneShot=x"; do
        name=${pair%%=*} value=${pair#*=}
        RC=0; w=$("$TOOL" "$EV" write "$name" "$value") || RC=$?
        expect_rc 0 "write $name=$value"
        expect_eq "$w" "written" "$name: reported written"
        RC=0; out=$(oracle "$name") || RC=$?
        expect_rc 0 "efivar reads $name"
        expect_match "$out" "Name: \"$name\"" "$name: efivar sees the name"
        expect_eq "$(printf '%s\n' "$out" | sed -n '/^Attributes:/,/^Value:/p' | sed '$d')" "$ATTRS" "$name: attributes 0x7"
        expect_eq "$(printf '%s\n' "$out" | oracle_bytes)" "$(utf16_bytes "$value")" "$name: UTF-16LE bytes with NUL"
        RC=0; back=$("$TOOL" "$EV" read "$name") || RC=$?
        expect_eq "$back" "$value" "$name: our reader agrees"
done

# boot-detect reads what we wrote.
"$TOOL" "$EV" write LoaderEntryOneShot proxmox-6.8.12-2-pve.conf >/dev/null
run boot-detect --root "$T" entry-oneshot entry-default
expect_rc 0 "boot-detect reads the variables"
expect_eq "$OUT" $'proxmox-6.8.12-2-pve.conf\nPrüfung-€-😀.conf' "boot-detect values"

# Unchanged value: no write at all.
snap "$EV" ev
RC=0; w=$("$TOOL" "$EV" write LoaderEntryOneShot proxmox-6.8.12-2-pve.conf) || RC=$?
expect_eq "$w" "unchanged" "same value reported unchanged"
expect_unchanged "$EV" ev "same value: inode, mtime and bytes kept"
# ... checked at the system-call level: only reads, no open for writing, no ioctl, no unlink.
if command -v strace >/dev/null; then
        RC=0
        ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat,open,write,unlinkat,unlink,ioctl,rename,renameat,renameat2 \
                -o "$TMP/strace" "$TOOL" "$EV" write LoaderEntryOneShot proxmox-6.8.12-2-pve.conf >/dev/null || RC=$?
        if [ "$RC" = 0 ]; then
                expect_match "$(cat "$TMP/strace")" "LoaderEntryOneShot-$GUID\", O_RDONLY" "same value: the variable is read"
                bad=$(grep -E 'O_WRONLY|O_RDWR|O_CREAT|unlink|FS_IOC|rename|write\([^1]' "$TMP/strace" || true)
                expect_eq "$bad" "" "same value: no write-side system call"
        else
                echo "strace unusable here: system-call check skipped"
        fi
fi

# What efivar writes, we read (attributes as efivar sets them).
printf 'a\0\xe4\0\0\0' >"$TMP/val"
RC=0; EFIVARFS_PATH=$EV/ LIBEFIVAR_OPS=efivarfs efivar -w -n "$GUID-LoaderEntrySelected" -f "$TMP/val" || RC=$?
expect_rc 0 "efivar writes LoaderEntrySelected"
RC=0; back=$("$TOOL" "$EV" read LoaderEntrySelected) || RC=$?
expect_eq "$back" "aä" "our reader reads efivar's variable"

# Delete: gone for efivar too; deleting again is success.
RC=0; d=$("$TOOL" "$EV" delete LoaderEntryOneShot) || RC=$?
expect_eq "$d" "deleted" "delete"
RC=0; oracle LoaderEntryOneShot >/dev/null 2>&1 || RC=$?
t_check "efivar no longer finds LoaderEntryOneShot" [ "$RC" != 0 ]
RC=0; d=$("$TOOL" "$EV" delete LoaderEntryOneShot) || RC=$?
expect_rc 0 "delete of an absent variable"
expect_eq "$d" "absent" "absent reported"

t_done
