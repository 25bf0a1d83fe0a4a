#!/usr/bin/env python3
"""The benchmark's QR codes, read back from screendumps with zbarimg.

  test_qr.py --iso iso/uniprobe.iso [--only i386/bios,x86_64/uefi] [--bench GLOB] [--keep DIR]

Boots mode=bench with a few scenarios (bench=f*: call, fentry_nop,
fentry_hook, fgraph) and qr=1 under SeaBIOS (VGA text: half-block
characters) and OVMF (framebuffer: pixel squares), takes a QEMU screendump
of every code the kernel announces on serial, steps to the next with a key
(COM1 and the PS/2 keyboard in turn), decodes each picture with zbarimg and
compares the JSON with the BENCH and BENCH_INFO lines from serial: arch,
unit, CPU, every scenario once in table order with its median and overhead,
the part numbers. Serial must carry no picture. Prints one line per check
and ends with 'N passed, M failed'.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402
from test_bench import Checks  # noqa: E402

CONFIGS = [("i386", "bios", "VGA text"), ("x86_64", "uefi", "framebuffer"),
           ("x86_64", "bios", "VGA text"), ("i386", "uefi", "framebuffer")]
ANNOUNCE = re.compile(r"bench: QR code (\d+)/(\d+) on the screen \((\d+) bytes, version (\d+)-L\)")


def options(iso, arch, fw, extra):
    p = argparse.ArgumentParser()
    qemu.add_options(p)
    return p.parse_args(["--iso", iso, "--arch", arch, "--fw", fw, "--mode", "bench",
                         "--timeout", "300", "--args", extra])


def zbar(path):
    """The decoded texts of the QR codes in an image (zbarimg --raw)."""
    p = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return [line for line in p.stdout.decode(errors="replace").split("\n") if line]


def bench_lines(text):
    info, results = None, []
    for line in text.split("\n"):
        if line.startswith("BENCH_INFO "):
            info = json.loads(line[len("BENCH_INFO "):])
        elif line.startswith("BENCH "):
            results.append(json.loads(line[len("BENCH "):]))
    return info, results


def compare(res, tag, parts, info, results):
    """The decoded parts against the BENCH lines."""
    arch = info["arch"] if info else None
    unit = {"instructions": "ins", "cycles": "cyc"}.get(info["unit"]) if info else None
    n = len(parts)
    res.check(tag + ": every code says its arch and unit",
              all(p.get("a") == arch and p.get("u") == unit for p in parts), str(parts))
    res.check(tag + ": codes numbered 1..%d of %d" % (n, n),
              [p.get("p") for p in parts] == [[k + 1, n] for k in range(n)], str([p.get("p") for p in parts]))
    res.check(tag + ": the first code names the CPU as BENCH_INFO does",
              bool(parts) and info is not None and parts[0].get("c") == info["cpu"] and
              all("c" not in p for p in parts[1:]), str(parts[:1]))
    got = []
    for p in parts:
        got += list(p.get("s", {}).items())
    want = [r["scenario"] for r in results]
    res.check(tag + ": every scenario of the BENCH lines once, in order (%d)" % len(want),
              [k for k, _ in got] == want and len(want) >= 2, "%s vs %s" % ([k for k, _ in got], want))
    bad = []
    for (k, v), r in zip(got, results):
        if "error" in r:
            ok = v is None
        else:
            ok = isinstance(v, list) and len(v) == 2 and v[0] == r["median"] and v[1] == r["overhead"]
        if not ok:
            bad.append((k, v, r.get("median"), r.get("overhead")))
    res.check(tag + ": medians and overheads equal the BENCH lines'", not bad and bool(got), str(bad))


def run(args, res, arch, fw, what, keep):
    tag = "qr %s/%s (%s)" % (arch, fw, what)
    opts = options(args.iso, arch, fw, "bench=%s qr=1" % args.bench)
    parts, announced = [], 0
    with qemu.Session(opts) as s:
        k = pos = 0
        while True:
            # From the end of the last announcement: typing reads serial too.
            at = s.wait_for("bench: QR code %d/" % (k + 1), 300 if k == 0 else 60, pos)
            if at < 0 or s.wait_for("\n", 10, at) < 0:
                break
            m = ANNOUNCE.search(s.text, at)
            if not m:
                break
            pos = m.end()
            k, total = int(m.group(1)), int(m.group(2))
            announced = total
            time.sleep(0.5)
            ppm = os.path.join(keep, "qr-%s-%s-%d.ppm" % (arch, fw, k))
            s.screendump(ppm)
            texts = zbar(ppm)
            try:
                doc = json.loads(texts[0]) if len(texts) == 1 else None
            except ValueError:
                doc = None
            res.check("%s: code %d/%d decodes from the screendump (%s bytes, version %s)" %
                      (tag, k, total, m.group(3), m.group(4)),
                      doc is not None and len(texts[0]) == int(m.group(3)), "zbarimg read %r" % texts)
            parts.append(doc or {})
            # The next code (or the end): COM1 and the keyboard in turn.
            if k % 2:
                s.write_serial(" ")
            else:
                s.type_keys(" ")
            if k == total:
                break
        rc = s.wait_exit(60)
        text = s.text
    res.check(tag + ": QEMU exits (passed) after the last code", rc == qemu.EXIT_PASS, "exit %s; %s" % (rc, text[-300:]))
    res.check(tag + ": %d codes shown" % announced, announced >= 1 and len(parts) == announced,
              "%d announced, %d read" % (announced, len(parts)))
    res.check(tag + ": serial carries no picture", not re.search("[\u2580-\u259f]", text))
    info, results = bench_lines(text)
    compare(res, tag, parts, info, results)
    with open(os.path.join(keep, "qr-%s-%s.log" % (arch, fw)), "w") as f:
        f.write(text)
    return announced


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default="iso/uniprobe.iso")
    ap.add_argument("--only", default=",".join("%s/%s" % c[:2] for c in CONFIGS))
    ap.add_argument("--bench", default="f*", help="scenarios (bench=GLOB); '*' for the whole table")
    ap.add_argument("--keep", default=None, help="directory for the screendumps and serial logs")
    args = ap.parse_args()
    keep = args.keep or tempfile.mkdtemp(prefix="uniprobe-qr-")
    os.makedirs(keep, exist_ok=True)
    res = Checks()
    counts = {}
    for arch, fw, what in CONFIGS:
        if "%s/%s" % (arch, fw) in args.only.split(","):
            counts[what] = max(counts.get(what, 0), run(args, res, arch, fw, what, keep))
    if "VGA text" in counts:
        res.check("VGA text needed more than one code (so stepping is tested)", counts["VGA text"] > 1,
                  str(counts))
    print("screendumps in %s" % keep)
    print("%d passed, %d failed" % (res.passed, res.failed))
    sys.exit(1 if res.failed else 0)


if __name__ == "__main__":
    main()
