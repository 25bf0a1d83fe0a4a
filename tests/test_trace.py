#!/usr/bin/env python3
"""make trace's output and the profiler, checked on real boots (mode=trace,
-icount for repeatable figures). Ends with 'N passed, M failed'.

  test_trace.py --iso ISO [--build BUILD]

graph     i386 and x86_64, function_graph of boot_selfwork with profile=k*:
          the Chrome JSON is valid and every call nests inside its parent
          on its CPU's track; the calls of the text trace and of the JSON
          are the same, one for one; the folded stacks add up to the roots'
          durations; the flame graph renders (rsvg-convert) to a non-blank
          PNG naming the functions; the profile table has exact hit counts
function  x86_64, trace=function:k* with a bad profile= glob and a probe
          event on kmalloc: one instant event per line of the text trace (function
          records and event hits alike), and the profiler's error
console   x86_64 mode=idle: profile GLOB / show / stop typed on COM1
"""
import argparse
import concurrent.futures
import json
import os
import re
import struct
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_console  # noqa: E402  (one way to type at the console)
import qemu  # noqa: E402
import trace  # noqa: E402
from test_bench import Checks  # noqa: E402

GRAPH_ARGS = "profile=k*"
FUNCTION_ARGS = 'trace=function:k* profile=no_such_function* probe="p:km kmalloc size=$arg0:u64"'


def boot(args, arch, extra, log_dir):
    p = argparse.ArgumentParser()
    qemu.add_options(p)
    opts = p.parse_args(["--iso", args.iso, "--arch", arch, "--mode", "trace", "--icount",
                         "--timeout", str(args.timeout), "--args", extra])
    opts.log = os.path.join(log_dir, "trace-%s-%s.log" % (arch, extra.split("=")[0]))
    return qemu.boot(opts)


# ---- the text trace, parsed back --------------------------------------------

GRAPH_LINE = re.compile(r"^ *(\d+)\) (.{14})\|  (.*)$")


def graph_duration_text(ns):
    """The kernel's duration column (trace_output.c line_duration), without the mark."""
    usecs = str(ns // 1000)
    if len(usecs) < 7:
        room = min(8 - len(usecs), 5)
        usecs += "." + ("%03d" % (ns % 1000))[:room - 1]
    return usecs + " us"


def text_calls(lines):
    """[(name, depth, duration text)] in entry order, from function_graph text."""
    calls, open_ = [], []
    for line in lines:
        m = GRAPH_LINE.match(line)
        if not m:
            continue
        dur = m.group(2).strip().lstrip("+!#*@$ ").strip()
        body = m.group(3)
        depth = (len(body) - len(body.lstrip(" "))) // 2
        body = body.strip()
        if body.endswith("();"):
            calls.append([body[:-3], depth, dur])
        elif body.endswith("() {"):
            calls.append([body[:-4], depth, None])
            open_.append(calls[-1])
        elif body.startswith("}") and open_:
            open_.pop()[2] = dur
    return [tuple(c) for c in calls]


# ---- PNG ---------------------------------------------------------------------

def read_png(path):
    """(width, height, rows of RGBA/RGB bytes) of an 8-bit PNG; raises on a bad file."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]:
            raise ValueError("bad CRC in %s" % kind)
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError("unexpected PNG type %d/%d" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride, rows, prev = w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


# ---- checks ------------------------------------------------------------------

def check_nesting(events):
    """Problems with the X events' nesting: per track, each call lies inside
    the call one level up (args.depth) that is open when it starts."""
    problems = []
    by_tid = {}
    for e in events:
        by_tid.setdefault(e["tid"], []).append(e)
    for tid, evs in by_tid.items():
        evs.sort(key=lambda e: (e["ts"], e["args"]["depth"]))
        stack = []
        for e in evs:
            d = e["args"]["depth"]
            start, end = round(e["ts"] * 1000), round((e["ts"] + e["dur"]) * 1000)
            while stack and stack[-1][0] >= d:
                stack.pop()
            if d and (not stack or stack[-1][0] != d - 1):
                problems.append("%s (depth %d) has no parent open at %d ns" % (e["name"], d, start))
            elif stack and not (stack[-1][1] <= start and end <= stack[-1][2]):
                problems.append("%s [%d, %d] outside its parent %s [%d, %d]" %
                                ((e["name"], start, end) + (stack[-1][3],) + stack[-1][1:3]))
            stack.append((d, start, end, e["name"]))
    return problems


def check_graph(c, args, arch, status, text, log_dir):
    tag = "graph %s" % arch
    c.check(tag + ": boot passes", status == "pass", status)
    out = os.path.join(log_dir, "trace-%s" % arch)
    summary, problems = trace.write_results(text, out, "uniprobe %s" % arch)
    c.check(tag + ": TRACE lines complete, no drops, calls paired", not problems, "; ".join(problems))

    try:
        doc = json.load(open(os.path.join(out, "trace.json")))
        events = doc["traceEvents"]
        ok = isinstance(events, list)
    except (ValueError, KeyError, OSError) as e:
        c.check(tag + ": trace.json is valid JSON with traceEvents", False, str(e))
        return
    c.check(tag + ": trace.json is valid JSON with traceEvents", ok)
    xs = [e for e in events if e.get("ph") == "X"]
    meta = {(e.get("name"), e.get("tid")) for e in events if e.get("ph") == "M"}
    c.check(tag + ": process and CPU 0 thread names", ("process_name", None) in meta and
            ("thread_name", 0) in meta, str(meta))
    c.check(tag + ": X events are well-formed (pid 0, tid = CPU, ts/dur >= 0)",
            xs and all(e["pid"] == 0 and e["tid"] == 0 and e["ts"] >= 0 and e["dur"] >= 0 and
                       isinstance(e["name"], str) for e in xs), "%d X events" % len(xs))
    nest = check_nesting(xs)
    c.check(tag + ": every call inside its parent on its track (%d calls)" % len(xs), not nest,
            "; ".join(nest[:3]))

    txt = open(os.path.join(out, "trace.txt")).read().splitlines()
    from_text = text_calls(txt)
    from_json = [(e["name"], e["args"]["depth"], graph_duration_text(e["args"]["duration_ns"]))
                 for e in sorted(xs, key=lambda e: (e["ts"], e["args"]["depth"]))]
    first_diff = next((i for i, (a, b) in enumerate(zip(from_text, from_json)) if a != b), None)
    c.check(tag + ": the text trace's calls are the JSON's, one for one",
            from_text == from_json and len(from_text) > 0,
            "text %d calls, json %d; first difference at %s: %s vs %s" % (
                len(from_text), len(from_json), first_diff,
                from_text[first_diff] if first_diff is not None else "-",
                from_json[first_diff] if first_diff is not None else "-"))
    names = [(e["name"], e["args"]["depth"]) for e in xs]
    c.check(tag + ": boot_selfwork once at depth 0, kmalloc 3 times under it",
            names.count(("boot_selfwork", 0)) == 1 and names.count(("kmalloc", 1)) == 3, str(names[:8]))

    stacks = trace.read_folded(open(os.path.join(out, "trace.folded")).read())
    roots_ns = sum(round((e["ts"] + e["dur"]) * 1000) - round(e["ts"] * 1000)
                   for e in xs if e["args"]["depth"] == 0)
    c.check(tag + ": folded self times add up to the roots' durations",
            stacks and sum(stacks.values()) == roots_ns, "%d vs %d ns" % (sum(stacks.values()), roots_ns))
    text_roots = [e["args"]["duration_ns"] for e in xs if e["args"]["depth"] == 0]
    c.check(tag + ": ... and to the kernel's root durations (1 ns rounding per root)",
            abs(sum(text_roots) - roots_ns) <= len(text_roots), "%d vs %d" % (sum(text_roots), roots_ns))
    c.check(tag + ": folded stacks start at the roots", all(k.split(";")[0] in ("boot_selfwork",)
                                                            for k in stacks), str(list(stacks)[:4]))

    svg_path = os.path.join(out, "flame.svg")
    png_path = os.path.join(out, "flame.png")
    svg = open(svg_path).read()
    r = subprocess.run(["rsvg-convert", "-o", png_path, svg_path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    try:
        w, h, bpp, rows = read_png(png_path)
        pixels = [row[i:i + 3] for row in rows for i in range(0, len(row), bpp)]
        colors = len(set(pixels))
        background = max(set(pixels), key=pixels.count)
        drawn = sum(1 for p in pixels if p != background) / len(pixels)
        c.check(tag + ": flame.svg renders to a %dx%d PNG, %d colours, %.0f%% drawn" %
                (w, h, colors, 100 * drawn), r.returncode == 0 and w == 1200 and h > 60 and
                colors >= 8 and drawn > 0.2, r.stdout)
    except (OSError, ValueError, zlib.error) as e:
        c.check(tag + ": flame.svg renders to a PNG", False, "%s %s" % (r.stdout, e))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    titles = re.findall(r"<title>([^ <]*)", svg)
    c.check(tag + ": flame graph names boot_selfwork (drawn), kmalloc and kfree",
            "boot_selfwork" in texts and "kmalloc" in titles and "kfree" in titles, str(texts))

    check_profile(c, tag, text)


def check_profile(c, tag, text):
    table = trace.profile_table(text)
    c.check(tag + ": profile table, times in instructions (icount)",
            table and "times in instructions" in table[0] and "Hit" in table[1], "\n".join(table[:3]))
    rows = {}
    for line in table[3:]:
        f = line.split()
        if len(f) == 5 and all(x.isdigit() for x in f[1:]):
            rows[f[0]] = [int(x) for x in f[1:]]
    c.check(tag + ": kmalloc and kfree hit exactly 3 times",
            rows.get("kmalloc", [0])[0] == 3 and rows.get("kfree", [0])[0] == 3, str(rows))
    sane = all(hits > 0 and avg == total // hits and avg <= mx <= total for hits, total, avg, mx in rows.values())
    totals = [v[1] for v in rows.values()]
    c.check(tag + ": avg = total / hits <= max <= total; sorted by total",
            rows and sane and totals == sorted(totals, reverse=True), str(rows))


def check_function(c, status, text, log_dir):
    tag = "function x86_64"
    c.check(tag + ": a bad profile= glob is reported (and fails the run)",
            status == "fail" and "profile: cannot profile 'no_such_function*' (error -2: no traceable "
            "function matches)" in text, status)
    out = os.path.join(log_dir, "trace-function")
    summary, problems = trace.write_results(text, out, "uniprobe function")
    c.check(tag + ": TRACE lines complete", not problems, "; ".join(problems))
    doc = json.load(open(os.path.join(out, "trace.json")))
    inst = [e for e in doc["traceEvents"] if e.get("ph") == "i"]
    lines = [l for l in open(os.path.join(out, "trace.txt")).read().splitlines() if "<idle>-0" in l]
    from_text = [l.split(": ", 1)[1] for l in lines]
    from_json = [e["args"]["text"] if e["cat"] == "event" else "%s <-%s" % (e["name"], e["args"]["parent"])
                 for e in inst]
    c.check(tag + ": one instant event per text line, same functions and callers (%d)" % len(inst),
            from_text == from_json and inst and all(e["s"] == "t" and e["tid"] == 0 for e in inst),
            "%s vs %s" % (from_text[:3], from_json[:3]))
    c.check(tag + ": kmalloc called 3 times from boot_selfwork",
            from_text.count("kmalloc <-boot_selfwork") == 3, str(from_text))
    events = [(e["name"], e["args"]["text"].rsplit(" ", 1)[-1]) for e in inst if e["cat"] == "event"]
    # (the event stays on after boot_selfwork: stopping the tracer kmallocs too)
    c.check(tag + ": the probe event's hits are instant events with their values",
            events[:3] == [("km", "size=64"), ("km", "size=128"), ("km", "size=256")], str(events))
    c.check(tag + ": no profile table after the error", not trace.profile_table(text))


def serial_command(s, line, timeout=30):
    """Type a line on COM1; the output up to the next prompt (paging on), or None."""
    return test_console.command(s, line, None, timeout, keyboard=False)


def console_test(c, args):
    """The profile command on the console (mode=idle, COM1)."""
    tag = "console x86_64"
    p = argparse.ArgumentParser()
    qemu.add_options(p)
    opts = p.parse_args(["--iso", args.iso, "--arch", "x86_64", "--mode", "idle", "--timeout", "120"])
    with qemu.Session(opts) as s:
        if not c.check(tag + ": prompt", s.wait_for("uniprobe> ", 120) >= 0, s.text[-300:]):
            return
        out = serial_command(s, "profile zz_no_such*") or ""
        c.check(tag + ": profile with a glob matching nothing is refused",
                "profile: cannot profile 'zz_no_such*' (error -2: no traceable function matches)" in out, out)
        out = serial_command(s, "profile shell_execute") or ""
        c.check(tag + ": profile GLOB hooks", "profile: 1 functions on 'shell_execute'" in out, out)
        serial_command(s, "help")
        out = serial_command(s, "profile zz_no_such*") or ""
        c.check(tag + ": ... a bad glob then leaves it running", "the running profile goes on" in out, out)
        out = serial_command(s, "profile show") or ""
        # help and the refused profile returned; this show has not yet
        c.check(tag + ": profile show: shell_execute hit exactly twice",
                re.search(r"^  shell_execute +2 +\d+ +\d+ +\d+$", out.replace("\r", ""), re.M) is not None
                and "times in ns" in out, out)
        out = serial_command(s, "profile stop") or ""
        out2 = serial_command(s, "profile stop") or ""
        c.check(tag + ": profile stop, twice", "not running" not in out and "profile: not running" in out2,
                out + out2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default="iso/uniprobe.iso")
    ap.add_argument("--build", default="build")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    log_dir = os.path.join(args.build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    c = Checks()
    runs = [("i386", GRAPH_ARGS), ("x86_64", GRAPH_ARGS), ("x86_64", FUNCTION_ARGS)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda r: boot(args, r[0], r[1], log_dir), runs))
    for (arch, extra), (status, text) in zip(runs, results):
        if extra == GRAPH_ARGS:
            check_graph(c, args, arch, status, text, log_dir)
        else:
            check_function(c, status, text, log_dir)
    console_test(c, args)
    print("%d passed, %d failed" % (c.passed, c.failed))
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()
