#!/usr/bin/env python3
"""lib/qr.c round trip: encode texts with `test_qr dump`, decode with zbarimg.

  qr_roundtrip.py [--build build]

Texts of many lengths and all four levels (byte mode with UTF-8 and
JSON, numeric, alphanumeric, up to version 40) become PBM pictures, 3
pixels per module with the 4-module quiet zone; zbarimg (zbar-tools) must
read back exactly the text. Ends with 'N passed, M failed'.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile


BYTES_40 = {"L": 2953, "M": 2331, "Q": 1663, "H": 1273}


def pbm(rows, path, scale=3, quiet=4):
    n = len(rows) + 2 * quiet
    lines = []
    for y in range(n * scale):
        my = y // scale - quiet
        row = rows[my] if 0 <= my < len(rows) else ""
        lines.append(" ".join("1" if 0 <= x // scale - quiet < len(row) and row[x // scale - quiet] == "1"
                              else "0" for x in range(n * scale)))
    with open(path, "w") as f:
        f.write("P1\n%d %d\n%s\n" % (n * scale, n * scale, "\n".join(lines)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    tool = os.path.join(args.build, "host", "test_qr")
    rnd = random.Random(15)
    texts = ['{"a":"x86_64","u":"ins","p":[1,1],"s":{"call":[12.21,0]}}', "uniprobe", "Grüße, µs → ns",
             "01234567", "314159265358979323846264338327950288", "HELLO WORLD $%*+-./:", ""]
    texts += ["".join(chr(rnd.randrange(32, 127)) for _ in range(n)) for n in (1, 17, 18, 100, 500, 1500, 2953)]
    passed = failed = 0
    work = tempfile.mkdtemp(prefix="uniprobe-qr-")
    for i, t in enumerate(texts):
        data = t.encode()
        for ecl in "LMQH":
            p = subprocess.run([tool, "dump", ecl, "1", "-1"], input=data, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            if p.returncode:
                # Refused: right only past what version 40 holds at this level.
                ok, why = len(data) > BYTES_40[ecl], "refused %d bytes" % len(data)
                if not ok:
                    print("FAIL text %d (%d bytes) %s: %s" % (i, len(data), ecl, why))
                failed += not ok
                passed += ok
                continue
            lines = p.stdout.decode().split("\n")
            path = os.path.join(work, "t%d%s.pbm" % (i, ecl))
            pbm(lines[1:-1], path)
            z = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            got = z.stdout[:-1] if z.stdout.endswith(b"\n") else z.stdout
            ok = got == data
            print("%s text %d (%d bytes) %s: version %s mask %s" %
                  ("ok  " if ok else "FAIL", i, len(data), ecl, *lines[0].split()))
            if not ok:
                print("     zbarimg read %r" % got[:80])
            passed += ok
            failed += not ok
    print("qr_roundtrip: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
