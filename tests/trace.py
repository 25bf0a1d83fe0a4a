#!/usr/bin/env python3
"""make trace: boot the trace entry (mode=trace), collect serial and write

  results/trace.txt      the trace as the kernel prints it (Linux's text format)
  results/trace.json     Chrome Trace Event format: ui.perfetto.dev, chrome://tracing
  results/trace.folded   folded stacks "a;b;c N", N = self time in ns
                         (FlameGraph, inferno, speedscope)
  results/flame.svg      a flame graph of trace.folded (drawn here, below)
  results/profile.txt    the profiler's table, when profile=GLOB was given

  trace.py --iso ISO --arch x86_64 [--fw bios] [--icount] [--args "trace=... profile=..."]

The text format has only durations, so the kernel also prints every record
as a `TRACE {json}` line on serial (kernel/trace/trace_json.c) with its own
timestamp in ns since the trace started: a call is [entry ts, return ts],
and children nest inside their parents exactly. The writers are functions
that tests/test_trace.py imports.
"""
import argparse
import json
import os
import re
import sys
import zlib
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402


# ---- reading serial ----------------------------------------------------------

def serial_lines(text):
    return text.replace("\r", "").split("\n")


def parse_records(text):
    """The TRACE lines: (records, problems). records excludes begin/end."""
    records, problems, begin, end = [], [], None, None
    for line in serial_lines(text):
        if not line.startswith("TRACE "):
            continue
        try:
            r = json.loads(line[len("TRACE "):])
        except ValueError as e:
            problems.append("bad TRACE line (%s): %s" % (e, line[:120]))
            continue
        if r.get("type") == "begin":
            begin = r
        elif r.get("type") == "end":
            end = r
        else:
            records.append(r)
    if begin is None or end is None:
        problems.append("no TRACE begin/end lines (was it mode=trace?)")
    elif end.get("lines") != len(records):
        problems.append("TRACE end says %s records, %d arrived" % (end.get("lines"), len(records)))
    if begin and begin.get("dropped"):
        problems.append("the kernel dropped %d records (buffer full)" % begin["dropped"])
    return records, problems


TEXT_LINE = re.compile(r"^(#|\s*\d+\) |\s+\S+-\d+\s+\[\d+\] )")


def text_block(text, first):
    """The lines from the one starting with `first` while they look like a
    trace (comments, graph lines ' 0) ...', function lines '<idle>-0 [000]')."""
    out, inside = [], False
    for line in serial_lines(text):
        if not inside and line.startswith(first):
            inside = True
        elif inside and (not TEXT_LINE.match(line) or line.startswith("# profile:")):
            break
        if inside:
            out.append(line)
    return out


def text_trace(text):
    return text_block(text, "# tracer:")


def profile_table(text):
    out = []
    for line in serial_lines(text):
        if line.startswith("# profile:") or (out and line.startswith("  ")):
            out.append(line)
        elif out:
            break
    return out


# ---- calls -------------------------------------------------------------------

def build_calls(records):
    """Pair graph entries with their returns, per CPU. Returns (calls,
    instants, problems); a call is a dict: name, cpu, depth, start, end (ns),
    duration_ns (the kernel's), parent (a call or None), complete."""
    calls, instants, problems = [], [], []
    stacks = {}
    for r in records:
        t = r.get("type")
        cpu = r.get("cpu", 0)
        stack = stacks.setdefault(cpu, [])
        if t == "entry":
            c = {"name": r["fn"], "cpu": cpu, "depth": r["depth"], "start": r["ts"], "end": None,
                 "duration_ns": None, "parent": stack[-1] if stack else None, "complete": False}
            stack.append(c)
            calls.append(c)
        elif t == "return":
            while stack and stack[-1]["depth"] > r["depth"]:
                stack.pop()         # never returned (a non-local exit)
            if stack and stack[-1]["depth"] == r["depth"] and stack[-1]["name"] == r["fn"]:
                c = stack.pop()
                c.update(end=r["ts"], duration_ns=r["dur"], complete=True)
            else:
                problems.append("return of %s at depth %d without its entry" % (r["fn"], r["depth"]))
        elif t in ("function", "event", "unknown"):
            instants.append(r)
    open_calls = sum(1 for c in calls if not c["complete"])
    if open_calls:
        problems.append("%d calls without a return" % open_calls)
    return [c for c in calls if c["complete"]], instants, problems


def is_root(c):
    return c["parent"] is None or not c["parent"]["complete"]


# ---- Chrome Trace Event format ----------------------------------------------

def us(ns):
    """ns as microseconds; exact to the ns in decimal (Python's shortest repr)."""
    return ns / 1000


def chrome_trace(calls, instants, title="uniprobe"):
    cpus = sorted({c["cpu"] for c in calls} | {r.get("cpu", 0) for r in instants} | {0})
    ev = [{"name": "process_name", "ph": "M", "pid": 0, "args": {"name": title}}]
    for cpu in cpus:
        ev.append({"name": "thread_name", "ph": "M", "pid": 0, "tid": cpu, "args": {"name": "CPU %d" % cpu}})
        ev.append({"name": "thread_sort_index", "ph": "M", "pid": 0, "tid": cpu, "args": {"sort_index": cpu}})
    timed = []
    for c in calls:
        timed.append((c["start"], c["depth"], {
            "name": c["name"], "cat": "function_graph", "ph": "X", "ts": us(c["start"]),
            "dur": us(c["end"] - c["start"]), "pid": 0, "tid": c["cpu"],
            "args": {"depth": c["depth"], "duration_ns": c["duration_ns"]}}))
    for r in instants:
        e = {"name": r.get("fn", "?"), "cat": r["type"], "ph": "i", "s": "t", "ts": us(r["ts"]),
             "pid": 0, "tid": r.get("cpu", 0), "args": {}}
        if r["type"] == "function":
            e["args"]["parent"] = r.get("parent")
        elif r["type"] == "event":
            e["name"] = (r.get("text") or e["name"]).split(":", 1)[0]     # the event's name
            e["args"].update(ip=r.get("ip"), text=r.get("text"))
        timed.append((r["ts"], 1 << 30, e))
    timed.sort(key=lambda x: (x[0], x[1]))
    return {"traceEvents": ev + [e for _, _, e in timed], "displayTimeUnit": "ns",
            "otherData": {"source": title, "clock": "ns since the trace started"}}


# ---- folded stacks -----------------------------------------------------------

def folded(calls):
    """{"a;b;c": self ns}: a call's duration less its children's."""
    child_ns = {}
    for c in calls:
        if not is_root(c):
            p = id(c["parent"])
            child_ns[p] = child_ns.get(p, 0) + c["end"] - c["start"]
    out = {}
    for c in calls:
        names, p = [c["name"]], c
        while not is_root(p):
            p = p["parent"]
            names.append(p["name"])
        self_ns = c["end"] - c["start"] - child_ns.get(id(c), 0)
        if self_ns > 0:
            key = ";".join(reversed(names))
            out[key] = out.get(key, 0) + self_ns
    return out


def folded_text(stacks):
    return "".join("%s %d\n" % (k, stacks[k]) for k in sorted(stacks))


def read_folded(text):
    stacks = {}
    for line in text.splitlines():
        if line.strip():
            k, n = line.rsplit(" ", 1)
            stacks[k] = stacks.get(k, 0) + int(n)
    return stacks


# ---- flame graph -------------------------------------------------------------

def flame_tree(stacks):
    root = {"name": "all", "value": 0, "children": {}}
    for key, n in stacks.items():
        node = root
        node["value"] += n
        for name in key.split(";"):
            node = node["children"].setdefault(name, {"name": name, "value": 0, "children": {}})
            node["value"] += n
    return root


def color(name):
    """A warm colour from the name (stable across runs, like FlameGraph's 'hot')."""
    h = zlib.crc32(name.encode())
    return "rgb(%d,%d,%d)" % (205 + (h & 0xff) * 50 // 255, ((h >> 8) & 0xff) * 230 // 255,
                              ((h >> 16) & 0xff) * 55 // 255)


def flame_svg(stacks, title, unit="ns", width=1200):
    """An SVG flame graph: one rectangle per frame, width proportional to its
    count, the root at the bottom, children in name order."""
    FRAME, PAD, TOP, CHAR = 16, 10, 36, 7.0
    root = flame_tree(stacks)
    total = root["value"] or 1

    def depth(n):
        return 1 + max((depth(c) for c in n["children"].values()), default=0)

    levels = depth(root)
    height = TOP + levels * FRAME + PAD + 20
    scale = (width - 2 * PAD) / total
    out = ['<?xml version="1.0" standalone="no"?>',
           '<svg version="1.1" width="%d" height="%d" viewBox="0 0 %d %d" '
           'xmlns="http://www.w3.org/2000/svg">' % (width, height, width, height),
           '<rect x="0" y="0" width="%d" height="%d" fill="#fdf6e3"/>' % (width, height),
           '<text x="%d" y="24" font-size="17" font-family="Verdana,sans-serif" '
           'text-anchor="middle">%s</text>' % (width // 2, escape(title)),
           '<text x="%d" y="%d" font-size="12" font-family="Verdana,sans-serif">total %d %s; '
           'width = time, bottom = outermost call</text>' % (PAD, height - 6, total, escape(unit))]

    def draw(node, x, level):
        w = node["value"] * scale
        if w < 0.1:
            return
        y = TOP + (levels - 1 - level) * FRAME
        tip = "%s (%d %s, %.2f%%)" % (node["name"], node["value"], unit, 100.0 * node["value"] / total)
        out.append('<g><title>%s</title><rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" '
                   'rx="2" ry="2"/>' % (escape(tip), x, y, w, FRAME - 1, color(node["name"])))
        fit = int((w - 6) / CHAR)
        if fit >= 3:
            label = node["name"] if len(node["name"]) <= fit else node["name"][:fit - 2] + ".."
            out.append('<text x="%.2f" y="%d" font-size="12" font-family="Verdana,sans-serif">%s</text>'
                       % (x + 3, y + FRAME - 4, escape(label)))
        out.append('</g>')
        for name in sorted(node["children"]):
            child = node["children"][name]
            draw(child, x, level + 1)
            x += child["value"] * scale

    draw(root, PAD, 0)
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---- all four ----------------------------------------------------------------

def write_results(text, outdir, title):
    """Write the files from one boot's serial text. Returns (summary, problems)."""
    records, problems = parse_records(text)
    calls, instants, more = build_calls(records)
    problems += more
    txt = text_trace(text)
    if not txt:
        problems.append("no text trace ('# tracer:') on serial")
    stacks = folded(calls)
    os.makedirs(outdir, exist_ok=True)
    files = {
        "trace.txt": "\n".join(txt) + "\n",
        "trace.json": json.dumps(chrome_trace(calls, instants, title), indent=0) + "\n",
        "trace.folded": folded_text(stacks),
        "flame.svg": flame_svg(stacks, "Flame graph: %s (self time)" % title),
    }
    table = profile_table(text)
    if table:
        files["profile.txt"] = "\n".join(table) + "\n"
    for name, data in files.items():
        with open(os.path.join(outdir, name), "w") as f:
            f.write(data)
    summary = "%d records: %d calls, %d instant events; wrote %s" % (
        len(records), len(calls), len(instants), ", ".join(os.path.join(outdir, n) for n in files))
    return summary, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    qemu.add_options(ap)
    ap.add_argument("--results", default="results")
    opts = ap.parse_args()
    opts.mode = "trace"
    if opts.timeout == 120:
        opts.timeout = 300
    opts.log = opts.log or os.path.join(opts.results, "trace-serial-%s.log" % opts.arch)
    os.makedirs(opts.results, exist_ok=True)
    status, text = qemu.boot(opts)
    summary, problems = write_results(text, opts.results, "uniprobe %s mode=trace %s" % (opts.arch, opts.args))
    print("trace: boot %s; %s" % (status, summary))
    for line in profile_table(text):
        print(line)
    for p in problems:
        print("trace: " + p, file=sys.stderr)
    print("open trace.json in ui.perfetto.dev or chrome://tracing, trace.folded in speedscope.app, "
          "flame.svg in a browser; serial log: %s" % opts.log)
    sys.exit(0 if status == "pass" and not problems else 1)


if __name__ == "__main__":
    main()
