#!/usr/bin/env python3
"""Checks of the benchmark (not a timing test): boot i386 and x86_64 in
mode=bench under QEMU -icount shift=0 and check that every scenario the
kernel lists ran and that its numbers are sane. Ends with 'N passed, M failed'.

  test_bench.py --iso ISO [--build BUILD]
"""
import argparse
import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

# Probes that go through an int3: none can be cheaper than int3_floor.
INT3_BASED = {"kprobe_boost", "kprobe_sstep", "kprobe_emulate"}
NUMBERS = ("min", "median", "p99", "overhead")


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("  %-4s %s%s" % ("ok" if ok else "FAIL", name, "" if ok else ": " + detail), flush=True)
        return ok


def check_run(c, r):
    arch = r["arch"]
    c.check("%s: boot passes" % arch, r["status"] == "pass", r["status"])
    c.check("%s: BENCH lines parse" % arch, not r["problems"], "; ".join(r["problems"]))
    info = r["info"] or {}
    c.check("%s: BENCH_INFO names the arch" % arch, info.get("arch") == arch, str(info.get("arch")))
    c.check("%s: unit is instructions under icount" % arch,
            info.get("unit") == "instructions" and info.get("icount") is True,
            "unit %s, icount %s" % (info.get("unit"), info.get("icount")))
    c.check("%s: BENCH_INFO has cpu and tsc_hz" % arch,
            isinstance(info.get("cpu"), str) and isinstance(info.get("tsc_hz"), int), str(info))
    listed = info.get("scenarios") or []
    c.check("%s: the baseline 'call' is listed first" % arch, listed[:1] == ["call"], str(listed))
    got = {}
    for x in r["results"]:
        got.setdefault(x.get("scenario"), []).append(x)
    for s in listed:
        xs = got.get(s, [])
        if not c.check("%s/%s: ran once" % (arch, s), len(xs) == 1, "%d BENCH lines" % len(xs)):
            continue
        x = xs[0]
        if not c.check("%s/%s: no error" % (arch, s), "error" not in x, str(x.get("error"))):
            continue
        nums = [x.get(k) for k in NUMBERS]
        if not c.check("%s/%s: min, median, p99, overhead are numbers" % (arch, s),
                       all(isinstance(v, (int, float)) for v in nums), str(x)):
            continue
        c.check("%s/%s: 0 < min <= median <= p99" % (arch, s), 0 < x["min"] <= x["median"] <= x["p99"],
                "%s %s %s" % (x["min"], x["median"], x["p99"]))
        c.check("%s/%s: overhead >= 0" % (arch, s), x["overhead"] >= 0, str(x["overhead"]))
        c.check("%s/%s: unit and arch" % (arch, s), x.get("unit") == "instructions" and x.get("arch") == arch,
                "%s %s" % (x.get("unit"), x.get("arch")))
        c.check("%s/%s: no ns under icount" % (arch, s), x.get("ns_median") is None, str(x.get("ns_median")))
    extra = sorted(set(got) - set(listed))
    c.check("%s: no results for unlisted scenarios" % arch, not extra, ", ".join(map(str, extra)))
    call = (got.get("call") or [{}])[0]
    c.check("%s/call: overhead is 0" % arch, call.get("overhead") == 0, str(call.get("overhead")))
    floor = (got.get("int3_floor") or [{}])[0].get("overhead")
    if floor is not None:
        for s in sorted(INT3_BASED & set(got)):
            o = got[s][0].get("overhead")
            c.check("%s/%s: overhead >= int3_floor's" % (arch, s), o is not None and o >= floor,
                    "%s < %s" % (o, floor))


def check_bad_filter(c, iso, timeout):
    r = bench.boot_bench(iso, "x86_64", icount=True, timeout=timeout, args="bench=no_such_scenario")
    c.check("bad bench= filter fails the boot", r["status"] == "fail", r["status"])
    c.check("bad bench= filter is reported", "no scenario matches 'no_such_scenario'" in r["log"],
            "message missing")
    c.check("bad bench= filter runs nothing", not r["results"], "%d results" % len(r["results"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iso", default="iso/uniprobe.iso")
    ap.add_argument("--build", default="build")
    ap.add_argument("--timeout", type=float, default=240)
    opts = ap.parse_args()
    log_dir = os.path.join(opts.build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)

    def one(arch):
        return bench.boot_bench(opts.iso, arch, icount=True, timeout=opts.timeout,
                                log=os.path.join(log_dir, "bench-icount-%s.log" % arch))

    c = Checks()
    # icount figures do not depend on host load: boot both at once.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(one, bench.ARCHS))
    for r in runs:
        check_run(c, r)
    check_bad_filter(c, opts.iso, opts.timeout)
    print("bench: %d passed, %d failed" % (c.passed, c.failed))
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()
