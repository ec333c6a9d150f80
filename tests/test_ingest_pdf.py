"""Structure the PDF parser must recover: seed bulletins and decks, columns, footnotes, boxes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pdfplumber
import pytest

from conftest import BULLETIN, DATA, DECK_AZ, DECK_KC, PHARMACY, ROOT, SEED_ORIGINALS, parsed
from ingest import BlockKind
from ingest.pdf import _mark_chrome, _read_pages
from ingest.pdf_columns import reading_order


def _section(doc, title):
    return [b for b in doc.blocks if title in b.section_path]


def test_echocardiology_most_self_funded_is_depth_two_under_blue_cross_commercial():
    doc = parsed(BULLETIN)
    title = "AIM Specialty Health — For echocardiology procedures"
    assert any(b.kind is BlockKind.HEADING and b.text == title and b.level == 2 for b in doc.blocks)
    items = [b for b in _section(doc, title) if b.kind is BlockKind.LIST_ITEM]
    most = next(b for b in items if b.text.startswith("Most self-funded groups"))
    assert most.level == 2
    parent = next(b for b in reversed(items) if b.index < most.index and b.level == 1)
    assert parent.text == "Blue Cross commercial"
    assert "Exceptions:" in most.text
    assert most.bold_text() == ["Exceptions:"]
    assert "Dart Container of Michigan groups" in most.text  # wrapped lines joined into the item
    assert most.page == 7


def test_evicore_service_table_split_over_two_pages_is_one_table():
    doc = parsed(BULLETIN)
    tables = [b for b in doc.blocks if b.kind is BlockKind.TABLE]
    assert len(tables) == 1
    t = tables[0]
    assert t.section_path[-1] == "eviCore healthcare® — For PT, OT and ST"
    assert [r.cells[0] for r in t.rows] == [
        "Service",
        "Physical and occupational therapy",
        "Speech therapy",
        "PT, OT and ST with a diagnosis of autism",
        "Physical medicine services by chiropractors",
        "Physical medicine services by athletic trainers",
    ]
    assert t.rows[0].header and not any(r.header for r in t.rows[1:])
    assert [r.page for r in t.rows] == [12, 12, 12, 12, 12, 13]
    # items of a cell are separate lines; wrapped lines are joined
    assert t.rows[1].cells[1].split("\n") == [
        "Medicare Plus BlueSM — All groups and members",
        "BCN commercial — All fully insured groups, all self-funded groups* and all members with individual coverage",
        "BCN AdvantageSM — All groups and members",
    ]


@pytest.mark.parametrize("path", [BULLETIN, PHARMACY])
def test_no_running_header_footer_or_page_number_in_bulletins(path):
    doc = parsed(path)
    for b in doc.blocks:
        assert not re.search(r"Page \d+ of \d+", b.text), b.text
        assert b.text not in {"CARE MANAGEMENT", "UTILIZATION MANAGEMENT", "ADDITIONAL INFORMATION"}
        assert not b.text.startswith("Blue Cross Blue Shield of Michigan and Blue Care Network — Care management")
    # the running band text appears in the body only as part of the document title
    assert doc.title == "CARE MANAGEMENT AND UTILIZATION MANAGEMENT"


@pytest.mark.parametrize("path", [DECK_AZ, DECK_KC])
def test_no_copyright_footer_or_slide_number_in_decks(path):
    doc = parsed(path)
    assert not any("All Rights Reserved" in b.text for b in doc.blocks)
    assert not any(b.text.strip() == str(b.page) for b in doc.blocks)  # slide numbers


def test_section_continued_on_next_page_stays_one_section():
    doc = parsed(BULLETIN)
    assert not any("continued" in b.text.lower() and b.kind is BlockKind.HEADING for b in doc.blocks)
    assert not any("Continued on next page" in b.text for b in doc.blocks)
    page5 = [b for b in doc.blocks if b.page == 5]
    assert page5 and all(b.section_path[1] == "Medicare Plus BlueSM and BCN Utilization Management" for b in page5)
    headings = [b.text for b in doc.blocks if b.kind is BlockKind.HEADING and b.level == 2]
    assert headings.count("Medicare Plus BlueSM and BCN Utilization Management") == 1


def test_slide_is_one_section_headed_by_its_title():
    doc = parsed(DECK_KC)
    titles = {b.page: b.text for b in doc.blocks if b.kind is BlockKind.HEADING and b.level == 1}
    assert titles[4] == "BCBS-KC Prior Authorization Services"
    assert titles[7] == "Applicable Memberships"
    slide4 = [b for b in doc.blocks if b.page == 4 and b.kind is not BlockKind.HEADING]
    assert all(b.section_path == ("BCBS-KC Prior Authorization Services",) for b in slide4)
    no_pa = [b.text for b in slide4 if b.kind is BlockKind.LIST_ITEM]
    assert no_pa[-4:] == ["Emergency Rooms", "Observation Services", "Inpatient Stays", "Home Health"]
    assert {b.level for b in slide4 if b.kind is BlockKind.LIST_ITEM} == {1}


def test_slide_screenshot_descriptions_are_captions():
    doc = parsed(DECK_KC)
    captions = [b for b in doc.blocks if b.kind is BlockKind.CAPTION]
    assert captions and all(
        b.text.startswith(("The screenshot", "Screenshot", "The image")) or len(b.text) > 20 for b in captions
    )
    assert any(c.text.startswith("The screenshot shows a web form") for c in captions)


def test_bullet_depth_two_in_pharmacy_bulletin_exception_list():
    doc = parsed(PHARMACY)
    items = [b for b in doc.blocks if b.kind is BlockKind.LIST_ITEM and "managed by OptumRx" in b.text]
    assert len(items) == 2 and all(b.level == 2 for b in items)


@pytest.mark.parametrize("path", SEED_ORIGINALS, ids=lambda p: p.name)
def test_offsets_and_order_invariants(path):
    doc = parsed(path)
    assert len(doc.doc_id) == 64
    for i, b in enumerate(doc.blocks):
        assert b.index == i
        assert doc.text[b.start : b.end] == b.text
        assert 1 <= b.page <= doc.page_count
        for a, z in b.bold:
            assert 0 <= a < z <= len(b.text)
        if b.kind is BlockKind.LIST_ITEM:
            assert b.level >= 1
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages)


# -- other layouts (generated fixtures in tests/data/ingest/, devset documents) ---------------
INGEST_DATA = DATA / "ingest"
TWO_COLUMNS = INGEST_DATA / "two_columns.pdf"
FOOTNOTES = INGEST_DATA / "footnotes.pdf"
DEVSET = Path(os.environ.get("PAYERKG_DEVSET", ROOT.parent / "shared" / "devset" / "docs"))
needs_devset = pytest.mark.skipif(not DEVSET.is_dir(), reason="development corpus not available")
SINGLE_COLUMN_DEVSET = [
    "a02_premera_grid.pdf",
    "a04_priority_deck.pdf",
    "a05_bcbsil_bulletin_2022.pdf",
    "b01_molina_manual.pdf",
    "b03_floridablue_bulletin.pdf",
    "b05_excellus_palist.pdf",
    "b08_aetna_bulletin.pdf",
]


def _block(doc, start):
    return next(b for b in doc.blocks if b.text.startswith(start))


def test_two_columns_are_read_one_after_the_other():
    doc = parsed(TWO_COLUMNS)
    headings = [b.text for b in doc.blocks if b.kind is BlockKind.HEADING]
    assert headings == ["Provider Update", "Imaging reviews move to Acme Review", "Sleep studies", "Claims reminder"]
    first = _block(doc, "Starting March 1, Acme Review reviews")
    assert first.text.endswith("Requests go through the Acme portal or by phone.")
    # a sentence cut at the foot of the left column runs on at the head of the right one
    runon = _block(doc, "Titration studies follow the same rule")
    assert runon.text.endswith(
        "why the repeat study is needed for the member and which settings were already tried at home."
    )
    assert {bx.x0 < 300 for bx in runon.boxes} == {True, False}  # its lines sit in both columns
    # the full-width banner stays first; the footer goes to furniture
    assert doc.blocks[1].text == "Northwind Health news for network providers"
    assert "independent licensee" not in doc.text
    assert "Northwind Health is an independent licensee of the Example Association." in doc.furniture


def _regions(path):
    """Regions (columns, bands) per page, as the reading order sees them."""
    with pdfplumber.open(path) as pdf:
        pages = _read_pages(pdf, str(path))
    _mark_chrome(pages, False)
    out = []
    for p in pages:
        lines, _ = reading_order([ln for ln in p.lines if not ln.chrome], [t.bbox for t in p.tables])
        out.append(len({ln.region for ln in lines}))
    return out


@pytest.mark.parametrize("path", [BULLETIN, PHARMACY, DECK_AZ, DECK_KC, FOOTNOTES], ids=lambda p: p.name)
def test_single_column_pages_and_tables_are_not_split(path):
    assert set(_regions(path)) == {1}


@needs_devset
@pytest.mark.parametrize("name", SINGLE_COLUMN_DEVSET)
def test_devset_single_column_pages_are_not_split(name):
    assert set(_regions(DEVSET / name)) == {1}


@needs_devset
def test_devset_two_column_newsletter():
    doc = parsed(DEVSET / "a07_wellmark_newsletter.pdf")
    headings = [b.text for b in doc.blocks if b.kind is BlockKind.HEADING]
    assert headings == [
        "Provider News",
        "eviCore to review molecular and genetic testing",
        "Orientation sessions for the molecular testing program",
        "Opioid medication management program",
        "Where to find molecular testing medical policies",
        "Caring for members of other Blue plans",
        "Claims reminder: corrected claims",
    ]
    assert _block(doc, "Wellmark has chosen eviCore").text.endswith(
        "for dates of service on or after October 16, 2023."
    )
    assert _block(doc, "The program applies to members").text.endswith("added the program to their plan.")
    assert _regions(DEVSET / "a07_wellmark_newsletter.pdf") == [3]  # banner, left, right


def test_superscript_digits_attach_to_the_word_before():
    doc = parsed(FOOTNOTES)
    t = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    assert t.rows[1].cells[3] == "Commercial; Medicare Advantage¹"
    # a footnote that starts with a superscript keeps it and is a block of its own
    note = _block(doc, "¹ For Medicare Advantage members")
    assert note.kind is BlockKind.PARAGRAPH and note.text.endswith("January 1, 2025.")
    assert _block(doc, "Prior authorization is never needed").index == note.index + 1


@needs_devset
def test_devset_superscript_after_line_of_business():
    doc = parsed(DEVSET / "b05_excellus_palist.pdf")
    t = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    assert any(c.endswith("Medicare Advantage¹") for r in t.rows for c in r.cells)
    assert "Advantage1" not in doc.text


def test_footnote_symbols_are_list_markers():
    doc = parsed(FOOTNOTES)
    star = _block(doc, "Excludes members of the Legacy Choice plan")
    assert star.kind is BlockKind.LIST_ITEM and star.marker == "*"
    # its wrapped line starts under the "*", not under the text, and still continues it
    assert star.text.endswith("under a separate contract.")
    dagger = _block(doc, "Site-of-care review applies")
    assert dagger.marker == "†" and dagger.kind is BlockKind.LIST_ITEM


@needs_devset
def test_devset_star_footnote_under_the_grid_keeps_its_marker():
    doc = parsed(DEVSET / "b08_aetna_bulletin.pdf")
    star = _block(doc, "Excludes members of Traditional Choice plans")
    assert star.marker == "*"
    assert [b.marker for b in doc.blocks if b.kind is BlockKind.LIST_ITEM] == ["*", "†", "§", "‖"]
    assert _block(doc, "Site-of-care review").text.endswith("ambulatory surgery center is appropriate.")
    # a one-page landscape bulletin is not a slide deck: its title is the level-1 heading
    assert doc.title.startswith("Enhanced Clinical Review Program") and "Page 1 of 1" not in doc.text


def test_seed_bullet_markers():
    doc = parsed(BULLETIN)
    markers = {b.marker for b in doc.blocks if b.kind is BlockKind.LIST_ITEM}
    assert markers == {"•", "o"}


def test_running_headers_and_metadata_go_to_furniture():
    doc = parsed(FOOTNOTES)
    assert doc.furniture[:3] == (
        "Northwind Health",
        "Review list | Revised May 2025",
        "An independent licensee of the Example Association",
    )
    assert "Services that need review" in doc.furniture  # metadata Title
    assert not any("Page" in f for f in doc.furniture)  # page numbers identify nobody
    assert "Review list" not in doc.text


@needs_devset
def test_devset_payer_name_only_in_the_running_header():
    doc = parsed(DEVSET / "b05_excellus_palist.pdf")
    assert "Excellus BlueCross BlueShield" in doc.furniture
    assert "Excellus BlueCross BlueShield" not in doc.text
    masthead = parsed(DEVSET / "b03_floridablue_bulletin.pdf")  # one page: a masthead = the PDF's Author
    assert masthead.title.startswith("Who reviews what") and masthead.furniture[0] == "Florida Blue"


def test_cell_items_split_on_type_size_and_header_band_by_colour():
    doc = parsed(FOOTNOTES)
    t = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    assert t.rows[0].header  # white text on a dark band, not bold
    assert t.rows[1].cells[0] == "Advanced imaging\nCodes: 70450-70498, 72125-72159"


@pytest.mark.parametrize(
    "path", SEED_ORIGINALS[:2] + SEED_ORIGINALS[3:] + [TWO_COLUMNS, FOOTNOTES], ids=lambda p: p.name
)
def test_line_boxes_locate_every_line(path):
    doc = parsed(path)
    with pdfplumber.open(path) as pdf:
        for b in doc.blocks:
            assert b.boxes, b.text
            end = 0
            for bx in b.boxes:
                assert end <= bx.start < bx.end <= len(b.text)
                assert 1 <= bx.page <= doc.page_count and bx.x0 < bx.x1 and bx.top < bx.bottom
                end = bx.end
            # nothing but the separators that joined lines, cells and rows is outside the boxes
            covered = set()
            for bx in b.boxes:
                covered.update(range(bx.start, bx.end))
            assert set("".join(c for i, c in enumerate(b.text) if i not in covered)) <= {" ", "|", "\n"}
        # the box of a line holds that line's characters
        for b in doc.blocks[:40]:
            bx = b.boxes[0]
            page = pdf.pages[bx.page - 1]
            inside = page.crop((bx.x0 - 1, bx.top - 1, bx.x1 + 1, bx.bottom + 1)).extract_text()
            word = b.text[bx.start : bx.end].split()[0].strip("¹²³⁴⁵")
            assert word in inside.replace("\n", " "), (word, inside)


def test_table_boxes_map_a_cell_quote_to_its_line():
    doc = parsed(FOOTNOTES)
    t = next(b for b in doc.blocks if b.kind is BlockKind.TABLE)
    a = t.text.index("Medicare Advantage¹")
    boxes = [bx for bx in t.boxes if bx.start < a + len("Medicare Advantage¹") and bx.end > a]
    assert [t.text[bx.start : bx.end] for bx in boxes] == ["Commercial; Medicare", "Advantage¹"]
    assert boxes[0].top < boxes[1].top and all(bx.page == 1 for bx in boxes)


@pytest.mark.parametrize("path", [BULLETIN, PHARMACY, DECK_AZ, DECK_KC], ids=lambda p: p.name[:3])
@pytest.mark.parametrize("size", [1, 7, 25])
def test_a_pdf_read_in_page_ranges_is_the_same_document(path, size):
    """The Ray engine reads a long PDF's pages in ranges, each in its own task, and puts them together:
    the document is the one a single read gives (headers, reading order and blocks need every page
    and are made after)."""
    from ingest.pdf import parse_pdf, pdf_page_count, read_pdf_pages

    data = path.read_bytes()
    count = pdf_page_count(data, str(path))
    pages = [p for a in range(0, count, size) for p in read_pdf_pages(data, str(path), a, min(a + size, count))]
    assert [p.number for p in pages] == list(range(1, count + 1))
    assert parse_pdf(data, str(path), "d", pages=pages) == parse_pdf(data, str(path), "d")
    with pytest.raises(ValueError, match="not the document's"):
        parse_pdf(data, str(path), "d", pages=pages[1:] + pages[:1])
