"""Semantic diff, document versions in the warehouse, and the change feed.

The versions are seed 001 (plain-text conversion) edited by hand:
- ``001_v2.txt``: AIM renamed Carelon, two sentences reworded (none of which is a change), and one
  each of: new exception, removed exception, changed scope, removed program (Sempre Health), new
  program (TurningPoint), added effective date;
- ``001_renamed_reworded.txt``: only the rename and rewordings (no change at all).
The expected changes below were written from those edits, not from the program's output.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import DATA, PHARMACY_TXT, ROOT, parsed
from extract import Extractor, Vocabulary
from ingest import parse_bytes
from payerkg.cli import app
from payerkg.pipeline import build
from warehouse import Warehouse
from warehouse.diff import CHANGE_FIELDS, claims, diff

VERSIONS = DATA / "versions"
V2 = VERSIONS / "001_v2.txt"
REWORDED = VERSIONS / "001_renamed_reworded.txt"
CARELON = "Carelon Medical Benefits Management"
PHARMACY_DEPTS = "Blue Cross and BCN Pharmacy departments"
SEMPRE = "Sempre Health"
SEMPRE_WAS = {
    "scope": "all",
    "exceptions": [],
    "inclusions": [],
    "requirement": "care_management",
    "conditions": None,
    "effective_from": None,
}

# (change, vendor, service, line_of_business, segment, field, before, after)
EXPECTED_V2 = sorted(
    [
        # new exception (BCN commercial self-funded groups for medical benefit drugs: "most … Exception: State of Michigan")
        (
            "changed",
            PHARMACY_DEPTS,
            "medical benefit drugs",
            "BCN commercial",
            "self_funded",
            "exceptions",
            [],
            ["State of Michigan"],
        ),
        # removed exception (Accredo no longer manages UAW Retiree Medical Benefits Trust)
        (
            "changed",
            PHARMACY_DEPTS,
            "medical benefit drugs",
            "Blue Cross commercial",
            "self_funded",
            "exceptions",
            ["UAW Retiree Medical Benefits Trust"],
            [],
        ),
        # changed scope ("All groups" → "Most groups" in BCN Advantage, medical oncology)
        ("changed", CARELON, "medical oncology", "BCN Advantage", "group", "scope", "all", "most"),
        # added effective date: the Medicare Plus Blue line names groups and individual members
        ("changed", CARELON, "medical oncology", "Medicare Plus Blue", "group", "effective_from", None, "2024-01-01"),
        (
            "changed",
            CARELON,
            "medical oncology",
            "Medicare Plus Blue",
            "individual",
            "effective_from",
            None,
            "2024-01-01",
        ),
        # removed program: Sempre Health's two lines of business × three segments, and the line it
        # says it does not serve ("Sempre Health doesn't provide services for Medicare Advantage members")
        *[
            ("removed", SEMPRE, "drug adherence discount program", lob, seg, None, SEMPRE_WAS, None)
            for lob in ("Blue Cross commercial", "BCN commercial")
            for seg in ("fully_insured", "self_funded", "individual")
        ],
        (
            "removed",
            SEMPRE,
            "drug adherence discount program",
            "Medicare Advantage",
            "all",
            None,
            SEMPRE_WAS | {"scope": "none"},
            None,
        ),
        # new program
        (
            "added",
            "TurningPoint Healthcare Solutions",
            "musculoskeletal surgical procedures",
            "Blue Cross commercial",
            "fully_insured",
            None,
            None,
            {
                "scope": "all",
                "exceptions": [],
                "inclusions": [],
                "requirement": "prior_authorization",
                "conditions": None,
                "effective_from": None,
            },
        ),
    ],
    key=repr,
)


def _as_tuples(changes: list[dict]) -> list[tuple]:
    return sorted(
        (
            (
                c["change"],
                c["vendor"],
                c["service"],
                c["line_of_business"],
                c["segment"],
                c["field"],
                c["before"],
                c["after"],
            )
            for c in changes
        ),
        key=repr,
    )


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    from payerkg.parsing import extractor_for

    return extractor_for(Vocabulary.load())  # the one the CLI and the library use too


# -- the diff --------------------------------------------------------------------------------------
def test_every_planted_change_is_reported_and_nothing_else(extractor):
    old, new = list(extractor.extract(parsed(PHARMACY_TXT)).statements), list(extractor.extract(parsed(V2)).statements)
    d = diff(old, new)
    assert _as_tuples([c.to_json() for c in d.changes]) == EXPECTED_V2
    assert d.counts() == {"changed": 5, "removed": 7, "added": 1}
    scope = next(c for c in d.changes if c.field == "scope")
    assert scope.quote_before == "BCN AdvantageSM — All groups and members with individual coverage"
    assert scope.quote_after == "BCN AdvantageSM — Most groups and all members with individual coverage"


def test_rename_and_rewording_are_not_changes(extractor):
    old, new = (
        list(extractor.extract(parsed(PHARMACY_TXT)).statements),
        list(extractor.extract(parsed(REWORDED)).statements),
    )
    # the surface did change: AIM is named Carelon, and quotes differ
    assert {s.vendor_as_stated for s in old if s.vendor == CARELON} >= {"AIM Specialty Health"}
    assert {s.vendor_as_stated for s in new if s.vendor == CARELON} == {"Carelon Medical Benefits Management"}
    assert {s.quote for s in old} != {s.quote for s in new}
    assert len(old) == len(new) == 37
    d = diff(old, new)
    assert d.changes == [] and len(d.pairs) == len(claims(old))


def test_a_vendor_taking_over_is_a_vendor_change(extractor):
    text = PHARMACY_TXT.read_text(encoding="utf-8").replace("Sempre Health", "Welvie")
    new = list(extractor.extract(parsed_text(text, "handover.txt")).statements)
    d = diff(list(extractor.extract(parsed(PHARMACY_TXT)).statements), new)
    assert {(c.change, c.field, c.before, c.after) for c in d.changes} == {("changed", "vendor", SEMPRE, "Welvie")}
    assert len(d.changes) == 7


def parsed_text(text: str, name: str):
    data = text.encode("utf-8")
    return parse_bytes(data, name, hashlib.sha256(data).hexdigest())


# -- the command -----------------------------------------------------------------------------------
def test_diff_json_has_the_contract_shape():
    res = CliRunner().invoke(app, ["diff", str(PHARMACY_TXT), str(V2), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert list(data) == ["old", "new", "changes"]
    assert data["old"] == parsed(PHARMACY_TXT).doc_id and data["new"] == parsed(V2).doc_id
    assert all(list(c) == list(CHANGE_FIELDS) for c in data["changes"])
    assert _as_tuples(data["changes"]) == EXPECTED_V2


def test_diff_markdown_for_people():
    res = CliRunner().invoke(app, ["diff", str(PHARMACY_TXT), str(V2)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "**5 changed, 7 removed, 1 added.**" in out
    assert "- **scope**: all → most" in out
    assert "- **exceptions**: UAW Retiree Medical Benefits Trust → none" in out
    assert (
        "### TurningPoint Healthcare Solutions — musculoskeletal surgical procedures (Blue Cross commercial, fully_insured)"
        in out
    )


def test_diff_errors_name_the_argument(tmp_path):
    res = CliRunner().invoke(app, ["diff", str(tmp_path / "missing.pdf"), str(V2), "--db", str(tmp_path / "x.duckdb")])
    assert res.exit_code == 2 and "missing.pdf: no such file" in res.output
    res = CliRunner().invoke(app, ["diff", "abcdef12", str(V2), "--db", str(tmp_path / "x.duckdb")])
    assert res.exit_code == 2 and "no database" in res.output
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    res = CliRunner().invoke(app, ["diff", str(empty), str(V2)])
    assert res.exit_code == 2 and "empty.txt" in res.output and "E101" in res.output


SCRIPT = '<script>document.body.setAttribute("data-pwned", "1")</script>'


def _hostile_diff_html(tmp_path: Path) -> Path:
    """The HTML diff of Northwind's spring bulletin against a version with a new line whose text
    carries a script."""
    spring = DATA / "conflicts" / "northwind_spring.md"
    hostile = tmp_path / "northwind_hostile.md"
    hostile.write_text(
        spring.read_text(encoding="utf-8") + f"- Commercial PPO — All fully insured groups {SCRIPT}\n", encoding="utf-8"
    )
    page = tmp_path / "diff.html"
    res = CliRunner().invoke(
        app,
        [
            "diff",
            str(spring),
            str(hostile),
            "--format",
            "html",
            "--out",
            str(page),
            "--vocab",
            str(DATA / "conflicts" / "vocab.yml"),
        ],
    )
    assert res.exit_code == 0, res.output
    return page


def test_html_escapes_document_text(tmp_path):
    html = _hostile_diff_html(tmp_path).read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;document.body.setAttribute(&#34;data-pwned&#34;, &#34;1&#34;)&lt;/script&gt;" in html
    assert "1 added" in html


@pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="needs Debian's chromium (apt-get install chromium); see scripts/screenshot.sh",
)
def test_html_renders_in_headless_chromium_and_the_script_stays_text(tmp_path):
    page = _hostile_diff_html(tmp_path)
    script = ROOT / "scripts" / "screenshot.sh"
    dom = subprocess.run(
        [str(script), "--dom", str(page)], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert "<body>" in dom and "data-pwned" not in dom.split("<body>", 1)[1].split(">", 1)[0]
    assert "&lt;script&gt;document.body.setAttribute" in dom  # shown as text
    png = tmp_path / "diff.png"
    subprocess.run([str(script), str(page), str(png), "1280,900"], capture_output=True, timeout=120, check=True)
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(head[16:20], "big") == 1280 and int.from_bytes(head[20:24], "big") == 900


# -- versions in the warehouse and the change feed -------------------------------------------------
@pytest.fixture(scope="module")
def versioned(tmp_path_factory):
    """One bulletin built three times: 001 as published, the edited v2, then the file removed."""
    base = tmp_path_factory.mktemp("versions")
    folder = base / "docs"
    folder.mkdir()
    doc = folder / "pharmacy.txt"
    db = base / "v.duckdb"
    shutil.copy(PHARMACY_TXT, doc)
    r1 = build([folder], db).result
    shutil.copy(V2, doc)
    r2 = build([folder], db).result
    doc.unlink()
    r3 = build([folder], db, prune=True).result  # its only document: retiring it needs prune
    return db, (r1, r2, r3)


def _changes(db: Path, build_id: int) -> list[dict]:
    with Warehouse(db, read_only=True) as wh:
        cols, rows = wh.query("SELECT * FROM rule_changes WHERE build_id = ? ORDER BY ALL", [build_id])
    out = []
    for r in rows:
        c = dict(zip(cols, r))
        c["before"] = json.loads(c["before"]) if c["before"] is not None else None
        c["after"] = json.loads(c["after"]) if c["after"] is not None else None
        out.append(c)
    return out


@pytest.mark.slow  # several whole builds
def test_versions_keep_history_and_record_changes(versioned):
    db, (r1, r2, r3) = versioned
    assert (r1.changes, r2.superseded, r2.changes, r3.retired) == (37, 1, 13, 1)
    first = _changes(db, 1)
    assert {c["change"] for c in first} == {"added"} and {c["to_version"] for c in first} == {1}
    second = _changes(db, 2)
    assert _as_tuples(second) == EXPECTED_V2
    assert {(c["from_version"], c["to_version"]) for c in second} == {(1, 2)}
    third = _changes(db, 3)
    assert {c["change"] for c in third} == {"removed"} and len(third) == 31
    with Warehouse(db, read_only=True) as wh:
        assert wh.query("SELECT version, status FROM documents ORDER BY version")[1] == [
            (1, "superseded"),
            (2, "retired"),
        ]
        assert wh.query("SELECT count(*) FROM statements")[1][0][0] == 37 + 31  # history stays


@pytest.mark.slow  # several whole builds
def test_stable_ids_survive_rename_and_rewording(versioned):
    db, _ = versioned
    with Warehouse(db, read_only=True) as wh:
        ids = {
            v: dict(
                wh.query(
                    """SELECT s.line_of_business || '/' || s.segment || '/' || s.service || '/' || s.vendor,
                                          s.stable_id FROM statements s JOIN documents d USING (doc_id)
                                   WHERE d.version = ?""",
                    [v],
                )[1]
            )
            for v in (1, 2)
        }
        assert wh.query("SELECT count(*) FROM statements WHERE stable_id IS NULL")[1][0][0] == 0
    # AIM in version 1, Carelon (renamed) in version 2, reworded delegation sentence: same ids
    fi = f"Blue Cross commercial/fully_insured/medical oncology/{CARELON}"
    assert ids[1][fi] == ids[2][fi]
    kept = set(ids[1].values()) & set(ids[2].values())
    assert len(kept) == 30 and len(set(ids[2].values()) - kept) == 1  # 37 − 7 removed; 1 added


@pytest.mark.slow  # several whole builds
def test_export_since_emits_upserts_and_deletes_by_stable_id(versioned, tmp_path):
    db, _ = versioned
    out = tmp_path / "events.jsonl"
    res = CliRunner().invoke(app, ["export", "--format", "jsonl", "--since", "1", "--out", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # build 3 retired the document: every rule touched since build 1 is deleted, its latest build wins
    assert {e["event"] for e in events} == {"delete"} and len(events) == 31 + 7
    res = CliRunner().invoke(app, ["export", "--format", "jsonl", "--since", "3", "--out", str(out), "--db", str(db)])
    assert res.exit_code == 0 and out.read_text() == ""


@pytest.mark.slow  # several whole builds
def test_export_since_a_version_with_upserts(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    db = tmp_path / "v.duckdb"
    shutil.copy(PHARMACY_TXT, folder / "pharmacy.txt")
    build([folder], db)
    shutil.copy(V2, folder / "pharmacy.txt")
    build([folder], db)
    out = tmp_path / "events.jsonl"
    res = CliRunner().invoke(app, ["export", "--format", "jsonl", "--since", "1", "--out", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by = {e["event"]: [x for x in events if x["event"] == e["event"]] for e in events}
    assert len(by["delete"]) == 7 and len(by["upsert"]) == 6
    assert all(e["rule"] is None for e in by["delete"])
    assert sorted(tuple(e["changes"]) for e in by["upsert"]) == sorted(
        [("exceptions",), ("exceptions",), ("scope",), ("effective_from",), ("effective_from",), ("added",)]
    )
    for e in by["upsert"]:
        assert e["rule"]["rule_id"] == e["rule_id"] and re.fullmatch(r"r[0-9a-f]{19}", e["rule_id"])
        assert e["version_rule_id"] != e["rule_id"] and e["build_id"] == 2
    scope = next(e for e in by["upsert"] if e["changes"] == ["scope"])
    assert scope["rule"]["scope"] == "most" and scope["rule"]["line_of_business"] == "BCN Advantage"
    # by date: everything since yesterday is both builds (the first one's rules were all added)
    day = (date.today() - timedelta(days=1)).isoformat()
    res = CliRunner().invoke(app, ["export", "--format", "jsonl", "--since", day, "--out", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(events) == 38 and sum(e["event"] == "upsert" for e in events) == 31
    # by document id, from the database: the same diff as from the files
    with Warehouse(db, read_only=True) as wh:
        ids = [r[0] for r in wh.query("SELECT doc_id FROM documents ORDER BY version")[1]]
    res = CliRunner().invoke(app, ["diff", ids[0][:10], ids[1][:10], "--format", "json", "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert _as_tuples(json.loads(res.stdout)["changes"]) == EXPECTED_V2
    bad = CliRunner().invoke(
        app, ["export", "--format", "jsonl", "--since", "last week", "--out", str(out), "--db", str(db)]
    )
    assert bad.exit_code == 2 and "expected a build id" in bad.output


# -- properties ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pool(extractor):
    return list(extractor.extract(parsed(PHARMACY_TXT)).statements) + list(extractor.extract(parsed(V2)).statements)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_diff_properties(pool, data):
    a = data.draw(st.lists(st.sampled_from(pool), max_size=25))
    b = data.draw(st.lists(st.sampled_from(pool), max_size=25))
    assert diff(a, a).changes == []
    # quotes never count: the same claims reworded are no change
    reworded = [replace(s, quote=s.quote.upper() + " (reworded)") for s in b]
    assert diff(b, reworded).changes == []
    d = diff(a, b)
    added = sum(c.change == "added" for c in d.changes)
    removed = sum(c.change == "removed" for c in d.changes)
    # every claim is matched once or reported once
    assert len(d.pairs) + removed == len(claims(a)) and len(d.pairs) + added == len(claims(b))
    assert all(c.field is not None for c in d.changes if c.change == "changed")


def test_an_exception_added_under_the_same_stated_scope_is_no_scope_change():
    """ "Most groups" → "Most groups — Exception: X": one change, the exception (the breadth model
    reads "most but X" as "all but X", but the scope as stated did not move)."""
    from extract import ExceptionRef, ProgramType, Requirement, Scope, Segment, Statement

    def rule(exceptions: tuple[str, ...]) -> Statement:
        return Statement(
            doc_id="d", payer="Northwind Health", vendor="Acme Review", program_type=ProgramType.UTILIZATION_MANAGEMENT,
            service="musculoskeletal", line_of_business="Commercial", segment=Segment.FULLY_INSURED,
            scope=Scope.MOST, requirement=Requirement.PRIOR_AUTHORIZATION, page=1, quote="Most groups",
            block_index=0, exceptions=exceptions, exception_refs=tuple(ExceptionRef(n) for n in exceptions),
        ).with_id()  # fmt: skip

    d = diff([rule(())], [rule(("Contoso Steel Retirees",))])
    assert [(c.change, c.field) for c in d.changes] == [("changed", "exceptions")]
