#!/usr/bin/env python3
"""make bench-linux: Linux's own probes, measured the way make bench measures
ours, on the same QEMU with the same CPU flags.

  bench_linux.py [--arch i386,x86_64] [--icount | --kvm] [--cache DIR]

Per arch, with no kernel installed on the host:
  1. apt-get download Debian's stock kernel (the linux-image-* that
     linux-image-amd64 / linux-image-686-pae depends on), its linux-headers-*
     and linux-kbuild-*, and busybox-static, into CACHE/ARCH/debs (once: a
     second run downloads nothing; i386 through apt lists of its own in
     CACHE/i386/apt, no root needed); unpack them with dpkg-deb -x;
  2. build tools/linux-bench/ubench.ko against those headers with the gcc
     major version the kernel was built with (CONFIG_CC_VERSION_TEXT);
  3. pack busybox, tools/linux-bench/init and the module into an initramfs;
  4. boot the kernel with the flags of make bench (tests/qemu.py
     cpu_options: -cpu max, -icount shift=0,sleep=off under --icount) and
     collect the BENCH lines the module prints on serial.

Writes results/bench-linux-<arch>.json (the BENCH schema of make bench, plus
the kernel version and each kind's Linux mechanism), then results/compare.md
and compare.png wherever results/bench-<arch>.json exists too.
"""
import argparse
import glob
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
import compare  # noqa: E402
import qemu  # noqa: E402

SRC = os.path.join(os.path.dirname(HERE), "tools", "linux-bench")
ARCHS = ["i386", "x86_64"]
# The metapackage that names the current stock kernel, the Debian arch of
# its packages, the gcc prefix that builds modules for it.
FLAVOUR = {
    "x86_64": {"meta": "linux-image-amd64", "deb_arch": "amd64", "cross": ""},
    "i386": {"meta": "linux-image-686-pae", "deb_arch": "i386", "cross": "i686-linux-gnu-"},
}
DONE = "UBENCH_DONE"


class Fail(Exception):
    pass


def run(cmd, **kw):
    """Run cmd; its output on failure in the exception."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if proc.returncode != 0:
        raise Fail("%s failed (exit %d):\n%s" % (" ".join(cmd), proc.returncode, proc.stdout[-3000:]))
    return proc.stdout


def say(arch, msg):
    print("bench-linux: %s: %s" % (arch, msg), flush=True)


# ---- 1. packages -----------------------------------------------------------

def depends(pkg, apt):
    """The first alternative of each Depends of pkg (apt-cache depends)."""
    out = run(["apt-cache"] + apt + ["depends", "--no-recommends", "--no-suggests", pkg])
    # "<name:arch>": a foreign arch's view of an arch-all package.
    return [m.group(1).strip("<>") for m in re.finditer(r"^\s+\|?Depends: (\S+)", out, re.M)]


def apt_options(arch, cache):
    """apt options under which apt knows arch's kernel packages. The host's
    own arch: the system's lists. A foreign one (i386 on amd64): apt's lists
    for both arches in cache/apt, fetched once by apt-get update there, so
    the system's dpkg and apt configuration stay as they are."""
    deb_arch = FLAVOUR[arch]["deb_arch"]
    pkg = "%s:%s" % (FLAVOUR[arch]["meta"], deb_arch)
    host = run(["dpkg", "--print-architecture"]).strip()
    apt = []
    if deb_arch != host:
        state = os.path.abspath(os.path.join(cache, "apt"))
        for d in ("lists/partial", "cache/archives/partial"):
            os.makedirs(os.path.join(state, d), exist_ok=True)
        apt = ["-o", "APT::Architectures::=" + host, "-o", "APT::Architectures::=" + deb_arch,
               "-o", "Dir::State::Lists=" + os.path.join(state, "lists"),
               "-o", "Dir::Cache=" + os.path.join(state, "cache")]
        if os.geteuid() == 0:
            apt += ["-o", "APT::Sandbox::User=root"]  # _apt cannot write here

    def known():
        out = subprocess.run(["apt-cache"] + apt + ["policy", pkg], stdout=subprocess.PIPE, text=True).stdout
        return re.search(r"Candidate: (?!\(none\))", out)

    if not known():
        say(arch, "apt-get update (%s lists in %s)" % (deb_arch, os.path.join(cache, "apt")) if apt else
            "apt-get update")
        # A mirror that fails one index still leaves the others usable.
        subprocess.run(["apt-get"] + apt + ["update", "-q"])
        if not known():
            raise Fail("apt knows no %s after apt-get update" % pkg)
    return apt


def resolve(arch, apt):
    """The packages to download for arch, as apt-get download names them."""
    f = FLAVOUR[arch]
    q = ":" + f["deb_arch"]
    image = [d for d in depends(f["meta"] + q, apt) if d.startswith("linux-image-")]
    if not image:
        raise Fail("%s depends on no linux-image-* package" % f["meta"])
    image = image[0].split(":")[0]
    headers = image.replace("linux-image-", "linux-headers-")
    common = [d.split(":")[0] for d in depends(headers + q, apt) if d.startswith("linux-headers-")]
    kbuild = [d.split(":")[0] for d in depends(headers + q, apt) if d.startswith("linux-kbuild-")]
    if not common or not kbuild:
        raise Fail("%s: cannot find its -common headers and kbuild packages" % headers)
    # kbuild holds host programs (fixdep, modpost): the host's own build,
    # of the headers' version.
    out = run(["apt-cache"] + apt + ["show", "--no-all-versions", headers + q])
    version = re.search(r"^Version: (\S+)", out, re.M).group(1)
    return [image + q, headers + q, common[0], "%s=%s" % (kbuild[0], version), "busybox-static" + q]


def fetch(arch, cache):
    """The .deb files for arch in cache/debs, downloaded once."""
    debs = os.path.join(cache, "debs")
    manifest = os.path.join(cache, "packages.txt")
    if os.path.exists(manifest):
        names = open(manifest).read().split()
        files = [glob.glob(os.path.join(debs, re.split("[:=]", n)[0] + "_*.deb")) for n in names]
        if names and all(files):
            return sorted(f[0] for f in files)
    apt = apt_options(arch, cache)
    names = resolve(arch, apt)
    os.makedirs(debs, exist_ok=True)
    say(arch, "apt-get download " + " ".join(names))
    # As root, apt's sandbox user could not write to a root-owned cache.
    sandbox = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 and not apt else []
    run(["apt-get"] + apt + ["download", "-q"] + sandbox + names, cwd=debs)
    with open(manifest, "w") as f:
        f.write("\n".join(names) + "\n")
    return fetch(arch, cache)


def unpack(debs, root):
    """dpkg-deb -x every package into root (once)."""
    stamp = os.path.join(root, ".unpacked")
    want = "\n".join(os.path.basename(d) for d in debs)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for d in debs:
        run(["dpkg-deb", "-x", d, root])
    with open(stamp, "w") as f:
        f.write(want)


# ---- 2. the module -----------------------------------------------------------

def kernel_files(root):
    """(vmlinuz, headers dir, kernel release) of the unpacked kernel."""
    images = glob.glob(os.path.join(root, "boot", "vmlinuz-*"))
    if len(images) != 1:
        raise Fail("expected one boot/vmlinuz-* in %s, found %d" % (root, len(images)))
    release = os.path.basename(images[0])[len("vmlinuz-"):]
    headers = os.path.join(root, "usr", "src", "linux-headers-" + release)
    if not os.path.isdir(headers):
        raise Fail("no headers for %s in %s" % (release, root))
    return images[0], headers, release


def gcc_major(headers):
    """The gcc major version the kernel was built with."""
    text = open(os.path.join(headers, ".config")).read()
    m = re.search(r'^CONFIG_CC_VERSION_TEXT="[^"]*?(\d+)\.\d+\.\d+[^"]*"', text, re.M)
    m2 = re.search(r"^CONFIG_GCC_VERSION=(\d+)", text, re.M)
    if m2:
        return int(m2.group(1)) // 10000
    if m:
        return int(m.group(1))
    raise Fail("no CONFIG_GCC_VERSION in %s/.config" % headers)


def build_module(arch, headers, out):
    # The module's BTF needs vmlinux; resolve_btfids (not in the kbuild
    # package) only patches BTF_ID sets, which ubench has none of.
    """ubench.ko built in out/ against headers; returns its path."""
    # The headers' Makefile includes the -common tree by absolute path.
    mk = os.path.join(headers, "Makefile")
    text = open(mk).read()
    fixed = re.sub(r"^include \S*/(linux-headers-[^/\s]+/Makefile)", lambda m: "include " + os.path.join(
        os.path.dirname(os.path.abspath(headers)), m.group(1)), text, flags=re.M)
    if fixed != text:
        with open(mk, "w") as f:
            f.write(fixed)
    major = gcc_major(headers)
    cross = FLAVOUR[arch]["cross"]
    cc = "%sgcc-%d" % (cross, major)
    if not shutil.which(cc):
        raise Fail("the kernel was built with gcc %d: %s is missing (Debian: apt-get install %s)" % (
            major, cc, "gcc-%d" % major + ("-" + cross.rstrip("-").replace("_", "-") if cross else "")))
    os.makedirs(out, exist_ok=True)
    for name in ("Kbuild", "ubench.c"):
        src, dst = os.path.join(SRC, name), os.path.join(out, name)
        if not os.path.exists(dst) or open(src).read() != open(dst).read():
            shutil.copyfile(src, dst)
    ko = os.path.join(out, "ubench.ko")
    if os.path.exists(ko):
        os.remove(ko)	# relinked, so that its BTF follows vmlinux
    run(["make", "-s", "-C", headers, "M=" + os.path.abspath(out), "CROSS_COMPILE=" + cross,
         "CC=" + cc, "RESOLVE_BTFIDS=true", "modules"])
    return ko


def build_bpf_loader(arch, headers, out):
    """bpfprobe (tools/linux-bench/bpfprobe.c): static, no libc; the uapi
    headers are the host's (linux-libc-dev), bi-arch on x86."""
    cc = "%sgcc-%d" % (FLAVOUR[arch]["cross"], gcc_major(headers))
    exe = os.path.join(out, "bpfprobe")
    run([cc, "-m64" if arch == "x86_64" else "-m32", "-static", "-nostdlib", "-ffreestanding",
         "-fno-stack-protector", "-fno-pie", "-no-pie", "-O2", "-Wall", "-Werror",
         "-idirafter", "/usr/include/x86_64-linux-gnu", os.path.join(SRC, "bpfprobe.c"), "-o", exe])
    return exe


def extract_vmlinux(vmlinuz, headers):
    """The ELF vmlinux inside the bzImage (xz), put where kbuild looks for it
    to build the module's BTF (BPF fentry/fexit attach through it)."""
    path = os.path.join(headers, "vmlinux")
    if os.path.exists(path):
        return path
    data = open(vmlinuz, "rb").read()
    at = data.find(b"\xfd7zXZ\x00")
    if at < 0:
        raise Fail("%s: no xz payload (CONFIG_KERNEL_XZ expected)" % vmlinuz)
    elf = lzma.LZMADecompressor().decompress(data[at:])
    if not elf.startswith(b"\x7fELF"):
        raise Fail("%s: the xz payload is not an ELF vmlinux" % vmlinuz)
    with open(path + ".tmp", "wb") as f:
        f.write(elf)
    os.rename(path + ".tmp", path)
    return path


def section(path, name):
    """The bytes of one section of an ELF file (32- or 64-bit), b"" if none."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF":
        raise Fail("%s is not ELF" % path)
    if data[4] == 2:
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        fmt = "<IIQQQQ"
    else:
        shoff, = struct.unpack_from("<I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
        fmt = "<IIIIII"
    heads = [struct.unpack_from(fmt, data, shoff + i * shentsize) for i in range(shnum)]
    names = heads[shstrndx]
    for sh_name, _, _, _, offset, size in heads:
        at = names[4] + sh_name
        if data[at:data.index(b"\0", at)] == name.encode():
            return data[offset:offset + size]
    return b""


# Bytes that follow struct btf_type, per kind (include/uapi/linux/btf.h).
BTF_EXTRA = {1: lambda v: 4, 3: lambda v: 12, 4: lambda v: 12 * v, 5: lambda v: 12 * v,
             6: lambda v: 8 * v, 13: lambda v: 8 * v, 14: lambda v: 4, 15: lambda v: 12 * v,
             17: lambda v: 4, 19: lambda v: 12 * v}
BTF_KIND_FUNC = 12


def btf_types(blob):
    """(header, [(name_off, kind)]) of a raw .BTF blob."""
    magic, _, _, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<HBBIIIII", blob)
    if magic != 0xEB9F:
        raise Fail("not BTF (magic %#x)" % magic)
    pos, end, types = hdr_len + type_off, hdr_len + type_off + type_len, []
    while pos < end:
        name_off, info, _ = struct.unpack_from("<III", blob, pos)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        types.append((name_off, kind))
        pos += 12 + BTF_EXTRA.get(kind, lambda v: 0)(vlen)
    strings = blob[hdr_len + str_off:hdr_len + str_off + str_len]
    return len(types), str_len, types, strings


def btf_func_id(module, vmlinux, name):
    """The type id of FUNC name in the module's split BTF, as the kernel
    numbers it: after every type of vmlinux's BTF."""
    blob = section(module, ".BTF")
    if not blob:
        raise Fail("%s has no .BTF (did pahole run?)" % module)
    base_count, base_str, _, _ = btf_types(section(vmlinux, ".BTF"))
    _, _, types, strings = btf_types(blob)
    for i, (name_off, kind) in enumerate(types):
        off = name_off - base_str
        if kind == BTF_KIND_FUNC and off >= 0 and strings[off:off + len(name) + 1] == name.encode() + b"\0":
            return base_count + 1 + i
    raise Fail("no FUNC %s in %s's BTF" % (name, module))


# ---- 3. the initramfs ------------------------------------------------------

def cpio_entry(name, mode, data=b"", rdev=(0, 0), ino=1):
    """One newc cpio record (mtime 0: the archive is reproducible)."""
    name_b = name.encode() + b"\0"
    head = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0))
    rec = head.encode() + name_b
    rec += b"\0" * (-len(rec) % 4) + data
    return rec + b"\0" * (-len(rec) % 4)


def build_initramfs(root, module, loader, btf_id, path):
    """busybox, /init, ubench.ko, bpfprobe, ubench_target's BTF id and
    /dev/console in an uncompressed cpio."""
    busybox = os.path.join(root, "bin", "busybox")
    if not os.path.exists(busybox):
        raise Fail("busybox-static did not unpack bin/busybox")
    entries = [("dev", 0o40755), ("dev/console", 0o20600, b"", (5, 1)), ("bin", 0o40755),
               ("proc", 0o40755), ("sys", 0o40755), ("tmp", 0o40755),
               ("bin/busybox", 0o100755, open(busybox, "rb").read()),
               ("init", 0o100755, open(os.path.join(SRC, "init"), "rb").read()),
               ("ubench.ko", 0o100644, open(module, "rb").read()),
               ("bpfprobe", 0o100755, open(loader, "rb").read())]
    if btf_id:
        entries.append(("btf_id", 0o100644, b"%d\n" % btf_id))
    out = b"".join(cpio_entry(e[0], e[1], *e[2:], ino=i + 1) for i, e in enumerate(entries))
    out += cpio_entry("TRAILER!!!", 0, ino=0)
    with open(path, "wb") as f:
        f.write(out)


# ---- 4. the boot -------------------------------------------------------------

def boot_command(arch, kernel, initrd, icount, kvm, serial):
    """The QEMU argv: make bench's machine and CPU flags, the kernel booted
    directly with the initramfs."""
    args = "console=ttyS0 quiet panic=-1 nokaslr rdinit=/init" + (" ubench_icount=1" if icount else "")
    return [qemu.qemu_binary(arch, "bios"), "-M", "pc", "-m", "256M", "-no-reboot",
            "-display", "none", "-serial", "file:" + serial, "-monitor", "none",
            "-kernel", kernel, "-initrd", initrd, "-append", args] + qemu.cpu_options(arch, "bios", kvm, icount)


def boot(arch, kernel, initrd, icount, kvm, timeout, log):
    """Boot; returns (status, serial text). status: pass, timeout or exit:N."""
    with tempfile.TemporaryDirectory(prefix="bench-linux-") as tmp:
        serial = os.path.join(tmp, "serial.log")
        cmd = boot_command(arch, kernel, initrd, icount, kvm, serial)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout)
            status = "exit:%d" % proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            status = "timeout"
        text = open(serial, "rb").read().decode(errors="replace") if os.path.exists(serial) else ""
        text = text.replace("\r", "")
        err = proc.stdout.read().decode(errors="replace").strip()
        if err:
            text += "\n[qemu] " + err + "\n"
    if status == "exit:0" and DONE in text:
        status = "pass"
    with open(log, "w") as f:
        f.write(text)
    return status, text


def result_doc(arch, mode, status, text):
    """The JSON document of one run (results/bench-linux-<arch>.json)."""
    info, results, problems = bench.parse(text)
    for r in results:
        if "error" in r:
            problems.append("%s: %s" % (r["scenario"], r["error"]))
    missing = [s for s in (info or {}).get("scenarios", []) if s not in {r["scenario"] for r in results}]
    if missing:
        problems.append("did not finish: " + ", ".join(missing))
    if DONE not in text:
        problems.append("no %s line" % DONE)
    return {"arch": arch, "mode": mode, "status": status, "kernel": (info or {}).get("kernel"),
            "qemu": qemu.version(qemu.qemu_binary(arch, "bios")), "info": info, "results": results,
            "problems": problems}


def bench_arch(arch, opts, mode):
    cache = os.path.join(opts.cache, arch)
    t0 = time.time()
    debs = fetch(arch, cache)
    root = os.path.join(cache, "root")
    unpack(debs, root)
    kernel, headers, release = kernel_files(root)
    # BPF fentry/fexit attach to a function by its BTF type id: the kernel
    # needs BTF, and pahole builds the module's.
    no_btf = None
    if "CONFIG_DEBUG_INFO_BTF=y" not in open(os.path.join(headers, ".config")).read().split("\n"):
        no_btf = "the kernel has no BTF (CONFIG_DEBUG_INFO_BTF is off)%s" % (
            ", and x86_32 has no BPF trampoline" if arch == "i386" else "")
    elif not shutil.which("pahole"):
        no_btf = "pahole is missing, so the module has no BTF (Debian: apt-get install pahole)"
    btf = no_btf is None
    vmlinux = extract_vmlinux(kernel, headers) if btf else None
    module = build_module(arch, headers, os.path.join(cache, "module"))
    btf_id = btf_func_id(module, vmlinux, "ubench_target") if btf else None
    loader = build_bpf_loader(arch, headers, os.path.join(cache, "module"))
    initrd = os.path.join(cache, "initramfs.cpio")
    build_initramfs(root, module, loader, btf_id, initrd)
    say(arch, "Linux %s ready (%.0f s); booting (%s) ..." % (release, time.time() - t0, mode))
    log_dir = os.path.join(opts.build, "bench-logs")
    os.makedirs(log_dir, exist_ok=True)
    log = os.path.join(log_dir, "bench-linux-%s-%s.log" % (arch, mode))
    t1 = time.time()
    status, text = boot(arch, kernel, initrd, opts.icount, opts.kvm, opts.timeout, log)
    doc = result_doc(arch, mode, status, text)
    if no_btf:
        doc["skipped"] = {k: no_btf for k in ("bpf_fentry", "bpf_fexit")}
    say(arch, "%s in %.0f s, %d results%s (log %s)" % (
        status, time.time() - t1, len(doc["results"]),
        "; " + "; ".join(doc["problems"]) if doc["problems"] else "", log))
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default=",".join(ARCHS), help="comma-separated: i386,x86_64")
    ap.add_argument("--icount", action="store_true", help="exact instruction counts (QEMU -icount shift=0)")
    ap.add_argument("--kvm", action="store_true", help="real CPU cycles under KVM")
    ap.add_argument("--build", default="build", help="serial logs go to BUILD/bench-logs")
    ap.add_argument("--cache", default=os.path.join("build", "linux-cache"),
                    help="downloaded and unpacked packages, the module, the initramfs")
    ap.add_argument("--results", default="results")
    ap.add_argument("--timeout", type=float, default=600)
    opts = ap.parse_args()
    archs = [a for a in opts.arch.split(",") if a]
    bad = [a for a in archs if a not in ARCHS]
    if bad or not archs:
        ap.error("--arch: unknown %s (have %s)" % (",".join(bad) or "(none)", ",".join(ARCHS)))
    if opts.icount and opts.kvm:
        ap.error("--icount and --kvm exclude each other (icount is a TCG feature)")
    if opts.kvm and not bench.kvm_available():
        sys.exit("bench_linux.py: --kvm needs a usable /dev/kvm (none here); use TCG or --icount")
    mode = bench.mode_name(opts.icount, opts.kvm)
    os.makedirs(opts.results, exist_ok=True)
    failed = 0
    for arch in archs:
        try:
            doc = bench_arch(arch, opts, mode)
        except Fail as e:
            say(arch, "FAILED: %s" % e)
            failed += 1
            continue
        failed += doc["status"] != "pass" or bool(doc["problems"]) or not doc["results"]
        if doc["info"] is None and not doc["results"]:
            continue
        with open(os.path.join(opts.results, "bench-linux-%s.json" % arch), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        bench.print_table([doc])
    print("bench-linux: " + compare.update(opts.results), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
