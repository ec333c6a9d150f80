"""The ingest records: defaults, furniture rules, and offsets kept when the builder cleans text."""

from __future__ import annotations

from ingest.assemble import DocumentBuilder
from ingest.model import MAX_FURNITURE, Block, BlockKind, Document, LineBox, MediaType, dedupe_furniture


def test_new_fields_have_defaults():
    b = Block(index=0, kind=BlockKind.PARAGRAPH, text="x", page=1, section_path=())
    assert b.marker == "" and b.boxes == ()
    d = Document(doc_id="0" * 64, source="s", media_type=MediaType.TEXT, title="t", page_count=1, blocks=(b,), text="x")
    assert d.furniture == ()
    hash(b), hash(d)  # still frozen and hashable


def test_furniture_is_normalized_deduplicated_and_capped():
    assert dedupe_furniture(["  Acme  Health ", "acme health", "", "Other"]) == ("Acme Health", "Other")
    assert len(dedupe_furniture(f"host{i}.example" for i in range(1000))) == MAX_FURNITURE


def _box(start, end):
    return LineBox(1, 10.0, 20.0, 100.0, 30.0, start, end)


def test_builder_keeps_boxes_and_bold_on_their_characters_when_it_cleans_text():
    b = DocumentBuilder()
    raw = "  Care   management  \t programs "
    # boxes and bold on "Care   management" and "programs" of the raw text
    h = b.heading(raw, 1, 1, bold=[(2, 19)], boxes=[_box(2, 19), _box(23, 31)])
    assert h.text == "Care management programs"
    assert h.bold_text() == ["Care management"]
    assert [h.text[x.start : x.end] for x in h.boxes] == ["Care management", "programs"]
    p = b.block(BlockKind.LIST_ITEM, "\n  Most groups \n", 1, 1, marker="•", boxes=[_box(3, 14)])
    assert p.text == "Most groups" and p.text[p.boxes[0].start : p.boxes[0].end] == "Most groups"
    assert p.marker == "•"
    para = b.block(BlockKind.PARAGRAPH, "Text", 1, marker="*")
    assert para.marker == ""  # only list items have markers


def test_table_boxes_are_shifted_into_the_table_text():
    from ingest.model import TableRow

    b = DocumentBuilder()
    rows = [TableRow(("A", "Bb"), 1, True), TableRow(("", ""), 1), TableRow(("Cc", "D"), 2)]
    boxes = [(_box(0, 1), _box(4, 6)), (), (_box(0, 2), _box(5, 6))]
    t = b.table(rows, boxes)
    assert t.text == "A | Bb\nCc | D"
    assert [t.text[x.start : x.end] for x in t.boxes] == ["A", "Bb", "Cc", "D"]
    b.extend_table([TableRow(("Ee", "F"), 3)], [(_box(0, 2), _box(5, 6))])
    t = b.last
    assert [t.text[x.start : x.end] for x in t.boxes] == ["A", "Bb", "Cc", "D", "Ee", "F"]


def test_section_scopes_restore_the_enclosing_path():
    b = DocumentBuilder()
    b.heading("Page", 1, 1)
    snap = b.open_sections()
    b.heading("Tab", 2, 1)
    b.heading("Program", 3, 1)
    assert b.block(BlockKind.PARAGRAPH, "In the tab.", 1).section_path == ("Page", "Tab", "Program")
    b.restore_sections(snap)
    assert b.block(BlockKind.PARAGRAPH, "After the tabs.", 1).section_path == ("Page",)


def test_title_is_the_outermost_heading_of_the_first_page():
    b = DocumentBuilder()
    b.heading("Masthead", 2, 1)
    b.heading("The Title", 1, 1)
    b.heading("Later", 1, 2)
    doc = b.build(doc_id="0" * 64, source="s", media_type=MediaType.PDF, page_count=2, size_bytes=1, fallback_title="s")
    assert doc.title == "The Title"
