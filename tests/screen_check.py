#!/usr/bin/env python3
"""Read the text on a screendump of the uniprobe console and check it.

  screen_check.py IMAGE.ppm --expect "text" [--expect ...] [--dump FILE|-]
  screen_check.py IMAGE.ppm --png IMAGE.png        (to look at it)
  screen_check.py --selftest

IMAGE is a binary PPM (P6), as QEMU's monitor command `screendump` writes.
Each character cell is split into its two colours and its pixels compared
with the glyphs of lib/font8x16.c, the font both kernel consoles draw with
(the VGA console loads it into the character generator), so recognition is
exact, not approximate:

  - VGA text mode as QEMU renders it: 720x400, 80x25 cells of 9x16 pixels
    (the 9th column is blank, or repeats the 8th for glyphs 0xc0-0xdf);
  - anything else: the framebuffer console, 8x16 cells from the top left
    (--origin X,Y moves the grid).

A cell that matches no glyph reads as '?' (the VGA cursor, an underline
over rows 14-15, is recognized and ignored). Each --expect string must
appear within one screen line. Ends with 'N passed, M failed' and exits
non-zero if any expectation failed.
"""
import argparse
import bisect
import os
import re
import signal
import struct
import sys
import zlib

FONT_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib", "font8x16.c")
W, H = 8, 16
VGA_SIZE = (720, 400)
CURSOR_ROWS = (14, 15)


def load_font(path=FONT_C):
    """Returns (glyphs: list of 256 16-byte rows, chars: list of 256 str)."""
    src = open(path, encoding="utf-8").read()
    glyphs = [None] * 256
    for m in re.finditer(r"\[(0x[0-9a-fA-F]+)\]\s*=\s*\{([^}]*)\}", src):
        glyphs[int(m.group(1), 16)] = bytes(int(v, 16) for v in m.group(2).split(",") if v.strip())
    table = re.search(r"font8x16_unicode\[[^]]*\]\s*=\s*\{([^}]*)\}", src)
    codes = [int(v, 16) for v in re.findall(r"0x[0-9a-fA-F]+", table.group(1))] if table else []
    if any(g is None or len(g) != H for g in glyphs) or len(codes) != 256:
        sys.exit("screen_check: cannot parse the font in %s" % path)
    chars = [chr(c) if c else "?" for c in codes]
    return glyphs, chars


def glyph_lookup(glyphs, chars):
    """Bitmap -> glyph index; of identical glyphs, printable ASCII wins."""
    look = {}
    order = list(range(0x20, 0x7f)) + [i for i in range(256) if not 0x20 <= i < 0x7f]
    for i in order:
        if chars[i] != "?" or i == ord("?"):
            look.setdefault(glyphs[i], i)
    return look


def read_ppm(path):
    data = open(path, "rb").read()
    # header: P6 <ws> width <ws> height <ws> maxval <one ws> pixels; '#' comments
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or int(fields[3]) != 255:
        sys.exit("screen_check: %s is not an 8-bit binary PPM (P6)" % path)
    w, h = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + w * h * 3]
    if len(pixels) != w * h * 3:
        sys.exit("screen_check: %s is truncated" % path)
    return w, h, pixels


class Screen:
    def __init__(self, w, h, pixels, origin=(0, 0), cell_w=None):
        self.w, self.h, self.px = w, h, pixels
        self.vga = cell_w == 9 or (cell_w is None and (w, h) == VGA_SIZE and origin == (0, 0))
        self.cell_w = 9 if self.vga else W
        self.ox, self.oy = origin
        self.cols = (w - self.ox) // self.cell_w
        self.rows = (h - self.oy) // H
        self.bg = self.common_colour()

    def common_colour(self):
        counts = {}
        step = 3 * 7                # a sample is plenty
        for i in range(0, len(self.px) - 2, step):
            c = self.px[i:i + 3]
            counts[c] = counts.get(c, 0) + 1
        return max(counts, key=counts.get)

    def cell_pixels(self, col, row):
        """16 rows of 8 colours (3-byte strings) for the glyph part of a cell."""
        x0 = self.ox + col * self.cell_w
        y0 = self.oy + row * H
        out = []
        for y in range(y0, y0 + H):
            base = (y * self.w + x0) * 3
            line = self.px[base:base + 3 * W]
            out.append([line[i:i + 3] for i in range(0, 3 * W, 3)])
        return out

    def read_cell(self, col, row, look):
        """(glyph index or None, foreground, background); a cell of one colour
        gives (None, colour, colour): a space or a full block, decided later."""
        cell = self.cell_pixels(col, row)
        colours = {c for line in cell for c in line}
        if len(colours) == 1:
            c = colours.pop()
            return None, c, c
        if len(colours) != 2:
            return ord("?"), None, None
        a, b = sorted(colours, key=lambda c: c == self.bg)   # a: foreground guess
        for fg, bg in ((a, b), (b, a)):
            bits = [sum(0x80 >> i for i, c in enumerate(line) if c == fg) for line in cell]
            g = look.get(bytes(bits))
            if g is None and all(bits[r] == 0xff for r in CURSOR_ROWS):
                # the VGA underline cursor over a glyph with empty bottom rows
                for r in CURSOR_ROWS:
                    bits[r] = 0
                g = look.get(bytes(bits))
            if g is not None:
                return g, fg, bg
        return ord("?"), None, None

    def read_line(self, row, look, chars):
        cells = [self.read_cell(c, row, look) for c in range(self.cols)]
        known = [i for i, c in enumerate(cells) if c[0] is not None and c[1] is not None]
        out = []
        for i, (g, fg, bg) in enumerate(cells):
            if g is None:
                # one colour: a full block if it is the foreground of the
                # nearest two-colour cell on the line, else a space
                k = bisect.bisect(known, i)
                near = min(known[max(k - 1, 0):k + 1], key=lambda j: abs(j - i), default=None)
                g = 0xdb if near is not None and fg == cells[near][1] else 0x20
            out.append(chars[g])
        return "".join(out).rstrip()

    def text(self, font):
        look = glyph_lookup(*font)
        lines = [self.read_line(r, look, font[1]) for r in range(self.rows)]
        while lines and not lines[-1]:
            lines.pop()
        return lines


def write_png(path, w, h, pixels):
    rows = b"".join(b"\0" + pixels[y * w * 3:(y + 1) * w * 3] for y in range(h))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(rows, 6)))
        f.write(chunk(b"IEND", b""))


def check(lines, expects, out=sys.stdout):
    passed = failed = 0
    for e in expects:
        hit = next((i for i, l in enumerate(lines) if e in l), None)
        if hit is None:
            failed += 1
            print("FAIL: not on screen: %r" % e, file=out)
        else:
            passed += 1
            print("ok: line %d: %r" % (hit + 1, e), file=out)
    print("%d passed, %d failed" % (passed, failed), file=out)
    return failed


# ---- self-test: render known text both ways, read it back ----

def render(font, lines, vga, fg=b"\xaa\xaa\xaa", bg=b"\0\0\0", size=None, origin=(0, 0)):
    glyphs, chars = font
    index = {c: i for i, c in reversed(list(enumerate(chars)))}
    cw = 9 if vga else W
    w, h = size or ((720, 400) if vga else (640, 480))
    px = bytearray(bg * (w * h))
    for r, text in enumerate(lines):
        for c, ch in enumerate(text):
            g = index[ch] if ch != " " else 0x20
            for y in range(H):
                bits = glyphs[g][y] << 1
                if vga and 0xc0 <= g <= 0xdf:
                    bits |= (bits >> 1) & 1          # line graphics: repeat column 8
                for x in range(cw):
                    if bits & (0x100 >> x):
                        p = ((origin[1] + r * H + y) * w + origin[0] + c * cw + x) * 3
                        px[p:p + 3] = fg
    return w, h, bytes(px)


def selftest():
    font = load_font()
    text = ["uniprobe 0.1 (x86_64) - dynamic instrumentation unikernel",
            "lIl1|!  O0Q  ,.;:  ┌─┬─┐ ╔═╗ █▓▒░",
            "└─┴─┘ Iñtërnâtiônàl"]
    failed = 0
    cases = [("fbcon 640x480", False, None, (0, 0)), ("vga 720x400", True, None, (0, 0)),
             ("fbcon 800x600 at 4,8", False, (800, 600), (4, 8))]
    for name, vga, size, origin in cases:
        w, h, px = render(font, text, vga, size=size, origin=origin)
        got = Screen(w, h, px, origin).text(font)
        ok = got == text
        failed += not ok
        print("%s: %s" % ("ok" if ok else "FAIL", name))
        if not ok:
            print("  got %r" % got)
    # a missing expectation must fail, a present one pass
    w, h, px = render(font, text, True, fg=b"\xff\xff\x55", bg=b"\0\0\xaa")
    lines = Screen(w, h, px).text(font)
    with open(os.devnull, "w") as null:
        ok = check(lines, [text[0]], null) == 0 and check(lines, ["uniprobe 0.2"], null) == 1
    failed += not ok
    print("%s: expectations pass and fail as they should" % ("ok" if ok else "FAIL"))
    print("%d passed, %d failed" % (len(cases) + 1 - failed, failed))
    return 1 if failed else 0


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # quiet when piped into head
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("image", nargs="?")
    ap.add_argument("--expect", action="append", default=[], help="text that must be on screen")
    ap.add_argument("--dump", help="write the recognized text here ('-': stdout)")
    ap.add_argument("--png", help="also write the image as PNG")
    ap.add_argument("--origin", default="0,0", help="top-left pixel of the framebuffer console grid")
    ap.add_argument("--font", default=FONT_C)
    ap.add_argument("--selftest", action="store_true")
    opts = ap.parse_args()
    if opts.selftest:
        return selftest()
    if not opts.image:
        ap.error("an image is needed")
    w, h, px = read_ppm(opts.image)
    if opts.png:
        write_png(opts.png, w, h, px)
    origin = tuple(int(v) for v in opts.origin.split(","))
    screen = Screen(w, h, px, origin)
    lines = screen.text(load_font(opts.font))
    print("screen: %dx%d, %s, %dx%d cells" % (w, h, "VGA text (9x16)" if screen.vga else
                                              "framebuffer (8x16)", screen.cols, screen.rows))
    if opts.dump == "-":
        print("\n".join(lines))
    elif opts.dump:
        with open(opts.dump, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    if not opts.expect and not opts.dump and not opts.png:
        print("\n".join(lines))
    return 1 if check(lines, opts.expect) else 0


if __name__ == "__main__":
    sys.exit(main())
