"""Precision and recall against the hand-written golden rules of seeds 000 and 001."""

from __future__ import annotations

import json
import os

import pytest

from conftest import BULLETIN, GOLDEN, PHARMACY, SEED_ORIGINALS, parsed
from extract import extract_statements

KEY = ("vendor", "service", "line_of_business", "segment", "scope", "requirement", "program_type", "page")


def _key(r: dict) -> tuple:
    return tuple(r[k] for k in KEY) + (tuple(sorted(r["exceptions"])), tuple(sorted(r["inclusions"])))


def _golden(name: str) -> set:
    path = GOLDEN / f"{name}.rules.jsonl"
    assert path.exists(), f"missing golden file {path}: a missing golden fails, it is never generated here"
    return {_key(json.loads(line)) for line in path.read_text().splitlines() if line.strip()}


def _extracted(path) -> set:
    return {_key(s.contract_row() | {"page": s.page}) for s in extract_statements(parsed(path))}


@pytest.mark.parametrize("name,path", [("000", BULLETIN), ("001", PHARMACY)])
def test_precision_and_recall_against_hand_written_golden(name, path):
    gold, got = _golden(name), _extracted(path)
    tp = len(gold & got)
    precision, recall = tp / len(got), tp / len(gold)
    missing = sorted(gold - got)
    extra = sorted(got - gold)
    assert precision >= 0.98 and recall >= 0.98, f"P={precision:.3f} R={recall:.3f}\nmissing={missing}\nextra={extra}"


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


def test_exceptions_that_name_another_vendor_record_it():
    stmts = extract_statements(parsed(PHARMACY))
    mpb = next(s for s in stmts if s.service == "pharmacy benefit drugs" and s.line_of_business == "Medicare Plus Blue"
               and s.segment.value == "group")
    alt = {r.name: r.alternate_vendor for r in mpb.exception_refs}
    assert alt == {"Michigan Public School Employees' Retirement System": "OptumRx", "State of Michigan": "OptumRx",
                   "UAW Retiree Medical Benefits Trust": "Express Scripts"}


def test_group_numbers_are_kept():
    stmts = extract_statements(parsed(BULLETIN))
    s = next(s for s in stmts if s.service == "radiation oncology" and s.vendor.startswith("Carelon"))
    assert {(r.name, r.group_number) for r in s.exception_refs} == {
        ("UAW Retiree Healthcare Trust", "70605"), ("UAW International Union", "71714")}
    assert s.conditions == "other than proton beam therapy"
