"""Structure limits (issue 18 part 2): hostile structures are read in bounded time or refused with
E141 (page limit) or E142 (too deep or too large a structure), never by Python recursion."""

from __future__ import annotations

import itertools
import logging
import re
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SEEDS
from ingest import BlockKind, IngestOptions, InputError, MediaType, ingest_file, limits, parse_bytes
from ingest.assemble import DocumentBuilder, clean_inline
from ingest.html_nodes import collapse_space, has_letters
from ingest.model import MAX_FURNITURE_CHARS


def minimal_pdf(pages: int = 1, tree_depth: int = 0, text: str = "Prior authorization applies.") -> bytes:
    """A well-formed PDF of ``pages`` pages sharing one content stream, under a page tree
    ``tree_depth`` /Pages nodes deep."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    }
    chain = [2, *list(range(5, 5 + tree_depth))]
    first_page = 5 + tree_depth
    page_ids = list(range(first_page, first_page + pages))
    for pid in page_ids:
        objs[pid] = (
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 3 0 R >> >> >>" % chain[-1]
        )
    for k, node in enumerate(chain):
        kids = [chain[k + 1]] if k + 1 < len(chain) else page_ids
        parent = b" /Parent %d 0 R" % chain[k - 1] if k else b""
        objs[node] = (
            b"<< /Type /Pages"
            + parent
            + b" /Kids ["
            + b" ".join(b"%d 0 R" % i for i in kids)
            + b"] /Count %d >>" % pages
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for i in sorted(objs):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[i] for i in sorted(objs))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _code(data: bytes, name: str, **options) -> str:
    with pytest.raises(InputError) as ei:
        parse_bytes(data, name, options=IngestOptions(**options) if options else None)
    assert name in str(ei.value)
    return ei.value.code


# -- PDF -------------------------------------------------------------------------------------------


def test_a_pdf_within_the_page_limit_is_read():
    doc = parse_bytes(minimal_pdf(pages=3), "three.pdf", options=IngestOptions(max_pages=3))
    assert doc.page_count == 3 and "Prior authorization applies." in doc.furniture  # on every page


def test_a_pdf_over_the_page_limit_is_e141_before_any_page_is_laid_out():
    start = time.process_time()
    assert _code(minimal_pdf(pages=2_001), "long.pdf") == "E141"  # the default limit is 2,000
    assert _code(minimal_pdf(pages=4), "four.pdf", max_pages=3) == "E141"
    assert time.process_time() - start < 10


def test_the_page_limit_comes_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "four.pdf"
    path.write_bytes(minimal_pdf(pages=4))
    monkeypatch.setenv("PAYERKG_MAX_PAGES", "3")
    assert IngestOptions.from_env().max_pages == 3
    with pytest.raises(InputError) as ei:
        ingest_file(path, IngestOptions.from_env())
    assert ei.value.code == "E141"
    with pytest.raises(ValueError):
        IngestOptions(max_pages=0)


def test_a_page_tree_thousands_deep_is_e142_not_a_recursion_error():
    assert _code(minimal_pdf(tree_depth=5_000), "deep.pdf") == "E142"
    assert _code(minimal_pdf(tree_depth=limits.MAX_PDF_TREE_DEPTH + 1), "deep.pdf") == "E142"
    assert parse_bytes(minimal_pdf(tree_depth=limits.MAX_PDF_TREE_DEPTH - 1), "ok.pdf").page_count == 1


def test_a_deep_page_tree_under_a_raised_recursion_limit_is_e142_not_a_dead_process(tmp_path):
    """Regression (make fuzz's bounded sample in the suite: a 5,000-deep page tree, SIGSEGV). Hypothesis
    raises the recursion limit while it draws; pdfminer's recursive walk of the tree then overflowed
    the C stack instead of raising RecursionError. The tree is walked with a stack first."""
    path = tmp_path / "deep.pdf"
    path.write_bytes(minimal_pdf(tree_depth=20_000))
    code = (
        "import sys; sys.setrecursionlimit(100_000)\n"
        "from ingest import InputError, ingest_file\n"
        f"try:\n    ingest_file({str(path)!r})\nexcept InputError as e:\n    print(e.code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert (done.returncode, done.stdout.strip()) == (0, "E142"), done.stderr[-2000:]


def test_a_pdf_line_of_megabytes_is_e142_at_once():
    """Regression (fuzz report): pdfminer's xref search reads a long line in quadratic time (a 45 MB
    line took minutes)."""
    pdf = minimal_pdf()
    data = pdf + b"%" + b"A" * (limits.MAX_PDF_LINE_BYTES + 10) + b"\n"
    start = time.process_time()
    assert _code(data, "line.pdf") == "E142"
    assert time.process_time() - start < 5


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.sampled_from([b"\n", b"\r", b"\r\n"])), max_size=12), st.integers(1, 30)
)
def test_has_long_line_agrees_with_splitting_the_lines(runs, limit):
    data = b"".join(b"x" * n + sep for n, sep in runs)
    naive = any(len(line) > limit for line in data.replace(b"\r", b"\n").split(b"\n"))
    assert limits.has_long_line(data, limit) == naive


# -- HTML ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [5_000, 20_000])
def test_divs_nested_tens_of_thousands_deep_keep_their_text_in_linear_time(depth):
    """Regression (issue 18): 5,000-20,000 nested <div>s overflowed the stack, then took time
    growing with the square of the depth."""
    html = "<html><body>" + "<div>level " * depth + "the deepest text" + "</div>" * depth + "</body></html>"
    start = time.process_time()
    doc = parse_bytes(html.encode(), "deep.html")
    assert time.process_time() - start < 10
    assert "the deepest text" in doc.text
    assert doc.text.split().count("level") == depth


def test_unclosed_elements_nested_deep_are_cut_and_keep_their_text():
    html = "<html><body><main><h1>Title</h1>" + "<section><p>para " * 10_000 + "end"
    doc = parse_bytes(html.encode(), "open.html")
    assert doc.text.split().count("para") == 10_000 and doc.text.rstrip().endswith("end")


def test_below_the_cut_scripts_are_dropped_and_blocks_stay_apart():
    deep = "<div>" * (limits.MAX_HTML_DEPTH + 10)
    html = f"<html><body>{deep}<p>one</p><script>var x = 1;</script><p>two</p></body></html>"
    doc = parse_bytes(html.encode(), "cut.html")
    assert "one" in doc.text and "two" in doc.text and "one two" in " ".join(doc.text.split())
    assert "var x" not in doc.text


def test_a_page_of_more_elements_than_the_limit_is_e142(monkeypatch):
    monkeypatch.setattr(limits, "MAX_HTML_ELEMENTS", 1_000)
    html = "<html><body>" + "<p>x</p>" * 1_001 + "</body></html>"
    assert _code(html.encode(), "wide.html") == "E142"


def test_headings_past_the_deepest_level_are_read_at_that_level():
    b = DocumentBuilder("x")
    b.heading("Top", 1, 1)
    b.heading("Very deep", limits.MAX_HEADING_LEVEL + 50, 1)
    b.block(BlockKind.PARAGRAPH, "Body.", 1)
    doc = b.build(doc_id="x", source="x", media_type=MediaType.TEXT, page_count=1, size_bytes=1, fallback_title="x")
    heading = next(bl for bl in doc.blocks if bl.text == "Very deep")
    assert heading.level == limits.MAX_HEADING_LEVEL
    assert doc.blocks[-1].section_path == ("Top", "Very deep")


# -- text and blocks -------------------------------------------------------------------------------


def test_a_text_of_more_lines_than_the_limit_is_e142(monkeypatch):
    monkeypatch.setattr(limits, "MAX_TEXT_LINES", 1_000)
    assert _code(b"line\n" * 1_001, "many.txt") == "E142"
    assert _code(b"line\r" * 1_001, "many.txt") == "E142"  # every separator str.splitlines knows


def test_a_document_of_more_blocks_than_the_limit_is_e142(monkeypatch):
    monkeypatch.setattr("ingest.assemble.MAX_BLOCKS", 100)
    assert _code(b"\n\n".join(b"Paragraph %d." % i for i in range(200)), "blocks.md") == "E142"


def test_a_document_of_more_blocks_than_the_text_block_limit_is_e142_but_table_cells_count_apart(monkeypatch):
    monkeypatch.setattr("ingest.assemble.MAX_TEXT_BLOCKS", 100)
    assert _code(b"\n\n".join(b"- item %d" % i for i in range(200)), "items.md") == "E142"
    table = b"\n".join(b"a\tb\tc" for _ in range(500))  # one block of 1,500 cells
    assert len(parse_bytes(b"Title\n\n" + table, "cells.txt").blocks) == 2


def test_a_document_of_more_text_than_the_limit_is_e142_in_every_format(monkeypatch):
    monkeypatch.setattr("ingest.assemble.MAX_TEXT_CHARS", 10_000)
    body = "Prior authorization is required. " * 400  # 13,200 characters
    assert _code(body.encode(), "long.txt") == "E142"
    assert _code(f"<html><body><main><p>{body}</p></main></body></html>".encode(), "long.html") == "E142"
    assert _code(("Plan\tNotes\nAcme\t" + body).encode(), "cells.txt") == "E142"  # table text counts
    assert len(parse_bytes(body[:9_000].encode(), "short.txt").text) <= 10_000


def test_the_text_limit_reads_a_2000_page_manual():
    assert limits.MAX_TEXT_CHARS >= limits.DEFAULT_MAX_PAGES * 4_000


@pytest.mark.parametrize(
    "line",
    ["[" * 200_000, "[a](" * 50_000, "#" * 6 + " " + "#" * 200_000 + "x", "From: " + "a" * 200_000 + "\nTo: b\n"],
)
def test_markdown_lines_that_made_regexes_backtrack_are_read_in_linear_time(line):
    """Regression (fuzz): a line of '[' or '[a](' and a heading of '#'s backtracked in quadratic time."""
    start = time.process_time()
    code = None
    try:
        parse_bytes(line.encode(), "hostile.md")
    except InputError as e:
        code = e.code
    assert time.process_time() - start < 5
    assert code in (None, "E130")  # E130: nothing but markup or mail headers, no text


def test_a_deep_markdown_list_keeps_its_depths():
    text = "".join(" " * i + f"- item {i}\n" for i in range(2_000))
    doc = parse_bytes(text.encode(), "deep.md")
    items = [b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM]
    assert len(items) == 2_000 and [b.level for b in items[:3]] == [1, 2, 3]


# -- long blocks -----------------------------------------------------------------------------------


def test_a_paragraph_longer_than_the_block_limit_is_split_at_sentence_ends():
    sentence = "Prior authorization is required for imaging. "
    text = sentence * (3 * limits.MAX_BLOCK_CHARS // len(sentence))
    doc = parse_bytes(f"<html><body><main><p><b>Bold</b> {text}</p></main></body></html>".encode(), "long.html")
    paras = [b for b in doc.blocks if b.kind is BlockKind.PARAGRAPH]
    assert len(paras) >= 3 and all(len(b.text) <= limits.MAX_BLOCK_CHARS for b in paras)
    assert all(b.text.endswith("imaging.") for b in paras[:-1])  # cut after a sentence
    assert " ".join(b.text for b in paras) == ("Bold " + text).strip()
    assert paras[0].bold == ((0, 4),) and all(not b.bold for b in paras[1:])


def test_a_list_item_without_spaces_is_cut_at_the_limit_and_keeps_its_marker_once():
    doc = parse_bytes(("- " + "x" * (2 * limits.MAX_BLOCK_CHARS + 5)).encode(), "long.md")
    items = [b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM]
    assert [len(b.text) for b in items] == [limits.MAX_BLOCK_CHARS, limits.MAX_BLOCK_CHARS, 5]
    assert [b.marker for b in items] == ["-", "", ""] and {b.level for b in items} == {1}


def test_a_heading_of_a_page_of_text_is_read_as_a_paragraph():
    long = "word " * (limits.MAX_TITLE_CHARS // 5 + 10)
    doc = parse_bytes(f"<html><body><main><h2>{long}</h2><p>Body.</p></main></body></html>".encode(), "h.html")
    assert [b.kind for b in doc.blocks] == [BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]
    assert doc.blocks[1].section_path == ()


def test_a_table_cell_longer_than_the_cell_limit_keeps_its_first_lines_and_the_rest_follows_the_table():
    lines = [f"Line {i} of the nested table" for i in range(3 * limits.MAX_CELL_CHARS // 25)]
    cell = "<br>".join(lines)
    page = (
        "<html><body><main><table><tr><th>Plan</th><th>Lines</th></tr>"
        f"<tr><td>Acme</td><td>{cell}</td></tr><tr><td>Zephyr</td><td>Medicaid</td></tr></table>"
        "<p>After.</p></main></body></html>"
    )
    doc = parse_bytes(page.encode(), "cell.html")
    table = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    cut = table.rows[1].cells[1]
    assert limits.MAX_CELL_CHARS // 2 <= len(cut) <= limits.MAX_CELL_CHARS and cut.endswith(
        lines[len(cut.split("\n")) - 1]
    )
    assert [r.cells[0] for r in table.rows] == ["Plan", "Acme", "Zephyr"]  # the table stays whole
    rest = doc.blocks[table.index + 1 :]
    assert rest[0].kind is BlockKind.PARAGRAPH and rest[-1].text == "After."
    kept = cut.split("\n") + [x for b in rest[:-1] for x in b.text.split("\n")]
    assert kept == lines  # every line is read, once


def test_a_text_table_cell_of_megabytes_is_cut_in_linear_time():
    start = time.process_time()
    doc = parse_bytes(b"Plan\tNotes\nAcme\t" + b"word " * 400_000 + b"\n", "cells.txt")
    assert time.process_time() - start < 5
    table = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    assert len(table.text) < 2 * limits.MAX_CELL_CHARS and len(doc.text) > 1_999_000


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab .", max_size=200), st.integers(2, 30))
def test_split_points_cover_the_text_within_the_limit(text, limit):
    from ingest.assemble import split_points

    pieces = split_points(text, limit)
    assert all(b - a <= limit for a, b in pieces)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    for (_, b), (a, _) in itertools.pairwise(pieces):
        assert b <= a and set(text[b:a]) <= {" "}  # only the spaces at a cut are left out


# -- huge text nodes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["\t", ". ", "a\u00a0", "\u3000-"])
def test_a_text_node_of_megabytes_is_read_in_linear_time(unit):
    """Regression (make fuzz seed 18 case 332, a 45 MB node in seed 002's footer): each text node was
    searched for a letter character by character and its spaces collapsed by a regex call per run,
    then the footer text became one furniture string annotated whole: 33 s of ingest, then a hang."""
    node = unit * (8_000_000 // len(unit))
    html = f"<html><body><main><p>Body text.</p></main><footer><p>{node}</p></footer></body></html>"
    start = time.process_time()
    doc = parse_bytes(html.encode(), "huge.html")
    assert time.process_time() - start < 10
    assert "Body text." in doc.text
    assert all(len(f) <= MAX_FURNITURE_CHARS for f in doc.furniture)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000ab.é_"))
def test_collapse_space_and_has_letters_agree_with_their_slow_forms(text):
    assert collapse_space(text) == re.sub(r"\s+", " ", text)
    assert has_letters(text) == any(c.isalnum() for c in text)


# -- tables of text --------------------------------------------------------------------------------


def _cells_with_markup():
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            yield from (c for c in line.split("\t") if "<" in c and ">" in c and "\t" in line)


def test_cell_markup_reads_as_beautifulsoup_reads_it():
    """Table cells of the seeds' text conversions hold inline HTML; the regex reader gives what
    BeautifulSoup's stripped strings gave (200 µs a cell; a fuzz table of 300,000 cells hung)."""
    from ingest.html_soup import make_soup
    from ingest.text import _cell

    cells = [*_cells_with_markup(), "a < b > c", "<b>x</b> and <i>y</i>", "<b>x</b> &amp; y &nbsp;z", "<br>1<br/>2",
             "a<!--x-->b<!--y", "<script>var x</script>z", "<td>x"]  # fmt: skip
    assert len(cells) > 20
    for cell in cells:
        expected = "\n".join(p for p in (clean_inline(s) for s in make_soup(cell).stripped_strings) if p)
        assert _cell(cell) == expected, cell


@pytest.mark.parametrize("cell", ["<!--" * 100_000, "<a" * 100_000, "-->" + "<!--" * 100_000])
def test_broken_cell_markup_is_read_in_linear_time(cell):
    from ingest.text import _cell

    start = time.process_time()
    _cell(cell)
    assert time.process_time() - start < 2


def test_a_text_table_of_more_cells_than_the_limit_is_e142_before_it_is_built(monkeypatch):
    monkeypatch.setattr("ingest.assemble.MAX_BLOCKS", 1_000)
    data = ("a\t<b>b</b>\n" * 600).encode()
    assert _code(data, "table.md") == "E142"


# -- pdfminer's corrupted streams ------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.integers(1, 3), st.sampled_from(["cut", "flip", "twice", "garbage"]),
       st.integers(0, 10_000), st.integers(1, 9))  # fmt: skip
def test_decompress_corrupted_gives_what_pdfminers_gives(raw, times, how, where, chunk):
    import zlib

    from ingest import pdf_patches

    data = zlib.compress(raw * times)
    if how == "cut":
        data = data[: -(1 + where % 5)]
    elif how == "flip":
        i = where % len(data)
        data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :]
    elif how == "twice":
        data += data
    else:
        data += b"garbage"

    def run(f):
        try:
            return f(data)
        except zlib.error:
            return "error"

    logging.getLogger("pdfminer").disabled = True
    try:
        expected = run(pdf_patches.PDFMINER_DECOMPRESS_CORRUPTED)
        old, pdf_patches.CHUNK = pdf_patches.CHUNK, chunk
        try:
            assert run(pdf_patches.decompress_corrupted) == expected
        finally:
            pdf_patches.CHUNK = old
    finally:
        logging.getLogger("pdfminer").disabled = False


def test_a_flate_stream_with_trailing_data_is_read_in_linear_time():
    """Regression (make fuzz seed 18 case 741: seed 003 with a range repeated 1,000 times): pdfminer
    read a Flate stream zlib refused a byte at a time into a growing bytes object; 53 s of ingest."""
    import zlib

    from ingest import pdf_patches

    data = zlib.compress(b"BT (x) Tj ET\n" * 400_000) + b"trailing"
    start = time.process_time()
    assert len(pdf_patches.decompress_corrupted(data)) == 13 * 400_000
    assert time.process_time() - start < 2


# -- markdown on lines of megabytes ----------------------------------------------------------------


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=" \t\u00a0\u3000-*_a\x0b", max_size=12))
def test_is_thematic_break_agrees_with_the_regex_it_replaces(line):
    from ingest.text import is_thematic_break

    assert is_thematic_break(line) == bool(re.match(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$", line))


def test_touching_bold_spans_are_one():
    doc = parse_bytes(b"Plain **bold****more** and **apart** text.", "b.md")
    [block] = doc.blocks
    assert [block.text[a:b] for a, b in block.bold] == ["boldmore", "apart"]


def test_a_line_of_millions_of_asterisks_is_read_in_linear_time_and_memory():
    """Regression (make fuzz seed 18 case 967, seed 000's text with a 10 MB line of '*'): the
    thematic-break regex kept a backtracking frame per '*' (750 MB), the line's 2 million bold spans
    took 230 MB, and each of its 1,000 pieces looked at every span: MemoryError under the 2 GiB cap,
    and 58 s of CPU without it."""
    start = time.process_time()
    doc = parse_bytes(b"Title\n\n" + b"*" * 10_000_000 + b"\n\nAfter.", "stars.md")
    assert time.process_time() - start < 15
    assert doc.blocks[-1].text == "After." and all(len(b.bold) <= 1 for b in doc.blocks)


def _tokens(data: bytes) -> list:
    import io

    from pdfminer.psparser import PSEOF, PSBaseParser

    parser = PSBaseParser(io.BytesIO(data))
    out = []
    try:
        while len(out) < 10_000:
            out.append(parser.nexttoken())
    except PSEOF:
        pass
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"(", b")", b"\\", b"<", b">", b"0", b"a", b"f", b" ", b"/", b"%", b"\n", b"\r", b"12"]),
        max_size=300,
    ).map(b"".join)
)
def test_pdf_strings_read_in_place_give_pdfminers_tokens(data):
    from ingest import pdf_patches

    pdf_patches.restore()
    try:
        expected = _tokens(data)
    finally:
        pdf_patches.apply()
    assert _tokens(data) == expected


@pytest.mark.parametrize(
    "string", [b"(" + b"(x" * 200_000 + b")" * 200_001, b"(" + b"\\n" * 200_000 + b")", b"<" + b"0a " * 300_000 + b">"]
)
def test_a_pdf_string_of_many_pieces_is_read_in_linear_time(string):
    """Regression (make fuzz seed 18 case 1685, seed 000 with repeated ranges and extreme numbers:
    100 s in pdfminer's string reader): a literal string of 200,000 parentheses or escapes, or a hex
    string over many buffers, grew its token by copying it at each piece."""
    start = time.process_time()
    tokens = _tokens(string)
    assert time.process_time() - start < 5
    assert isinstance(tokens[0][1], bytes) and len(tokens[0][1]) >= 200_000
