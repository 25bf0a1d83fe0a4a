#!/usr/bin/env python3
"""Write the fuzz seed corpora from real inputs (tests/fuzz/corpus/TARGET/).

  cmdline       the GRUB entries' options, the boot matrix's extras, the console
                test's probe= options, and the command lines in the self-tests
  probe_events  every probe definition in the tests (C self-tests, console test,
                README), one per file, plus all of them as one multi-line input
  shell         the console test's typed commands, as COM1 bytes (CR, DEL, ESC [ A)
  multiboot2    boot information built like GRUB's, with the RSDPs of the ACPI seeds
  acpi          written by tools/acpi-corpus.py from tables of real QEMU boots

Seed files are named by the hash of their content; running it again adds only
what is new. Crash inputs found by `make fuzz` go to the same folders by hand.
"""
import glob
import hashlib
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def save(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path = os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()[:16])
    with open(path, "wb") as f:
        f.write(data)


def read(path):
    with open(os.path.join(ROOT, path), errors="replace") as f:
        return f.read()


def c_strings(text):
    """The C/Python string literals of a file, unescaped enough for the seeds."""
    out = []
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', text):
        s = m.group(1).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        out.append(s)
    return out


def probe_definitions():
    defs = set()
    files = glob.glob(os.path.join(ROOT, "tests/kernel/*.c")) + glob.glob(os.path.join(ROOT, "tests/*.py"))
    for path in files:
        for s in c_strings(read(path)):
            for line in s.split("\n"):
                line = line.strip()
                if re.match(r"^[pr](:\w*)? ", line) or re.match(r"^-:\w+$", line):
                    defs.add(line)
    for m in re.finditer(r"probe=['\"]([pr]:[^'\"]*)['\"]", read("README.md") + read("tests/test_console.py")):
        defs.add(m.group(1))
    return sorted(defs)


def cmdlines():
    lines = set()
    for m in re.finditer(r"multiboot2 \S+ (.*)", read("iso/grub.cfg")):
        lines.add(m.group(1).replace("$up_args", "qemu_exit=1 console=serial"))
    run_all = read("tests/run_all.py")
    for extra in re.findall(r'\("(?:i386|x86_64)", "\w+", "\w+", "([^"]*)"\)', run_all):
        lines.add("mode=test qemu_exit=1 " + extra)
    m = re.search(r"CMDLINE_PROBES = \((.*?)\)\n", read("tests/test_console.py"), re.S)
    if m:
        probes = "".join(re.findall(r"'([^']*)'", m.group(1)))
        lines.add("mode=test test=probe_events " + probes)
    for s in c_strings(read("tests/kernel/test_cmdline.c")):
        if "=" in s and len(s) < 400:
            lines.add(s)
    return sorted(lines)


def shell_inputs(defs):
    typed = re.findall(r'command\(s, "([^"]*)"', read("tests/test_console.py"))
    typed += ["syms", "p:scr probe_events_list s=$stack0:symbol"]
    out = ["\r".join(typed) + "\r"]
    for t in typed:
        out.append(t + "\r")
    # editing keys over COM1: arrows (history), DEL, Ctrl-U, Ctrl-C, CRLF
    out.append("help\rprobes\r\x1b[A\x1b[A\r\x1b[B\x7f\x7fx\r")
    out.append("p:a pe_target x=%ax\x15trace show\r\n\x03probes\r")
    out.append("\r".join(defs[:8]) + "\r-:a\r")
    return out


def mb2_tag(t, payload):
    data = struct.pack("<II", t, 8 + len(payload)) + payload
    return data + b"\0" * (-len(data) % 8)


def multiboot_infos():
    """Boot information shaped like GRUB's (the tags the kernel reads)."""
    rsdps = []
    for path in sorted(glob.glob(os.path.join(HERE, "corpus", "acpi", "*"))):
        with open(path, "rb") as f:
            d = f.read()
        if len(d) > 2 and d[2:10] == b"RSD PTR ":
            rsdps.append((d[0] & 1, d[2:2 + d[1]]))
    if not rsdps:
        rsdps = [(0, b"RSD PTR " + bytes(12))]
    out = []
    for new, rsdp in rsdps[:4]:
        tags = mb2_tag(1, b"mode=test qemu_exit=1\0") + mb2_tag(2, b"GRUB 2.06-13+deb12u1\0")
        tags += mb2_tag(4, struct.pack("<II", 639, 129920))
        entries = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2),
                   (0x100000, 0x7ee0000, 1), (0x7fe0000, 0x20000, 2), (0xfffc0000, 0x40000, 2)]
        tags += mb2_tag(6, struct.pack("<II", 24, 0) + b"".join(struct.pack("<QQII", b, l, t, 0) for b, l, t in entries))
        tags += mb2_tag(8, struct.pack("<QIIIBBH", 0xb8000, 160, 80, 25, 16, 2, 0))
        tags += mb2_tag(15 if new else 14, rsdp)
        if new:
            tags += mb2_tag(12, struct.pack("<Q", 0x7f9e018)) + mb2_tag(17, struct.pack("<II", 48, 1))
        tags += mb2_tag(0, b"")
        out.append(tags)  # the harness writes the 8-byte header itself
    return out


def main():
    defs = probe_definitions()
    for d in defs:
        save("probe_events", d)
    save("probe_events", "\n".join(defs) + "\n")
    for line in cmdlines():
        save("cmdline", line)
    for s in shell_inputs(defs):
        save("shell", s)
    for info in multiboot_infos():
        save("multiboot2", info)
    print("seeds: %d probe definitions, %d command lines" % (len(defs), len(cmdlines())), file=sys.stderr)


if __name__ == "__main__":
    main()
