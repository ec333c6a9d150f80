"""Structure limits: how deep or how large a document may be built before ingest cuts or refuses it.

Ingest reads every structure iteratively (an explicit stack, never Python recursion), in time
roughly linear in the input. What no linear reader can make cheap is bounded here, each limit a
named constant saying why its value was chosen:

* **cut** — an HTML element deeper than ``MAX_HTML_DEPTH`` is read as text of the element at
  that depth, and a heading level past ``MAX_HEADING_LEVEL`` is read at that level: the text is
  kept, only its nesting flattens (libxml2 and BeautifulSoup build an N-deep tree in up to
  O(N²) time, and a section path holds every heading above a block: both grow quadratically);
* **split** — a paragraph or list item longer than ``MAX_BLOCK_CHARS`` becomes several blocks,
  a heading longer than ``MAX_TITLE_CHARS`` is read as a paragraph, and a table cell longer than
  ``MAX_CELL_CHARS`` keeps its first lines, the rest read as a paragraph after the table;
* **refuse** with ``E142`` ("too deep or too large a structure") — a PDF line longer than
  ``MAX_PDF_LINE_BYTES`` (pdfminer reads long lines in quadratic time), a PDF page tree deeper
  than ``MAX_PDF_TREE_DEPTH`` (pdfminer walks it by recursion), an HTML page with more than ``MAX_HTML_ELEMENTS`` elements (about
  60 µs and 2 KB per element in BeautifulSoup), a text of more than ``MAX_TEXT_LINES`` lines,
  and any document of more than ``MAX_BLOCKS`` blocks and table cells, ``MAX_TEXT_BLOCKS`` blocks
  or ``MAX_TEXT_CHARS`` characters of text;
* **refuse** with ``E141`` — a PDF with more pages than ``IngestOptions.max_pages``.
"""

from __future__ import annotations

import re

from .errors import input_error

#: Default largest file we read (bytes). Payer bulletins are < 5 MB; a 50 MB file is almost
#: certainly a scan or an archive and would take minutes. Override with PAYERKG_MAX_BYTES.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: Default largest PDF we read, in pages (``IngestOptions.max_pages``; the build's ``--max-pages``,
#: PAYERKG_MAX_PAGES). Payer bulletins and decks run to tens of pages, manuals to a few hundred; a
#: page takes 5-100 ms to lay out and extract, so 2,000 pages is already minutes of work.
DEFAULT_MAX_PAGES = 2000

#: Deepest PDF page tree read (``pdf_tree``). A tree is balanced by its writer: 10,000 pages under
#: nodes of 10 kids are 4 levels deep, and even a chain of two kids a node needs only 14; pdfminer
#: walks the tree by recursion, so a deeper one is refused (E142) before it does.
MAX_PDF_TREE_DEPTH = 100

#: Deepest heading level kept. HTML has six; tab panels and accordions nest one level further
#: each, PDFs rank heading sizes. No real outline goes past a dozen; deeper headings are read at
#: this level (they close the previous one instead of nesting under it).
MAX_HEADING_LEVEL = 24

#: Longest heading text the builder takes (the readers have their own, lower, heuristics of what
#: looks like a title). Every block under a heading carries it in its section path, which
#: extraction reads per block; the longest title in the seeds and the devset is 100 characters. A
#: longer "heading" (an <h2> around a page of text) is read as a paragraph.
MAX_TITLE_CHARS = 1_000

#: Deepest HTML element kept (``html_soup``); deeper elements are read as text of the element at
#: this depth. libxml2 and BeautifulSoup both pay the depth for some nodes (an end tag closing
#: nothing, a string after a child), so a deeper tree costs up to depth × nodes to build. Real
#: pages nest 15–40 deep (page audits flag 32).
MAX_HTML_DEPTH = 128

#: Longest PDF line (bytes between CR/LF) we hand to pdfminer. pdfminer finds the xref table by
#: reading lines backwards from the end of the file, joining 4 KB reads into the line it is in
#: (``PSBaseParser.revreadlines``), so an n-byte line costs O(n² / 4096): 12 MB took 4 s, 45 MB
#: more than a minute. Binary streams break lines every ~128 bytes (a CR or LF is 2 bytes in
#: 256) and text streams every few hundred, so a line of megabytes is padding or an attack.
MAX_PDF_LINE_BYTES = 4 * 1024 * 1024

#: Most elements (start tags) of an HTML page we parse. A long provider manual page has
#: 20,000–50,000. BeautifulSoup builds a Python object per node (30–60 µs and ~2 KB each with the
#: walk: a page of 201,000 took 6 s) and extraction then reads what they hold (a paragraph ~80 µs, a
#: list item 200–500 µs), so at 250,000 a page of list items or of prose in table cells ran past the
#: fuzzer's 20 s (``make fuzz`` seed 30 case 267: 6 s to read, 13–16 s to extract).
MAX_HTML_ELEMENTS = 100_000
START_TAG_RE = re.compile(r"<[A-Za-z]")


#: Most lines of a plain-text document. Reading holds every line and paragraph at once (about
#: 150 bytes each); real text conversions run to a few thousand lines, and 1,000,000 lines of a
#: 50 MB file average 50 characters.
MAX_TEXT_LINES = 1_000_000
#: Line separators of ``str.splitlines`` (the text reader's lines).
LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")

#: Longest paragraph or list item kept as one block; a longer one is cut into blocks of at most this
#: many characters at sentence ends (``assemble.split_points``). The longest in the seeds and the
#: devset is 1,605; extraction reads a block's sentences together (each against those before it),
#: so a paragraph of megabytes would cost time growing with its square.
MAX_BLOCK_CHARS = 10_000

#: Longest table cell kept whole; a longer one keeps its first lines up to this many characters and
#: the rest is read as a paragraph after its table (``DocumentBuilder.table``). The longest cell in
#: the seeds, the devset and the test documents has 910 characters. A rule read from a table row
#: quotes the whole row, and a cell of lines of business gives a rule per line, so a cell of
#: megabytes (a nested table of 200,000 cells flattened into one: ``make fuzz`` seed 30 case 267)
#: made a rule per line, each quoting the megabytes: time and memory growing with its square.
MAX_CELL_CHARS = 4_000

#: Most characters of text in one Document (``DocumentBuilder`` refuses more with E142 as soon as its
#: blocks pass it). A 2,000-page manual (``DEFAULT_MAX_PAGES``) of full pages of text, 4,000
#: characters each, holds 8 M; the seed and devset PDFs run 300-2,800 a page. Extraction reads a
#: page of prose that names vendors and lines at 300,000-700,000 characters a second and one that
#: names nothing at about 2 M, so 10 M characters is 15-30 s of it: more is not a coverage document
#: but a line of tens of MB repeated (``make fuzz`` text_huge_line, html_huge_node).
MAX_TEXT_CHARS = 10_000_000

#: Most blocks plus table cells in one Document (each costs ~1 KB with its section path). A
#: 2,000-page PDF holds ~60,000; a page of 50 MB that splits into more is a structure, not a text.
MAX_BLOCKS = 250_000

#: Most blocks in one Document, a table counting once (its cells cost 50 µs each to extract, under
#: ``MAX_BLOCKS``). A block costs 80 µs (a paragraph) to 300 µs (a list item) to extract: 100,000
#: one-line list items took 59 s, 100,000 one-sentence paragraphs 13 s, past the fuzzer's 20 s with
#: their reading. A 2,000-page PDF holds ~60,000.
MAX_TEXT_BLOCKS = 100_000


def _line_break_in(data: bytes, start: int, end: int) -> bool:
    return data.find(b"\n", start, end) >= 0 or data.find(b"\r", start, end) >= 0


def has_long_line(data: bytes, limit: int) -> bool:
    """Does ``data`` hold a line (bytes between CR/LF) longer than ``limit`` bytes?

    Linear: a line longer than ``limit`` covers a whole aligned window of ``limit // 2`` bytes,
    so only windows without a line break (found by ``bytes.find``, no copies) are measured, and
    each measure looks at most ``limit`` bytes to either side.
    """
    if len(data) <= limit:
        return False
    half = max(limit // 2, 1)
    for start in range(0, len(data), half):
        end = min(start + half, len(data))
        if end - start < half or _line_break_in(data, start, end):
            continue
        lo_bound, hi_bound = max(0, start - limit), min(len(data), end + limit)
        before = max(data.rfind(b"\n", lo_bound, start), data.rfind(b"\r", lo_bound, start))
        lo = before + 1 if before >= 0 else lo_bound
        breaks = [i for i in (data.find(b"\n", end, hi_bound), data.find(b"\r", end, hi_bound)) if i >= 0]
        hi = min(breaks) if breaks else hi_bound
        if hi - lo > limit:
            return True
    return False


def check_pdf_lines(data: bytes, source: str) -> None:
    """Refuse (E142) a PDF holding a line longer than ``MAX_PDF_LINE_BYTES``."""
    if has_long_line(data, MAX_PDF_LINE_BYTES):
        raise input_error(source, "E142", f"a line longer than {MAX_PDF_LINE_BYTES:,} bytes")


def check_html_elements(markup: str, source: str) -> None:
    """Refuse (E142) a page with more than ``MAX_HTML_ELEMENTS`` start tags (counted on the raw
    markup, before anything is built)."""
    if markup.count("<") <= MAX_HTML_ELEMENTS:  # a cheap upper bound first
        return
    n = sum(1 for _ in START_TAG_RE.finditer(markup))
    if n > MAX_HTML_ELEMENTS:
        raise input_error(source, "E142", f"{n:,} elements; limit {MAX_HTML_ELEMENTS:,}")


def check_text_lines(text: str, source: str) -> None:
    """Refuse (E142) a text of more than ``MAX_TEXT_LINES`` lines (counted before splitting)."""
    n = 0
    for sep in LINE_BREAKS:
        n += text.count(sep)
        if n > MAX_TEXT_LINES:
            raise input_error(source, "E142", f"more than {MAX_TEXT_LINES:,} lines")
