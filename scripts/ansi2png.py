#!/usr/bin/python3
"""ansi2png.py: renders a terminal capture with colours (tmux capture-pane -e -p) as a PNG.

Usage: ansi2png.py [--draw-braille] IN.ansi OUT.png [IN.ansi OUT.png ...]
Needs Pillow and the DejaVu Sans Mono font (Debian: python3-pil, fonts-dejavu-core); exits 3
when either is missing so that callers can skip quietly. Understands what tmux emits: SGR
(bold, dim, italic, underline, reverse, 16/256/true colours, resets); other escape sequences
are dropped.

Braille patterns (U+2800..U+28FF, the charts' dots) are not in DejaVu Sans Mono: they are drawn
with the first fallback font whose character map has them (DejaVu Sans has), else as dots drawn
here, 2 x 4 per cell as a terminal shows them, so a chart never comes out as empty boxes."""
import re
import sys

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:
    sys.exit(3)

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
SIZE = 15
BG = (28, 28, 28)
FG = (208, 208, 208)
BASE16 = [
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
    (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
    (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
    (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255),
]
FALLBACK_FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]
BRAILLE = range(0x2800, 0x2900)
# dot bit -> (column, row) inside the cell, ISO/TR 11548-1 numbering
BRAILLE_DOTS = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
ESC = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\([A-Za-z0-9]|[=>])")


def color256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.under = self.rev = False

    def sgr(self, params):
        ps = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                self.reset()
            elif p == 1:
                self.bold = True
            elif p == 2:
                self.dim = True
            elif p == 3:
                self.italic = True
            elif p == 4:
                self.under = True
            elif p == 7:
                self.rev = True
            elif p == 22:
                self.bold = self.dim = False
            elif p == 23:
                self.italic = False
            elif p == 24:
                self.under = False
            elif p == 27:
                self.rev = False
            elif 30 <= p <= 37:
                self.fg = BASE16[p - 30]
            elif 90 <= p <= 97:
                self.fg = BASE16[p - 90 + 8]
            elif 40 <= p <= 47:
                self.bg = BASE16[p - 40]
            elif 100 <= p <= 107:
                self.bg = BASE16[p - 100 + 8]
            elif p == 39:
                self.fg = None
            elif p == 49:
                self.bg = None
            elif p in (38, 48) and i + 1 < len(ps):
                if ps[i + 1] == 5 and i + 2 < len(ps):
                    c = color256(ps[i + 2])
                    i += 2
                elif ps[i + 1] == 2 and i + 4 < len(ps):
                    c = tuple(ps[i + 2:i + 5])
                    i += 4
                else:
                    c = None
                if p == 38:
                    self.fg = c
                else:
                    self.bg = c
            i += 1

    def colours(self):
        fg = self.fg or FG
        bg = self.bg or BG
        if self.rev:
            fg, bg = (self.bg or BG), (self.fg or FG)
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


def parse(text):
    """Rows of (char, fg, bg, bold, italic, underline)."""
    rows = []
    for line in text.split("\n"):
        pen = Pen()
        cells = []
        pos = 0
        for m in ESC.finditer(line):
            for ch in line[pos:m.start()]:
                cells.append((ch,) + pen.colours() + (pen.bold, pen.italic, pen.under))
            seq = m.group(1)
            if seq.startswith("[") and seq.endswith("m"):
                pen.sgr(seq[1:-1])
            pos = m.end()
        for ch in line[pos:]:
            cells.append((ch,) + pen.colours() + (pen.bold, pen.italic, pen.under))
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    return rows


_glyph_cache = {}


def has_glyph(font, c):
    """True when font maps c to a glyph of its own (not the .notdef box it draws for the rest)."""
    key = (id(font), c)
    if key not in _glyph_cache:
        try:
            mask = font.getmask(c)
            _glyph_cache[key] = mask.getbbox() is not None and \
                bytes(mask) != bytes(font.getmask("\U0010fffd"))
        except Exception:
            _glyph_cache[key] = False
    return _glyph_cache[key]


def braille_font(size):
    """A fallback font with the braille patterns, or None."""
    for name in FALLBACK_FONTS:
        try:
            f = ImageFont.truetype(FONT_DIR + name, size)
        except OSError:
            continue
        if has_glyph(f, "\u28ff") and has_glyph(f, "\u2801"):
            return f
    return None


def draw_braille(d, c, px, py, cw, ch, fg):
    """The dots of braille pattern c drawn into the cell at (px, py)."""
    bits = ord(c) - 0x2800
    r = max(1, round(cw / 8))
    for bit, (col, row) in enumerate(BRAILLE_DOTS):
        if bits & (1 << bit):
            x = px + cw * (1 + 2 * col) / 4
            y = py + ch * (1 + 2 * row) / 8
            d.ellipse([x - r, y - r, x + r, y + r], fill=fg)


def render(src, dst, fonts, fallback=None):
    with open(src, encoding="utf-8", errors="replace") as f:
        rows = parse(f.read())
    regular = fonts[(False, False)]
    cw = round(regular.getlength("M"))
    asc, desc = regular.getmetrics()
    ch = asc + desc + 2
    width = max((len(r) for r in rows), default=1)
    img = Image.new("RGB", (cw * width + 16, ch * max(len(rows), 1) + 16), BG)
    d = ImageDraw.Draw(img)
    for y, cells in enumerate(rows):
        for x, (c, fg, bg, bold, italic, under) in enumerate(cells):
            px, py = 8 + x * cw, 8 + y * ch
            if bg != BG:
                d.rectangle([px, py, px + cw - 1, py + ch - 1], fill=bg)
            if ord(c) in BRAILLE and not has_glyph(fonts[(bold, italic)], c):
                if fallback is not None:
                    d.text((px, py + 1), c, font=fallback, fill=fg)
                else:
                    draw_braille(d, c, px, py, cw, ch, fg)
            elif c != " ":
                d.text((px, py + 1), c, font=fonts[(bold, italic)], fill=fg)
            if under:
                d.line([px, py + ch - 2, px + cw - 1, py + ch - 2], fill=fg)
    img.save(dst, optimize=True)


def main(argv):
    draw_dots = "--draw-braille" in argv
    argv = [a for a in argv if a != "--draw-braille"]
    if len(argv) < 3 or len(argv) % 2 == 0:
        sys.stderr.write("usage: ansi2png.py [--draw-braille] IN.ansi OUT.png [IN.ansi OUT.png ...]\n")
        return 2
    try:
        fonts = {
            (False, False): ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", SIZE),
            (True, False): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", SIZE),
            (False, True): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Oblique.ttf", SIZE),
            (True, True): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-BoldOblique.ttf", SIZE),
        }
    except OSError:
        return 3
    fallback = None if draw_dots else braille_font(SIZE)
    for i in range(1, len(argv), 2):
        render(argv[i], argv[i + 1], fonts, fallback)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
