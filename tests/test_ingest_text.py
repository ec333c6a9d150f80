"""Plain-text conversions, and agreement between a PDF and its text conversion."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import BULLETIN, BULLETIN_TXT, PHARMACY, PHARMACY_TXT, ROOT, parsed
from ingest import BlockKind, InputError, parse_bytes


def _titles(doc):
    return [b.text for b in doc.blocks if b.kind is BlockKind.HEADING and b.level == 2]


@pytest.mark.parametrize(("pdf", "txt"), [(BULLETIN, BULLETIN_TXT), (PHARMACY, PHARMACY_TXT)])
def test_pdf_and_text_conversion_agree_on_vendor_sections_and_list_depths(pdf, txt):
    p, t = parsed(pdf), parsed(txt)
    pt, tt = _titles(p), _titles(t)
    # Every PDF section title is found, in order. The text lost font sizes, so in the closing
    # "About this document" section its sub-heads ("Reminder", ...) read as section titles: the
    # only extra titles allowed are after that last PDF title.
    assert tt[: len(pt)] == pt
    assert pt[-1] == "About this document"
    assert [b.text[:60] for b in p.blocks if b.kind is BlockKind.LIST_ITEM] == [
        b.text[:60] for b in t.blocks if b.kind is BlockKind.LIST_ITEM
    ]
    assert [b.level for b in p.blocks if b.kind is BlockKind.LIST_ITEM] == [
        b.level for b in t.blocks if b.kind is BlockKind.LIST_ITEM
    ]


def test_markdown_features():
    md = (
        "# Title\n\nIntro paragraph.\n\n## Section A\n\n- **Exception:** one\n  - nested **bold** item\n"
        "- second [link](http://x) item\n\nA\tB\n1\t2\n"
    )
    doc = parse_bytes(md.encode(), "memo.md")
    kinds = [(b.kind, b.level, b.text) for b in doc.blocks]
    assert kinds[0] == (BlockKind.HEADING, 1, "Title")
    assert (BlockKind.HEADING, 2, "Section A") in kinds
    items = [b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM]
    assert [(b.level, b.text) for b in items] == [
        (1, "Exception: one"),
        (2, "nested bold item"),
        (1, "second link item"),
    ]
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
        assert doc.text[b.start : b.end] == b.text


def test_list_items_carry_their_marker():
    md = "Intro.\n\n- dash item\n* star item\n+ plus item\n1. first\n2) second\n"
    doc = parse_bytes(md.encode(), "memo.md")
    assert [(b.marker, b.text) for b in doc.blocks if b.kind is BlockKind.LIST_ITEM] == [
        ("-", "dash item"),
        ("*", "star item"),
        ("+", "plus item"),
        ("1.", "first"),
        ("2)", "second"),
    ]
    assert all(b.marker == "" for b in doc.blocks if b.kind is not BlockKind.LIST_ITEM)


NOTICE = """From: Provider Relations <relations@northwind.example>
To: Network providers
Date: Mon, 3 Mar 2025 09:00:00 -0500
Subject: Imaging reviews move to Acme Review

Dear Provider,

## 1. What changes

- Acme Review takes imaging requests from April 1.

---
You receive this e-mail because you are a network provider.
"""


def test_email_header_goes_to_furniture_and_the_subject_is_the_title():
    doc = parse_bytes(NOTICE.encode(), "notice.md")
    assert doc.title == "Imaging reviews move to Acme Review"
    assert doc.blocks[0].kind is BlockKind.HEADING and doc.blocks[0].level == 1
    assert "From:" not in doc.text and "northwind.example" not in doc.text
    assert doc.furniture[:2] == ("From: Provider Relations <relations@northwind.example>", "northwind.example")
    assert "Subject: Imaging reviews move to Acme Review" in doc.furniture
    item = next(b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM)
    assert item.section_path == ("Imaging reviews move to Acme Review", "1. What changes")
    # a thematic break only separates
    assert "---" not in doc.text and doc.blocks[-1].text.startswith("You receive this e-mail")


def test_a_note_line_is_not_an_email_header():
    doc = parse_bytes(b"Note: this is a memo.\n\nBody text here.\n", "memo.txt")
    assert doc.furniture == () and doc.text.startswith("Note: this is a memo.")


def test_setext_headings():
    doc = parse_bytes(b"Big Title\n=========\n\nIntro text.\n\nSection\n-------\n\nBody.\n", "memo.md")
    assert [(b.kind, b.level, b.text) for b in doc.blocks if b.kind is BlockKind.HEADING] == [
        (BlockKind.HEADING, 1, "Big Title"),
        (BlockKind.HEADING, 2, "Section"),
    ]
    assert doc.blocks[-1].section_path == ("Big Title", "Section")


DEVSET = Path(os.environ.get("PAYERKG_DEVSET", ROOT.parent / "shared" / "devset" / "docs"))


@pytest.mark.skipif(not DEVSET.is_dir(), reason="development corpus not available")
def test_devset_email_notice():
    doc = parsed(DEVSET / "b06_ambetter_notice.md")
    assert doc.title.startswith("Three utilization management changes")
    assert any(f.startswith("From: Provider Relations") for f in doc.furniture)
    sections = {b.section_path[-1] for b in doc.blocks if b.kind is BlockKind.LIST_ITEM}
    assert sections == {"1. Outpatient therapy moves from eviCore to Evolent"}
    assert {b.marker for b in doc.blocks if b.kind is BlockKind.LIST_ITEM} == {"-"}


def test_bold_markers_and_touching_bold_spans():
    from ingest.text import _inline

    assert _inline("  **a****b** c **d**  ") == ("ab c d", [(0, 2), (5, 6)])
    assert _inline("**x** y") == ("x y", [(0, 1)])
    assert _inline("[a](u) **b**\\*") == ("a b*", [(2, 3)])
    assert _inline(" " + "*" * 23 + " tail **b**") == ("***** tail b**", [(0, 11)])
    # a line of "*" is touching bold parts (one star each): one span, in linear time
    text, spans = _inline("*" * 1_000_000)
    assert text == "*" * 200_000 and spans == [(0, 200_000)]
