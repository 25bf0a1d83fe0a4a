#!/usr/bin/env python3
"""The keyboard console and probes from the command line, under QEMU.

  test_console.py --iso build/uniprobe.iso [--only console,cmdline,bench,reboot] [--keep DIR]

console   mode=idle: commands typed on the PS/2 keyboard (QEMU monitor
          `sendkey`) and on COM1, checked on serial and by screendump
          (x86_64/UEFI framebuffer, i386/SeaBIOS VGA text); ends with
          `poweroff` (ACPI S5: QEMU must exit)
cmdline   mode=test test=probe_events with probe= options on the kernel
          command line (through GRUB): the KTAP case cmdline_events counts
          their hits, and their event lines must be on serial (all four
          arch/firmware pairs)
grub      the GRUB menu editor (`e`, append probe=..., Ctrl-x), keys sent
          one by one: GRUB's quoting reaches the kernel intact
bench     mode=bench without qemu_exit: the results' QR code waits for a key, then
          the table is back on the screen and the console comes up
reboot    `reboot` typed: QEMU (-no-reboot) exits; the FADT reset register
          (q35), the keyboard controller (pc), a triple fault (pc without
          an i8042, typed on COM1)

Prints one line per check and ends with 'N passed, M failed'.
"""
import argparse
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402
import qemu  # noqa: E402
import screen_check  # noqa: E402
from test_bench import Checks  # noqa: E402  (one 'ok/FAIL name' line per check)

PROMPT = "uniprobe> "
EVENT = r"^\s+<idle>-0\s+\[000\] d\.\.1\.\s+\d+\.\d{6}: "


def options(args, arch, fw, mode, extra="", machine=None):
    p = argparse.ArgumentParser()
    qemu.add_options(p)
    argv = ["--iso", args.iso, "--arch", arch, "--fw", fw, "--mode", mode, "--timeout", "120"]
    if extra:
        argv += ["--args", extra]
    if machine:
        argv += ["--machine", machine]
    return p.parse_args(argv)


def screen_lines(ppm):
    w, h, px = screen_check.read_ppm(ppm)
    return screen_check.Screen(w, h, px).text(screen_check.load_font())


def answer_until_prompt(s, start, until=None, timeout=30):
    """Wait for `until` (if given) after start, then the next prompt,
    answering the pager's "-- more" with a space (long listings page on a
    screen). The output from start, or None on a timeout."""
    pos, deadline = start, time.time() + timeout
    seen = until is None
    while time.time() < deadline:
        s.poll(0.1)
        more = s.text.find("-- more", pos)
        if more >= 0:
            s.write_serial(" ")
            pos = more + 1
            continue
        if not seen:
            i = s.text.find(until, start)
            if i < 0:
                continue
            seen, pos = True, max(pos, i + len(until))
        if s.text.find(PROMPT, pos) >= 0:
            return s.text[start:]
    return None


def command(s, text, until=None, timeout=30, keyboard=True):
    """Type a command (keyboard, or COM1); wait for `until` (if given) in
    what follows, then the next prompt. Returns the output, None on a timeout."""
    start = len(s.text)
    if keyboard:
        s.type_keys(text + "\n")
    else:
        s.write_serial(text + "\r")
    return answer_until_prompt(s, start, until or text, timeout)


def trace_show(s, timeout=60):
    """`trace show` over COM1: the output up to the next prompt."""
    return command(s, "trace show", None, timeout, keyboard=False)


def console_test(args, res, arch, fw, keep):
    tag = "console %s/%s" % (arch, fw)
    with qemu.Session(options(args, arch, fw, "idle")) as s:
        if not res.check(tag + ": prompt after 'uniprobe: idle'",
                         s.wait_for("uniprobe: idle", 90) >= 0 and s.wait_for(PROMPT, 30) >= 0,
                         s.text[-300:]):
            return
        out = command(s, "help", "keys:")
        res.check(tag + ": help (keyboard)", out is not None and "trace function|graph GLOB" in out)

        out = command(s, "p:sh shell_execute cmd=+0($arg0):string", "probe: sh")
        res.check(tag + ": p: typed defines an fentry event",
                  out is not None and "probe: sh: fentry hook at shell_execute+0x0, 1 argument" in out, out)
        out = command(s, "r:shr shell_execute", "probe: shr")
        res.check(tag + ": r: typed defines a return event",
                  out is not None and "probe: shr: return hook at shell_execute+0x0, 0 arguments" in out, out)
        out = command(s, "p:bad shell_execute x=%zz y=$arg0")
        res.check(tag + ": a bad definition names its token",
                  out is not None and "at 'x=%zz': unknown register '%zz'" in out and "probe: bad:" not in out,
                  out)

        out = command(s, "syms zz_no_such_symbol*")
        res.check(tag + ": nothing prints from the handler (the command's output only)",
                  out is not None and "0 of " in out and "sh: (" not in out and "shr: (" not in out, out)

        out = command(s, "probes", "tracer:", keyboard=False)
        ok = out is not None and \
            re.search(r"^  sh\s+shell_execute\+0x0\s+fentry hook\s+on\s+hits 4, missed 0", out, re.M) and \
            re.search(r"^  shr\s+shell_execute\+0x0\s+return hook\s+on\s+hits 2", out, re.M) and \
            "  bad " not in out
        res.check(tag + ": probes (serial input) lists hits", bool(ok), out)

        out = trace_show(s)
        ok = out is not None and "# tracer: nop" in out and \
            re.search(EVENT + r'sh: \(shell_execute\+0x0/0x[0-9a-f]+\) cmd="syms zz_no_such_symbol\*"$',
                      out, re.M) and \
            re.search(EVENT + r"shr: \(shell_run\+0x[0-9a-f]+/0x[0-9a-f]+ <- shell_execute\)$", out, re.M) and \
            re.search(EVENT + r'sh: \(shell_execute\+0x0/0x[0-9a-f]+\) cmd="probes"$', out, re.M)
        res.check(tag + ": trace show prints the recorded events", bool(ok), out)

        command(s, "disable sh", "disabled")
        command(s, "help", "keys:")
        out = command(s, "probes", "tracer:", keyboard=False)
        ok = out is not None and re.search(r"^  sh\s+shell_execute\+0x0\s+fentry hook\s+off\s+hits 6,", out, re.M)
        command(s, "enable sh", "enabled")
        out2 = command(s, 'filter sh cmd ~ "tr*"', "filter set")
        command(s, "help", "keys:")
        out3 = command(s, "probes", "tracer:", keyboard=False)
        ok = ok and out2 is not None and out3 is not None and \
            re.search(r"^  sh\s+shell_execute\+0x0\s+fentry hook\s+on\s+hits 9, missed 0, filtered 2,", out3, re.M)
        out4 = command(s, "filter sh cmd > 3", "filter")
        ok = ok and out4 is not None and 'expected a "quoted" string' in out4
        res.check(tag + ": disable / enable / filter from the console", bool(ok),
                  "%s\n%s\n%s\n%s" % (out, out2, out3, out4))
        command(s, "-:sh", "removed")
        command(s, "-:shr", "removed")
        command(s, "trace clear", "cleared")

        # Probes on the console's own code: what it prints stays whole and
        # identical; the events are lines of their own when read.
        plain = command(s, "help", "keys:", keyboard=False)
        command(s, "p:cs strlen s=$arg0:string", "probe: cs")
        command(s, "p:cf format", "probe: cf")
        probed = command(s, "help", "keys:", keyboard=False)
        command(s, "disable c*", "disabled")
        shown = trace_show(s)
        ok = plain is not None and probed is not None and plain == probed and shown is not None and \
            re.search(EVENT + r"cf: \(format\+0x0/0x[0-9a-f]+\)$", shown, re.M) and \
            all(re.match(r"^(#|\s+<idle>-0 |trace show|uniprobe> |$)", re.sub(r"^-- more: .*? quit --", "", line))
                for line in re.split(r"[\r\n]", shown) if line.strip())
        res.check(tag + ": probes on strlen and the formatter: console output whole and unchanged", bool(ok),
                  "plain:\n%s\nprobed:\n%s\ntrace:\n%s" % (plain, probed, (shown or "")[:2000]))
        command(s, "-:cs", "removed")
        command(s, "-:cf", "removed")

        # trace pipe: records print as they arrive (here: the pipe's own key
        # polling, probed), until a key is pressed.
        command(s, "p:tp kbd_read", "probe: tp")
        start = len(s.text)
        s.write_serial("trace pipe\r")
        ok = s.wait_for("any key stops", 20, start) >= 0
        deadline = time.time() + 30
        while ok and s.text.count("tp: (kbd_read+0x0/0x", start) < 3 and time.time() < deadline:
            s.poll(0.2)
        s.write_serial("q")
        ok = ok and s.wait_for(PROMPT, 20, start) >= 0
        lines = [l for l in re.split(r"[\r\n]", s.text[start:]) if "tp: (kbd_read" in l]
        ok = ok and len(lines) >= 3 and all(re.match(EVENT + r"tp: \(kbd_read\+0x0/0x[0-9a-f]+\)$", l) for l in lines)
        res.check(tag + ": trace pipe prints events as they arrive, until a key", bool(ok), s.text[start:][-800:])
        command(s, "-:tp", "removed")
        command(s, "trace clear", "cleared")

        # BTF: prototypes in syms, a struct's layout, an event by parameter name.
        out = command(s, "syms kmalloc")
        res.check(tag + ": syms shows the prototype", out is not None and
                  re.search(r"^[0-9a-f]+ +[0-9a-f]+ f void \*kmalloc\(size_t size\)$", out, re.M), out)
        out = command(s, "btf pbtf_inner")
        res.check(tag + ": btf prints a struct's layout", out is not None and
                  "struct pbtf_inner {" in out and re.search(r"char tag\[8\]; +/\* +2 +8 \*/", out) and
                  "/* size: 10, members: 2 */" in out, out)
        out = command(s, "btf nosuchtype")
        res.check(tag + ": btf names what it did not find", out is not None and
                  "btf: no struct, union, typedef, enum or function called 'nosuchtype'" in out, out)
        out = command(s, "p:shn shell_execute line", "probe: shn")
        res.check(tag + ": p: by parameter name", out is not None and
                  "probe: shn: fentry hook at shell_execute+0x0, 1 argument" in out, out)
        command(s, "trace clear", "cleared")
        command(s, "help", "keys:")
        command(s, "disable shn", "disabled")
        out = trace_show(s)
        res.check(tag + ": the parameter prints as a string", out is not None and
                  re.search(EVENT + r'shn: \(shell_execute\+0x0/0x[0-9a-f]+\) line="help"$', out, re.M), out)
        command(s, "-:shn", "removed")
        out = command(s, "p:shx shell_execute line->x")
        res.check(tag + ": member access on a non-pointer is refused", out is not None and
                  "at 'line->x': 'line' is char *: '->' needs a pointer to a struct or union" in out, out)

        # A listing longer than the screen stops: space pages on, q stops.
        start = len(s.text)
        s.type_keys("syms\n")
        ok = s.wait_for("-- more", 20, start) >= 0
        s.type_keys(" ")
        ok = ok and s.wait_for("-- more", 20, s.text.find("-- more", start) + 1) >= 0
        s.type_keys("q")
        ok = ok and s.wait_for(PROMPT, 20, start) >= 0
        out = s.text[start:]
        res.check(tag + ": syms pages (space: on, q: stop)", ok and " of " not in out.split("-- more")[-1],
                  out[-300:])

        out = command(s, "trace graph probe_event_*")
        ok = out is not None and "trace: function_graph on 'probe_event_*'" in out
        command(s, "-:nothere", "no event")
        out = command(s, "trace show")
        ok = ok and out is not None and "# tracer: function_graph" in out and \
            re.search(r"probe_event_command\(\) \{", out) and re.search(r"probe_event_remove\(\)", out)
        command(s, "trace stop")
        res.check(tag + ": trace graph / show / stop", bool(ok), out)

        ppm = os.path.join(keep, "console-%s-%s.ppm" % (arch, fw))
        s.type_keys("p:scr probe_events_list s=$stack0:symbol\n")
        s.wait_for("probe: scr", 20)
        time.sleep(0.5)
        s.screendump(ppm)
        try:
            lines = screen_lines(ppm)
            want = ["uniprobe> p:scr probe_events_list s=$stack0:symbol",
                    "probe: scr: fentry hook at probe_events_list+0x0, 1 argument", "uniprobe> trace stop"]
            missing = [w for w in want if not any(w in line for line in lines)]
            res.check(tag + ": the screen shows the typed command and its answer", not missing,
                      "missing %s; screen:\n%s" % (missing, "\n".join(lines)))
        except (OSError, ValueError, SystemExit) as e:
            res.check(tag + ": screendump", False, str(e))

        start = len(s.text)
        s.type_keys("poweroff\n")
        rc = s.wait_exit(20)
        res.check(tag + ": poweroff (ACPI S5) ends QEMU", rc == 0 and "poweroff: ACPI S5" in s.text[start:],
                  "exit %s; %s" % (rc, s.text[start:][-200:]))


CMDLINE_PROBES = ('probe="p:pe_cmd pe_target a=$arg0:s32 s=+0($arg2):string" '
                  'probe="r:pe_cmdret pe_target rv=$retval:s32" '
                  'probe="p:pe_cmdn pe_target a s" probe="p:kmsz kmalloc size"')


def cmdline_test(args, res, arch, fw):
    tag = "cmdline probes %s/%s" % (arch, fw)
    status, text = qemu.boot(options(args, arch, fw, "test", "test=probe_events " + CMDLINE_PROBES))
    text = text.replace("\r", "")
    r = ktap.parse(text)
    cases = {c[1]: c[2] for c in r["cases"]}
    res.check(tag + ": boot passes", status == "pass" and not r["problems"], status + " " + "; ".join(r["problems"]))
    res.check(tag + ": registered at boot", "probe: pe_cmd: fentry hook at pe_target+0x0, 2 arguments" in text
              and "probe: pe_cmdret: return hook at pe_target+0x0, 1 argument" in text
              and "probe: pe_cmdn: fentry hook at pe_target+0x0, 2 arguments" in text
              and "probe: kmsz: fentry hook at kmalloc+0x0, 1 argument" in text)
    res.check(tag + ": KTAP cmdline_events counted the hits", cases.get("cmdline_events") == "pass", str(cases))
    ok = re.search(EVENT + r'pe_cmd: \(pe_target\+0x0/0x[0-9a-f]+\) a=21 s="cmdline"$', text, re.M) and \
        re.search(EVENT + r"pe_cmdret: \(test_cmdline_events\+0x[0-9a-f]+/0x[0-9a-f]+ <- pe_target\) rv=142$",
                  text, re.M) and \
        re.search(EVENT + r'pe_cmdn: \(pe_target\+0x0/0x[0-9a-f]+\) a=21 s="cmdline"$', text, re.M)
    res.check(tag + ": event lines on serial (positional and by BTF name)", bool(ok))


GRUB_EDIT = " mode=idle probe='p:gp kmalloc size=$arg0:u64' probe=\"r:gr kmalloc\" probe=\"p:dq kmalloc a=$arg0\""


def grub_test(args, res, arch, fw):
    """What a person does on a real PC: `e` in the GRUB menu, append probe=
    options to the multiboot2 line, Ctrl-x. GRUB keeps single-quoted text
    as is, expands $variables inside double quotes (here to nothing), and
    hands an argument with spaces on wrapped in double quotes."""
    tag = "grub editor %s/%s" % (arch, fw)
    opts = options(args, arch, fw, "idle")
    opts.qemu_extra = ["-smbios", "type=1,serial=VENDOR-1234"]    # a real PC's serial: the menu shows
    with qemu.Session(opts) as s:
        if not res.check(tag + ": menu", s.wait_for("command-line.", 90) >= 0, s.text[-300:]):
            return
        for _ in range(4 if arch == "i386" else 0):   # the i386 entries follow the four x86_64 ones
            s.monitor("sendkey down 50")
            time.sleep(0.3)
        for _ in range(3):      # the first key may only stop the countdown
            n = len(s.text)
            s.monitor("sendkey e 50")
            if s.wait_for("Emacs-like", 5, n) >= 0:
                break
        if not res.check(tag + ": editor", s.text.find("Emacs-like", n) >= 0):
            return
        for key in ["down", "down", "end"] + [qemu.sendkey_name(ch) for ch in GRUB_EDIT]:
            s.monitor("sendkey %s 50" % key)
            time.sleep(0.4)     # GRUB redraws the line on serial for every key: slow
        s.monitor("sendkey ctrl-x 50")
        ok = s.wait_for(PROMPT, 90) >= 0
        text = s.text[s.text.find("uniprobe 0.1 (%s)" % arch):]
        res.check(tag + ": GRUB passes the quoted definitions on",
                  ok and '"probe=p:gp kmalloc size=$arg0:u64" "probe=r:gr kmalloc"' in text, text[:600])
        res.check(tag + ": both registered", "probe: gp: fentry hook at kmalloc+0x0, 1 argument" in text
                  and "probe: gr: return hook at kmalloc+0x0, 0 arguments" in text)
        res.check(tag + ": $arg0 inside GRUB double quotes is GRUB's (empty)",
                  "at 'a=': empty argument" in text)


def bench_test(args, res, arch, fw, keep):
    tag = "after bench %s/%s" % (arch, fw)
    with qemu.Session(options(args, arch, fw, "bench", "qemu_exit=0 bench=call")) as s:
        # Without qemu_exit (a person at the screen) the results show as a QR code first.
        ok = s.wait_for("bench: QR code 1/1 on the screen", 240) >= 0
        res.check(tag + ": the results show as a QR code, waiting for a key", ok and "uniprobe: done" not in s.text,
                  s.text[-300:])
        s.type_keys(" ")
        ok = s.wait_for("uniprobe: done", 30) >= 0 and s.wait_for(PROMPT, 20) >= 0
        res.check(tag + ": a key, and the console comes up", ok, s.text[-300:])
        if ok:
            ppm = os.path.join(keep, "after-bench-%s-%s.ppm" % (arch, fw))
            time.sleep(0.5)
            s.screendump(ppm)
            try:
                lines = screen_lines(ppm)
                res.check(tag + ": the table is back on the screen after the QR code",
                          any("bench: 1 scenarios, 0 failed" in line for line in lines), "\n".join(lines))
            except (OSError, ValueError, SystemExit) as e:
                res.check(tag + ": screendump", False, str(e))
            out = command(s, "help", "keys:")
            res.check(tag + ": and answers", out is not None)


def reboot_test(args, res, arch, fw, machine, how, keyboard=True):
    tag = "reboot %s/%s/%s" % (arch, fw, machine)
    with qemu.Session(options(args, arch, fw, "idle", machine=machine)) as s:
        if not res.check(tag + ": prompt", s.wait_for(PROMPT, 90) >= 0):
            return
        if not keyboard:
            res.check(tag + ": no keyboard controller, COM1 input only",
                      "console: no PS/2 keyboard controller; input from COM1 only" in s.text)
        start = len(s.text)
        if keyboard:
            s.type_keys("reboot\n")
        else:
            s.write_serial("reboot\r")
        rc = s.wait_exit(20)
        res.check(tag + ": QEMU resets (%s)" % how, rc == 0 and how in s.text[start:],
                  "exit %s; %s" % (rc, s.text[start:][-200:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iso", default="iso/uniprobe.iso")
    ap.add_argument("--only", default="console,cmdline,grub,bench,reboot")
    ap.add_argument("--keep", default=None, help="directory for screendumps (default: a temporary one)")
    args = ap.parse_args()
    only = args.only.split(",")
    keep = args.keep or tempfile.mkdtemp(prefix="uniprobe-console-")
    os.makedirs(keep, exist_ok=True)
    res = Checks()
    t0 = time.time()
    if "console" in only:
        for arch, fw in (("x86_64", "uefi"), ("i386", "bios")):
            console_test(args, res, arch, fw, keep)
    if "cmdline" in only:
        for arch, fw in (("i386", "bios"), ("x86_64", "bios"), ("i386", "uefi"), ("x86_64", "uefi")):
            cmdline_test(args, res, arch, fw)
    if "grub" in only:
        for arch, fw in (("x86_64", "bios"), ("i386", "uefi")):
            grub_test(args, res, arch, fw)
    if "bench" in only:
        bench_test(args, res, "x86_64", "bios", keep)
    if "reboot" in only:
        reboot_test(args, res, "x86_64", "bios", "q35", "reboot: ACPI reset register")
        reboot_test(args, res, "i386", "bios", "pc", "reboot: keyboard controller reset line")
        reboot_test(args, res, "x86_64", "bios", "pc,i8042=off", "reboot: triple fault", keyboard=False)
    print("(%.0f s; screendumps in %s)" % (time.time() - t0, keep))
    print("%d passed, %d failed" % (res.passed, res.failed))
    sys.exit(1 if res.failed else 0)


if __name__ == "__main__":
    main()
