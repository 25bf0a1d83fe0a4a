#!/usr/bin/env python3
"""Dump the ACPI tables of real QEMU boots into the acpi fuzz corpus.

  python3 tools/acpi-corpus.py [--iso iso/uniprobe.iso] [--out tests/fuzz/corpus/acpi]

Boots the ISO (x86_64, mode=idle) under SeaBIOS and OVMF, on the pc and q35
machines; once the kernel is idle, saves guest RAM with the monitor's
pmemsave, finds the RSDP (the signature on a 16-byte boundary with a good
checksum), walks the RSDT/XSDT, the FADT and its DSDT/FACS, and writes one
input in the format of tests/fuzz/fuzz_acpi.c: the RSDP as the boot loader
passes it (the 20-byte "old" tag and, for a revision 2 RSDP, the 36-byte
"new" one), then every table as a (phys, len, bytes) chunk.
"""
import argparse
import hashlib
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import qemu  # noqa: E402

MEMORY = 256 << 20


def find_rsdp(mem):
    """The RSDP with the highest revision (OVMF keeps a revision 0 copy too)."""
    best, pos = None, 0
    while True:
        pos = mem.find(b"RSD PTR ", pos)
        if pos < 0:
            return best
        if pos % 16 == 0 and sum(mem[pos:pos + 20]) & 0xff == 0 and \
                (best is None or mem[pos + 15] > mem[best + 15]):
            best = pos
        pos += 1


def table(mem, phys):
    if phys + 36 > len(mem):
        return None
    length = struct.unpack_from("<I", mem, phys + 4)[0]
    if length < 36 or phys + length > len(mem):
        return None
    return bytes(mem[phys:phys + length])


def walk(mem):
    rsdp_at = find_rsdp(mem)
    if rsdp_at is None:
        return None, {}
    rsdp = bytes(mem[rsdp_at:rsdp_at + 36])
    tables = {}
    revision, rsdt = rsdp[15], struct.unpack_from("<I", rsdp, 16)[0]
    xsdt = struct.unpack_from("<Q", rsdp, 24)[0] if revision >= 2 else 0
    for sdt, size in ((rsdt, 4), (xsdt, 8)):
        t = table(mem, sdt) if sdt else None
        if not t:
            continue
        tables[sdt] = t
        for off in range(36, len(t) - size + 1, size):
            phys = struct.unpack_from("<Q" if size == 8 else "<I", t, off)[0]
            e = table(mem, phys)
            if e:
                tables[phys] = e
    for phys, t in list(tables.items()):
        if t[:4] == b"FACP":
            for off, fmt in ((36, "<I"), (40, "<I"), (132, "<Q"), (140, "<Q")):  # FACS, DSDT, X_FACS, X_DSDT
                if off + struct.calcsize(fmt) <= len(t):
                    p = struct.unpack_from(fmt, t, off)[0]
                    e = table(mem, p) if p else None
                    if e:
                        tables[p] = e
    return rsdp, tables


def inputs(rsdp, tables):
    chunks = b"".join(struct.pack("<II", p, len(t)) + t for p, t in sorted(tables.items()))
    out = [bytes([0, 20]) + rsdp[:20] + chunks]
    if rsdp[15] >= 2:
        out.append(bytes([1, 36]) + rsdp + chunks)
    return out


def dump(args, fw, machine):
    p = qemu.argparse.ArgumentParser()
    qemu.add_options(p)
    argv = ["--iso", args.iso, "--arch", "x86_64", "--fw", fw, "--mode", "idle", "--timeout", "300"]
    if machine:
        argv += ["--machine", machine]
    opts = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ram")
        with qemu.Session(opts) as s:
            if s.wait_for("uniprobe: idle", 300) < 0:
                print("%s/%s: did not reach idle" % (fw, machine), file=sys.stderr)
                return []
            s.monitor('pmemsave 0 %d "%s"' % (MEMORY, path), timeout=120)
        with open(path, "rb") as f:
            mem = f.read()
    rsdp, tables = walk(mem)
    if not rsdp:
        print("%s/%s: no RSDP" % (fw, machine), file=sys.stderr)
        return []
    print("%s/%s: RSDP rev %d, %s" % (fw, machine or "pc", rsdp[15],
          " ".join("%s@%#x" % (t[:4].decode(errors="replace"), p) for p, t in sorted(tables.items()))),
          file=sys.stderr)
    return inputs(rsdp, tables)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default="iso/uniprobe.iso")
    ap.add_argument("--out", default="tests/fuzz/corpus/acpi")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    n = 0
    for fw in ("bios", "uefi"):
        for machine in (None, "q35"):
            for data in dump(args, fw, machine):
                name = "%s-%s-%s" % (fw, machine or "pc", hashlib.sha1(data).hexdigest()[:12])
                with open(os.path.join(args.out, name), "wb") as f:
                    f.write(data)
                n += 1
    print("%d inputs in %s" % (n, args.out), file=sys.stderr)
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
