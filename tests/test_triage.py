"""Conflict triage: the `requirement` kind, acknowledgements keyed by what both claims say (kept across
rebuilds, reopened when a claim changes), open and acknowledged conflicts in the CLI, the build
summary and the review site."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import payerkg
from extract import Requirement, Scope
from factories import Corpus, Line, Memo
from payerkg.cli import app
from payerkg.render_answers import conflicts_summary
from warehouse import LoadBatch, LoadResult, Warehouse
from warehouse.diff import claim_key

ZEPHYR, QUILLON = "Zephyr Care Partners", "Quillon Health Partners"
ALL_FI = Line("Commercial PPO — All fully insured groups")
MOST_FI = Line("Commercial PPO — Most fully insured groups", scope=Scope.MOST)
SOME_FI = Line("Commercial PPO — Some fully insured groups", scope=Scope.SOME)


def load(db: Path, batch: LoadBatch) -> LoadResult:
    with Warehouse(db) as wh:
        return wh.load(batch)


def loaded(db: Path) -> set[str]:
    with Warehouse(db, read_only=True) as wh:
        return set(wh.loaded())


def conflicts(db: Path, acknowledged: bool = True) -> list[payerkg.Knowledge]:
    with payerkg.open(db) as kb:
        return kb.conflicts(acknowledged=acknowledged)


# -- acknowledgements ---------------------------------------------------------------------------------
def test_an_acknowledgement_survives_rebuilds_and_reopens_when_a_claim_changes(corpus: Corpus, db_path):
    corpus.put(Memo("Spring bulletin", [ALL_FI], source="spring.md"))
    corpus.put(Memo("Autumn bulletin", [MOST_FI], source="autumn.md"))
    first = load(db_path, corpus.batch())
    [c] = conflicts(db_path)
    assert (c.kind, c.status, first.conflicts, first.acknowledged) == ("scope", "open", 1, 0)

    acked = payerkg.acknowledge(c.conflict_id[:8], "  the autumn bulletin is current  ", db=db_path)
    assert (acked.conflict_id, acked.status, acked.note) == (
        c.conflict_id,
        "acknowledged",
        "the autumn bulletin is current",
    )
    assert conflicts(db_path, acknowledged=False) == []

    again = load(db_path, corpus.batch(loaded(db_path)))  # a rebuild: nothing changed
    assert (again.conflicts, again.acknowledged) == (1, 1)
    assert [x.status for x in conflicts(db_path)] == ["acknowledged"]

    # a new version of the autumn bulletin that says the same in other bytes: new rule ids, same claims
    corpus.put(Memo("Autumn bulletin", [MOST_FI], source="autumn.md", extra="\nReprinted with a new footer.\n"))
    reworded = load(db_path, corpus.batch(loaded(db_path)))
    [same] = conflicts(db_path)
    assert same.conflict_id != c.conflict_id and same.rule_id_b != c.rule_id_b
    assert (same.status, same.note, reworded.superseded, reworded.acknowledged) == (
        "acknowledged",
        "the autumn bulletin is current",
        1,
        1,
    )

    # the autumn bulletin's scope changes from "most" to "some": a different claim, open again
    corpus.put(Memo("Autumn bulletin", [SOME_FI], source="autumn.md"))
    changed = load(db_path, corpus.batch(loaded(db_path)))
    [reopened] = conflicts(db_path)
    assert (reopened.kind, reopened.status, reopened.note) == ("scope", "open", None)
    assert (changed.conflicts, changed.acknowledged) == (1, 0)
    assert conflicts_summary(changed) == "conflicts: 1 open, 0 acknowledged across documents (payerkg conflicts)"
    assert conflicts_summary(again) == "conflicts: 0 open, 1 acknowledged across documents"


def test_the_cli_lists_open_conflicts_and_acknowledges_one(corpus: Corpus, db_path):
    corpus.put(Memo("Spring bulletin", [ALL_FI], source="spring.md"))
    corpus.put(Memo("Autumn bulletin", [MOST_FI], source="autumn.md"))
    load(db_path, corpus.batch())
    [c] = conflicts(db_path)
    runner, db = CliRunner(), ["--db", str(db_path)]
    table = ["--format", "table"]  # piped output is TSV otherwise
    listed = runner.invoke(app, ["conflicts", *db, *table])
    assert listed.exit_code == 0 and c.conflict_id in listed.output and "1 conflicts" in listed.output

    no_note = runner.invoke(app, ["conflicts", "--ack", c.conflict_id, *db])
    assert no_note.exit_code == 2 and "--note" in no_note.output and "Traceback" not in no_note.output
    unknown = runner.invoke(app, ["conflicts", "--ack", "ffffffffff", "--note", "x", *db])
    assert unknown.exit_code == 2 and "ffffffffff: no conflict with this id" in unknown.output
    too_short = runner.invoke(app, ["conflicts", "--ack", "ab", "--note", "x", *db])
    assert too_short.exit_code == 2 and "first 6+ characters" in too_short.output

    ack = runner.invoke(app, ["conflicts", "--ack", c.conflict_id[:6], "--note", "checked with the plan", *db])
    assert ack.exit_code == 0 and f"acknowledged conflict {c.conflict_id}" in ack.output
    assert "0 conflicts" in runner.invoke(app, ["conflicts", *db, *table]).output
    every = runner.invoke(app, ["conflicts", "--all", *db, *table]).output
    assert "1 conflicts (1 acknowledged)" in every and "checked with the plan" in every
    records = runner.invoke(app, ["conflicts", "--all", "--format", "json", *db]).output
    assert '"status": "acknowledged"' in records and '"note": "checked with the plan"' in records
    markdown = runner.invoke(app, ["conflicts", "--all", "--format", "md", *db]).output
    assert f"conflict `{c.conflict_id}`; acknowledged " in markdown and ": checked with the plan" in markdown
    lone_note = runner.invoke(app, ["conflicts", "--note", "x", *db])
    assert lone_note.exit_code == 2 and "--ack" in lone_note.output


# -- the requirement kind ---------------------------------------------------------------------------
NOT_REQUIRED = Line(
    "Commercial PPO — no prior authorization for fully insured groups", requirement=Requirement.NOT_REQUIRED
)


def with_conditions(batch: LoadBatch, source: str, conditions: str) -> LoadBatch:
    """``batch`` with ``conditions`` on every statement of the document from ``source``."""
    parsed = [
        dataclasses.replace(
            p, statements=[dataclasses.replace(s, conditions=conditions).with_id() for s in p.statements]
        )
        if p.document.source.endswith(source)
        else p
        for p in batch.parsed
    ]
    return dataclasses.replace(batch, parsed=parsed)


@pytest.mark.parametrize(
    ("required", "not_required", "conditions", "expected"),
    [
        (ALL_FI, NOT_REQUIRED, None, [("requirement", ZEPHYR)]),
        (dataclasses.replace(ALL_FI, vendor=QUILLON), NOT_REQUIRED, None, [("requirement", QUILLON)]),  # any vendor
        (MOST_FI, NOT_REQUIRED, None, [("requirement", ZEPHYR)]),
        (ALL_FI, NOT_REQUIRED, "in the emergency room", []),  # other conditions: other members' visits
        (  # the plan's named groups only, and the rest: no clash
            ALL_FI,
            dataclasses.replace(NOT_REQUIRED, scope=Scope.ONLY, inclusions=("Contoso Steel Retirees",)),
            None,
            [],
        ),
        (ALL_FI, dataclasses.replace(NOT_REQUIRED, scope=Scope.NONE), None, []),
    ],
)
def test_required_against_not_required_is_a_requirement_conflict(
    corpus, db_path, required, not_required, conditions, expected
):
    corpus.put(Memo("Vendor page", [required], source="vendor.md"))
    corpus.put(Memo("Plan page", [not_required], source="plan.md"))
    batch = corpus.batch() if conditions is None else with_conditions(corpus.batch(), "plan.md", conditions)
    load(db_path, batch)
    with Warehouse(db_path, read_only=True) as wh:
        got = wh.query("SELECT kind, vendor, detail FROM conflicts ORDER BY ALL")[1]
    assert [g[:2] for g in got] == expected
    if expected:
        assert got[0][2].endswith("vs Zephyr Care Partners: not required (all, p1)")


def test_a_requirement_and_its_exception_in_one_section_are_no_conflict(corpus, db_path):
    corpus.put(Memo("Vendor page", [ALL_FI, NOT_REQUIRED], source="vendor.md"))
    load(db_path, with_conditions(corpus.batch(), "vendor.md", "outpatient"))
    with Warehouse(db_path, read_only=True) as wh:
        assert wh.query("SELECT count(*) FROM conflicts")[1] == [(0,)]


# -- what a claim is --------------------------------------------------------------------------------
def test_sql_claim_keys_group_statements_as_the_diff_does(corpus, db_path):
    """rule_claims.claim_key (SQL, what reviews are keyed by) and warehouse.diff.claim_key (Python)
    split the same statements into the same claims: wording, case and marks do not count; meaning does."""
    lines = [
        Line("All fully insured groups — Exception: Contoso Steel Retirees", exceptions=("Contoso Steel Retirees",)),
        Line("ALL groups — Exception: CONTOSO STEEL RETIREES®", exceptions=("CONTOSO STEEL RETIREES®",)),
        Line(
            "Most groups — Exception: Contoso Steel Retirees", scope=Scope.MOST, exceptions=("Contoso Steel Retirees",)
        ),
        Line("Most fully insured groups", scope=Scope.MOST),
        Line("All groups from 2025", effective_from=date(2025, 1, 1)),
        Line("All groups, notification", requirement=Requirement.NOTIFICATION),
        Line("All groups (Quillon)", vendor=QUILLON),
    ]
    corpus.put(Memo("Many ways to say it", lines, source="m.md"))
    batch = corpus.batch()
    load(db_path, batch)
    with Warehouse(db_path, read_only=True) as wh:
        sql = dict(wh.query("SELECT rule_id, claim_key FROM rule_claims")[1])
    statements = list(batch.parsed[0].statements)

    def partition(key) -> set[frozenset[str]]:
        groups: dict = {}
        for s in statements:
            groups.setdefault(key(s), set()).add(s.rule_id)
        return {frozenset(g) for g in groups.values()}

    assert partition(lambda s: sql[s.rule_id]) == partition(claim_key)
    assert len(partition(claim_key)) == 5  # the first three say the same thing


# -- the review site -----------------------------------------------------------------------------------
def test_the_review_site_shows_the_review_status_and_note(corpus, db_path, tmp_path):
    corpus.put(Memo("Spring bulletin", [ALL_FI], source="spring.md"))
    corpus.put(Memo("Autumn bulletin", [MOST_FI], source="autumn.md"))
    corpus.put(Memo("Winter bulletin", [SOME_FI], source="winter.md"))
    load(db_path, corpus.batch())
    found = conflicts(db_path)
    assert len(found) == 3
    payerkg.acknowledge(found[0].conflict_id, "Spring & autumn <agree> on the rest", db=db_path)
    site = payerkg.report(db_path, tmp_path / "site")
    page = (tmp_path / "site" / "conflicts.html").read_text(encoding="utf-8")
    assert site.conflicts == 3
    assert page.count('class="status status-acknowledged">acknowledged</span>') == 1
    assert page.count('class="status status-open">open</span>') == 2
    assert "Spring &amp; autumn &lt;agree&gt; on the rest" in page  # the note is escaped
    header = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'Conflicts <span class="count warn">2</span>' in header  # the open ones
