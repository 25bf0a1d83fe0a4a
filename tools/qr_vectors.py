#!/usr/bin/env python3
"""Make tests/host/qr_vectors.h with libqrencode's qrencode (run by hand).

  python3 tools/qr_vectors.py > tests/host/qr_vectors.h

For every version 1-40 and level L/M/Q/H a byte-mode text of the largest
length that qrencode puts in that version (odd versions: the smallest), and
numeric and alphanumeric texts for some versions. The texts come from the
generator that tests/host/test_qr.c has (`test_qr text KIND SEED LEN`), so
only (kind, level, seed, length) and what qrencode made of them are stored:
the version, the mask its penalty rules chose (read back from the format
information) and an FNV-1a hash of the modules. The test build never needs
qrencode; `--check` compares every vector's full module matrix with
`test_qr dump` and prints the first difference.
"""
import argparse
import subprocess
import sys

QR = "build/host/test_qr"


def text(kind, seed, n):
    return subprocess.run([QR, "text", kind, str(seed), str(n)], stdout=subprocess.PIPE, check=True).stdout


def qrencode(kind, ecl, data):
    """qrencode's modules as a list of '0'/'1' strings."""
    cmd = ["qrencode", "-t", "ASCII", "-m", "0", "-l", ecl, "-o", "-"] + (["-8"] if kind == "b" else [])
    p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode:
        return None
    rows = [r[::2] for r in p.stdout.decode().split("\n") if r]
    return ["".join("1" if c == "#" else "0" for c in r) for r in rows]


def version(m):
    return None if m is None else (len(m) - 17) // 4


def mask_of(m):
    """The mask from the first copy of the format information."""
    bits = [m[y][8] for y in (0, 1, 2, 3, 4, 5, 7, 8)] + [m[8][x] for x in (7, 5, 4, 3, 2, 1, 0)]
    word = sum(int(b) << i for i, b in enumerate(bits)) ^ 0x5412
    return word >> 10 & 7


def fnv(m):
    h = 0xcbf29ce484222325
    for row in m:
        for c in row:
            h = ((h ^ ord(c)) * 0x100000001b3) & 0xffffffffffffffff
    return h


def longest(kind, ecl, seed, v):
    """The largest length qrencode puts in version v (binary search)."""
    lo, hi = 1, 7100
    while lo < hi:
        mid = (lo + hi + 1) // 2
        got = version(qrencode(kind, ecl, text(kind, seed, mid)))
        if got is not None and got <= v:
            lo = mid
        else:
            hi = mid - 1
    return lo


def vectors():
    seed = 1
    for kind, versions in (("b", range(1, 41)), ("n", (1, 2, 9, 10, 26, 27, 40)), ("a", (1, 3, 10, 27, 40))):
        for v in versions:
            for ecl in "LMQH":
                n = longest(kind, ecl, seed, v)
                if v % 2 and v > 1 and kind == "b":
                    n = longest(kind, ecl, seed, v - 1) + 1
                m = qrencode(kind, ecl, text(kind, seed, n))
                yield kind, ecl, seed, n, m
                seed += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="compare full matrices with test_qr dump")
    args = ap.parse_args()
    out = ["/* Made by tools/qr_vectors.py with qrencode (libqrencode); do not edit. */",
           "static const struct vector vectors[] = {"]
    bad = 0
    for kind, ecl, seed, n, m in vectors():
        if args.check:
            p = subprocess.run([QR, "dump", ecl, "1", "-1"], input=text(kind, seed, n), stdout=subprocess.PIPE)
            lines = p.stdout.decode().split("\n")[:-1]
            ours = lines[1:]
            if ours != m:
                bad += 1
                diff = [(x, y) for y in range(min(len(m), len(ours))) for x in range(len(m[y]))
                        if m[y][x] != ours[y][x:x + 1]]
                print("%s %s seed %d len %d: qrencode %d/mask %d, ours %s; %d modules differ, first %s" %
                      (kind, ecl, seed, n, version(m), mask_of(m), lines[0], len(diff), diff[:3]))
            continue
        out.append("\t{ '%s', '%s', %d, %d, %d, %d, 0x%016xull }," % (kind, ecl, seed, n, version(m), mask_of(m), fnv(m)))
    if args.check:
        print("%d differ" % bad)
        sys.exit(1 if bad else 0)
    out.append("};")
    print("\n".join(out))


if __name__ == "__main__":
    main()
