"""Structure the PDF parser must recover from the seed bulletins and slide decks."""

from __future__ import annotations

import re

import pytest

from conftest import BULLETIN, DECK_AZ, DECK_KC, PHARMACY, SEED_ORIGINALS, parsed
from ingest import BlockKind


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
    assert captions and all(b.text.startswith(("The screenshot", "Screenshot", "The image")) or len(b.text) > 20 for b in captions)
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
        assert doc.text[b.start:b.end] == b.text
        assert 1 <= b.page <= doc.page_count
        for a, z in b.bold:
            assert 0 <= a < z <= len(b.text)
        if b.kind is BlockKind.LIST_ITEM:
            assert b.level >= 1
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages)
