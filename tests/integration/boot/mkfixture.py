#!/usr/bin/env python3
"""Build fake sysfs trees for boot-detect: mkfixture.py DIR KIND... makes DIR/KIND for each.

DIR/sys/firmware/efi/ (uefi kinds) with fw_platform_size and an efivars/ directory of regular
files, each a 4-byte little-endian attribute word plus the data, as efivarfs shows them."""
import os
import struct
import sys
import uuid

LOADER = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
PART = "1b2c3d4e-5f60-4718-a9b0-c1d2e3f40516"


def s16(s):
    return s.encode("utf-16-le") + b"\0\0"


def load_option(desc, path, part=PART):
    hd = struct.pack("<BBHIQQ", 4, 1, 42, 1, 2048, 1048576) + uuid.UUID(part).bytes_le + bytes([2, 2])
    fp = s16(path)
    file_node = struct.pack("<BBH", 4, 4, 4 + len(fp)) + fp
    end = struct.pack("<BBH", 0x7F, 0xFF, 4)
    dp = hd + file_node + end
    return struct.pack("<IH", 1, len(dp)) + s16(desc) + dp


class Tree:
    def __init__(self, root, uefi=True):
        self.sys = os.path.join(root, "sys")
        os.makedirs(self.sys, exist_ok=True)
        self.efivars = os.path.join(self.sys, "firmware/efi/efivars")
        if uefi:
            os.makedirs(self.efivars, exist_ok=True)
            with open(os.path.join(self.sys, "firmware/efi/fw_platform_size"), "w") as f:
                f.write("64\n")

    def var(self, name, guid, data, attr=0x6):
        with open(os.path.join(self.efivars, f"{name}-{guid}"), "wb") as f:
            f.write(struct.pack("<I", attr) + data)

    def raw(self, name, guid, raw):
        with open(os.path.join(self.efivars, f"{name}-{guid}"), "wb") as f:
            f.write(raw)


def build(kind, root):
    if kind == "bios":
        Tree(root, uefi=False)
        return
    t = Tree(root)
    if kind == "sdboot":
        t.var("LoaderInfo", LOADER, s16("systemd-boot 252.36-1~deb12u1"))
        t.var("LoaderFeatures", LOADER, struct.pack("<Q", 0x7F | (1 << 12)))
        t.var("LoaderEntries", LOADER, s16("proxmox-6.8.12-4-pve+2-1.conf") + s16("proxmox-6.8.12-2-pve.conf")
              + s16("auto-reboot-to-firmware-setup"))
        t.var("LoaderEntrySelected", LOADER, s16("proxmox-6.8.12-4-pve+2-1.conf"))
        t.var("LoaderEntryDefault", LOADER, s16("proxmox-6.8.12-2-pve.conf"), attr=0x7)
        t.var("LoaderEntryOneShot", LOADER, s16("proxmox-6.8.12-2-pve.conf"), attr=0x7)
        t.var("LoaderBootCountPath", LOADER, s16("/loader/entries/proxmox-6.8.12-4-pve+2-1.conf"))
        t.var("LoaderDevicePartUUID", LOADER, s16(PART.upper()))
        t.var("SecureBoot", GLOBAL, b"\0")
        t.var("SetupMode", GLOBAL, b"\0")
        t.var("BootCurrent", GLOBAL, struct.pack("<H", 1))
        t.var("Boot0001", GLOBAL, load_option("Linux Boot Manager", "\\EFI\\systemd\\systemd-bootx64.efi"), attr=0x7)
    elif kind == "grub212":
        t.var("LoaderInfo", LOADER, s16("GRUB 2.12"))
        t.var("LoaderDevicePartUUID", LOADER, s16(PART))
        t.var("SecureBoot", GLOBAL, b"\x01")
        t.var("SetupMode", GLOBAL, b"\0")
        t.var("BootCurrent", GLOBAL, struct.pack("<H", 0x10))
        t.var("Boot0010", GLOBAL, load_option("proxmox", "\\EFI\\proxmox\\shimx64.efi"), attr=0x7)
    elif kind == "shim":
        t.var("SetupMode", GLOBAL, b"\x01")
        t.var("SecureBoot", GLOBAL, b"\0")
        t.var("BootCurrent", GLOBAL, struct.pack("<H", 0xA))
        t.var("Boot000A", GLOBAL, load_option("debian", "\\EFI\\debian\\SHIMX64.EFI"), attr=0x7)
    elif kind == "other":
        t.var("BootCurrent", GLOBAL, struct.pack("<H", 2))
        t.var("Boot0002", GLOBAL, load_option("Windows Boot Manager", "\\EFI\\Microsoft\\Boot\\bootmgfw.efi"), attr=0x7)
    elif kind == "empty":
        pass
    elif kind == "malformed":
        t.raw("LoaderInfo", LOADER, b"\x06\x00\x00")                                # shorter than 4 bytes
        t.var("LoaderFeatures", LOADER, struct.pack("<Q", 0x18), attr=0x80000007)  # attributes above 0x7f
        t.var("LoaderEntries", LOADER, b"a\0b")                                    # odd length
        t.var("LoaderEntrySelected", LOADER, s16("proxmox-6.8.12-4-pve.conf"))      # fine
        t.var("LoaderEntryOneShot", LOADER, b"x\0y\0")                              # no NUL: accepted
        t.var("SecureBoot", GLOBAL, b"\x01\x00")                                   # two bytes
        t.var("BootCurrent", GLOBAL, b"\x01\x00\x00")                              # three bytes
    else:
        sys.exit(f"unknown fixture kind {kind}")


if __name__ == "__main__":
    for kind in sys.argv[2:]:
        build(kind, os.path.join(sys.argv[1], kind))
