"""Plain-text conversions, and agreement between a PDF and its text conversion."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from conftest import BULLETIN, BULLETIN_TXT, PHARMACY, PHARMACY_TXT, parsed
from ingest import BlockKind, InputError, parse_bytes


def _titles(doc):
    return [b.text for b in doc.blocks if b.kind is BlockKind.HEADING and b.level == 2]


@pytest.mark.parametrize("pdf,txt", [(BULLETIN, BULLETIN_TXT), (PHARMACY, PHARMACY_TXT)])
def test_pdf_and_text_conversion_agree_on_vendor_sections_and_list_depths(pdf, txt):
    p, t = parsed(pdf), parsed(txt)
    pt, tt = _titles(p), _titles(t)
    # Every PDF section title is found, in order. The text lost font sizes, so in the closing
    # "About this document" section its sub-heads ("Reminder", ...) read as section titles: the
    # only extra titles allowed are after that last PDF title.
    assert tt[: len(pt)] == pt
    assert pt[-1] == "About this document"
    assert [b.text[:60] for b in p.blocks if b.kind is BlockKind.LIST_ITEM] == \
        [b.text[:60] for b in t.blocks if b.kind is BlockKind.LIST_ITEM]
    assert [b.level for b in p.blocks if b.kind is BlockKind.LIST_ITEM] == \
        [b.level for b in t.blocks if b.kind is BlockKind.LIST_ITEM]


def test_markdown_features():
    md = ("# Title\n\nIntro paragraph.\n\n## Section A\n\n- **Exception:** one\n  - nested **bold** item\n"
          "- second [link](http://x) item\n\nA\tB\n1\t2\n")
    doc = parse_bytes(md.encode(), "memo.md")
    kinds = [(b.kind, b.level, b.text) for b in doc.blocks]
    assert kinds[0] == (BlockKind.HEADING, 1, "Title")
    assert (BlockKind.HEADING, 2, "Section A") in kinds
    items = [b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM]
    assert [(b.level, b.text) for b in items] == [(1, "Exception: one"), (2, "nested bold item"), (1, "second link item")]
    assert items[0].bold_text() == ["Exception:"] and items[1].bold_text() == ["bold"]
    table = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    assert [r.cells for r in table.rows] == [("A", "B"), ("1", "2")]
    assert table.section_path == ("Title", "Section A")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_text_ingest_never_raises_anything_but_input_error(s):
    try:
        doc = parse_bytes(s.encode("utf-8"), "fuzz.txt")
    except InputError:
        return
    for b in doc.blocks:
        assert doc.text[b.start:b.end] == b.text
