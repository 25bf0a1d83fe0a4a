#!/usr/bin/env python3
"""make bench: boot the benchmark entry (mode=bench) of both kernels and
collect what they measure.

  bench.py --iso ISO --build BUILD [--icount | --kvm] [--arch i386,x86_64]

The kernel prints a table on every console and, on serial only, one
`BENCH_INFO {json}` line (machine, unit, the scenarios it will run) and one
`BENCH {json}` line per scenario. This script writes:

  results/bench-<arch>.json   everything the kernel reported, per arch
  results/bench.md            scenario x arch: median and overhead
  results/bench.png           overhead per scenario and arch (gnuplot)

TCG by default (cycles of an emulated CPU: only rough); --icount runs QEMU
with -icount shift=0,sleep=off, where the TSC advances once per guest
instruction and the figures are exact, repeatable instruction counts;
--kvm uses the host CPU (needs /dev/kvm).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

ARCHS = ["i386", "x86_64"]
LINE = re.compile(r"^(BENCH|BENCH_INFO) (\{.*\})\s*$")


def parse(text):
    """The BENCH lines of a serial log: (info or None, [result], [problem])."""
    info, results, problems = None, [], []
    for line in text.splitlines():
        m = LINE.match(line.rstrip("\r"))
        if not m:
            continue
        try:
            obj = json.loads(m.group(2))
        except ValueError as e:
            problems.append("bad JSON (%s): %s" % (e, line.strip()))
            continue
        if m.group(1) == "BENCH_INFO":
            if info is not None:
                problems.append("more than one BENCH_INFO line")
            info = obj
        else:
            results.append(obj)
    if info is None:
        problems.append("no BENCH_INFO line")
    return info, results, problems


def kvm_available():
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def boot_bench(iso, arch, icount=False, kvm=False, timeout=180, args="", log=None):
    """Boot mode=bench on arch (SeaBIOS, CD-ROM); returns a dict with status,
    info, results, problems and the serial log."""
    p = argparse.ArgumentParser()
    qemu.add_options(p)
    argv = ["--iso", iso, "--arch", arch, "--fw", "bios", "--media", "cdrom",
            "--mode", "bench", "--timeout", str(timeout)]
    if icount:
        argv.append("--icount")
    if kvm:
        argv.append("--kvm")
    if args:
        argv += ["--args", args]
    if log:
        argv += ["--log", log]
    status, text = qemu.boot(p.parse_args(argv))
    info, results, problems = parse(text)
    return {"arch": arch, "status": status, "info": info, "results": results,
            "problems": problems, "log": text}


def mode_name(icount, kvm):
    return "kvm" if kvm else "icount" if icount else "tcg"


def fmt(v):
    if v is None:
        return "-"
    return ("%.3f" % v).rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def scenario_order(runs):
    """Scenario ids in the kernel's table order, merged over the arches."""
    order = []
    for r in runs:
        for s in (r["info"] or {}).get("scenarios", []) + [x["scenario"] for x in r["results"]]:
            if s not in order:
                order.append(s)
    return order


def by_scenario(run):
    return {x["scenario"]: x for x in run["results"]}


# Linux 6.1 on the same QEMU (-icount shift=0,sleep=off -cpu max), instructions
# per hit over an unprobed call, as recorded in issue 14 and the README table:
# scenario -> {arch: figure}, with a note where the figure needs one.
LINUX_6_1 = {
    "fentry_hook": ({"x86_64": 60, "i386": 188},
                    "x86_64: ftrace_regs_caller (SAVE_REGS) without recursion guard; 87 with it"),
    "ftrace_function": ({"x86_64": 542, "i386": 843}, ""),
    "kprobe_boost": ({"x86_64": 533, "i386": 630}, ""),
    "optprobe": ({"x86_64": 100, "i386": 102}, ""),
    "rethook": ({"x86_64": 389, "i386": 417}, "kretprobe with an empty handler"),
    "fgraph": ({"x86_64": 1324, "i386": 2107}, "function_graph tracer"),
}
LINUX_SOURCE = ("Linux 6.1 measured the same way (QEMU -icount shift=0,sleep=off -cpu max, "
                "instructions per hit over an unprobed call); figures from issue 14 and the README")


def linux_ratios(runs, mode):
    """Markdown lines: each kind's overhead over its Linux 6.1 figure."""
    out = ["", "## Against Linux 6.1", "", "Overhead here / overhead on Linux 6.1 (below 1: cheaper). " +
           LINUX_SOURCE + "."]
    if mode != "icount":
        return out + ["", "(Only comparable with exact instruction counts: run `make bench ICOUNT=1`.)"]
    head = "| scenario |" + "".join(" %s | Linux | ratio |" % r["arch"] for r in runs) + " note |"
    out += ["", head, "|---|" + "---:|---:|---:|" * len(runs) + "---|"]
    for s, (linux, note) in LINUX_6_1.items():
        row = "| `%s` |" % s
        for r in runs:
            x = by_scenario(r).get(s)
            lx = linux.get(r["arch"])
            if x is None or "error" in x or lx is None:
                row += " - | %s | - |" % fmt(lx)
            else:
                row += " %s | %s | %.2f |" % (fmt(x["overhead"]), lx, float(x["overhead"]) / lx)
        out.append(row + " %s |" % note)
    return out


def write_markdown(path, runs, mode):
    order = scenario_order(runs)
    unit = next((r["info"]["unit"] for r in runs if r["info"]), "?")
    out = ["# uniprobe benchmark (%s)" % mode, ""]
    for r in runs:
        i = r["info"] or {}
        out.append("- **%s**: %s (%s)%s, TSC %s Hz (%s), %s batches x %s hits; boot: %s" % (
            r["arch"], i.get("cpu") or "unknown CPU", i.get("vendor", "?"),
            ", hypervisor %s" % i.get("hypervisor_id", "") if i.get("hypervisor") else ", bare metal",
            i.get("tsc_hz", "?"), i.get("tsc_source", "?"), i.get("batches", "?"), i.get("calls", "?"),
            r["status"]))
    out += ["", "Median cost of one hit and overhead over `call`, in %s%s." % (
        unit, " (exact: QEMU -icount shift=0)" if mode == "icount" else ""), ""]
    head = "| scenario |" + "".join(" %s median | %s overhead |" % (r["arch"], r["arch"]) for r in runs)
    out += [head + " what |", "|---|" + "---:|---:|" * len(runs) + "---|"]
    for s in order:
        row = "| `%s` |" % s
        what = next((by_scenario(r)[s].get("what") for r in runs if by_scenario(r).get(s, {}).get("what")), "")
        for r in runs:
            x = by_scenario(r).get(s)
            if x is None:
                row += " - | - |"
            elif "error" in x:
                row += " error | %s |" % x["error"]
            else:
                row += " %s | %s |" % (fmt(x["median"]), fmt(x["overhead"]))
        out.append(row + " %s |" % what)
    out += linux_ratios(runs, mode)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def write_chart(path, runs, mode):
    """Overhead per scenario, one bar per arch. Returns a message."""
    order = [s for s in scenario_order(runs) if s != "call"]
    if not order:
        return "only the baseline ran; no chart"
    unit = next((r["info"]["unit"] for r in runs if r["info"]), "?")
    columns = []
    for r in runs:
        col = []
        for s in order:
            x = by_scenario(r).get(s)
            col.append(x.get("overhead") if x and "error" not in x else None)
        columns.append(col)
    return bar_chart(path, "uniprobe: overhead over an unprobed call (%s)" % mode, "%s per hit" % unit,
                     order, [r["arch"] for r in runs], columns)


def bar_chart(path, title, ylabel, labels, names, columns):
    """A clustered bar chart (gnuplot PNG): one group per label, one bar per
    name; columns[i][j] is name i's value at label j (None: no bar), written
    above its bar. A log scale when the values span more than 100x.
    Returns a message."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return "gnuplot not found (Debian: apt-get install gnuplot-nox); no chart"
    values = [float(v) for col in columns for v in col if v is not None]
    if not values:
        return "no values; no chart"
    with tempfile.TemporaryDirectory(prefix="uniprobe-bench-") as tmp:
        data = os.path.join(tmp, "overhead.dat")
        with open(data, "w") as f:
            for j, label in enumerate(labels):
                row = ["NaN" if col[j] is None else repr(float(col[j])) for col in columns]
                f.write("%s %s\n" % (label, " ".join(row)))
        positive = [v for v in values if v > 0]
        log = positive and max(positive) / min(positive) > 100
        script = [
            "set terminal png size 1000,560 font ',11' noenhanced",
            "set output '%s'" % os.path.abspath(path),
            "set title '%s'" % title,
            "set ylabel '%s%s'" % (ylabel, " (log scale)" if log else ""),
            "set style data histogram",
            "set style histogram clustered gap 1",
            "set style fill solid 0.85 border -1",
            "set boxwidth 0.9",
            "set key top left",
            "set grid ytics",
            "set xtics rotate by -30",
            "set offsets 0, 0, graph 0.08, 0",
            "set yrange [%s:*]" % ("1" if log else "0"),
        ]
        if log:
            script.append("set logscale y")
        plots = []
        for i, name in enumerate(names):
            col = i + 2
            plots.append("'%s' using %d:xtic(1) title '%s'" % (data, col, name))
            # The value above each bar (clustered bars sit at x + offset).
            off = (i - (len(names) - 1) / 2.0) / (len(names) + 1)
            plots.append("'' using ($0%+f):%d:(sprintf('%%.0f', $%d)) notitle with labels "
                         "offset 0,0.7 font ',9'" % (off, col, col))
        script.append("plot " + ", ".join(plots))
        gp = os.path.join(tmp, "chart.gp")
        with open(gp, "w") as f:
            f.write("\n".join(script) + "\n")
        proc = subprocess.run([gnuplot, gp], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            return "gnuplot failed: " + proc.stdout.strip()
    return "wrote " + path


def print_table(runs):
    order = scenario_order(runs)
    unit = next((r["info"]["unit"] for r in runs if r["info"]), "?")
    print("\n%-20s" % ("%s per hit" % unit) + "".join("%14s %10s" % (r["arch"] + " median", "overhead") for r in runs))
    for s in order:
        line = "%-20s" % s
        for r in runs:
            x = by_scenario(r).get(s)
            if x is None or "error" in x:
                line += "%14s %10s" % ("-", "error" if x else "-")
            else:
                line += "%14s %10s" % (fmt(x["median"]), fmt(x["overhead"]))
        print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iso", default="iso/uniprobe.iso")
    ap.add_argument("--build", default="build", help="build directory (serial logs go to BUILD/bench-logs)")
    ap.add_argument("--arch", default=",".join(ARCHS), help="comma-separated: i386,x86_64")
    ap.add_argument("--icount", action="store_true", help="exact instruction counts (QEMU -icount shift=0)")
    ap.add_argument("--kvm", action="store_true", help="real CPU cycles under KVM")
    ap.add_argument("--args", default="", help="extra kernel command line, e.g. bench=int3*")
    ap.add_argument("--results", default="results")
    ap.add_argument("--timeout", type=float, default=180)
    opts = ap.parse_args()

    archs = [a for a in opts.arch.split(",") if a]
    bad = [a for a in archs if a not in ARCHS]
    if bad or not archs:
        ap.error("--arch: unknown %s (have %s)" % (",".join(bad) or "(none)", ",".join(ARCHS)))
    if opts.icount and opts.kvm:
        ap.error("--icount and --kvm exclude each other (icount is a TCG feature)")
    if opts.kvm and not kvm_available():
        sys.exit("bench.py: --kvm needs a usable /dev/kvm (none here); use TCG or --icount")
    if not os.path.exists(opts.iso):
        sys.exit("bench.py: %s does not exist (make all first)" % opts.iso)
    mode = mode_name(opts.icount, opts.kvm)
    log_dir = os.path.join(opts.build, "bench-logs")
    os.makedirs(log_dir, exist_ok=True)
    os.makedirs(opts.results, exist_ok=True)

    runs, failed = [], 0
    # One boot at a time: parallel boots would slow each other's timings.
    for arch in archs:
        log = os.path.join(log_dir, "bench-%s-%s.log" % (arch, mode))
        print("bench: %s (%s) ..." % (arch, mode), flush=True)
        r = boot_bench(opts.iso, arch, opts.icount, opts.kvm, opts.timeout, opts.args, log)
        why = r["problems"] + ["%s: %s" % (x["scenario"], x["error"]) for x in r["results"] if "error" in x]
        missing = [s for s in (r["info"] or {}).get("scenarios", []) if s not in by_scenario(r)]
        if missing:
            why.append("did not finish: " + ", ".join(missing))
        ok = r["status"] == "pass" and not why and r["results"]
        print("bench: %s: %s, %d results%s (log %s)" % (
            arch, r["status"], len(r["results"]), "; " + "; ".join(why) if why else "", log), flush=True)
        failed += not ok
        if r["info"] is None and not r["results"]:
            continue
        runs.append(r)
        out = os.path.join(opts.results, "bench-%s.json" % arch)
        with open(out, "w") as f:
            json.dump({"arch": arch, "mode": mode, "status": r["status"],
                       "qemu": qemu.version(qemu.qemu_binary(arch, "bios")), "info": r["info"],
                       "results": r["results"], "problems": r["problems"]}, f, indent=2)
            f.write("\n")
    if runs:
        print_table(runs)
        md = os.path.join(opts.results, "bench.md")
        write_markdown(md, runs, mode)
        print("\nbench: wrote %s and %s" % (md, os.path.join(opts.results, "bench-<arch>.json")))
        print("bench: " + write_chart(os.path.join(opts.results, "bench.png"), runs, mode))
        import compare  # here: compare imports this module
        print("bench: " + compare.update(opts.results))
    sys.exit(1 if failed or not runs else 0)


if __name__ == "__main__":
    main()
