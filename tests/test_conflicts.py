"""Conflicts across documents: the seeds' known contradictions, planted ones in documents of our own,
and rewordings with the same meaning that must not be reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DATA
from extract import Scope, Segment
from payerkg.cli import app
from payerkg.pipeline import build
from warehouse import Warehouse

AIM = "Carelon Medical Benefits Management"
BCBSM = "Blue Cross Blue Shield of Michigan"
CONFLICTS = DATA / "conflicts"
VOCAB = CONFLICTS / "vocab.yml"
NORTHWIND = "Northwind Health Plan"
ZEPHYR, QUILLON = "Zephyr Care Partners", "Quillon Health Partners"


def _rows(db: Path, sql: str = "SELECT * FROM conflict_details") -> list[dict]:
    with Warehouse(db, read_only=True) as wh:
        cols, rows = wh.query(sql)
    return [dict(zip(cols, r)) for r in rows]


def _key(c: dict) -> tuple:
    """What a conflict is about and which documents disagree (file names, sorted)."""
    docs = tuple(sorted((Path(c["source_a"]).name, Path(c["source_b"]).name)))
    return c["kind"], c["payer"], c["vendor"], c["service"], c["line_of_business"], c["segment"], docs


def _build(tmp_path: Path, *names: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in names:
        shutil.copy(CONFLICTS / n, corpus / n)
    db = tmp_path / "c.duckdb"
    build([corpus], db, config={"vocab": VOCAB})
    return db


# -- seeds ---------------------------------------------------------------------------------------
def test_seed_conflicts_are_the_aim_oncology_disagreements(seed_build):
    _, db, report = seed_build
    got = {_key(c) for c in _rows(db)}
    bulletin, pharmacy = "000_8f9831b6703bc328.pdf", "001_e5baff2b9bde9ead.pdf"
    assert got == {
        # 000 p8 "All fully insured groups" vs 001 p5 "Most fully insured groups — Exception: MESSA"
        ("exceptions", BCBSM, AIM, "medical oncology", "Blue Cross commercial", "fully_insured", (bulletin, pharmacy)),
        # 000 p8 the opt-in list of self-funded groups vs 001 p5 "UAW Retiree … non-Medicare members only"
        ("inclusions", BCBSM, AIM, "medical oncology", "Blue Cross commercial", "self_funded", (bulletin, pharmacy)),
        # Inside the BCBSMA page, "all … Medicare Advantage members" (how to determine) and "most
        # commercial HMO/POS, PPO, and Medicare Advantage HMO members" (overview) name two lines, the
        # family and one of its products: no conflict on one line, so none is reported.
    }
    assert report.result.conflicts == 2
    by_kind = {c["kind"]: c for c in _rows(db)}
    fi = by_kind["exceptions"]
    assert {fi["quote_a"], fi["quote_b"]} == {
        "All fully insured groups",
        "Most fully insured groups — Exception: Michigan Education Special Services Association",
    }
    assert {fi["page_a"], fi["page_b"]} == {8, 5}
    sf = by_kind["inclusions"]
    assert any("UAW Retiree Medical Benefits Trust" in q and "only" in q for q in (sf["quote_a"], sf["quote_b"]))


#: pairs of active rules that would contradict each other if payer were not compared: same vendor,
#: service, line, segment and requirement, different breadth, exceptions or inclusions
WOULD_CONFLICT = """
    SELECT a.rule_id AS rule_id_a, b.rule_id AS rule_id_b
    FROM rule_claims a JOIN rule_claims b
      ON a.vendor = b.vendor AND a.service = b.service AND a.line_of_business = b.line_of_business
     AND a.segment = b.segment AND a.requirement = b.requirement AND a.program_type = b.program_type
     AND a.cond_key = b.cond_key AND a.payer <> b.payer
     AND (a.breadth <> b.breadth OR a.exc_key <> b.exc_key OR a.inc_key <> b.inc_key)"""


def _cross_payer(db: Path) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """(pairs of rules of different payers that disagree, pairs the conflicts view reports)"""
    with Warehouse(db, read_only=True) as wh:
        disagree = {frozenset(r) for r in wh.query(WOULD_CONFLICT)[1]}
        reported = {frozenset(r) for r in wh.query("SELECT rule_id_a, rule_id_b FROM conflicts")[1]}
    return disagree, reported


def test_payers_that_disagree_are_not_in_conflict(corpus, db_path):
    """Southbay says the opposite of Northwind on the same vendor, service, line and segment: it would
    be a conflict if payer were not compared, and it is not one."""
    from factories import SPRING, Line, Memo

    corpus.put(SPRING)
    corpus.put(
        Memo(
            "Southbay provider news",
            [
                Line("Commercial PPO — Some fully insured groups", scope=Scope.SOME),
                Line("Commercial PPO — All self-funded groups", segment=Segment.SELF_FUNDED),
            ],
            payer="Southbay Health",
            source="southbay.md",
        )
    )
    with Warehouse(db_path) as wh:
        wh.load(corpus.batch())
    disagree, reported = _cross_payer(db_path)
    assert len(disagree) == 2
    assert reported == set()


def test_seed_conflicts_never_cross_payers(seed_build):
    disagree, reported = _cross_payer(seed_build[1])
    assert reported and not (disagree & reported)


# -- documents of our own --------------------------------------------------------------------------
def test_planted_contradictions_are_all_found(planted_db):
    db = planted_db
    pair = ("northwind_autumn.md", "northwind_spring.md")
    got = [_key(c) for c in _rows(db)]
    assert sorted(got) == sorted(
        [
            # "All fully insured groups — Exceptions: Contoso" vs "All fully insured groups"
            ("exceptions", NORTHWIND, ZEPHYR, "genetic testing", "Commercial PPO", "fully_insured", pair),
            # "Most self-funded groups — Exceptions: Fabrikam" (everyone but Fabrikam) vs "Select … Includes Fabrikam"
            ("scope", NORTHWIND, ZEPHYR, "genetic testing", "Commercial PPO", "self_funded", pair),
            # select groups including Contoso vs select groups including Fabrikam
            ("inclusions", NORTHWIND, QUILLON, "sleep studies", "Commercial PPO", "self_funded", pair),
            # Zephyr (spring) and Quillon (autumn) each claim all Medicare Choice groups for genetic testing
            ("vendor_overlap", NORTHWIND, QUILLON, "genetic testing", "Medicare Choice", "group", pair),
        ]
    )
    overlap = next(c for c in _rows(db) if c["kind"] == "vendor_overlap")
    assert ZEPHYR in overlap["detail"] and QUILLON in overlap["detail"]


@pytest.mark.slow  # a whole build of its own
def test_same_meaning_in_other_words_is_not_a_conflict(tmp_path):
    """The reworded bulletin says what spring says: a renamed vendor with a ® mark, "Exception:" for
    "Exceptions:", upper case and a ™ on a group, an apostrophe the vocabulary lacks, "All … —
    Exception: X" for "Most … — Exceptions: X", and "X … only" for "Select … — Includes X"."""
    db = _build(tmp_path, "northwind_spring.md", "northwind_reworded.md")
    with Warehouse(db, read_only=True) as wh:
        assert wh.query("SELECT count(*) FROM coverage_rules")[1][0][0] == 10
        # the rewording really is different on the surface
        scopes = wh.query(
            "SELECT DISTINCT scope FROM coverage_rules WHERE service = 'sleep studies' AND segment = 'self_funded'"
        )[1]
        assert sorted(s[0] for s in scopes) == ["only", "select"]
        stated = wh.query("SELECT DISTINCT vendor_as_stated FROM statements WHERE vendor = ?", [ZEPHYR])[1]
        assert len(stated) == 2
    assert _rows(db) == []


@pytest.mark.slow  # a whole build of its own
def test_never_across_payers(tmp_path):
    """Southbay contradicts every Northwind line on the same vendor, service, line and segment."""
    db = _build(tmp_path, "northwind_spring.md", "southbay.md")
    with Warehouse(db, read_only=True) as wh:
        assert dict(wh.query("SELECT payer, count(*) FROM coverage_rules GROUP BY 1")[1]) == {
            NORTHWIND: 5,
            "Southbay Health": 3,
        }
    assert _rows(db) == []


@pytest.mark.slow  # a whole build of its own
def test_a_contradiction_with_two_documents_is_reported_for_each(tmp_path):
    db = _build(tmp_path, "northwind_spring.md", "northwind_autumn.md", "northwind_reworded.md", "southbay.md")
    rows = _rows(db)
    kinds: dict[str, int] = {}
    for c in rows:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
        assert c["payer"] == NORTHWIND
        assert "northwind_autumn.md" in (Path(c["source_a"]).name, Path(c["source_b"]).name)
    # autumn disagrees with spring and with its rewording alike; one vendor overlap per vendor pair
    assert kinds == {"exceptions": 2, "scope": 2, "inclusions": 2, "vendor_overlap": 1}
    assert len({c["conflict_id"] for c in rows}) == len(rows) == 7


# -- the command -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def planted_db(planted_build) -> Path:
    return planted_build[1]


def test_conflicts_json_has_both_statements(planted_db):
    res = CliRunner().invoke(app, ["conflicts", "--db", str(planted_db), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data) == 4
    for c in data:
        assert set(c) >= {
            "conflict_id",
            "kind",
            "payer",
            "vendor",
            "service",
            "line_of_business",
            "segment",
            "rule_id_a",
            "rule_id_b",
            "doc_id_a",
            "doc_id_b",
            "detail",
            "source_a",
            "page_a",
            "quote_a",
            "source_b",
            "page_b",
            "quote_b",
        }
    exc = next(c for c in data if c["kind"] == "exceptions")
    assert {exc["quote_a"], exc["quote_b"]} == {
        "Commercial PPO — All fully insured groups",
        "Commercial PPO — All fully insured groups — Exceptions: Contoso Steel Retirees",
    }


def test_conflicts_markdown_quotes_each_side(planted_db):
    res = CliRunner().invoke(app, ["conflicts", "--db", str(planted_db), "--format", "md"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert out.startswith("# Conflicts across documents (4)")
    assert out.count("**A** ") == 4 and out.count("**B** ") == 4
    assert "> Commercial PPO — Select self-funded groups — Includes Fabrikam Teachers Union" in out


def test_conflicts_table_and_empty(tmp_path, planted_db):
    res = CliRunner().invoke(app, ["conflicts", "--db", str(planted_db), "--format", "table"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("4 conflicts")
    assert f"{QUILLON} and {ZEPHYR} each claim all Medicare Choice group members for genetic testing" in res.stdout
    assert "A northwind_autumn.md p1: “Commercial PPO — All fully insured groups”" in res.stdout
    from factories import SPRING, Corpus

    corpus = Corpus(tmp_path)
    corpus.put(SPRING)  # one document: nothing to contradict
    with Warehouse(tmp_path / "one.duckdb") as wh:
        wh.load(corpus.batch())
    res = CliRunner().invoke(app, ["conflicts", "--db", str(tmp_path / "one.duckdb"), "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.stdout) == []
