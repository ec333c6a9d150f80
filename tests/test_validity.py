"""Validity over time: a document's own date, when rules end (stated ends, vendor switches, later
rules), who handled what on a given day, and superseded rules that are not conflicts."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DATA
from extract import Scope
from factories import Line, Memo
from payerkg.cli import app
from warehouse import LoadBatch, Warehouse
from warehouse.published import published_from

ZEPHYR, QUILLON = "Zephyr Care Partners", "Quillon Health Partners"
SWITCH = date(2025, 7, 1)
ALL_FI = "Commercial PPO — All fully insured groups"
VERSIONS = DATA / "validity"


def load(db: Path, batch: LoadBatch) -> None:
    with Warehouse(db) as wh:
        wh.load(batch)


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with Warehouse(db, read_only=True) as wh:
        return wh.query(sql, params)[1]


def periods(db: Path) -> list[tuple]:
    return rows(db, "SELECT vendor, scope, effective_from, effective_to FROM coverage_rules ORDER BY ALL")


def kinds(db: Path) -> list[tuple]:
    return rows(db, "SELECT kind, vendor FROM conflicts ORDER BY ALL")


# -- a document's own date ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("first", "last", "furniture", "expected"),
    [
        (["Provider news", "Updated April 13, 2017"], [], [], date(2017, 4, 13)),
        (["Provider bulletin", "January 2026"], [], [], date(2026, 1, 1)),
        (["Notice", "Posted 3/1/2024"], [], [], date(2024, 3, 1)),
        (["Posted February 8, 2017 · Updated April 13, 2017"], [], [], date(2017, 4, 13)),  # the latest cue
        (["Title", "Body"], ["Page last updated: November 1, 2024"], [], date(2024, 11, 1)),
        (["Feb. 14, 2025 (replaces the bulletin of Oct. 3, 2022)"], [], [], date(2025, 2, 14)),
        (["Contoso provider bulletin · May 2025"], [], [], date(2025, 5, 1)),
        (["Contoso News", "Northwind region September 2023 issue"], [], [], date(2023, 9, 1)),
        (["Title"], [], ["Preauthorization list | Revised January 2025"], date(2025, 1, 1)),
        (["Title"], [], ["Date: Mon, 10 Feb 2025 09:12:44 -0500"], date(2025, 2, 10)),
        (["Last revised: February 2024. This section replaces the version dated July 2023."], [], [], date(2024, 2, 1)),
        # rules' dates are not the document's
        (["Effective January 1, 2027, Zephyr will review sleep studies."], [], [], None),
        (["Authorizations issued before April 1, 2025 stay valid."], [], [], None),
        (["Code lists will be updated on January 1, 2025."], [], [], None),
        (["Updated February 30, 2024"], [], [], None),  # no such day
        (["Updated March 3, 1875"], [], [], None),  # outside the years a payer document carries
    ],
)
def test_a_documents_own_date(first, last, furniture, expected):
    assert published_from(first, last, furniture) == expected


def test_the_load_stores_the_documents_date(corpus, db_path):
    corpus.put(Memo("Dated", [Line(ALL_FI)], source="a.md", extra="\nUpdated April 13, 2017\n"))
    corpus.put(Memo("Undated", [Line(ALL_FI, vendor=QUILLON)], source="b.md"))
    load(db_path, corpus.batch())
    got = rows(db_path, "SELECT title, published_on FROM documents ORDER BY title")
    assert got == [("Dated", date(2017, 4, 13)), ("Undated", None)]


# -- when rules end --------------------------------------------------------------------------------
def test_a_stated_end_closes_the_vendors_undated_rule(corpus, db_path):
    corpus.put(Memo("Program page", [Line(ALL_FI)], source="page.md"))
    ended = Line("Zephyr's program for Commercial PPO ends June 30, 2025", scope=Scope.NONE, effective_from=SWITCH)
    corpus.put(Memo("Program ends", [ended], source="end.md"))
    load(db_path, corpus.batch())
    assert periods(db_path) == [(ZEPHYR, "all", None, SWITCH), (ZEPHYR, "none", SWITCH, None)]


def test_a_vendor_switch_closes_the_old_vendors_rule_and_is_no_conflict(corpus, db_path):
    corpus.put(Memo("Program page", [Line(ALL_FI)], source="page.md"))
    switch = [
        Line("Quillon replaces Zephyr for Commercial PPO", vendor=QUILLON, effective_from=SWITCH),
        Line("Zephyr stops reviewing for Commercial PPO", scope=Scope.NONE, effective_from=SWITCH),
    ]
    corpus.put(Memo("Vendor switch", switch, source="switch.md"))
    load(db_path, corpus.batch())
    assert periods(db_path) == [
        (QUILLON, "all", SWITCH, None),
        (ZEPHYR, "all", None, SWITCH),
        (ZEPHYR, "none", SWITCH, None),
    ]
    assert kinds(db_path) == []  # Zephyr's rule ends where Quillon's begins: superseded, not overlapping


def test_without_an_end_the_two_vendors_overlap(corpus, db_path):
    corpus.put(Memo("Program page", [Line(ALL_FI)], source="page.md"))
    corpus.put(
        Memo("New vendor", [Line("Quillon for Commercial PPO", vendor=QUILLON, effective_from=SWITCH)], source="n.md")
    )
    load(db_path, corpus.batch())
    assert periods(db_path) == [(QUILLON, "all", SWITCH, None), (ZEPHYR, "all", None, None)]
    assert kinds(db_path) == [("vendor_overlap", QUILLON)]


MOST = Line(
    "Commercial PPO — Most fully insured groups — Exception: Contoso Steel Retirees",
    scope=Scope.MOST,
    exceptions=("Contoso Steel Retirees",),
    effective_from=SWITCH,
)


@pytest.mark.parametrize(
    ("older_posted", "ended", "conflicts"),
    [
        ("January 10, 2024", SWITCH, []),  # the undated page is older than the dated change: superseded
        ("September 1, 2025", None, [("exceptions", ZEPHYR)]),  # posted after the change began: they disagree
    ],
)
def test_an_undated_rule_ends_at_a_later_documents_change(corpus, db_path, older_posted, ended, conflicts):
    corpus.put(Memo("Program page", [Line(ALL_FI)], source="page.md", extra=f"\nUpdated {older_posted}\n"))
    corpus.put(Memo("Change notice", [MOST], source="notice.md", extra="\nPosted March 1, 2025\n"))
    load(db_path, corpus.batch())
    assert rows(db_path, "SELECT effective_to FROM coverage_rules WHERE scope = 'all'") == [(ended,)]
    assert kinds(db_path) == conflicts


def test_dated_rules_in_sequence_are_no_conflict_and_overlapping_ones_are(corpus, db_path):
    corpus.put(Memo("2024 bulletin", [Line(ALL_FI, effective_from=date(2024, 1, 1))], source="y2024.md"))
    corpus.put(Memo("2025 bulletin", [MOST], source="y2025.md"))
    load(db_path, corpus.batch())
    assert periods(db_path) == [(ZEPHYR, "all", date(2024, 1, 1), SWITCH), (ZEPHYR, "most", SWITCH, None)]
    assert kinds(db_path) == []
    undated = Line(MOST.text, scope=Scope.MOST, exceptions=MOST.exceptions)  # the same change, no date given
    corpus.put(Memo("2025 bulletin", [undated], source="y2025.md"))
    load(db_path, corpus.batch())
    assert kinds(db_path) == [("exceptions", ZEPHYR)]  # an undated rule overlaps the 2024 one


# -- who handled it on a day -------------------------------------------------------------------------
def as_of(db: Path, day: date) -> list[tuple]:
    sql = "SELECT vendor, service, line_of_business, scope, doc_id FROM coverage_rules_as_of(?) ORDER BY ALL"
    return rows(db, sql, [day])


def test_coverage_rules_as_of_reads_earlier_versions(corpus, db_path):
    medicare = Line("Medicare Choice — All groups", line_of_business="Medicare Choice")
    dropped = Line("Sleep studies — All fully insured groups", service="sleep studies")
    corpus.put(Memo("Bulletin", [Line(ALL_FI), medicare, dropped], source="bulletin.md"))
    load(db_path, corpus.batch())
    v1 = rows(db_path, "SELECT doc_id FROM documents")[0][0]
    switch = [
        Line("Quillon replaces Zephyr for Commercial PPO", vendor=QUILLON, effective_from=SWITCH),
        Line("Zephyr stops reviewing for Commercial PPO", scope=Scope.NONE, effective_from=SWITCH),
        medicare,
    ]
    corpus.put(Memo("Bulletin", switch, source="bulletin.md"))
    load(db_path, corpus.batch())
    v2 = rows(db_path, "SELECT doc_id FROM documents WHERE status = 'active'")[0][0]
    assert v2 != v1 and rows(db_path, "SELECT status FROM documents WHERE doc_id = ?", [v1]) == [("superseded",)]
    before = as_of(db_path, date(2025, 6, 1))
    assert before == sorted(
        [
            (ZEPHYR, "genetic testing", "Commercial PPO", "all", v1),  # the earlier version answers
            (ZEPHYR, "genetic testing", "Medicare Choice", "all", v2),  # stated again: once, by the later version
            (ZEPHYR, "sleep studies", "Commercial PPO", "all", v1),  # dropped later, but not yet then
        ]
    )
    after = as_of(db_path, date(2025, 8, 1))
    assert after == sorted(
        [
            (QUILLON, "genetic testing", "Commercial PPO", "all", v2),
            (ZEPHYR, "genetic testing", "Commercial PPO", "none", v2),
            (ZEPHYR, "genetic testing", "Medicare Choice", "all", v2),
            (ZEPHYR, "sleep studies", "Commercial PPO", "all", v1),  # nothing says it had ended by then
        ]
    )
    # a rule the later version dropped, without saying when, ends when that version came (today here)
    assert [r[1] for r in as_of(db_path, date.today() - timedelta(days=1))].count("sleep studies") == 1
    assert [r[1] for r in as_of(db_path, date.today())].count("sleep studies") == 0


@pytest.mark.slow
def test_who_as_of_names_the_vendor_before_and_after_a_planted_switch(tmp_path):
    """Our own two-version document: v1 says Northwind Cardiac Review reviews outpatient cardiology;
    v2 (same title) says Tailspin Heart Management replaces it on July 1, 2025."""
    import payerkg

    folder, db = tmp_path / "docs", tmp_path / "kb.duckdb"
    folder.mkdir()
    for version in ("cardiology_v1.md", "cardiology_v2.md"):
        shutil.copy(VERSIONS / version, folder / "cardiology.md")
        payerkg.build([folder], db)
    with payerkg.open(db) as kb:
        dated = kb.rows("SELECT version, status, published_on FROM documents ORDER BY version").rows
        before = kb.who("outpatient cardiology", as_of="2025-06-30")
        after = kb.who("outpatient cardiology", as_of=date(2025, 7, 1))
        today = kb.who("outpatient cardiology")
    assert dated == [(1, "superseded", date(2025, 3, 3)), (2, "active", date(2025, 5, 12))]
    assert before.vendors == ["Northwind Cardiac Review"]
    assert after.vendors == ["Tailspin Heart Management"]
    assert {f.verdict for f in after.findings if f.vendor == "Northwind Cardiac Review"} == {"does-not-manage"}
    assert today.vendors == ["Tailspin Heart Management"]  # without --as-of: the active version only
    run = CliRunner().invoke(
        app, ["who", "-s", "outpatient cardiology", "--as-of", "2025-06-30", "--db", str(db), "-f", "table"]
    )
    assert run.exit_code == 0, run.output
    assert run.output.strip().splitlines()[-1] == (
        "Answer (as of 2025-06-30): Northwind Cardiac Review handles it for all Commercial members until 2025-07-01."
    )
    bad = CliRunner().invoke(app, ["who", "-s", "outpatient cardiology", "--as-of", "June 30", "--db", str(db)])
    assert bad.exit_code == 2 and "expected a date as YYYY-MM-DD" in bad.output and "Traceback" not in bad.output


# -- stale documents in the review site ------------------------------------------------------------
def test_the_review_site_marks_documents_older_than_the_staleness_window(corpus, db_path, tmp_path, monkeypatch):
    import payerkg

    recent = date.today() - timedelta(days=30)
    corpus.put(Memo("Old page", [Line(ALL_FI)], source="old.md", extra="\nUpdated April 13, 2017\n"))
    fresh = f"\nUpdated {recent:%B} {recent.day}, {recent.year}\n"
    corpus.put(Memo("Fresh page", [Line(ALL_FI, vendor=QUILLON)], source="fresh.md", extra=fresh))
    corpus.put(Memo("Undated page", [Line(ALL_FI, service="sleep studies")], source="undated.md"))
    load(db_path, corpus.batch())

    site = payerkg.report(db_path, tmp_path / "site")  # the default window: a year
    assert (site.stale_days, [Path(s).name for s in site.stale]) == (365, ["old.md"])
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert index.count('<span class="tag stale" title=') == 1 and "2017-04-13" in index
    assert recent.isoformat() in index and "undated" in index
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "site").glob("doc-*.html")}
    noted = [name for name, html in pages.items() if 'class="note stale-note"' in html]
    assert len(noted) == 1 and "dates itself 2017-04-13, more than 365 days before" in pages[noted[0]]

    month = payerkg.report(db_path, tmp_path / "site", config={"stale_days": 20})  # the fresh page is stale too
    assert sorted(Path(s).name for s in month.stale) == ["fresh.md", "old.md"]
    monkeypatch.setenv("PAYERKG_STALE_DAYS", "100000")
    assert payerkg.report(db_path, tmp_path / "site").stale == ()
    run = CliRunner().invoke(
        app, ["report", "--db", str(db_path), "--out", str(tmp_path / "site"), "--stale-days", "40"]
    )
    assert run.exit_code == 0, run.output
    assert "1 document older than 40 days marked stale" in run.stderr and "old.md" in run.stderr
