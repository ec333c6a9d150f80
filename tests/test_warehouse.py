"""The warehouse on the seeds, end to end: builds are atomic, idempotent and incremental; who, graph
and export answer right. Most of these depend on what extraction reads from the seeds; the load's
own behaviour is tested on hand-made batches in ``tests/test_load.py``."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import networkx as nx
import pytest
from rich.console import Console

from conftest import DATA, ROOT
from extract import CONTRACT_COLUMNS
from payerkg.pipeline import build
from warehouse import Warehouse
from warehouse.who import Question, who

AIM = "Carelon Medical Benefits Management"


def _copy_db(db: Path, to: Path) -> Path:
    out = to / "copy.duckdb"
    shutil.copy(db, out)
    return out


def _snapshot(db: Path) -> dict:
    """Every table's rows, minus build bookkeeping (ids and timestamps of builds)."""
    with Warehouse(db, read_only=True) as wh:
        return {
            "statements": wh.query("SELECT * FROM statements ORDER BY rule_id")[1],
            "exceptions": wh.query("SELECT * FROM exceptions ORDER BY ALL")[1],
            "blocks": wh.query("SELECT * FROM blocks ORDER BY doc_id, block_index")[1],
            "documents": wh.query("SELECT * EXCLUDE (first_build, last_build, source) FROM documents ORDER BY doc_id")[
                1
            ],
            "entities": wh.query("SELECT * FROM entities ORDER BY ALL")[1],
            "coverage_rules": wh.query("SELECT * FROM coverage_rules ORDER BY rule_id")[1],
        }


def _counts(db: Path) -> tuple:
    with Warehouse(db, read_only=True) as wh:
        return tuple(
            wh.query(f"SELECT count(*) FROM {t}")[1][0][0]
            for t in ("builds", "documents", "statements", "blocks", "exceptions", "coverage_rules")
        )


# -- build ---------------------------------------------------------------------------------------
def test_build_loads_every_seed_with_contract_columns(seed_build):
    _, db, report = seed_build
    r = report.result
    assert (r.parsed, r.unchanged, r.failed, r.retired) == (5, 0, 0, 0)
    assert r.pages == 130
    with Warehouse(db, read_only=True) as wh:
        _, rows = wh.query("DESCRIBE coverage_rules")
        assert [c[0] for c in rows] == CONTRACT_COLUMNS
        types = {c[0]: c[1] for c in rows}
        assert types["exceptions"] == "VARCHAR[]" and types["effective_from"] == "DATE" and types["page"] == "INTEGER"
        per_doc = dict(
            wh.query("SELECT d.source, count(*) FROM coverage_rules JOIN documents d USING (doc_id) GROUP BY 1")[1]
        )
        assert {Path(k).name[:3]: v for k, v in per_doc.items()} == {
            "000": 104,
            "001": 37,
            "002": 73,
            "003": 5,
            "004": 2,
        }
        assert r.rules == 221
        # 000 and 001 share payer and title; they are two documents, not two versions of one
        keys = wh.query("SELECT doc_key FROM documents ORDER BY source")[1]
        assert len({k[0] for k in keys}) == 5


def test_rebuild_skips_unchanged_documents_and_changes_nothing(seed_build, tmp_path):
    corpus, db, _ = seed_build
    copy = _copy_db(db, tmp_path)
    before = _snapshot(copy)
    report = build([corpus], copy)
    assert (report.result.parsed, report.result.unchanged) == (0, 5)
    assert _snapshot(copy) == before


def test_two_fresh_builds_give_identical_tables(seed_build, tmp_path):
    corpus, db, _ = seed_build
    other = tmp_path / "fresh.duckdb"
    build([corpus], other)
    assert _snapshot(other) == _snapshot(db)


class Injected(Exception):
    pass


def test_injected_error_mid_load_leaves_the_database_unchanged(seed_build, tmp_path):
    corpus, db, _ = seed_build
    copy = _copy_db(db, tmp_path)
    shutil.copy(DATA / "northwind_grid.html", corpus.parent / "extra.html")
    before, counts = _snapshot(copy), _counts(copy)

    def fail(step: str) -> None:
        if step == "statements":
            raise Injected(step)

    with pytest.raises(Injected):
        build([corpus, corpus.parent / "extra.html"], copy, on_step=fail)
    assert _counts(copy) == counts and _snapshot(copy) == before
    report = build([corpus, corpus.parent / "extra.html"], copy)  # and the next build goes through
    assert (report.result.parsed, report.result.unchanged) == (1, 5)


@pytest.mark.slow
def test_build_killed_with_sigkill_mid_load_leaves_the_database_unchanged(tmp_path):
    conflicts = DATA / "conflicts"
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(conflicts / "northwind_spring.md", docs)
    db = tmp_path / "k.duckdb"
    first = build([docs], db, config={"vocab": conflicts / "vocab.yml"})
    assert first.result.parsed == 1
    shutil.copy(conflicts / "southbay.md", docs)
    before, counts = _snapshot(db), _counts(db)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "pause_build.py"), str(db), "statements", str(docs)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline:
        line = proc.stderr.readline()
        seen += line
        if "PAUSED statements" in line or (not line and proc.poll() is not None):
            break
    assert "PAUSED statements" in seen, seen
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert _counts(db) == counts and _snapshot(db) == before
    report = build([docs], db, config={"vocab": conflicts / "vocab.yml"})
    assert (report.result.parsed, report.result.unchanged) == (1, 1)


def test_document_dropped_from_inputs_is_retired_and_comes_back(seed_build, tmp_path):
    corpus, db, _ = seed_build
    copy = _copy_db(db, tmp_path)
    smaller = tmp_path / "corpus"
    shutil.copytree(corpus, smaller)
    # same bytes, new folder: the documents are the same (sha256), their sources move
    report = build([smaller], copy)
    assert (report.result.parsed, report.result.unchanged, report.result.retired) == (0, 5, 0)
    dropped = next(smaller.glob("004_*"))
    its_rules = "SELECT count(*) FROM {} JOIN documents d USING (doc_id) WHERE d.source LIKE '%004_%'"
    with Warehouse(copy, read_only=True) as wh:
        n = wh.query(its_rules.format("coverage_rules"))[1][0][0]
    assert n > 0
    dropped.unlink()
    report = build([smaller], copy)
    assert report.result.retired == 1
    with Warehouse(copy, read_only=True) as wh:
        assert wh.query("SELECT status FROM documents WHERE source LIKE '%004_%'")[1] == [("retired",)]
        assert wh.query(its_rules.format("coverage_rules"))[1][0][0] == 0
        assert wh.query(its_rules.format("statements"))[1][0][0] == n  # kept
    shutil.copy(next(corpus.glob("004_*")), smaller)
    report = build([smaller], copy)
    assert (report.result.parsed, report.result.unchanged, report.result.retired) == (0, 5, 0)
    with Warehouse(copy, read_only=True) as wh:
        assert wh.query(its_rules.format("coverage_rules"))[1][0][0] == n


def test_a_bad_file_is_recorded_and_does_not_stop_the_build(seed_build, tmp_path):
    corpus, db, _ = seed_build
    copy = _copy_db(db, tmp_path)
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage")
    report = build([corpus, bad], copy)
    assert report.result.failed == 1 and report.result.unchanged == 5
    with Warehouse(copy, read_only=True) as wh:
        assert wh.query("SELECT code FROM failures")[1] == [("E110",)]


# -- who -----------------------------------------------------------------------------------------
def _who(db, **kw):
    with Warehouse(db, read_only=True) as wh:
        return who(wh, Question(**kw))


def test_who_proton_beam_for_a_messa_member_is_aim(seed_build):
    a = _who(
        seed_build[1],
        service="proton beam therapy",
        line_of_business="Blue Cross commercial",
        segment="fully insured",
        group="MESSA",
    )
    assert a.vendors == [AIM]
    handles = [f for f in a.findings if f.verdict == "handles"]
    assert handles[0].quote.startswith("Fully insured") or "MESSA" in handles[0].quote
    assert {f.vendor for f in a.findings if f.verdict == "excepted"} == {"eviCore healthcare"}


def test_who_proton_beam_for_another_fully_insured_member_is_evicore_via_radiation_oncology(seed_build):
    a = _who(seed_build[1], service="proton beam", line_of_business="Blue Cross commercial", segment="fully_insured")
    assert a.vendors == ["eviCore healthcare"]
    ev = next(f for f in a.findings if f.vendor == "eviCore healthcare")
    assert ev.via == "radiation oncology" and ev.page == 14
    assert next(f for f in a.findings if f.vendor == AIM).verdict == "only-others"


def test_who_proton_beam_for_a_state_of_michigan_member_is_excepted_from_aim(seed_build):
    a = _who(
        seed_build[1],
        service="proton beam therapy",
        line_of_business="Blue Cross commercial",
        segment="self-funded",
        group="State of Michigan plans",
    )
    assert a.vendors == []
    [exc] = [f for f in a.findings if f.verdict == "excepted"]
    assert exc.vendor == AIM and "State of Michigan plans" in exc.quote and exc.page == 9


def test_who_pharmacy_drugs_for_mpsers_medicare_plus_blue_is_optumrx(seed_build):
    a = _who(seed_build[1], service="pharmacy benefit drugs", line_of_business="Medicare Plus Blue", group="MPSERS")
    assert a.vendors == ["OptumRx"]
    red = next(f for f in a.findings if f.verdict == "redirected")
    assert red.instead_of == "Blue Cross and BCN Pharmacy departments" and "OptumRx" in red.exception_quote


def test_who_cli_prints_the_answer_and_the_quote(seed_build):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "payerkg",
            "who",
            "--service",
            "proton beam therapy",
            "--line-of-business",
            "Blue Cross commercial",
            "--segment",
            "fully_insured",
            "--group",
            "MESSA",
            "--db",
            str(seed_build[1]),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(out.stdout)
    assert {r["verdict"] for r in rows} == {"handles", "excepted"}
    assert all(r["quote"] and r["page"] for r in rows)


# -- graph ---------------------------------------------------------------------------------------
def test_graph_answers_equal_sql_answers(seed_build):
    with Warehouse(seed_build[1], read_only=True) as wh:
        kg = wh.graph()
        sql_vendors = set(
            wh.query("""SELECT DISTINCT payer, vendor FROM coverage_rules
                                      WHERE service IN ('radiation oncology', 'proton beam therapy')""")[1]
        )
        assert kg.vendors_of_service("radiation oncology") == sql_vendors
        assert ("Blue Cross Blue Shield of Michigan", "eviCore healthcare") in sql_vendors
        sql_excepted = {
            r[0] for r in wh.query("SELECT DISTINCT unnest(exceptions) FROM coverage_rules WHERE vendor = ?", [AIM])[1]
        }
        assert kg.groups_excepted_from("AIM Specialty Health") == sql_excepted  # a rename resolves
        group = "UAW Retiree Medical Benefits Trust"
        sql_group = {
            r[0]
            for r in wh.query(
                """SELECT vendor FROM coverage_rules WHERE list_contains(inclusions, ?)
               UNION SELECT alternate_vendor FROM exceptions_by_group WHERE group_name = ? AND alternate_vendor IS NOT NULL""",
                [group, group],
            )[1]
        }
        assert kg.vendors_for_group(group) == sql_group
        assert {"Express Scripts"} <= sql_group


def test_graph_resolves_group_numbers_to_group_names(seed_build):
    with Warehouse(seed_build[1], read_only=True) as wh:
        kg = wh.graph()
    assert kg.node("group", "70605") == kg.node("group", "UAW Retiree Healthcare Trust")


# -- export and query ----------------------------------------------------------------------------
def test_export_jsonl_parquet_graphml(seed_build, tmp_path):
    db = str(seed_build[1])
    for fmt in ("jsonl", "parquet", "graphml"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "payerkg",
                "export",
                "--format",
                fmt,
                "--out",
                str(tmp_path / f"r.{fmt}"),
                "--db",
                db,
            ],
            check=True,
            capture_output=True,
        )
    with Warehouse(db, read_only=True) as wh:
        n = wh.query("SELECT count(*) FROM coverage_rules")[1][0][0]
    lines = (tmp_path / "r.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert n > 0 and len(records) == n and all(list(r) == CONTRACT_COLUMNS for r in records)
    assert len({r["rule_id"] for r in records}) == n
    con = duckdb.connect()
    assert con.execute(f"SELECT count(DISTINCT rule_id) FROM '{tmp_path / 'r.parquet'}'").fetchall()[0][0] == n
    g = nx.read_graphml(tmp_path / "r.graphml")
    assert sum(1 for _, d in g.nodes(data=True) if d.get("kind") == "rule") == n


def test_query_reports_sql_errors_and_a_missing_database(seed_build, tmp_path):
    bad = subprocess.run(
        [sys.executable, "-m", "payerkg", "query", "select nope from coverage_rules", "--db", str(seed_build[1])],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "nope" in bad.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "payerkg", "query", "select 1", "--db", str(tmp_path / "none.duckdb")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "payerkg build" in missing.stderr


def test_unexplained_mentions_are_stored_shown_and_counted(seed_build):
    """What a document names but yields no rule from reaches the analyst: a view and the build summary."""
    _, db, report = seed_build
    r = report.result
    assert r.unexplained > 0 and 0 < r.unexplained_docs <= 5
    with Warehouse(db, read_only=True) as wh:
        cols, rows = wh.query("SELECT * FROM unexplained_mentions")
        assert len(rows) == r.unexplained
        got = [dict(zip(cols, row)) for row in rows]
        text = dict(wh.query("SELECT doc_id, text FROM documents")[1])
    for m in got:
        assert m["why"] and text[m["doc_id"]][m["quote_start"] : m["quote_end"]].startswith(m["text"][:60])
    # the training deck names its vendor on every portal screen without a rule
    assert any("004_" in m["source"] and "eviCore" in m["why"] for m in got)
    # an exception quotes the text that names its group
    with Warehouse(db, read_only=True) as wh:
        quotes = wh.query("SELECT DISTINCT quote FROM exceptions_by_group WHERE group_name = 'State of Michigan'")[1]
    assert quotes and all("State of Michigan" in q[0] for q in quotes)


def test_build_summary_counts_unexplained_mentions(seed_build):
    from payerkg import render

    console = Console(record=True, width=200)
    render.build_summary(console, seed_build[2])
    assert re.search(r"unexplained mentions: \d+ in \d+ document", console.export_text())
