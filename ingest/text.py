"""Plain text / markdown → Document (the fallback for ``.txt`` and ``.md``).

* ``#`` and setext (``===``/``---`` underlined) headings give their level; a standalone short line
  (blank lines around it, no closing punctuation) is a heading too: level 1 when it is ALL CAPS,
  else level 2 when a paragraph follows it, else level 3 (a label over a list: "Resources",
  "Notes");
* ``-``/``*``/``•``/``1.`` items, depth from indentation ranked within the list; the bullet or
  number as written is the block's ``marker``;
* an e-mail notice's header lines (``From:``, ``To:``, ``Date:``, ``Subject:`` …) at the top go to
  ``Document.furniture`` (with the sender's domain) and the subject becomes the level-1 title;
* thematic breaks (``---``, ``***``, ``___`` alone on a line) only separate;
* ``**bold**`` becomes a bold span (markers dropped); ``[text](url)`` keeps ``text``;
* tab-separated lines form a table (first row is the header); HTML left in cells is flattened.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from itertools import compress

from .assemble import DocumentBuilder, clean_inline, is_continuation_line
from .limits import check_text_lines
from .model import BlockKind, Document, MediaType, TableRow

#: ``# Title`` (the closing ``#``s are stripped in code: a lazy ``(.*?)\s*#*\s*$`` backtracks in
#: quadratic time on a long line of ``#``s).
HEADING_MD_RE = re.compile(r"^(#{1,6})\s+(.*)$")
BULLET_RE = re.compile(r"^(\s*)([-*+•◦▪]|\d{1,2}[.)])\s+(.*)$")
#: An e-mail header line. The block of them must open the file and hold at least
#: ``MIN_EMAIL_HEADERS`` lines (one "Note:" line is not a mail header).
EMAIL_HEADER_RE = re.compile(r"^(From|To|Cc|Bcc|Date|Sent|Subject|Re|Reply-To)\s*:\s*(.*)$", re.IGNORECASE)
MIN_EMAIL_HEADERS = 2
EMAIL_DOMAIN_RE = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
#: Addresses are looked for in this many characters of a header line (the regex backtracks over
#: a long run of word characters; real header lines are short).
MAX_EMAIL_HEADER_CHARS = 1000
#: ``---``, ``* * *``, ``___``: up to 3 spaces, then 3 or more of one of ``-*_`` with any space between.
#: Checked by ``is_thematic_break``: the regex ``^\s{0,3}([-*_])(?:\s*\1){2,}\s*$`` kept a backtracking
#: frame per repetition, 750 MB for a line of 10 MB.
THEMATIC_BREAK_CHARS = "-*_"
SETEXT_RE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
#: ``[text](url)``; text may hold one level of brackets, the url one level of parentheses. No part
#: can run over a bracket or parenthesis it does not close, so a line of ``[`` or ``[a](`` is
#: matched in linear time.
LINK_RE = re.compile(r"\[([^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*)\]\([^()\[\]]*(?:\([^()]*\)[^()\[\]]*)*\)")
#: A tag, declaration or processing instruction in a table cell's markup (comments are cut first).
#: ``[^<>]*`` stops at the next bracket, so a broken tag costs no backtracking.
CELL_TAG_RE = re.compile(r"<(?:/?[A-Za-z][^<>]*|[!?][^<>]*)>")
MARK_RE = re.compile(r"\[([®™℠©])\]")
ITALIC_RE = re.compile(r"(?:(?<=^)|(?<=[\s(“\"]))\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?=[\s.,;:)”\"]|$)")
BOLD_RE = re.compile(r"\*\*(.+?)\*\*")
ESCAPE_RE = re.compile(r"\\([()\[\]*_#])")
#: A standalone line longer than this is a paragraph, not a heading.
MAX_HEADING_CHARS = 90
HEADING_END_PUNCT = (".", ":", ";", ",", "?", "!")


def _inline(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Strip markdown links/escapes and ``**bold**`` markers; return text and bold spans.

    Touching bold spans are one ("**a****b**"), so spans are made per run of bold parts with no text
    between them, by ``re.split`` and C-level sums: a line of 10 MB of ``*`` is 2 million matches of
    ``BOLD_RE`` in one run, and a Python step per match took seconds (and a tuple each, 390 MB)."""
    if "[" not in text and "*" not in text and "\\" not in text:  # no markup: the common case
        return text.strip(), []
    text = LINK_RE.sub(r"\1", text)
    text = MARK_RE.sub(r"\1", text)
    text = ESCAPE_RE.sub(r"\1", text)
    text = ITALIC_RE.sub(r"\1", text)
    parts = BOLD_RE.split(text)  # text before the first bold, its inner text, text before the next, …
    flat = "".join(parts)
    # collapse spaces but keep span offsets right: only strip at the ends
    lead = len(flat) - len(flat.lstrip())
    flat = flat.strip()
    n = len(parts) // 2  # bold parts: parts[2k + 1]; the text before each: parts[2k]
    run_starts = [0, *compress(range(1, n), parts[2 : 2 * n : 2])] if n else []  # k: text before bold k
    merged: list[tuple[int, int]] = []
    pos = 0  # offset of parts[2k] for the run starting at k
    for r, k in enumerate(run_starts):
        end = run_starts[r + 1] if r + 1 < len(run_starts) else n
        a = pos + len(parts[2 * k])
        b = a + sum(map(len, parts[2 * k + 1 : 2 * end : 2]))  # the texts between them are empty
        pos = b
        a, b = max(a - lead, 0), min(b - lead, len(flat))
        if a < b:
            merged.append((a, b))
    return flat, merged


def is_thematic_break(line: str) -> bool:
    """A markdown thematic break (``THEMATIC_BREAK_CHARS``), in linear time and constant extra memory
    beyond one copy of the line."""
    body = line.strip()
    if not body or body[0] not in THEMATIC_BREAK_CHARS or len(line) - len(line.lstrip()) > 3:
        return False
    marks = "".join(body.split())
    return len(marks) >= 3 and marks.count(body[0]) == len(marks)


def _strip_closing_hashes(text: str) -> str:
    """``Title ##`` → ``Title`` (a heading's optional closing sequence)."""
    return text.rstrip().rstrip("#").rstrip()


def _cell(text: str) -> str:
    if "<" in text and ">" in text:
        return _cell_markup(text)
    return clean_inline(_inline(text)[0])


def _cell_markup(text: str) -> str:
    """The strings of a cell's inline markup, one per line (what BeautifulSoup's ``stripped_strings``
    gives, 200 µs a cell): comments cut by ``str.find``, tags split off by ``CELL_TAG_RE``, entities
    decoded; linear, however the markup is broken. A cell with a script or style goes to
    BeautifulSoup, which drops their text."""
    low = text.lower()
    if "<script" in low or "<style" in low:
        from .html_soup import make_soup

        strings = list(make_soup(text).stripped_strings)
    else:
        strings = []
        pos = 0
        while (start := text.find("<!--", pos)) >= 0:
            strings += CELL_TAG_RE.split(text[pos:start])
            end = text.find("-->", start + 4)
            pos = len(text) if end < 0 else end + 3
        strings += CELL_TAG_RE.split(text[pos:])
    parts = [clean_inline(html.unescape(s)) for s in strings]
    return "\n".join(p for p in parts if p)


def _paragraphs(lines: list[str]) -> Iterator[list[str]]:
    """Group raw lines into (kind, payload) runs separated by blank lines."""
    run: list[str] = []
    for raw in [*lines, ""]:
        if raw.strip():
            run.append(raw.rstrip("\n"))
        elif run:
            yield run
            run = []


def _email_header(lines: list[str]) -> tuple[int, list[str], str]:
    """(lines used, furniture, subject) of an e-mail header block opening the text."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    start = i
    furniture: list[str] = []
    subject = ""
    while i < len(lines) and (m := EMAIL_HEADER_RE.match(lines[i].strip())):
        furniture.append(lines[i].strip())
        furniture += EMAIL_DOMAIN_RE.findall(lines[i][:MAX_EMAIL_HEADER_CHARS])
        if m.group(1).lower() in ("subject", "re"):
            subject = m.group(2).strip()
        i += 1
    if i - start < MIN_EMAIL_HEADERS:
        return 0, [], ""
    return i, furniture, subject


def parse_text(data: str, source: str, doc_id: str, size_bytes: int) -> Document:
    """Parse plain text / markdown. Raises ``InputError`` E142 past ``limits.MAX_TEXT_LINES``
    lines or ``limits.MAX_BLOCKS`` blocks."""
    check_text_lines(data, source)
    b = DocumentBuilder(source)
    lines = data.splitlines()
    used, furniture, subject = _email_header(lines)
    if subject:
        b.heading(_inline(subject)[0], 1, 1)
    lines = lines[used:]
    # a rule after a blank line only separates; right under a text line it underlines a heading
    lines = [ln for i, ln in enumerate(lines) if not (is_thematic_break(ln) and (i == 0 or not lines[i - 1].strip()))]
    runs = list(_paragraphs(lines))
    for i, run in enumerate(runs):
        nxt = runs[i + 1] if i + 1 < len(runs) else None
        last = b.last
        prev_caps = last is not None and last.kind is BlockKind.HEADING and last.level == 1
        _emit_run(b, run, nxt, prev_caps)
    return b.build(
        doc_id=doc_id,
        source=source,
        media_type=MediaType.TEXT,
        page_count=1,
        size_bytes=size_bytes,
        fallback_title=source.rsplit("/", 1)[-1],
        furniture=furniture,
    )


def _is_heading_line(line: str) -> bool:
    text, _ = _inline(line)
    return (
        0 < len(text) <= MAX_HEADING_CHARS
        and not text.endswith(HEADING_END_PUNCT)
        and not BULLET_RE.match(line)
        and "\t" not in line
        and not line.startswith((" ", "\t"))
        and not is_continuation_line(text)
        and any(c.isalpha() for c in text)
        and not line.rstrip().endswith("**")  # "[link](#)**" footnoted links are not titles
    )


def _is_prose(run: list[str]) -> bool:
    """A paragraph of sentences (not a list, table, link or label) follows a section title."""
    first = run[0]
    if BULLET_RE.match(first) or "\t" in first:
        return False
    text = _inline(" ".join(run))[0]
    return text.endswith((".", ":"))


def _emit_run(b: DocumentBuilder, run: list[str], nxt: list[str] | None, prev_caps: bool = False) -> None:
    if len(run) >= 2 and SETEXT_RE.match(run[-1]) and not any(BULLET_RE.match(ln) or "\t" in ln for ln in run[:-1]):
        text, bold = _inline(" ".join(ln.strip() for ln in run[:-1]))
        b.heading(text, 1 if run[-1].strip().startswith("=") else 2, 1, bold)
        return
    if len(run) == 1:
        m = HEADING_MD_RE.match(run[0])
        if m:
            text, bold = _inline(_strip_closing_hashes(m.group(2)))
            b.heading(text, len(m.group(1)), 1, bold)
            return
        if _is_heading_line(run[0]):
            text, bold = _inline(run[0])
            letters = [c for c in text if c.isalpha()]
            if all(c.isupper() for c in letters) and len(letters) > 3:
                level = 1
            elif prev_caps or (nxt is not None and _is_prose(nxt)):
                level = 2
            else:
                level = 3
            b.heading(text, level, 1, bold)
            return
    if all("\t" in ln for ln in run):
        b.reserve(sum(ln.count("\t") + 1 for ln in run))  # E142 before a table too large is built
        rows = [
            TableRow(cells=tuple(_cell(c) for c in ln.split("\t")), page=1, header=i == 0) for i, ln in enumerate(run)
        ]
        b.table(rows)
        return
    widths = sorted({len(m.group(1).expandtabs(4)) for ln in run if (m := BULLET_RE.match(ln))})
    indents = {w: depth for depth, w in enumerate(widths, start=1)}  # indent width -> list depth
    para: list[str] = []

    def flush_para() -> None:
        if para:
            text, bold = _inline(" ".join(p.strip() for p in para))
            b.block(BlockKind.PARAGRAPH, text, 1, 0, bold)
            para.clear()

    for ln in run:
        m = BULLET_RE.match(ln)
        if m:
            flush_para()
            depth = indents[len(m.group(1).expandtabs(4))]
            text, bold = _inline(m.group(3))
            b.block(BlockKind.LIST_ITEM, text, 1, depth, bold, marker=m.group(2))
        else:
            para.append(ln)
    flush_para()
