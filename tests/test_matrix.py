#!/usr/bin/env python3
"""make test-matrix: the long QEMU matrix for real-PC robustness (not in CI).

Old and basic CPUs (pentium3, pentium, 486, qemu64), both machines (pc,
q35) under both firmwares, 64 MiB and 8 GiB of memory (regions above
4 GiB), no serial port (checked on the screen by screendump), 4 CPUs
(application processors stay parked), USB sticks under SeaBIOS and OVMF,
and no PIT. Each case is one boot, mode=test unless said otherwise; prints
one line per case and ends with 'N passed, M failed'.

  test_matrix.py --iso build/uniprobe.iso [--jobs 2] [--only SUBSTRING]
"""
import argparse
import concurrent.futures
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402
import qemu  # noqa: E402
import screen_check  # noqa: E402

# name, arch, fw, media, machine, cpu, memory, qemu extra args, how to check
CASES = [
    ("i386 -cpu pentium3", "i386", "bios", "cdrom", None, "pentium3", None, [], "test"),
    ("i386 -cpu pentium (no PAE, no cmov)", "i386", "bios", "cdrom", None, "pentium", None, [], "test"),
    ("i386 -cpu 486 (no TSC: must refuse)", "i386", "bios", "cdrom", None, "486", None, [], "refuse"),
    ("x86_64 -cpu qemu64", "x86_64", "bios", "cdrom", None, "qemu64", None, [], "test"),
    ("x86_64 bios q35", "x86_64", "bios", "cdrom", "q35", None, None, [], "test"),
    ("i386 bios q35", "i386", "bios", "cdrom", "q35", None, None, [], "test"),
    ("x86_64 uefi pc", "x86_64", "uefi", "cdrom", "pc", None, None, [], "test"),
    ("i386 uefi pc", "i386", "uefi", "cdrom", "pc", None, None, [], "test"),
    ("x86_64 bios -m 64M", "x86_64", "bios", "cdrom", None, None, "64M", [], "test"),
    ("i386 bios -m 64M", "i386", "bios", "cdrom", None, None, "64M", [], "test"),
    ("x86_64 uefi -m 64M", "x86_64", "uefi", "cdrom", None, None, "64M", [], "test"),
    ("i386 uefi -m 64M", "i386", "uefi", "cdrom", None, None, "64M", [], "test"),
    ("x86_64 bios -m 8G", "x86_64", "bios", "cdrom", None, None, "8G", [], "test"),
    ("i386 bios -m 8G", "i386", "bios", "cdrom", None, None, "8G", [], "test"),
    ("x86_64 uefi -m 8G", "x86_64", "uefi", "cdrom", None, None, "8G", [], "test"),
    ("i386 uefi -m 8G", "i386", "uefi", "cdrom", None, None, "8G", [], "test"),
    ("x86_64 bios -smp 4", "x86_64", "bios", "cdrom", None, None, None, ["-smp", "4"], "test"),
    ("i386 bios -smp 4", "i386", "bios", "cdrom", None, None, None, ["-smp", "4"], "test"),
    ("x86_64 uefi -smp 4", "x86_64", "uefi", "cdrom", None, None, None, ["-smp", "4"], "test"),
    ("i386 uefi -smp 4", "i386", "uefi", "cdrom", None, None, None, ["-smp", "4"], "test"),
    ("x86_64 bios -serial none (screen)", "x86_64", "bios", "cdrom", None, None, None, [], "screen"),
    ("i386 bios -serial none (screen)", "i386", "bios", "cdrom", None, None, None, [], "screen"),
    ("x86_64 uefi -serial none (screen)", "x86_64", "uefi", "cdrom", None, None, None, [], "screen"),
    ("i386 uefi -serial none (screen)", "i386", "uefi", "cdrom", None, None, None, [], "screen"),
    ("x86_64 bios -serial none (exit status)", "x86_64", "bios", "cdrom", None, None, None, [], "noserial"),
    ("x86_64 usb stick seabios", "x86_64", "bios", "usb", None, None, None, [], "test"),
    ("i386 usb stick seabios", "i386", "bios", "usb", None, None, None, [], "test"),
    ("x86_64 usb stick ovmf", "x86_64", "uefi", "usb", None, None, None, [], "test"),
    ("i386 usb stick ovmf", "i386", "uefi", "usb", None, None, None, [], "test"),
    ("x86_64 uefi std VGA (800x600, 24 bpp)", "x86_64", "uefi", "cdrom", None, None, None,
     ["-vga", "none", "-device", "VGA,xres=1280,yres=1024"], "fb"),
    ("i386 uefi cirrus (24 bpp)", "i386", "uefi", "cdrom", None, None, None, ["-vga", "cirrus"], "fb"),
    ("x86_64 uefi bochs-display 1920x1080", "x86_64", "uefi", "cdrom", None, None, None,
     ["-vga", "none", "-device", "bochs-display,xres=1920,yres=1080"], "fb"),
    ("i386 uefi virtio-vga", "i386", "uefi", "cdrom", None, None, None,
     ["-vga", "none", "-device", "virtio-vga"], "fb"),
    ("x86_64 bios no PIT", "x86_64", "bios", "cdrom", "pc,pit=off", None, None, [], "test"),
    ("i386 uefi no PIT", "i386", "uefi", "cdrom", "q35,pit=off", None, None, [], "test"),
]


def options(args, case, mode):
    _, arch, fw, media, machine, cpu, memory, extra, _ = case
    p = argparse.ArgumentParser()
    qemu.add_options(p)
    argv = ["--iso", args.iso, "--arch", arch, "--fw", fw, "--media", media, "--mode", mode,
            "--timeout", str(args.timeout)]
    if machine:
        argv += ["--machine", machine]
    if cpu:
        argv += ["--cpu", cpu]
    if memory:
        argv += ["--memory", memory]
    if args.kvm:
        argv.append("--kvm")
    opts = p.parse_args(argv)
    opts.qemu_extra = list(extra)
    return opts


def check_test(args, case, log):
    """mode=test: QEMU exits 'pass' and every KTAP case passed or skipped."""
    status, text = qemu.boot(options(args, case, "test"))
    with open(log, "w") as f:
        f.write(text)
    r = ktap.parse(text)
    failed = ["%s.%s" % (c[0], c[1]) for c in r["cases"] if c[2] == "fail"]
    faults = [line.strip() for line in text.splitlines() if "FAULT" in line or "stopping" in line]
    detail = "; ".join(r["problems"] + (["failed: " + ", ".join(failed)] if failed else []) + faults[:2])
    return status == "pass" and not failed and not r["problems"], "[%s] %s" % (status, detail)


def check_refuse(args, case, log):
    """A CPU we cannot run on: a clear message and a failing exit, no fault."""
    status, text = qemu.boot(options(args, case, "idle"))
    with open(log, "w") as f:
        f.write(text)
    said = [line.strip() for line in text.splitlines() if "a Pentium-class CPU is needed" in line]
    ok = status == "fail" and said and "FAULT" not in text
    return ok, "[%s] %s" % (status, said[0] if said else "no refusal message")


def screen_text(s, ppm):
    s.screendump(ppm)
    try:
        w, h, px = screen_check.read_ppm(ppm)
        return screen_check.Screen(w, h, px).text(screen_check.load_font())
    except (OSError, ValueError, IndexError, SystemExit):
        return []


def check_screen(args, case, log):
    """No serial port: boot mode=idle, read the screen until the prompt shows,
    type a command on the keyboard and read its answer."""
    arch = case[1]
    banner = "uniprobe 0.1 (%s) - dynamic instrumentation unikernel" % arch
    ppm = log[:-4] + ".ppm"
    lines = []
    with qemu.Session(options(args, case, "idle"), serial="none") as s:
        deadline = time.time() + args.timeout
        while time.time() < deadline and s.proc.poll() is None:
            time.sleep(2)
            lines = screen_text(s, ppm)
            if any(line.startswith("uniprobe>") for line in lines):
                break
        # the keyboard is the only input now
        s.type_keys("probes\n")
        for _ in range(10):
            time.sleep(1)
            after = screen_text(s, ppm)
            if any(line.startswith("tracer: off") for line in after):
                break
        lines += after
    with open(log, "w") as f:
        f.write("\n".join(lines) + "\n")
    want = [banner, "uniprobe: idle", "uniprobe>", "uniprobe> probes", "tracer: off"]
    missing = [w for w in want if not any(w in line for line in lines)]
    consoles = [line.strip() for line in lines if line.startswith("consoles:")]
    no_com1 = bool(consoles) and "com1" not in consoles[0]
    ok = not missing and no_com1
    return ok, "missing %s" % missing if missing else (consoles[0] if consoles else "no consoles line")


def check_noserial(args, case, log):
    """No serial port, mode=test: only the exit status tells."""
    with qemu.Session(options(args, case, "test"), serial="none") as s:
        rc = s.wait_exit(args.timeout)
    with open(log, "w") as f:
        f.write("exit status %s\n" % rc)
    return rc == qemu.EXIT_PASS, "exit status %s" % rc


def check_fb(args, case, log):
    """Another display: the framebuffer line on serial, the text on the screen."""
    ppm = log[:-4] + ".ppm"
    opts = options(args, case, "idle")
    opts.screendump = ppm
    status, text = qemu.boot(opts)
    with open(log, "w") as f:
        f.write(text)
    fb = [line.strip() for line in text.splitlines() if line.startswith("framebuffer:")]
    lines = []
    if status == "dumped":
        w, h, px = screen_check.read_ppm(ppm)
        lines = screen_check.Screen(w, h, px).text(screen_check.load_font())
    banner = "uniprobe 0.1 (%s) - dynamic instrumentation unikernel" % case[1]
    missing = [w for w in (banner, "uniprobe: idle") if not any(w in line for line in lines)]
    return status == "dumped" and not missing, "%s%s" % (fb[0] if fb else "no framebuffer line",
                                                         "; missing %s" % missing if missing else "")


CHECKS = {"fb": check_fb, "test": check_test, "refuse": check_refuse, "screen": check_screen, "noserial": check_noserial}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iso", default="iso/uniprobe.iso")
    ap.add_argument("--build", default="build")
    ap.add_argument("--kvm", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--only", default="", help="run the cases whose name contains this")
    args = ap.parse_args()
    log_dir = os.path.join(args.build, "test-logs", "matrix")
    os.makedirs(log_dir, exist_ok=True)
    cases = [c for c in CASES if args.only in c[0]]
    t0 = time.time()

    def one(case):
        log = os.path.join(log_dir, "".join(ch if ch.isalnum() else "_" for ch in case[0]) + ".log")
        start = time.time()
        try:
            ok, detail = CHECKS[case[8]](args, case, log)
        except Exception as e:  # a broken case must not hide the others
            ok, detail = False, "%s: %s" % (type(e).__name__, e)
        return case, ok, detail, time.time() - start, log

    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for case, ok, detail, secs, log in pool.map(one, cases):
            passed += ok
            failed += not ok
            print("  %-4s %-40s %5.1fs  %s" % ("ok" if ok else "FAIL", case[0], secs,
                                                detail if not ok else detail[:60]), flush=True)
    print("\nlogs in %s; %.0f s" % (log_dir, time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
