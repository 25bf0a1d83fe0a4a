#!/usr/bin/env python3
"""uniprobe and Linux side by side: results/compare.md and compare.png from
results/bench-<arch>.json (make bench) and results/bench-linux-<arch>.json
(make bench-linux), for every arch that has both. Both make targets call
update() at their end, so the comparison appears once both files exist,
whichever ran first.

  compare.py [--results DIR]
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

ARCHS = ["x86_64", "i386"]


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def pairs(results):
    """[(arch, uniprobe doc, linux doc)] for the arches that have both."""
    out = []
    for arch in ARCHS:
        ours = load(os.path.join(results, "bench-%s.json" % arch))
        linux = load(os.path.join(results, "bench-linux-%s.json" % arch))
        if ours and linux and ours.get("results") and linux.get("results"):
            out.append((arch, ours, linux))
    return out


def rows(pairs_):
    """The kinds Linux measured, in uniprobe's table order, Linux-only kinds
    last (uniprobe-only scenarios stay in bench.md)."""
    linux = []
    for _, _, l in pairs_:
        linux += [s for s in bench.scenario_order([l]) if s not in linux]
    order = []
    for _, o, _ in pairs_:
        order += [s for s in bench.scenario_order([o]) if s in linux and s not in order]
    return order + [s for s in linux if s not in order]


def value(doc, sid):
    """(median, overhead) of sid in doc, or None."""
    x = bench.by_scenario(doc).get(sid)
    if not x or "error" in x:
        return None
    return float(x["median"]), float(x["overhead"])


def cell(doc, sid):
    """The figure a table shows: the median for the baseline, else the
    overhead; cycles also in ns when the TSC rate is known."""
    v = value(doc, sid)
    if v is None:
        x = bench.by_scenario(doc).get(sid)
        return ("error" if x else "skipped" if sid in doc.get("skipped", {}) else "-"), None
    n = v[0] if sid == "call" else v[1]
    text = "%.0f" % n
    info = doc.get("info") or {}
    if info.get("unit") == "cycles" and info.get("tsc_hz"):
        text += " (%.1f ns)" % (n * 1e9 / info["tsc_hz"])
    return text, n


def ratio(a, b):
    if a is None or b is None or a <= 0:
        return "-"
    return "%.1fx" % (b / a)


def what(pairs_, sid):
    """uniprobe's description and Linux's mechanism for a row."""
    ours = linux = ""
    for _, o, l in pairs_:
        ours = ours or bench.by_scenario(o).get(sid, {}).get("what", "")
        linux = linux or bench.by_scenario(l).get(sid, {}).get("mechanism", "")
    return ours, linux


def machine(doc):
    """The CPU; its TSC rate only for cycles (under icount the TSC counts
    instructions, and the calibrated rate varies from boot to boot)."""
    i = doc.get("info") or {}
    return "%s (%s)%s%s" % (i.get("cpu") or "unknown CPU", i.get("vendor", "?"),
                            ", hypervisor %s" % i.get("hypervisor_id", "") if i.get("hypervisor") else "",
                            ", TSC %s Hz" % i.get("tsc_hz", "?") if i.get("unit") == "cycles" else "")


def markdown(pairs_):
    order = rows(pairs_)
    out = ["# uniprobe and Linux, same QEMU, same method", ""]
    for arch, ours, linux in pairs_:
        out.append("- **%s**: uniprobe (%s, %s) on %s; %s (%s, %s) on %s; %s" % (
            arch, ours.get("mode"), ours.get("status"), machine(ours),
            linux.get("kernel") or "Linux", linux.get("mode"), linux.get("status"), machine(linux),
            linux.get("qemu") or ours.get("qemu") or "QEMU version unknown"))
        if ours.get("mode") != linux.get("mode"):
            out.append("  - **not comparable**: uniprobe ran under %s, Linux under %s; run both "
                       "with the same ICOUNT/KVM" % (ours.get("mode"), linux.get("mode")))
    unit = next(((o.get("info") or {}).get("unit") for _, o, _ in pairs_ if o.get("info")), "?")
    out += ["", "Overhead per hit over the unprobed call, in %s (`call`: the unprobed call "
            "itself); ratio = Linux / uniprobe. Same target shape, 20 warm-up batches, "
            "200 batches of 100 calls, median of the per-batch averages." % unit, ""]
    head = "| scenario | uniprobe | Linux |"
    line = "|---|---|---|"
    for arch, _, _ in pairs_:
        head += " %s uniprobe | %s Linux | ratio |" % (arch, arch)
        line += "---:|---:|---:|"
    out += [head, line]
    for sid in order:
        ours_what, linux_mech = what(pairs_, sid)
        row = "| `%s` | %s | %s |" % (sid, ours_what or "-", linux_mech or "-")
        for _, ours, linux in pairs_:
            (a_text, a), (b_text, b) = cell(ours, sid), cell(linux, sid)
            row += " %s | %s | %s |" % (a_text, b_text, ratio(a, b))
        out.append(row)
    skipped = ["- `%s` on %s: %s" % (sid, arch, why) for arch, _, l in pairs_
               for sid, why in sorted(l.get("skipped", {}).items())]
    if skipped:
        out += ["", "Skipped:"] + skipped
    return "\n".join(out) + "\n"


def chart(path, pairs_):
    """Overhead of the kinds both kernels have, one bar per kernel and arch."""
    order = [s for s in rows(pairs_) if s != "call" and
             any(value(o, s) and value(l, s) for _, o, l in pairs_)]
    names, columns = [], []
    for arch, ours, linux in pairs_:
        for who, doc in (("uniprobe", ours), ("Linux", linux)):
            names.append("%s %s" % (who, arch))
            columns.append([(value(doc, s) or (None, None))[1] for s in order])
    unit = next(((o.get("info") or {}).get("unit") for _, o, _ in pairs_ if o.get("info")), "?")
    mode = pairs_[0][1].get("mode", "?")
    return bench.bar_chart(path, "uniprobe and Linux: overhead over an unprobed call (%s)" % mode,
                           "%s per hit" % unit, order, names, columns)


def update(results):
    """Write compare.md and compare.png if some arch has both result files;
    returns what was done."""
    p = pairs(results)
    if not p:
        return "no comparison yet (needs %s/bench-<arch>.json and bench-linux-<arch>.json)" % results
    md = os.path.join(results, "compare.md")
    with open(md, "w") as f:
        f.write(markdown(p))
    return "wrote %s (%s); %s" % (md, ", ".join(a for a, _, _ in p),
                                  chart(os.path.join(results, "compare.png"), p))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", default="results")
    print("compare: " + update(ap.parse_args().results))


if __name__ == "__main__":
    main()
