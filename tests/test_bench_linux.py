#!/usr/bin/env python3
"""Host test of make bench-linux's parsing and of the comparison table, on
serial logs stored from real runs (tests/data/): no download, no QEMU.

Prints 'N passed, N failed'.
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
import bench_linux  # noqa: E402
import compare  # noqa: E402

DATA = os.path.join(HERE, "data")
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s%s" % (name, ": " + str(detail) if detail else ""))


def read(name):
    with open(os.path.join(DATA, name)) as f:
        return f.read()


def linux_doc(arch):
    return bench_linux.result_doc(arch, "icount", "pass", read("bench-linux-%s-icount.log" % arch))


def ours_doc(arch):
    info, results, problems = bench.parse(read("bench-%s-icount.log" % arch))
    return {"arch": arch, "mode": "icount", "status": "pass", "info": info, "results": results,
            "problems": problems}


def test_linux_log(arch):
    doc = linux_doc(arch)
    ids = [r["scenario"] for r in doc["results"]]
    check("%s: no problems" % arch, doc["problems"] == [], doc["problems"])
    check("%s: every announced kind ran" % arch, ids == doc["info"]["scenarios"], ids)
    check("%s: kernel version" % arch, (doc["kernel"] or "").startswith("Linux 6.1"), doc["kernel"])
    check("%s: instructions" % arch, all(r["unit"] == "instructions" for r in doc["results"]))
    check("%s: a mechanism per kind" % arch, all(r.get("mechanism") for r in doc["results"]))
    by = bench.by_scenario(doc)
    call = by["call"]["median"]
    # Overhead over the unprobed call timed just before: the same call
    # median every time under icount.
    for r in doc["results"]:
        if r["scenario"] != "call":
            check("%s: %s overhead = median - call" % (arch, r["scenario"]),
                  abs(r["median"] - call - r["overhead"]) < 0.001, r)
            check("%s: %s costs something" % (arch, r["scenario"]), r["overhead"] > 10, r["overhead"])
        check("%s: %s min <= median <= p99" % (arch, r["scenario"]), r["min"] <= r["median"] <= r["p99"], r)
    # The ring buffer saw every timed hit of the tracefs kinds.
    for kind in ("ftrace_function", "kprobe_event"):
        check("%s: %s recorded" % (arch, kind),
              "ubench: %s: ring buffer entries: 22000 overrun: 0" % kind in read(
                  "bench-linux-%s-icount.log" % arch))


def test_broken_logs():
    text = read("bench-linux-x86_64-icount.log")
    cut = text[:text.index('BENCH {"arch":"x86_64","scenario":"rethook"')]
    doc = bench_linux.result_doc("x86_64", "icount", "timeout", cut)
    check("cut log: unfinished kinds named", any("did not finish: rethook" in p for p in doc["problems"]),
          doc["problems"])
    check("cut log: no done line", any(bench_linux.DONE in p for p in doc["problems"]), doc["problems"])
    bad = text.replace('"scenario":"optprobe","unit"', '"scenario":"optprobe",,"unit"')
    doc = bench_linux.result_doc("x86_64", "icount", "pass", bad)
    check("bad JSON: counted", any("bad JSON" in p for p in doc["problems"]), doc["problems"])
    check("bad JSON: the line is dropped", "optprobe" not in bench.by_scenario(doc))
    err = text.replace('"scenario":"optprobe","unit"', '"scenario":"optprobe","error":"setup failed (-22)","unit"')
    doc = bench_linux.result_doc("x86_64", "icount", "pass", err)
    check("setup failure: reported", "optprobe: setup failed (-22)" in doc["problems"], doc["problems"])


def test_table():
    p = [(a, ours_doc(a), linux_doc(a)) for a in compare.ARCHS]
    md = compare.markdown(p)
    lines = md.splitlines()
    row = next((l for l in lines if l.startswith("| `kprobe_boost`")), "")
    cells = [c.strip() for c in row.split("|")]
    o = bench.by_scenario(p[0][1])["kprobe_boost"]["overhead"]
    n = bench.by_scenario(p[0][2])["kprobe_boost"]["overhead"]
    check("table: kprobe_boost x86_64 figures", cells[4:7] == ["%.0f" % o, "%.0f" % n, "%.1fx" % (n / o)], cells)
    only = next((l for l in lines if l.startswith("| `kprobe_event`")), "")
    check("table: a Linux-only kind has no uniprobe figure", "| - |" in only and "tracefs" in only, only)
    check("table: uniprobe-only scenarios stay in bench.md", not any(l.startswith("| `int3_floor`") for l in lines))
    order = [l.split("`")[1] for l in lines if l.startswith("| `")]
    check("table: uniprobe's order, Linux-only kinds last",
          order[:3] == ["call", "fentry_hook", "ftrace_function"] and
          order.index("kprobe_fentry") < order.index("ftrace_ops") and order[-1] == "bpf_fexit", order)
    # A kind that cannot run on one arch: "skipped" and the reason, not a gap.
    i386 = dict(p[1][2], skipped={"bpf_fentry": "no BTF here"})
    md = compare.markdown([p[0], (p[1][0], p[1][1], i386)])
    row = next((l for l in md.splitlines() if l.startswith("| `bpf_fentry`")), "")
    check("table: skipped kind", row.rstrip(" |").split("|")[-2].strip() == "skipped", row)
    check("table: skip reason", "- `bpf_fentry` on i386: no BTF here" in md, md[-300:])
    call = next((l for l in lines if l.startswith("| `call`")), "")
    check("table: call shows the medians", "%.0f" % bench.by_scenario(p[0][2])["call"]["median"] in call, call)
    check("table: the kernel named", "Linux 6.1" in md)
    check("table: comparable modes", "not comparable" not in md)
    tcg = dict(p[0][2], mode="tcg")
    check("table: mixed modes flagged", "not comparable" in compare.markdown([(p[0][0], p[0][1], tcg)]))
    # Cycles (KVM or TCG): ns beside them from the TSC rate.
    kvm = json.loads(json.dumps(p[0][2]))
    kvm["info"].update(unit="cycles", tsc_hz=2000000000)
    text, v = compare.cell(kvm, "kprobe_boost")
    check("cycles: ns beside", text == "%.0f (%.1f ns)" % (v, v / 2), text)


def test_update():
    tmp = tempfile.mkdtemp(prefix="test-bench-linux-")
    try:
        msg = compare.update(tmp)
        check("update: nothing to compare yet", msg.startswith("no comparison") and
              not os.path.exists(os.path.join(tmp, "compare.md")), msg)
        with open(os.path.join(tmp, "bench-linux-x86_64.json"), "w") as f:
            json.dump(linux_doc("x86_64"), f)
        check("update: one side only", compare.update(tmp).startswith("no comparison"))
        with open(os.path.join(tmp, "bench-x86_64.json"), "w") as f:
            json.dump(ours_doc("x86_64"), f)
        msg = compare.update(tmp)
        check("update: both sides", os.path.exists(os.path.join(tmp, "compare.md")) and "x86_64" in msg, msg)
        if shutil.which("gnuplot"):
            png = os.path.join(tmp, "compare.png")
            check("update: chart", os.path.exists(png) and open(png, "rb").read(4) == b"\x89PNG", msg)
    finally:
        shutil.rmtree(tmp)


def test_build_helpers():
    # newc records: 110-byte header, name and data padded to 4 bytes.
    rec = bench_linux.cpio_entry("dev/console", 0o20600, b"", (5, 1), ino=2)
    check("cpio: magic", rec.startswith(b"070701"))
    check("cpio: aligned", len(rec) % 4 == 0, len(rec))
    check("cpio: device numbers", rec[78:94] == b"0000000500000001", rec[78:94])
    rec = bench_linux.cpio_entry("init", 0o100755, b"abcde")
    check("cpio: file size", int(rec[54:62], 16) == 5 and rec.endswith(b"abcde\0\0\0"), rec[-8:])
    tmp = tempfile.mkdtemp(prefix="test-bench-linux-")
    try:
        for text, want in (('CONFIG_CC_VERSION_TEXT="gcc-12 (Debian 12.2.0-14) 12.2.0"\nCONFIG_GCC_VERSION=120200\n', 12),
                           ('CONFIG_CC_VERSION_TEXT="gcc-14 (Debian 14.2.0-19) 14.2.0"\n', 14)):
            with open(os.path.join(tmp, ".config"), "w") as f:
                f.write(text)
            check("gcc major %d" % want, bench_linux.gcc_major(tmp) == want)
        with open(os.path.join(tmp, ".config"), "w") as f:
            f.write("CONFIG_X=y\n")
        try:
            bench_linux.gcc_major(tmp)
            check("gcc major: missing is an error", False)
        except bench_linux.Fail:
            check("gcc major: missing is an error", True)
    finally:
        shutil.rmtree(tmp)


def test_qemu_flags():
    # The same CPU and accelerator flags as make bench's boots.
    for arch in ("i386", "x86_64"):
        for icount, kvm in ((True, False), (False, True), (False, False)):
            cmd = bench_linux.boot_command(arch, "vmlinuz", "initrd", icount, kvm, "serial.log")
            p = bench.argparse.ArgumentParser()
            bench.qemu.add_options(p)
            opts = p.parse_args(["--arch", arch] + (["--icount"] if icount else []) + (["--kvm"] if kvm else []))
            ours = bench.qemu.qemu_command(opts, tempfile.gettempdir(), serial="none")
            check("qemu flags %s icount=%d kvm=%d: binary" % (arch, icount, kvm), cmd[0] == ours[0], (cmd[0], ours[0]))
            flags = bench.qemu.cpu_options(arch, "bios", kvm, icount)
            check("qemu flags %s icount=%d kvm=%d: cpu" % (arch, icount, kvm),
                  " ".join(flags) in " ".join(cmd) and " ".join(flags) in " ".join(ours), flags)
    cmd = bench_linux.boot_command("x86_64", "k", "i", True, False, "s")
    check("qemu flags: icount", "shift=0,sleep=off" in cmd and "ubench_icount=1" in cmd[cmd.index("-append") + 1])
    check("qemu flags: nokaslr", "nokaslr" in cmd[cmd.index("-append") + 1])


def main():
    for arch in compare.ARCHS:
        test_linux_log(arch)
    test_broken_logs()
    test_table()
    test_update()
    test_build_helpers()
    test_qemu_flags()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
