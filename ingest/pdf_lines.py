"""One visual line of PDF text, built from pdfplumber characters.

A ``Line`` keeps, for every character of its text, the pdfplumber char it came from (``None``
for a space pdfplumber inserted between words), so that a line can be split at a column gutter,
its bold runs found and its box reported. Superscripts are decided here: a character clearly
smaller than its neighbour and raised above that neighbour's baseline. Superscript digits become
Unicode superscript digits attached to the word before them ("Advantage1" → "Advantage¹");
superscript symbols (* † ‡ § ‖ ¶ #) and letters (the "SM" of "BlueSM") are kept as written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from pdfplumber.utils.text import chars_to_textmap

from .model import LineBox

#: A superscript is set at most this share of the size of the text next to it (typographic
#: superscripts are 58–70 % of the body size; 0.8 leaves room without catching 9pt next to 10pt).
SUPERSCRIPT_SIZE_RATIO = 0.8
#: ... and its bottom sits at least this share of the neighbour's size above the neighbour's
#: bottom (superscripts rise ~0.33 em; a smaller character on the same baseline rises ~0.05 em).
SUPERSCRIPT_RISE_RATIO = 0.2
#: How many characters back (then forward) we look for the full-size neighbour of a superscript
#: ("12" as a two-digit reference: the second digit's neighbour is two characters back).
SUPERSCRIPT_LOOKAROUND = 4
#: Grey: every RGB/gray component between these (black text is 0, white 1).
GREY_RANGE = (0.3, 0.85)
SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SUPERSCRIPT_CHARS = set("⁰¹²³⁴⁵⁶⁷⁸⁹")


@cache
def is_bold(fontname: str) -> bool:
    f = fontname.lower()
    return any(k in f for k in ("bold", "black", "heavy", "semibold", "demi"))


@cache
def is_italic(fontname: str) -> bool:
    f = fontname.lower()
    return "italic" in f or "oblique" in f


def is_grey(color: object) -> bool:
    if color is None:
        return False
    comps = color if isinstance(color, (tuple, list)) else (color,)
    try:
        vals = [float(c) for c in comps]
    except (TypeError, ValueError):
        return False
    if len(vals) == 4:  # CMYK: grey is K only
        return vals[:3] == [0.0, 0.0, 0.0] and GREY_RANGE[0] <= 1 - vals[3] <= GREY_RANGE[1]
    return bool(vals) and max(vals) - min(vals) < 0.05 and GREY_RANGE[0] <= vals[0] <= GREY_RANGE[1]


def align_chars(text: str, chars: list[dict]) -> list[dict | None]:
    """Map each character of ``text`` to the pdfplumber char it came from (None for inserted spaces)."""
    out: list[dict | None] = []
    j = 0
    for ch in text:
        if j < len(chars) and chars[j]["text"] == ch:
            out.append(chars[j])
            j += 1
        elif ch.isspace():
            out.append(None)
        else:  # ligature expansion or normalisation: consume one char, keep going
            out.append(chars[j] if j < len(chars) else None)
            if j < len(chars) and len(chars[j]["text"]) <= 1:
                j += 1
    return out


def spans(flags: list[bool]) -> list[tuple[int, int]]:
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i))
            start = None
    return out


@dataclass
class Line:
    """One visual line: its text, where it is, and per character the char it came from."""

    text: str
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: list[tuple[int, int]]
    all_bold: bool
    caption: bool
    chars: list = field(default_factory=list)  # per text index: pdfplumber char or None
    chrome: bool = False
    text_x0: float = 0.0  # x of the first character after a bullet
    region: int = 0  # reading-order region of the page (columns); lines sort by (region, top)
    shift: float = 0.0  # x offset of the line's column from the page's first column

    @property
    def xs(self) -> list:
        return [c["x0"] if c else None for c in self.chars]

    @property
    def starts_with_superscript(self) -> bool:
        """A footnote line: "¹ Not included: …"."""
        return bool(self.text) and self.text[0] in SUPERSCRIPT_CHARS

    def box(self, start: int, end: int, from_index: int = 0) -> LineBox:
        """This line's box, for text placed at ``start:end`` of a block; the box begins at the
        character ``from_index`` of the line (after a bullet)."""
        x0 = next((c["x0"] for c in self.chars[from_index:] if c), self.x0)
        return LineBox(
            self.page, round(x0, 2), round(self.top, 2), round(self.x1, 2), round(self.bottom, 2), start, end
        )


def _superscripts(text: list[str], chars: list[dict | None]) -> list[bool]:
    """Flags of the characters that are superscripts (see the module docstring)."""
    n = len(chars)
    flags = [False] * n
    sizes = [c["size"] for c in chars if c is not None]
    if not sizes or min(sizes) > SUPERSCRIPT_SIZE_RATIO * max(sizes):
        return flags  # one size on the line (almost every line): nothing to look at
    for i, c in enumerate(chars):
        if c is None or not c["text"].strip():
            continue
        ref = None
        for j in list(range(i - 1, max(-1, i - 1 - SUPERSCRIPT_LOOKAROUND), -1)) + list(
            range(i + 1, min(n, i + 1 + SUPERSCRIPT_LOOKAROUND))
        ):
            r = chars[j]
            if r is not None and r["text"].strip() and c["size"] <= SUPERSCRIPT_SIZE_RATIO * r["size"]:
                ref = r
                break
        if ref is not None and ref["bottom"] - c["bottom"] >= SUPERSCRIPT_RISE_RATIO * ref["size"]:
            flags[i] = True
    return flags


def make_line(text: str, chars: list[dict | None], page: int) -> Line | None:
    """Build a ``Line`` from text aligned with its chars (see ``align_chars``).

    White space is collapsed and stripped; superscript digits become ¹²³ attached to the word
    before them. Returns None for a line without visible characters.
    """
    sup = _superscripts(list(text), chars)
    out_t: list[str] = []
    out_c: list[dict | None] = []
    sup_out: list[bool] = []
    for ch, c, s in zip(text, chars, sup):
        if ch.isspace():
            if not out_t or out_t[-1] == " ":
                continue
            out_t.append(" ")
            out_c.append(c)
            sup_out.append(False)
            continue
        if s and ch.isdigit():
            ch = ch.translate(SUPERSCRIPT_DIGITS)
            # attached to the preceding word: drop the space pdfplumber put between them
            if len(out_t) >= 2 and out_t[-1] == " " and out_c[-1] is None:
                out_t.pop()
                out_c.pop()
                sup_out.pop()
        out_t.append(ch)
        out_c.append(c)
        sup_out.append(s)
    while out_t and out_t[-1] == " ":
        out_t.pop()
        out_c.pop()
        sup_out.pop()
    text = "".join(out_t)
    visible = [c for c, s in zip(out_c, sup_out) if c is not None and c["text"].strip() and not s]
    ink = [c for c in out_c if c is not None and c["text"].strip()]
    if not text or not ink:
        return None
    visible = visible or ink
    size = Counter(round(c["size"], 1) for c in visible).most_common(1)[0][0]
    flags = [bool(c and is_bold(c["fontname"])) for c in out_c]
    # spaces between two bold characters are bold too, so "Exceptions: Acme" keeps one span
    for i, c in enumerate(out_c):
        if c is None and 0 < i < len(flags) - 1 and flags[i - 1] and flags[i + 1]:
            flags[i] = True
    bold = [(a, b) for a, b in spans(flags) if text[a:b].strip()]
    all_bold = all(is_bold(c["fontname"]) for c in visible)
    caption = all(is_italic(c["fontname"]) for c in visible) and all(
        is_grey(c.get("non_stroking_color")) for c in visible
    )
    return Line(
        text=text,
        page=page,
        x0=min(c["x0"] for c in ink),
        top=min(c["top"] for c in ink),
        x1=max(c["x1"] for c in ink),
        bottom=max(c["bottom"] for c in ink),
        size=size,
        bold=bold,
        all_bold=all_bold,
        caption=caption,
        chars=out_c,
    )


def lines_from_chars(chars: list[dict], page: int) -> list[Line]:
    """Visual lines of ``chars`` (in page order), as pdfplumber's ``extract_text_lines`` finds them."""
    if not chars:
        return []
    out: list[Line] = []
    for raw in chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=True):
        line = make_line(raw["text"], align_chars(raw["text"], raw["chars"]), page)
        if line is not None:
            out.append(line)
    return out


def split_line(line: Line, x: float) -> tuple[Line | None, Line | None]:
    """The parts of ``line`` left and right of the vertical ``x`` (a column gutter)."""
    cut = len(line.chars)
    for i, c in enumerate(line.chars):
        if c is not None and (c["x0"] + c["x1"]) / 2 >= x:
            cut = i
            break
    parts = []
    for a, b in ((0, cut), (cut, len(line.chars))):
        part = make_line(line.text[a:b], line.chars[a:b], line.page) if b > a else None
        if part is not None:
            part.chrome = line.chrome
        parts.append(part)
    return parts[0], parts[1]


def segments(line: Line, min_gap: float) -> list[tuple[float, float]]:
    """x-intervals of ink on the line, merging characters closer than ``min_gap``."""
    out: list[list[float]] = []
    for c in line.chars:
        if c is None or not c["text"].strip():
            continue
        if out and c["x0"] - out[-1][1] < min_gap:
            out[-1][1] = max(out[-1][1], c["x1"])
        else:
            out.append([c["x0"], c["x1"]])
    return [(a, b) for a, b in out]


def joiner(before: str, after: str) -> str:
    """What joins two wrapped lines of one item: a space, or nothing when the next line goes on
    with the hyphen of a compound ("Group self" / "-funded (ASO)")."""
    if len(after) > 1 and after[0] in "-‐" and after[1].isalpha() and before[-1:].isalpha():
        return ""
    return " "


def text_pieces(line: Line, min_gap: float) -> list[str]:
    """The line's text cut where its ink leaves a gap of ``min_gap`` or more (a running header
    with the publisher on the left and the issue on the right is two pieces)."""
    pieces: list[str] = []
    start = 0
    prev_x1 = None
    for i, c in enumerate(line.chars):
        if c is None or not c["text"].strip():
            continue
        if prev_x1 is not None and c["x0"] - prev_x1 >= min_gap:
            pieces.append(line.text[start:i])
            start = i
        prev_x1 = c["x1"]
    pieces.append(line.text[start:])
    return [p.strip() for p in pieces if p.strip()]
