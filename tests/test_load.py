"""The warehouse's load on hand-made batches (no extraction): one transaction, plan then write,
idempotent, incremental, versions, retirement, and a fixed number of queries whatever the size."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path

import pytest

from extract import Scope, Segment
from factories import PAYER, SOUTHBAY, SPRING, Line, Memo, vocab
from warehouse import STEPS, LoadBatch, LoadError, LoadHooks, Warehouse
from warehouse.plan import plan_documents
from warehouse.snapshot import DocumentIndex, StoredDocument


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    """A new, empty database (migrations and views applied), made once and copied by each test."""
    db = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Warehouse(db).close()
    return db


@pytest.fixture
def db_path(empty_db, tmp_path) -> Path:
    return Path(shutil.copy(empty_db, tmp_path / "test.duckdb"))


def load(db: Path, batch: LoadBatch, **hooks):
    with Warehouse(db) as wh:
        return wh.load(batch, LoadHooks(**hooks))


def loaded_ids(db: Path) -> set[str]:
    with Warehouse(db, read_only=True) as wh:
        return set(wh.loaded())


def snapshot(db: Path, bookkeeping: bool = False) -> dict:
    """Every table's rows, minus build bookkeeping (build ids and timestamps) unless asked for."""
    with Warehouse(db, read_only=True) as wh:
        out = {
            t: wh.query(f"SELECT * {exclude} FROM {t} ORDER BY ALL")[1]
            for t, exclude in (
                ("statements", ""),
                ("exceptions", ""),
                ("blocks", ""),
                ("entities", ""),
                ("documents", "EXCLUDE (first_build, last_build)"),
                ("coverage_rules", ""),
                ("rule_changes", "EXCLUDE (build_id)"),
                ("document_versions", "EXCLUDE (build_id)"),
            )
        }
        if bookkeeping:
            out["builds"] = wh.query("SELECT * FROM builds ORDER BY ALL")[1]
            out["failures"] = wh.query("SELECT * FROM failures ORDER BY ALL")[1]
            out["validation_results"] = wh.query("SELECT * FROM validation_results ORDER BY ALL")[1]
        return out


def revised(memo: Memo, **changes) -> Memo:
    """The next version of a memo: same title (so the same key), other lines."""
    return dataclasses.replace(memo, **changes)


SPRING_V2 = revised(
    SPRING,
    lines=[
        SPRING.lines[0],
        dataclasses.replace(SPRING.lines[1], text="Commercial PPO — All self-funded groups", scope=Scope.ALL),
        SPRING.lines[2],
    ],
)


# -- one transaction -------------------------------------------------------------------------------
class Boom(Exception):
    pass


@pytest.fixture(scope="module")
def spring_db(tmp_path_factory) -> Path:
    """SPRING loaded once; tests copy the file before they change anything."""
    from factories import Corpus

    folder = tmp_path_factory.mktemp("spring")
    c = Corpus(folder)
    c.put(SPRING)
    db = folder / "spring.duckdb"
    load(db, c.batch())
    return db


def test_a_failure_at_any_step_leaves_the_database_unchanged(spring_db, corpus, tmp_path):
    corpus.put(SPRING)
    corpus.put(SPRING_V2)
    corpus.put(SOUTHBAY)
    reference = tmp_path / "reference.duckdb"
    shutil.copy(spring_db, reference)
    before = snapshot(reference, bookkeeping=True)
    for step in STEPS:
        db = tmp_path / f"{step}.duckdb"
        shutil.copy(spring_db, db)

        def fail(at: str, step: str = step) -> None:
            if at == step:
                raise Boom(at)

        with pytest.raises(Boom):
            load(db, corpus.batch(loaded_ids(db)), on_step=fail)
        assert snapshot(db, bookkeeping=True) == before, step
    result = load(db, corpus.batch(loaded_ids(db)))  # and the next load goes through
    assert (result.parsed, result.superseded, result.build_id) == (2, 1, 2)


def test_a_database_error_is_a_load_error_and_rolls_back(corpus, db_path):
    corpus.put(SPRING)
    load(db_path, corpus.batch())
    before = snapshot(db_path, bookkeeping=True)
    corpus.put(SOUTHBAY)

    def break_it(con, result):
        con.execute("SELECT * FROM no_such_table")

    with pytest.raises(LoadError, match="database unchanged"):
        load(db_path, corpus.batch(loaded_ids(db_path)), before_commit=break_it)
    assert snapshot(db_path, bookkeeping=True) == before


def test_before_commit_sees_the_build_inside_its_transaction(corpus, db_path):
    corpus.put(SPRING)
    seen = []
    result = load(
        db_path,
        corpus.batch(),
        before_commit=lambda con, r: seen.append(
            (r.build_id, con.execute("SELECT count(*) FROM coverage_rules").fetchall()[0][0])
        ),
    )
    assert seen == [(1, 4)] and result.rules == 4


# -- idempotent and incremental ----------------------------------------------------------------------
def test_loading_the_same_folder_again_changes_nothing(corpus, db_path):
    corpus.put(SPRING)
    corpus.put(SOUTHBAY)
    first = load(db_path, corpus.batch())
    assert (first.parsed, first.rules, first.changes) == (2, 5, 5)
    before = snapshot(db_path)
    again = load(db_path, corpus.batch(loaded_ids(db_path)))
    assert (again.parsed, again.unchanged, again.changes, again.changed) == (0, 2, 0, False)
    assert snapshot(db_path) == before


def test_two_fresh_loads_give_identical_tables(corpus, db_path, empty_db, tmp_path):
    corpus.put(SPRING)
    corpus.put(SOUTHBAY)
    other = Path(shutil.copy(empty_db, tmp_path / "other.duckdb"))
    load(db_path, corpus.batch())
    load(other, corpus.batch())
    assert snapshot(db_path) == snapshot(other)


def test_a_newer_version_supersedes_the_older_and_keeps_stable_ids(corpus, db_path):
    corpus.put(SPRING)
    load(db_path, corpus.batch())
    corpus.put(SPRING_V2)
    result = load(db_path, corpus.batch(loaded_ids(db_path)))
    assert (result.parsed, result.superseded, result.rules) == (1, 1, 3)
    with Warehouse(db_path, read_only=True) as wh:
        assert wh.query("SELECT version, status FROM documents ORDER BY version")[1] == [
            (1, "superseded"),
            (2, "active"),
        ]
        changes = wh.query("SELECT change, field, before, after FROM rule_changes WHERE build_id = 2 ORDER BY ALL")[1]
        ids = wh.query("""SELECT d.version, s.quote, s.stable_id FROM statements s JOIN documents d USING (doc_id)
                          ORDER BY ALL""")[1]
    assert [c[:2] for c in changes] == [("changed", "scope"), ("removed", None)]
    by_version = {v: {q: sid for vv, q, sid in ids if vv == v} for v in (1, 2)}
    same = SPRING.lines[0].text
    assert by_version[1][same] == by_version[2][same]  # an unchanged claim keeps its id across versions
    # the changed claim keeps its id too: it is the same vendor, service, line and segment
    assert by_version[1][SPRING.lines[1].text] == by_version[2][SPRING_V2.lines[1].text]


def test_a_document_gone_from_the_inputs_is_retired_and_comes_back(corpus, db_path):
    corpus.put(SPRING)
    corpus.put(SOUTHBAY)
    load(db_path, corpus.batch())
    corpus.drop(SOUTHBAY.source)
    gone = load(db_path, corpus.batch(loaded_ids(db_path)))
    assert (gone.retired, gone.rules, gone.changes) == (1, 4, 1)
    corpus.put(SOUTHBAY)
    back = load(db_path, corpus.batch(loaded_ids(db_path)))
    assert (back.parsed, back.unchanged, back.retired, back.rules, back.changes) == (0, 2, 0, 5, 1)
    with Warehouse(db_path, read_only=True) as wh:
        assert wh.query("SELECT change FROM rule_changes WHERE payer = 'Southbay Health' ORDER BY build_id")[1] == [
            ("added",),
            ("removed",),
            ("added",),
        ]


def test_re_extraction_replaces_a_documents_rows_and_compares_with_itself(corpus, db_path):
    corpus.put(SPRING)
    load(
        db_path,
        corpus.batch(),
    )
    fewer = revised(SPRING, lines=SPRING.lines[:2])
    batch = corpus.batch(signature="new vocabulary")
    redo = dataclasses.replace(
        batch, parsed=[dataclasses.replace(batch.parsed[0], statements=batch.parsed[0].statements[:2])]
    )
    assert fewer.lines == SPRING.lines[:2]
    result = load(db_path, redo)
    assert (result.parsed, result.superseded, result.rules, result.changes) == (1, 0, 2, 2)
    with Warehouse(db_path, read_only=True) as wh:
        assert wh.query("SELECT version, status, extract_sig FROM documents")[1] == [(1, "active", "new vocabulary")]
        assert wh.query("SELECT count(*) FROM document_versions")[1][0][0] == 1


# -- plan then write ---------------------------------------------------------------------------------
def test_the_document_plan_is_a_function_of_the_batch_and_the_index(corpus, tmp_path):
    corpus.put(SPRING_V2)
    corpus.put(SOUTHBAY)
    batch = corpus.batch()
    spring_v2, southbay = (p.document for p in batch.parsed)
    key = "northwind health plan|northwind provider bulletin"
    index = DocumentIndex(
        documents={
            "old": StoredDocument("old", key, 1, "active", str(corpus.folder / "bulletin.md")),
            "elsewhere": StoredDocument("elsewhere", "x|y", 1, "active", str(tmp_path / "other" / "x.md")),
            "gone": StoredDocument("gone", "x|z", 1, "active", str(corpus.folder / "gone.md")),
        },
        latest_version={key: 1, "x|y": 1, "x|z": 1},
        next_build_id=7,
    )
    plan = plan_documents(batch, index)
    assert [(d.doc_id, d.doc_key, d.version, d.status, d.previous) for d in plan.documents] == [
        (spring_v2.doc_id, key, 2, "active", "old"),
        (southbay.doc_id, "southbay health|southbay provider news", 1, "active", None),
    ]
    assert (plan.superseded, plan.retired, plan.compared) == (["old"], ["gone"], {"old", "gone"})
    assert plan_documents(batch, index) == plan


def test_two_documents_sharing_payer_and_title_are_two_documents(corpus, db_path):
    corpus.put(SPRING)
    corpus.put(revised(SPRING_V2, source="copy.md"))
    load(db_path, corpus.batch())
    with Warehouse(db_path, read_only=True) as wh:
        keys = sorted(r[0] for r in wh.query("SELECT doc_key FROM documents")[1])
    assert keys == [
        "northwind health plan|northwind provider bulletin#bulletin",
        "northwind health plan|northwind provider bulletin#copy",
    ]


class Counting:
    """A connection that counts the statements it runs (``execute`` and ``sql``)."""

    def __init__(self, con):
        self.con, self.n = con, 0

    def execute(self, *a, **k):
        self.n += 1
        return self.con.execute(*a, **k)

    def sql(self, *a, **k):
        self.n += 1
        return self.con.sql(*a, **k)

    def __getattr__(self, name):
        return getattr(self.con, name)


def _queries(db: Path, batch: LoadBatch) -> int:
    from warehouse.load import load as run

    with Warehouse(db) as wh:
        con = Counting(wh.con)
        run(con, str(db), batch)  # type: ignore[arg-type]
        return con.n


def _memos(n: int, version: int) -> list[Memo]:
    lines = SPRING.lines if version == 1 else SPRING_V2.lines
    return [Memo(f"Bulletin {i}", lines, source=f"b{i}.md", extra=f"v{version}\n") for i in range(n)]


def test_a_load_runs_as_many_queries_for_one_document_as_for_many(empty_db, tmp_path):
    from factories import Corpus

    runs = {}
    for n in (1, 6):
        folder = tmp_path / f"n{n}"
        folder.mkdir()
        c = Corpus(folder)
        db = Path(shutil.copy(empty_db, tmp_path / f"n{n}.duckdb"))
        for m in _memos(n, 1):
            c.put(m)
        first = _queries(db, c.batch())
        for m in _memos(n, 2):  # every document gets a new version: versions, diffs, supersede
            c.put(m)
        second = _queries(db, c.batch(loaded_ids(db)))
        runs[n] = (first, second)
    assert runs[1] == runs[6]


# -- views over the load -------------------------------------------------------------------------------
def test_effective_to_is_the_next_dated_rule_for_the_same_members(corpus, db_path):
    text = "Commercial PPO — All fully insured groups"
    corpus.put(
        Memo(
            "Genetic testing moves",
            [
                Line(text, effective_from=date(2024, 1, 1)),
                Line(f"{text} (from 2025)", vendor="Quillon Health Partners", effective_from=date(2025, 1, 1)),
                Line(f"{text} (undated)", vendor="Quillon Health Partners", segment=Segment.SELF_FUNDED),
            ],
            source="moves.md",
        )
    )
    corpus.put(
        Memo("Other payer", [Line(text, effective_from=date(2024, 6, 1))], payer="Southbay Health", source="other.md")
    )
    load(db_path, corpus.batch())
    with Warehouse(db_path, read_only=True) as wh:
        rows = wh.query("SELECT payer, vendor, segment, effective_from, effective_to FROM coverage_rules ORDER BY ALL")[
            1
        ]
    assert rows == [
        (PAYER, "Quillon Health Partners", "fully_insured", date(2025, 1, 1), None),
        (PAYER, "Quillon Health Partners", "self_funded", None, None),
        (PAYER, "Zephyr Care Partners", "fully_insured", date(2024, 1, 1), date(2025, 1, 1)),
        ("Southbay Health", "Zephyr Care Partners", "fully_insured", date(2024, 6, 1), None),
    ]


def test_entities_hold_the_vocabulary_and_new_vendors(corpus, db_path):
    corpus.put(Memo("Unknown vendor", [Line("Commercial PPO — All groups", vendor="Initech Review")], source="u.md"))
    batch = corpus.batch()
    stmts = [
        dataclasses.replace(s, vendor_new=True, vendor_as_stated="Initech Review Inc.")
        for s in batch.parsed[0].statements
    ]
    load(db_path, dataclasses.replace(batch, parsed=[dataclasses.replace(batch.parsed[0], statements=stmts)]))
    with Warehouse(db_path, read_only=True) as wh:
        extracted = wh.query("SELECT name, alias FROM entities WHERE source = 'extracted'")[1]
        vendors = {r[0] for r in wh.query("SELECT DISTINCT name FROM entities WHERE kind = 'vendor'")[1]}
    assert extracted == [("Initech Review", "Initech Review Inc.")]
    assert {v.name for v in vocab().vendors} | {"Initech Review"} == vendors
