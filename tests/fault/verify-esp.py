#!/usr/bin/env python3
"""Invariant checker for ESP directories (spec esp-boot-kernel.md §7.4), used after every injected
crash or write error. It is written independently of the C code (own parsers for entries,
loader.conf, grub.cfg, grubenv, the manifest and EFI variables), so it is an oracle, not a
re-run of the code under test.

  I1  every present loader entry parses; each file it names exists with the size and crc32 of a
      manifest `file` or `pending` record (grub ESPs: the same for every menuentry's linux/initrd)
  I2  loader.conf, grub.cfg and grubenv parse; grubenv keeps its size
  I3  every default resolves: loader.conf `default` (systemd-boot glob) matches an entry; grub.cfg
      `set default`, grubenv saved_entry and a non-empty next_entry name menuentries; our
      LoaderEntryOneShot/LoaderEntryDefault match an entry on each systemd-boot ESP
  I4  an ESP that had a valid entry before the run still has one (--before FILE, written earlier
      with --record FILE)

usage: verify-esp.py [--efivars DIR] [--record FILE] [--before FILE] [--quiet] ESP_DIR...
       verify-esp.py --serve   (one tab-separated argument list per stdin line; each answer ends
                                with "#end RC": python's start-up would dominate a sweep)
Exit 0 when every invariant holds, 1 with one line per violation on stdout, 2 on usage errors.
"""
import json
import os
import re
import sys
import zlib

LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
GRUBENV_SIG = b"# GRUB Environment Block\n"
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+~^-]{0,127}$")
COUNTER_RE = re.compile(r"\+[0-9]+(-[0-9]+)?$")


def crc_and_size(path):
    crc = 0
    size = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return size, crc & 0xFFFFFFFF


def sd_glob(pattern, name):
    """systemd-boot's pattern match: *, ?, [...] with ranges and !/^ negation, ASCII
    case-insensitive, whole name."""
    p, s = pattern.lower(), name.lower()
    rx = []
    i = 0
    while i < len(p):
        c = p[i]
        if c == "*":
            rx.append(".*")
        elif c == "?":
            rx.append(".")
        elif c == "[":
            j = i + 1
            neg = False
            if j < len(p) and p[j] in "!^":
                neg = True
                j += 1
            k = j
            first = True
            while k < len(p) and (first or p[k] != "]"):
                k += 1
                first = False
            if k >= len(p):
                rx.append(re.escape("["))
            else:
                body = p[j:k]
                items = []
                m = 0
                while m < len(body):
                    if m + 2 < len(body) and body[m + 1] == "-":
                        items.append(re.escape(body[m]) + "-" + re.escape(body[m + 2]))
                        m += 3
                    else:
                        items.append(re.escape(body[m]))
                        m += 1
                rx.append("[" + ("^" if neg else "") + "".join(items) + "]")
                i = k
        else:
            rx.append(re.escape(c))
        i += 1
    return re.fullmatch("".join(rx), s, re.S) is not None


def version_valid(v):
    return bool(VERSION_RE.match(v)) and ".." not in v and not COUNTER_RE.search(v)


def our_entry_version(fname, prefix):
    """Version of an entry file name of ours (P-V.conf, P-V+L.conf, P-V+L-D.conf), else None."""
    if not fname.startswith(prefix + "-") or not fname.endswith(".conf"):
        return None
    stem = fname[len(prefix) + 1:-5]
    m = re.search(r"\+[0-9]+(-[0-9]+)?$", stem)
    if m:
        stem = stem[:m.start()]
    return stem if version_valid(stem) else None


class Esp:
    def __init__(self, path, errors):
        self.path = path
        self.name = os.path.basename(os.path.normpath(path))
        self.errors = errors
        self.records = {}  # path -> list of (kind, size, crc)
        self.prefix = None
        self.mode = None
        self.entries = []  # (name, valid) for our entries / menuentries
        self.valid_entries = 0

    def err(self, inv, msg):
        self.errors.append("%s: %s: %s" % (self.name, inv, msg))

    def rel(self, p):
        return os.path.join(self.path, p)

    def load_manifest(self):
        mp = self.rel("espctl-manifest")
        if not os.path.exists(mp):
            return False
        with open(mp, "rb") as f:
            data = f.read()
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            self.err("I1", "espctl-manifest: not ASCII")
            return False
        lines = text.split("\n")
        if not text.endswith("\n") or lines[0] != "espctl-manifest 1":
            self.err("I1", "espctl-manifest:1: expected 'espctl-manifest 1', got %r" % lines[0][:60])
            return False
        for n, line in enumerate(lines[1:-1], start=2):
            w = line.split(" ")
            if len(w) == 2 and w[0] in ("prefix", "mode"):
                setattr(self, w[0], w[1])
            elif len(w) == 4 and w[0] in ("file", "entry", "config", "loader", "pending") \
                    and w[2].isdigit() and re.fullmatch(r"[0-9a-f]{8}", w[3]):
                self.records.setdefault(w[1], []).append((w[0], int(w[2]), int(w[3], 16)))
            else:
                self.err("I1", "espctl-manifest:%d: expected '<kind> <path> <size> <crc>', got %r" % (n, line))
                return False
        if self.prefix is None or self.mode not in ("systemd-boot", "grub"):
            self.err("I1", "espctl-manifest: prefix or mode missing")
            return False
        return True

    def check_file(self, what, p):
        """I1 for one file named by an entry: exists and matches a file/pending record."""
        rel = p.lstrip("/")
        full = self.rel(rel)
        if not os.path.isfile(full):
            self.err("I1", "%s names %s, which does not exist" % (what, p))
            return False
        size, crc = crc_and_size(full)
        recs = [r for r in self.records.get(rel, []) if r[0] in ("file", "pending")]
        if not recs:
            self.err("I1", "%s names %s, which has no file/pending record in the manifest" % (what, p))
            return False
        if not any(r[1] == size and r[2] == crc for r in recs):
            self.err("I1", "%s names %s: size %d crc %08x match no manifest record (%s)"
                     % (what, p, size, crc, ", ".join("%s %d %08x" % r for r in recs)))
            return False
        return True

    # ---- systemd-boot ----
    def parse_entry(self, fname, data):
        """BLS Type #1: keys in any order, CR/LF, tabs, '#' lines, quoted values."""
        if b"\0" in data:
            self.err("I1", "loader/entries/%s: NUL byte" % fname)
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.err("I1", "loader/entries/%s: not UTF-8" % fname)
            return None
        keys = {}
        for n, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
            line = line.strip(" \t")
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^(\S+)[ \t]+(.*)$", line)
            if not m:
                self.err("I1", "loader/entries/%s:%d: expected 'key value', got %r" % (fname, n, line))
                return None
            k, v = m.group(1), m.group(2).strip(" \t")
            if len(v) >= 1 and v[0] in "\"'":
                if len(v) < 2 or v[-1] != v[0]:
                    self.err("I1", "loader/entries/%s:%d: unterminated quote" % (fname, n))
                    return None
                v = v[1:-1]
            keys.setdefault(k, []).append(v)
        return keys

    def check_systemd_boot(self):
        lc = self.rel("loader/loader.conf")
        default = None
        if os.path.exists(lc):
            with open(lc, "rb") as f:
                data = f.read()
            try:
                text = data.decode("utf-8")
                if "\0" in text:
                    raise ValueError
            except (UnicodeDecodeError, ValueError):
                self.err("I2", "loader/loader.conf: not text")
                text = ""
            for n, line in enumerate(re.split(r"\r?\n", text), start=1):
                s = line.strip(" \t")
                if not s or s.startswith("#"):
                    continue
                m = re.match(r"^(\S+)(?:[ \t]+(.*))?$", s)
                if not m:
                    self.err("I2", "loader/loader.conf:%d: expected 'key value', got %r" % (n, line))
                    continue
                if m.group(1) == "default" and default is None:
                    default = (m.group(2) or "").strip(" \t")
        elif self.records:
            # an initialised systemd-boot ESP always has loader.conf (init writes it first)
            self.err("I2", "loader/loader.conf missing")
        ed = self.rel("loader/entries")
        names = sorted(os.listdir(ed)) if os.path.isdir(ed) else []
        names = [n for n in names if n.endswith(".conf") and not n.startswith(".")]
        for fname in names:
            with open(os.path.join(ed, fname), "rb") as f:
                keys = self.parse_entry(fname, f.read())
            if keys is None:
                continue
            named = [v.lstrip("/") for k in ("linux", "initrd") for v in keys.get(k, [])]
            # Ours: named for the manifest's prefix, or naming a file the manifest records (during
            # a prefix change the new prefix's entries arrive while the manifest keeps the old
            # prefix until the last old file is gone). Foreign entries are parsed, never judged.
            if our_entry_version(fname, self.prefix) is None and not any(p in self.records for p in named):
                continue
            ok = True
            if "linux" not in keys:
                self.err("I1", "loader/entries/%s: no linux key" % fname)
                ok = False
            for k in ("linux", "initrd"):
                for v in keys.get(k, []):
                    ok &= self.check_file("loader/entries/" + fname, v)
            self.entries.append((fname, ok))
            self.valid_entries += ok
        self.entry_names = names
        if default is not None and names and not any(sd_glob(default, n) for n in names):
            self.err("I3", "loader.conf default %r matches no entry (%s)" % (default, " ".join(names)))
        elif default is not None and not names and self.records_have_kind("file"):
            self.err("I3", "loader.conf default %r: no entries at all while the manifest lists kernels" % default)

    def records_have_kind(self, kind):
        return any(r[0] == kind for recs in self.records.values() for r in recs)

    # ---- grub ----
    def parse_grub_cfg(self, text):
        """Top-level `set default=`, menuentry ids and each menuentry's linux/initrd paths."""
        default = None
        menus = []
        depth = 0
        cur = None
        for n, raw in enumerate(text.split("\n"), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.count("'") % 2 and "'\\''" not in line:
                self.err("I2", "grub/grub.cfg:%d: unterminated quote" % n)
                return None, None
            if line.startswith("menuentry "):
                if not line.endswith("{"):
                    self.err("I2", "grub/grub.cfg:%d: menuentry without '{'" % n)
                    return None, None
                m = re.search(r"--id[ =]('[^']*'|\"[^\"]*\"|\S+)", line)
                mid = m.group(1).strip("'\"") if m else None
                cur = {"id": mid, "files": [], "line": n}
                depth += 1
                continue
            if line.startswith(("if ", "elif ")) or line == "else":
                if line.startswith("if "):
                    depth += 1
                continue
            if line == "fi":
                depth -= 1
                continue
            if line == "}":
                if cur is None:
                    self.err("I2", "grub/grub.cfg:%d: '}' without menuentry" % n)
                    return None, None
                menus.append(cur)
                cur = None
                depth -= 1
                continue
            if cur is not None:
                w = line.split()
                if w[0] in ("linux", "initrd") and len(w) > 1:
                    cur["files"].append(w[1].strip("'"))
                continue
            m = re.match(r'^set default=(?:"([^"]*)"|\'([^\']*)\'|(\S*))$', line)
            if m and depth == 0 and default is None:
                default = next(g for g in m.groups() if g is not None)
        if cur is not None or depth != 0:
            self.err("I2", "grub/grub.cfg: unbalanced blocks at the end")
            return None, None
        return default, menus

    def check_grub(self):
        ids = None
        gc = self.rel("grub/grub.cfg")
        if os.path.exists(gc):
            with open(gc, "rb") as f:
                try:
                    text = f.read().decode("utf-8")
                except UnicodeDecodeError:
                    self.err("I2", "grub/grub.cfg: not UTF-8")
                    text = None
            if text is not None:
                default, menus = self.parse_grub_cfg(text)
                if menus is not None:
                    ids = [m["id"] for m in menus]
                    for m in menus:
                        ok = bool(m["files"])
                        if not ok:
                            self.err("I1", "grub.cfg menuentry %s names no kernel" % m["id"])
                        for p in m["files"]:
                            ok &= self.check_file("grub.cfg menuentry " + str(m["id"]), p)
                        self.entries.append((m["id"], ok))
                        self.valid_entries += ok
                    if default is not None and ids and default not in ids:
                        self.err("I3", "grub.cfg set default=%r names no menuentry (%s)" % (default, " ".join(map(str, ids))))
        elif self.records_have_kind("file"):
            self.err("I2", "grub/grub.cfg missing while the manifest lists kernels")
        ge = self.rel("grub/grubenv")
        if os.path.exists(ge):
            with open(ge, "rb") as f:
                data = f.read()
            self.grubenv_size = len(data)
            if not data.startswith(GRUBENV_SIG):
                self.err("I2", "grub/grubenv: no signature")
                return
            body = data[len(GRUBENV_SIG):]
            env = {}
            lines = body.split(b"\n")
            i = 0
            while i < len(lines):
                line = lines[i]
                i += 1
                if not line or line.startswith(b"#"):
                    continue
                m = re.match(rb"^([A-Za-z0-9_]+)=(.*)$", line)
                if not m:
                    self.err("I2", "grub/grubenv: bad line %r" % line[:60])
                    return
                val = m.group(2)
                while val.endswith(b"\\") and not val.endswith(b"\\\\") and i < len(lines):
                    val = val[:-1] + b"\n" + lines[i]
                    i += 1
                env.setdefault(m.group(1).decode(), val.replace(b"\\\\", b"\\").decode("utf-8", "replace"))
            pad = data.rstrip(b"#")
            if not pad.endswith(b"\n"):
                self.err("I2", "grub/grubenv: padding is not '#' after the last line")
            for var in ("saved_entry", "next_entry"):
                v = env.get(var, "")
                if v and (ids is None or v not in ids):
                    self.err("I3", "grubenv %s=%s names no menuentry (%s)" % (var, v, " ".join(map(str, ids or [])) or "no grub.cfg"))
        else:
            self.grubenv_size = None

    def check(self):
        self.grubenv_size = None
        self.entry_names = []
        if not self.load_manifest():
            if os.path.exists(self.rel("espctl-manifest")):
                return
            # no manifest: only an ESP without any entry of ours passes
            self.prefix = self.prefix or "proxmox"
        if self.mode == "grub" or (self.mode is None and os.path.isdir(self.rel("grub"))
                                   and not os.path.exists(self.rel("loader/loader.conf"))):
            self.check_grub()
        else:
            self.check_systemd_boot()


def read_efi_string(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] & 0x80 or any(data[1:4]):
        return None
    payload = data[4:]
    if len(payload) % 2:
        return None
    s = payload.decode("utf-16-le", "replace")
    return s.split("\0", 1)[0]


def main(argv):
    efivars = record = before = None
    quiet = False
    esps = []
    it = iter(argv)
    for a in it:
        if a == "--efivars":
            efivars = next(it)
        elif a == "--record":
            record = next(it)
        elif a == "--before":
            before = next(it)
        elif a == "--quiet":
            quiet = True
        elif a.startswith("-"):
            print("verify-esp: unknown option %s" % a, file=sys.stderr)
            return 2
        else:
            esps.append(a)
    if not esps:
        print(__doc__.split("\n\n")[-1].strip(), file=sys.stderr)
        return 2
    errors = []
    checked = []
    for p in esps:
        e = Esp(p, errors)
        e.check()
        checked.append(e)
    # grubenv keeps its size (I2) and I4, against the state recorded before the run
    if before:
        with open(before) as f:
            prev = json.load(f)
        for e in checked:
            was = prev.get(e.path, {})
            if was.get("valid_entries", 0) > 0 and e.valid_entries == 0:
                errors.append("%s: I4: had %d valid entries before the run, none now" % (e.name, was["valid_entries"]))
            gs = was.get("grubenv_size")
            if gs is not None and e.grubenv_size is not None and gs != e.grubenv_size:
                errors.append("%s: I2: grubenv was %d bytes, now %d" % (e.name, gs, e.grubenv_size))
    for e in checked:
        if e.grubenv_size is not None and not before and e.grubenv_size != 1024:
            errors.append("%s: I2: grubenv is %d bytes, expected 1024" % (e.name, e.grubenv_size))
    # I3 for our EFI variables: they must name an entry on every systemd-boot ESP
    if efivars and os.path.isdir(efivars):
        for var in ("LoaderEntryOneShot", "LoaderEntryDefault"):
            vp = os.path.join(efivars, "%s-%s" % (var, LOADER_GUID))
            # A 0-byte file is a variable created but never written (a crash between the
            # O_CREAT open and the one write()): efivarfs keeps it in memory only, the firmware
            # never sees it, so it counts as absent.
            if not os.path.exists(vp) or os.path.getsize(vp) == 0:
                continue
            val = read_efi_string(vp)
            if val is None:
                errors.append("efivars: I3: %s is malformed" % var)
                continue
            for e in checked:
                if e.mode != "systemd-boot" or not e.prefix or not val.startswith(e.prefix + "-"):
                    continue  # not ours (another vendor's entry or pattern)
                if not any(sd_glob(val, n) for n in e.entry_names):
                    errors.append("%s: I3: %s=%s matches no entry" % (e.name, var, val))
    if record:
        with open(record, "w") as f:
            json.dump({e.path: {"valid_entries": e.valid_entries, "grubenv_size": e.grubenv_size}
                       for e in checked}, f)
    for line in errors:
        print(line)
    if not errors and not quiet:
        print("verify-esp: %d ESPs ok (%s)" % (len(checked), ", ".join(
            "%s %d entries" % (e.name, e.valid_entries) for e in checked)))
    return 1 if errors else 0


def serve():
    for line in sys.stdin:
        args = line.rstrip("\n").split("\t")
        try:
            rc = main(args)
        except Exception as e:  # a crash of the oracle is a failure, never a pass
            print("verify-esp: internal error: %r" % e)
            rc = 3
        print("#end %d" % rc, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(serve() if sys.argv[1:] == ["--serve"] else main(sys.argv[1:]))
