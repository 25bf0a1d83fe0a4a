#!/usr/bin/env python3
"""make test: every check uniprobe has, ending with one line 'N passed, N failed'.

1. host unit tests of lib/ (each prints its own 'N passed, N failed'),
   make bench-linux's parsing and comparison table on stored logs, and the
   objtool's rejection tests (tools/objcheck);
2. the instruction decoder checks (objdump comparison, Zydis fuzzing);
   static analysis (make check); the fuzz targets over their saved corpora;
3. the QEMU boot matrix in mode=test (KTAP parsed per case), two boots at a time;
4. the screen test: screendumps under OVMF (framebuffer) and SeaBIOS (VGA text);
5. the keyboard console (sendkey), probes from the kernel command line and the
   GRUB editor, ACPI reboot and power off;
5b. the benchmark's QR codes read back from screendumps with zbarimg;
6. the benchmark in icount mode on both arches: every scenario runs, sane numbers;
7. make trace's files (Chrome JSON, folded stacks, flame graph) and the profiler.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402
import qemu  # noqa: E402

SUMMARY = re.compile(r"^(?:\w+:\s*)?(\d+) passed, (\d+) failed", re.M)

# (arch, firmware, media, extra kernel arguments[, CPUs[, machine]]): the
# matrix every change must pass. hook_all=1 runs the self-tests with every
# traceable function hooked by the function tracer and the function graph
# tracer. Boots with several CPUs run under multi-threaded TCG.
BOOT_MATRIX = [
    ("i386", "bios", "cdrom", ""),
    ("x86_64", "bios", "cdrom", ""),
    ("x86_64", "uefi", "cdrom", ""),
    ("i386", "uefi", "cdrom", ""),
    ("x86_64", "uefi", "usb", ""),
    ("i386", "bios", "cdrom", "hook_all=1"),
    ("x86_64", "bios", "cdrom", "hook_all=1"),
    ("i386", "bios", "cdrom", "", 2),
    ("x86_64", "bios", "cdrom", "", 2),
    ("i386", "uefi", "cdrom", "", 2),
    ("x86_64", "uefi", "cdrom", "", 2),
    ("i386", "bios", "cdrom", "", 4),
    ("x86_64", "bios", "cdrom", "", 4),
    ("i386", "uefi", "cdrom", "", 4),
    ("x86_64", "uefi", "cdrom", "", 4),
    ("x86_64", "uefi", "cdrom", "", 8, "q35"),
    ("x86_64", "bios", "cdrom", "hook_all=1", 4),
]

# (arch, firmware, what the console is): the screen must show the banner.
SCREEN_MATRIX = [
    ("x86_64", "uefi", "framebuffer"),
    ("i386", "bios", "VGA text"),
]


class Totals:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def add(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(name + (": " + detail if detail else ""))


def run_counted(totals, name, cmd, log_dir):
    """Run a command that prints 'N passed, M failed' lines; add them up."""
    t0 = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = os.path.join(log_dir, name.replace(" ", "_").replace("/", "_") + ".log")
    with open(log, "w") as f:
        f.write(proc.stdout)
    found = SUMMARY.findall(proc.stdout)
    p = sum(int(a) for a, _ in found)
    f_ = sum(int(b) for _, b in found)
    totals.passed += p
    totals.failed += f_
    if f_:
        totals.failures.append("%s: %d failed (see %s)" % (name, f_, log))
    if proc.returncode != 0 and not f_:
        totals.add(name, False, "exit %d without a counted failure (see %s)" % (proc.returncode, log))
    if not found and proc.returncode == 0:
        totals.add(name, False, "printed no 'N passed, N failed' line (see %s)" % log)
    print("  %-34s %4d passed, %d failed  (%.1fs)" % (name, p, f_, time.time() - t0), flush=True)


def boot_options(args, arch, fw, media, mode, timeout, extra=None, screendump=None, smp=1, machine=None):
    p = qemu.argparse.ArgumentParser()
    qemu.add_options(p)
    argv = ["--iso", args.iso, "--arch", arch, "--fw", fw, "--media", media,
            "--mode", mode, "--timeout", str(timeout), "--smp", str(smp)]
    if machine:
        argv += ["--machine", machine]
    if args.kvm:
        argv.append("--kvm")
    if extra:
        argv += ["--args", extra]
    if screendump:
        argv += ["--screendump", screendump]
    return p.parse_args(argv)


def boot_matrix(args, totals, log_dir):
    def one(entry):
        arch, fw, media, extra = entry[:4]
        smp = entry[4] if len(entry) > 4 else 1
        machine = entry[5] if len(entry) > 5 else None
        t0 = time.time()
        # several CPUs under TCG: each boot takes longer, and more so on a loaded host
        timeout = args.boot_timeout * (2 if smp > 1 else 1)
        opts = boot_options(args, arch, fw, media, "test", timeout, extra=extra, smp=smp, machine=machine)
        opts.log = os.path.join(log_dir, "boot-%s-%s-%s%s%s.log" % (
            arch, fw, media, "-" + extra.replace("=", "") if extra else "",
            "-smp%d" % smp if smp > 1 else ""))
        status, text = qemu.boot(opts)
        return entry, status, text, time.time() - t0

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for entry, status, text, secs in pool.map(one, BOOT_MATRIX):
            name = "boot %s/%s/%s" % entry[:3] + (" " + entry[3] if entry[3] else "") + \
                (" -smp %d" % entry[4] if len(entry) > 4 else "") + (" " + entry[5] if len(entry) > 5 else "")
            r = ktap.parse(text)
            cases = r["cases"]
            p = sum(1 for c in cases if c[2] in ("pass", "skip"))
            f_ = [c for c in cases if c[2] == "fail"]
            skipped = sum(1 for c in cases if c[2] == "skip")
            totals.passed += p
            for c in f_:
                totals.add("%s: %s.%s" % (name, c[0], c[1]), False)
            ok = status == "pass" and not r["problems"] and not f_
            smp = entry[4] if len(entry) > 4 else 1
            want = "smp: %d of %d CPUs online" % (smp, smp)
            if want not in text:
                ok = False
                r["problems"].append("no '%s' line" % want)
            totals.add(name, ok, "%s; %s (log %s)" % (status, "; ".join(r["problems"]) or
                                                       "%d failed cases" % len(f_), log_dir))
            print("  %-34s %4d passed, %d failed, %d skipped  [%s] (%.1fs)" %
                  (name, p, len(f_), skipped, status, secs), flush=True)


def smp_fault_tests(args, totals, log_dir):
    """fault_cpu=2 with 4 CPUs: the report names CPU 2, and every other CPU,
    stopped by NMI, prints its registers and backtrace."""
    def one(arch):
        opts = boot_options(args, arch, "bios", "cdrom", "test", args.boot_timeout, extra="fault_cpu=2", smp=4)
        opts.log = os.path.join(log_dir, "boot-%s-bios-fault_cpu2-smp4.log" % arch)
        return arch, qemu.boot(opts)

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for arch, (status, text) in pool.map(one, ["i386", "x86_64"]):
            name = "fault report %s -smp 4 fault_cpu=2" % arch
            missing = [w for w in ["*** FAULT on CPU 2:"] +
                       ["*** CPU %d (APIC id" % c for c in (0, 1, 3)] if w not in text]
            ok = status == "fail" and not missing and text.count("backtrace:") >= 4
            totals.add(name, ok, "%s; missing %s (log %s)" % (status, missing, log_dir))
            print("  %-34s %s  [%s]" % (name, "pass" if ok else "FAIL", status), flush=True)


def screen_tests(args, totals, log_dir):
    checker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "screen_check.py")
    if not os.path.exists(checker):
        totals.add("screen test", False, "tests/screen_check.py is missing")
        return
    for arch, fw, what in SCREEN_MATRIX:
        ppm = os.path.join(log_dir, "screen-%s-%s.ppm" % (arch, fw))
        opts = boot_options(args, arch, fw, "cdrom", "idle", args.boot_timeout, screendump=ppm)
        opts.log = os.path.join(log_dir, "screen-%s-%s.log" % (arch, fw))
        status, _ = qemu.boot(opts)
        name = "screen %s/%s (%s)" % (arch, fw, what)
        if status != "dumped":
            totals.add(name, False, "no screendump (%s)" % status)
            print("  %-34s no screendump [%s]" % (name, status))
            continue
        banner = "uniprobe 0.1 (%s) - dynamic instrumentation unikernel" % arch
        run_counted(totals, name, [sys.executable, checker, ppm, "--expect", banner,
                                   "--dump", ppm + ".txt"], log_dir)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso", default="iso/uniprobe.iso")
    ap.add_argument("--build", default="build")
    ap.add_argument("--kvm", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--boot-timeout", type=float, default=240)
    ap.add_argument("--only", default="host,insn,check,fuzz,boot,screen,console,qr,bench,trace")
    args = ap.parse_args()
    only = args.only.split(",")
    log_dir = os.path.join(args.build, "test-logs")
    os.makedirs(log_dir, exist_ok=True)
    totals = Totals()
    t0 = time.time()

    if "host" in only:
        print("host unit tests:", flush=True)
        host_dir = os.path.join(args.build, "host")
        for name in sorted(os.listdir(host_dir)):
            path = os.path.join(host_dir, name)
            if name.startswith("test_") and os.access(path, os.X_OK):
                run_counted(totals, name, [path], log_dir)
        run_counted(totals, "make test-objcheck", ["make", "--no-print-directory", "-s",
                                                  "BUILD=" + args.build, "test-objcheck"], log_dir)
        here = os.path.dirname(os.path.abspath(__file__))
        run_counted(totals, "screen_check --selftest",
                    [sys.executable, os.path.join(here, "screen_check.py"), "--selftest"], log_dir)
        run_counted(totals, "test_bench_linux.py (stored logs)",
                    [sys.executable, os.path.join(here, "test_bench_linux.py")], log_dir)
        run_counted(totals, "qr_roundtrip (zbarimg)",
                    [sys.executable, os.path.join(here, "qr_roundtrip.py"), "--build", args.build], log_dir)
    if "insn" in only:
        print("instruction decoder:", flush=True)
        run_counted(totals, "make test-insn", ["make", "--no-print-directory", "-s",
                                              "BUILD=" + args.build, "test-insn"], log_dir)
    if "check" in only:
        print("static analysis (gcc -fanalyzer, cppcheck):", flush=True)
        run_counted(totals, "make check", ["make", "--no-print-directory", "-s", "-j%d" % args.jobs,
                                           "BUILD=" + args.build, "check"], log_dir)
    if "fuzz" in only:
        print("fuzz targets over their corpora (ASan + UBSan):", flush=True)
        run_counted(totals, "make fuzz-regress", ["make", "--no-print-directory", "-s",
                                                  "BUILD=" + args.build, "fuzz-regress"], log_dir)
    if "boot" in only:
        print("QEMU boot matrix (mode=test):", flush=True)
        boot_matrix(args, totals, log_dir)
        smp_fault_tests(args, totals, log_dir)
    if "screen" in only:
        print("screen:", flush=True)
        screen_tests(args, totals, log_dir)
    if "console" in only:
        print("keyboard console, command-line probes, reboot:", flush=True)
        here = os.path.dirname(os.path.abspath(__file__))
        run_counted(totals, "test_console.py", [sys.executable, os.path.join(here, "test_console.py"),
                                                "--iso", args.iso], log_dir)
    if "qr" in only:
        print("benchmark results as QR codes (screendumps, zbarimg):", flush=True)
        here = os.path.dirname(os.path.abspath(__file__))
        run_counted(totals, "test_qr.py", [sys.executable, os.path.join(here, "test_qr.py"), "--iso", args.iso,
                                           "--keep", os.path.join(log_dir, "qr")], log_dir)
    if "bench" in only:
        print("benchmark (icount, sanity only):", flush=True)
        here = os.path.dirname(os.path.abspath(__file__))
        run_counted(totals, "test_bench.py", [sys.executable, os.path.join(here, "test_bench.py"),
                                              "--iso", args.iso, "--build", args.build], log_dir)
    if "trace" in only:
        print("trace pictures and the profiler (icount):", flush=True)
        here = os.path.dirname(os.path.abspath(__file__))
        run_counted(totals, "test_trace.py", [sys.executable, os.path.join(here, "test_trace.py"),
                                              "--iso", args.iso, "--build", args.build], log_dir)

    print("\nlogs in %s; %.0f s" % (log_dir, time.time() - t0))
    for f in totals.failures:
        print("FAILED: " + f)
    print("%d passed, %d failed" % (totals.passed, totals.failed))
    sys.exit(1 if totals.failed else 0)


if __name__ == "__main__":
    main()
