#!/usr/bin/env python3
"""Boot the uniprobe ISO under QEMU: one place that knows the QEMU command
lines for every arch / firmware / media combination.

  qemu.py run   --arch x86_64 --fw bios --media cdrom --mode bench   (serial on the terminal)
  qemu.py boot  --arch i386 --fw uefi --mode test --log FILE          (time-boxed, prints the log)
  qemu.py debug --arch x86_64 --gdb gdb --elf build/x86_64/uniprobe.elf

The GRUB menu entry and extra kernel arguments travel in the SMBIOS system
serial number ("uniprobe:ENTRY:ARGS"), which iso/grub.cfg reads: no rebuild
is needed to pick an entry. TCG is the default; --kvm only when asked.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

EXIT_PASS = 1   # isa-debug-exit: (0 << 1) | 1
EXIT_FAIL = 3   # (1 << 1) | 1

OVMF_CODE = ["/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_CODE.fd"]
OVMF_VARS = ["/usr/share/OVMF/OVMF_VARS_4M.fd", "/usr/share/OVMF/OVMF_VARS.fd"]


def first_existing(paths):
    for p in paths:
        if os.path.exists(p):
            return p
    raise SystemExit("qemu.py: none of %s exists (install the 'ovmf' package)" % paths)


def qemu_binary(arch, fw):
    # GRUB's x86_64-efi loads the 32-bit kernel too, but needs a 64-bit CPU.
    if arch == "i386" and fw == "bios":
        return shutil.which("qemu-system-i386") or "qemu-system-x86_64"
    return "qemu-system-x86_64"


def cpu_options(arch, fw, kvm=False, icount=False, cpu=None):
    """The accelerator and CPU model flags: make bench and make bench-linux
    boot their kernels on the same emulated CPU with these."""
    if kvm:
        return ["-enable-kvm", "-cpu", "host"]
    if icount:
        return ["-cpu", "max", "-icount", "shift=0,sleep=off"]
    if cpu:
        return ["-cpu", cpu]
    if arch == "x86_64" or fw == "uefi":
        return ["-cpu", "max"]
    return []


def version(binary):
    """'QEMU emulator version 7.2.x (...)': the first line of --version."""
    try:
        out = subprocess.run([binary, "--version"], stdout=subprocess.PIPE, text=True).stdout
    except OSError:
        return None
    return out.splitlines()[0].strip() if out else None


def qemu_command(opts, workdir, serial="file"):
    """The QEMU argv for opts; serial is 'file' (workdir/serial.log), 'stdio',
    'socket' (workdir/serial.sock, QEMU waits for the connection: see Session)
    or 'none' (no serial port at all)."""
    cmd = [qemu_binary(opts.arch, opts.fw), "-m", opts.memory, "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    cmd += ["-M", opts.machine or ("q35" if opts.fw == "uefi" else "pc")]
    if opts.smp > 1:
        cmd += ["-smp", str(opts.smp)]
        if not opts.kvm and not opts.icount:
            cmd += ["-accel", "tcg,thread=multi"]
    cmd += cpu_options(opts.arch, opts.fw, opts.kvm, opts.icount, opts.cpu)
    if opts.fw == "uefi":
        vars_copy = os.path.join(workdir, "ovmf_vars.fd")
        shutil.copyfile(first_existing(OVMF_VARS), vars_copy)
        cmd += ["-drive", "if=pflash,format=raw,readonly=on,file=" + first_existing(OVMF_CODE),
                "-drive", "if=pflash,format=raw,file=" + vars_copy]
    if opts.media == "usb":
        cmd += ["-drive", "if=none,id=stick,format=raw,snapshot=on,file=" + opts.iso,
                "-device", "qemu-xhci", "-device", "usb-storage,drive=stick,bootindex=0"]
    else:
        cmd += ["-drive", "media=cdrom,readonly=on,format=raw,file=" + opts.iso]
    args = "qemu_exit=1 " + (opts.args or "")
    if opts.icount:
        args += " icount=1"
    entry = "%s-%s" % (opts.arch, opts.mode)
    smbios = "uniprobe:%s:%s" % (entry, args.strip())
    cmd += ["-smbios", "type=1,serial=" + smbios.replace(",", ",,")]
    if serial == "socket":
        cmd += ["-chardev", "socket,id=ser0,server=on,wait=on,path=" + os.path.join(workdir, "serial.sock"),
                "-serial", "chardev:ser0"]
    elif serial == "none":
        cmd += ["-serial", "none"]
    else:
        cmd += ["-serial", "stdio" if serial == "stdio" else "file:" + os.path.join(workdir, "serial.log")]
    if opts.screendump or serial in ("socket", "none"):
        cmd += ["-monitor", "unix:%s,server,nowait" % os.path.join(workdir, "monitor.sock")]
    if not opts.show:
        cmd += ["-display", "none"]
    cmd += opts.qemu_extra
    return cmd


def monitor_command(workdir, line):
    path = os.path.join(workdir, "monitor.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.recv(4096)
    s.sendall((line + "\n").encode())
    time.sleep(0.5)
    try:
        s.recv(65536)
    except socket.timeout:
        pass
    s.close()


def boot(opts):
    """Run one time-boxed boot. Returns (status, serial_text) where status is
    'pass', 'fail', 'timeout' or 'exit:N'."""
    workdir = tempfile.mkdtemp(prefix="uniprobe-qemu-")
    log = os.path.join(workdir, "serial.log")
    cmd = qemu_command(opts, workdir)
    if opts.verbose:
        print(" ".join(cmd), file=sys.stderr)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + opts.timeout
    status = None
    dumped = False
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                break
            if opts.screendump and not dumped and os.path.exists(log):
                with open(log, "rb") as f:
                    if opts.screendump_marker.encode() in f.read():
                        time.sleep(0.5)
                        monitor_command(workdir, "screendump " + os.path.abspath(opts.screendump))
                        dumped = True
                        os.killpg(proc.pid, signal.SIGTERM)
                        proc.wait(5)
                        status = "dumped"
                        break
            time.sleep(0.1)
        else:
            status = "timeout"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    qemu_out = proc.stdout.read().decode(errors="replace")
    text = open(log, "rb").read().decode(errors="replace") if os.path.exists(log) else ""
    shutil.rmtree(workdir, ignore_errors=True)
    if status is None:
        rc = proc.returncode
        status = {EXIT_PASS: "pass", EXIT_FAIL: "fail"}.get(rc, "exit:%d" % rc)
        if status.startswith("exit") and qemu_out.strip():
            text += "\n[qemu] " + qemu_out
    if opts.log:
        with open(opts.log, "w") as f:
            f.write(text)
    return status, text


# Characters -> QEMU `sendkey` names (US layout).
SENDKEY_NAMES = {" ": "spc", "\n": "ret", "\t": "tab", "\b": "backspace", "-": "minus", "=": "equal",
                 "[": "bracket_left", "]": "bracket_right", "\\": "backslash", ";": "semicolon",
                 "'": "apostrophe", "`": "grave_accent", ",": "comma", ".": "dot", "/": "slash"}
SENDKEY_SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8",
                   "(": "9", ")": "0", "_": "minus", "+": "equal", "{": "bracket_left",
                   "}": "bracket_right", "|": "backslash", ":": "semicolon", '"': "apostrophe",
                   "~": "grave_accent", "<": "comma", ">": "dot", "?": "slash"}


def sendkey_name(ch):
    """The sendkey argument that types ch ('shift-4' for '$')."""
    if ch in SENDKEY_NAMES:
        return SENDKEY_NAMES[ch]
    if ch in SENDKEY_SHIFTED:
        name = SENDKEY_SHIFTED[ch]
        return "shift-" + SENDKEY_NAMES.get(name, name)
    if ch.isascii() and (ch.islower() or ch.isdigit()):
        return ch
    if ch.isascii() and ch.isupper():
        return "shift-" + ch.lower()
    raise ValueError("no key for %r" % ch)


class Session:
    """An interactive boot: serial read and written through a socket (or no
    serial port: serial='none'), the monitor for sendkey and screendump.

        with Session(opts) as s:
            s.wait_for("uniprobe: idle", 60)
            s.type_keys("help\n")          # PS/2 keyboard
            s.write_serial("probes\r")     # COM1
            s.screendump("screen.ppm")
    """

    def __init__(self, opts, serial="socket"):
        self.workdir = tempfile.mkdtemp(prefix="uniprobe-qemu-")
        self.text = ""
        self.ser = self.mon = None
        cmd = qemu_command(opts, self.workdir, serial=serial)
        if opts.verbose:
            print(" ".join(cmd), file=sys.stderr)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if serial == "socket":
                self.ser = self._connect("serial.sock")
            self.mon = self._connect("monitor.sock")
            self._monitor_read()
        except Exception:
            self.close()
            raise

    def _connect(self, name, timeout=20):
        path = os.path.join(self.workdir, name)
        deadline = time.time() + timeout
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                s.close()
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("qemu.py: cannot connect to %s" % path)
                time.sleep(0.05)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def poll(self, timeout=0.1):
        """Read what serial output is waiting (up to timeout) into self.text."""
        if not self.ser:
            time.sleep(timeout)
            return
        self.ser.settimeout(timeout)
        try:
            data = self.ser.recv(65536)
            if data:
                self.text += data.decode(errors="replace").replace("\r", "")
        except socket.timeout:
            pass
        except OSError:
            time.sleep(timeout)

    def wait_for(self, what, timeout, start=0):
        """Wait until what (a string) shows in self.text[start:]; returns its index or -1."""
        deadline = time.time() + timeout
        while True:
            i = self.text.find(what, start)
            if i >= 0:
                return i
            if time.time() > deadline or self.proc.poll() is not None:
                self.poll(0.2)
                return self.text.find(what, start)
            self.poll(0.1)

    def write_serial(self, text):
        self.ser.sendall(text.encode())

    def _monitor_read(self, timeout=10):
        out = b""
        self.mon.settimeout(timeout)
        while not out.endswith(b"(qemu) "):
            chunk = self.mon.recv(65536)
            if not chunk:
                break
            out += chunk
        return out.decode(errors="replace")

    def monitor(self, line, timeout=10):
        """Run a monitor command; returns its output."""
        self.mon.sendall((line + "\n").encode())
        return self._monitor_read(timeout)

    def type_keys(self, text, hold_ms=20):
        """Type text on the PS/2 keyboard (one sendkey per character)."""
        for ch in text:
            self.monitor("sendkey %s %d" % (sendkey_name(ch), hold_ms))
            time.sleep(hold_ms / 1000.0)
            self.poll(0)

    def screendump(self, path):
        self.monitor("screendump " + os.path.abspath(path))
        # the file is written asynchronously for some displays: wait for it
        for _ in range(50):
            if os.path.exists(path) and os.path.getsize(path) > 0:
                break
            time.sleep(0.1)

    def wait_exit(self, timeout):
        """QEMU's exit status once it exits within timeout, else None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self.poll(0.2)
                return self.proc.returncode
            self.poll(0.1)
        return None

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for s in (self.ser, self.mon):
            if s:
                s.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def add_options(p):
    p.add_argument("--iso", default="iso/uniprobe.iso")
    p.add_argument("--build", default="build")
    p.add_argument("--arch", default="x86_64", choices=["i386", "x86_64"])
    p.add_argument("--fw", default="bios", choices=["bios", "uefi"])
    p.add_argument("--media", default="cdrom", choices=["cdrom", "usb"])
    p.add_argument("--mode", default="bench", choices=["bench", "test", "trace", "idle"])
    p.add_argument("--args", default="", help="extra kernel command line")
    p.add_argument("--machine", default=None)
    p.add_argument("--cpu", default=None)
    p.add_argument("--memory", default="256M")
    p.add_argument("--smp", type=int, default=1,
                   help="CPUs; above 1 under multi-threaded TCG (-accel tcg,thread=multi) unless --icount or --kvm")
    p.add_argument("--kvm", action="store_true")
    p.add_argument("--icount", action="store_true", help="-icount shift=0: rdtsc counts instructions")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--log", default=None)
    p.add_argument("--screendump", default=None, help="PPM file: dump the screen once the marker shows on serial")
    p.add_argument("--screendump-marker", default="uniprobe: idle")
    p.add_argument("--show", action="store_true", help="open a QEMU window")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--qemu-extra", nargs=argparse.REMAINDER, default=[])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["run", "boot", "debug"])
    add_options(ap)
    ap.add_argument("--gdb", default="gdb")
    ap.add_argument("--elf", default=None)
    opts = ap.parse_args()
    if opts.command == "boot":
        status, text = boot(opts)
        sys.stdout.write(text)
        print("\n[boot %s/%s/%s mode=%s: %s]" % (opts.arch, opts.fw, opts.media, opts.mode, status))
        sys.exit(0 if status in ("pass", "dumped") else 1)
    workdir = tempfile.mkdtemp(prefix="uniprobe-qemu-")
    cmd = qemu_command(opts, workdir, serial="stdio")
    if opts.command == "debug":
        cmd += ["-s", "-S"]
        print(" ".join(cmd))
        q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        try:
            elf = opts.elf or os.path.join(opts.build, opts.arch, "uniprobe.elf")
            subprocess.call([opts.gdb, elf, "-ex", "target remote :1234"])
        finally:
            q.kill()
            q.wait()
        return
    print(" ".join(cmd), file=sys.stderr)
    machine_log = os.path.join("results", "run-%s.log" % opts.arch)
    rc, kept = run_on_terminal(cmd, machine_log)
    shutil.rmtree(workdir, ignore_errors=True)
    if kept:
        print("(%d BENCH/TRACE lines for machines: %s)" % (kept, machine_log), file=sys.stderr)
    sys.exit(0 if rc in (0, EXIT_PASS) else rc)


# Serial lines meant for programs, not people: the benchmark's and the trace's JSON.
MACHINE_PREFIXES = (b"BENCH", b"TRACE")


def machine_line(held):
    return held.startswith(MACHINE_PREFIXES)


def may_become_machine_line(held):
    start = held.rstrip(b"\r\n")
    return any(p.startswith(start) for p in MACHINE_PREFIXES)


def run_on_terminal(cmd, machine_log):
    """Run QEMU with serial on stdio, the keyboard still going straight to
    it, but lines starting with BENCH or TRACE diverted from the terminal
    into machine_log. Returns (exit status, lines diverted).

    A line is held back only while it could still become such a line, so
    a prompt without a newline shows at once."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    out = sys.stdout.buffer
    held = b""          # start of the current line, while it may be BENCH/TRACE
    at_line_start = True
    kept = 0
    diverted = None

    def divert(line):
        nonlocal diverted, kept
        if diverted is None:
            os.makedirs(os.path.dirname(machine_log), exist_ok=True)
            diverted = open(machine_log, "wb")
        diverted.write(line.rstrip(b"\r\n") + b"\n")
        kept += 1

    while True:
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        shown = b""
        for b in chunk.splitlines(keepends=True):
            if not at_line_start:
                shown += b
            else:
                held += b
                if machine_line(held):
                    if held.endswith(b"\n"):
                        divert(held)
                        held = b""
                    continue
                if may_become_machine_line(held) and not held.endswith(b"\n"):
                    continue        # "B", "TRA"...: wait for more
                shown += held
                held = b""
            at_line_start = b.endswith(b"\n")
        if shown:
            out.write(shown)
            out.flush()
    if held and not machine_line(held):
        out.write(held)
    if diverted:
        diverted.close()
    return proc.wait(), kept


if __name__ == "__main__":
    main()
