"""Precision and recall against the hand-written golden rules of the five seeds.

Seeds 000 and 001 are compared exactly (every slot, exceptions and page included). Seeds 002-004
are matched the way a reviewer reads them (``goldmatch``: vendor, line, segment and scope equal or
an accepted alternative, services sharing most words, optional rows neither required nor wrong).
"""

from __future__ import annotations

import json
import os

import goldmatch
import pytest

from conftest import BULLETIN, DECK_AZ, DECK_KC, GOLDEN, PHARMACY, SEED_ORIGINALS, WEBPAGE, parsed
from extract import Extractor, extract_statements

KEY = ("vendor", "service", "line_of_business", "segment", "scope", "requirement", "program_type", "page")
#: (seed, file, precision floor, recall floor). 002 is a long provider page of the payer's own
#: requirements; its floors record what the extractor reaches today (see the issue notes), so a
#: regression fails while the gap stays visible.
MATCHED = [("002", WEBPAGE, 0.98, 0.98), ("003", DECK_AZ, 0.98, 0.98), ("004", DECK_KC, 0.98, 0.98)]


def _key(r: dict) -> tuple:
    return (*tuple(r[k] for k in KEY), tuple(sorted(r["exceptions"])), tuple(sorted(r["inclusions"])))


def _golden(name: str) -> set:
    path = GOLDEN / f"{name}.rules.jsonl"
    assert path.exists(), f"missing golden file {path}: a missing golden fails, it is never generated here"
    return {_key(json.loads(line)) for line in path.read_text().splitlines() if line.strip()}


def _extracted(path) -> set:
    return {_key(s.contract_row() | {"page": s.page}) for s in extract_statements(parsed(path))}


@pytest.mark.parametrize(("name", "path"), [("000", BULLETIN), ("001", PHARMACY)])
def test_precision_and_recall_against_hand_written_golden(name, path):
    gold, got = _golden(name), _extracted(path)
    tp = len(gold & got)
    precision, recall = tp / len(got), tp / len(gold)
    missing = sorted(gold - got)
    extra = sorted(got - gold)
    assert precision >= 0.99 and recall >= 0.99, f"P={precision:.3f} R={recall:.3f}\nmissing={missing}\nextra={extra}"


@pytest.mark.parametrize(("name", "path", "p_floor", "r_floor"), MATCHED, ids=[m[0] for m in MATCHED])
def test_golden_rules_matched_as_a_reviewer_reads_them(name, path, p_floor, r_floor):
    gold = goldmatch.load(GOLDEN / f"{name}.rules.jsonl")
    rows = [s.contract_row() for s in extract_statements(parsed(path))]
    score = goldmatch.score(gold, rows)
    show = "\n".join(
        [
            f"missing {g['vendor']} | {g['service']} | {g['line_of_business']} | {g['segment']} | {g['scope']}"
            for g in score.missing
        ]
        + [
            f"extra {r['vendor']} | {r['service']} | {r['line_of_business']} | {r['segment']} | {r['scope']}"
            for r in score.extra
        ]
    )
    assert score.precision >= p_floor and score.recall >= r_floor, (
        f"P={score.precision:.3f} R={score.recall:.3f}\n{show}"
    )


def test_the_golden_matcher_can_fail():
    """goldmatch is not vacuous: a wrong vendor, a wrong line and a different service all miss."""
    g = {
        "vendor": "Zephyr Care Partners",
        "service": "sleep studies",
        "line_of_business": "Commercial",
        "segment": "all",
        "scope": "all",
    }
    assert goldmatch.score([g], [dict(g)]).tp == 1
    for change in (
        {"vendor": "Quillon"},
        {"line_of_business": "Medicaid"},
        {"service": "genetic testing"},
        {"scope": "none"},
    ):
        s = goldmatch.score([g], [g | change])
        assert (s.tp, s.fp, s.fn) == (0, 1, 1), change
    assert goldmatch.score([g | {"optional": True}], []).fn == 0


def test_golden_regeneration_flag_is_off():
    """PAYERKG_REGEN_GOLDEN must never be left on in CI."""
    assert os.environ.get("PAYERKG_REGEN_GOLDEN") != "1"


@pytest.mark.parametrize("path", SEED_ORIGINALS, ids=lambda p: p.name)
def test_every_quote_occurs_on_its_page(path):
    doc = parsed(path)
    stmts = extract_statements(doc)
    assert stmts, f"no statements from {path.name}"
    for s in stmts:
        assert s.quote in doc.page_text(s.page), (s.page, s.quote)
        assert s.doc_id == doc.doc_id and len(s.rule_id) == 20


@pytest.mark.parametrize("path", SEED_ORIGINALS, ids=lambda p: p.name)
def test_quote_offsets_cut_the_quote_from_the_document_text(path):
    doc = parsed(path)
    for s in extract_statements(doc):
        assert doc.text[s.quote_start : s.quote_end] == s.quote, (s.quote_start, s.quote_end, s.quote)
        block = doc.blocks[s.block_index]
        assert block.start <= s.quote_start < s.quote_end <= block.end
        if path.suffix == ".pdf":
            assert s.bbox is not None, s.quote
            x0, top, x1, bottom = s.bbox
            assert 0 <= x0 < x1 and 0 <= top < bottom


def test_statements_explain_every_slot():
    for s in extract_statements(parsed(BULLETIN)):
        slots = dict(s.explain)
        assert {"vendor", "service", "line_of_business", "quote", "pattern"} <= set(slots), slots
        assert s.quote[:40] in slots["quote"]


def test_unexplained_mentions_name_the_block_and_the_reason():
    doc = parsed(DECK_KC)
    ex = Extractor().extract(doc)
    assert ex.unexplained, "a training deck full of portal screens names its vendor without a rule"
    for m in ex.unexplained:
        block = doc.blocks[m.block_index]
        assert block.text[m.start : m.end].startswith(m.text[:50]) and m.page == block.page
        assert m.why
    quoted = {(s.block_index, s.quote) for s in ex.statements}
    assert not any((m.block_index, m.text) in quoted for m in ex.unexplained)


def test_exceptions_that_name_another_vendor_record_it():
    stmts = extract_statements(parsed(PHARMACY))
    mpb = next(
        s
        for s in stmts
        if s.service == "pharmacy benefit drugs"
        and s.line_of_business == "Medicare Plus Blue"
        and s.segment.value == "group"
    )
    alt = {r.name: r.alternate_vendor for r in mpb.exception_refs}
    assert alt == {
        "Michigan Public School Employees' Retirement System": "OptumRx",
        "State of Michigan": "OptumRx",
        "UAW Retiree Medical Benefits Trust": "Express Scripts",
    }


def test_group_numbers_are_kept():
    stmts = extract_statements(parsed(BULLETIN))
    s = next(s for s in stmts if s.service == "radiation oncology" and s.vendor.startswith("Carelon"))
    assert {(r.name, r.group_number) for r in s.exception_refs} == {
        ("UAW Retiree Healthcare Trust", "70605"),
        ("UAW International Union", "71714"),
    }
    assert s.conditions == "other than proton beam therapy"


@pytest.mark.parametrize("path", [BULLETIN, PHARMACY], ids=lambda p: p.name)
def test_every_exception_quotes_the_text_that_names_its_group(path):
    from extract.text import fold

    doc = parsed(path)
    refs = [r for s in extract_statements(doc) for r in s.exception_refs]
    assert refs
    for r in refs:
        assert r.quote and r.quote in doc.text, r
        assert fold(r.name.split(" (group")[0]) in fold(r.quote), (r.name, r.quote)
