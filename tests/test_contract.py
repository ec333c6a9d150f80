"""One contract: ``extract/contract.py`` defines the ``coverage_rules`` columns, ``extract/model.py``
the row mapping; the schema, the view, the validation suites and the docs must agree with it, and the
SQL and Python definitions of a name's key and a rule's breadth must agree with each other."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from extract import ExceptionRef, ProgramType, Requirement, Scope, Segment, Statement
from extract.model import CONTRACT, CONTRACT_COLUMNS, EXCEPTION_COLUMNS, MENTION_COLUMNS, STATEMENT_COLUMNS
from extract.vocabulary import comparison_key
from warehouse import Warehouse
from warehouse.connection import create_views
from warehouse.diff import breadth
from warehouse.rows import read_statements, write_statements
from warehouse.validate import CONTRACT_TYPES, NOT_NULL, VALUE_SETS


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    with Warehouse(tmp_path_factory.mktemp("contract") / "c.duckdb") as w:
        yield w


def _columns(con, table: str) -> list[tuple[str, str, bool]]:
    return [(n, t, nullable == "YES") for n, t, nullable, *_ in con.execute(f"DESCRIBE {table}").fetchall()]


# -- the schema, the view and the suites are the contract's ------------------------------------------
def test_the_view_is_exactly_the_contract(wh):
    assert [(n, t) for n, t, _ in _columns(wh.con, "coverage_rules")] == [(c.name, c.type) for c in CONTRACT]


def test_the_tables_store_the_contracts_columns_with_its_types_and_nullability(wh):
    for table, contract in (("statements", STATEMENT_COLUMNS), ("exceptions", EXCEPTION_COLUMNS),
                            ("mentions", MENTION_COLUMNS)):  # fmt: skip
        stored = {n: (t, nullable) for n, t, nullable in _columns(wh.con, table)}
        assert {c.name: (c.type, c.nullable) for c in contract} == {c.name: stored[c.name] for c in contract}, table
    assert set(_columns_names(wh.con, "statements")) == {c.name for c in STATEMENT_COLUMNS} | {"stable_id"}


def _columns_names(con, table: str) -> list[str]:
    return [c[0] for c in _columns(con, table)]


def test_the_suites_check_the_contract():
    assert {c.name: c.type for c in CONTRACT} == CONTRACT_TYPES
    assert set(NOT_NULL) == {c.name for c in CONTRACT if not c.nullable}
    assert {
        "program_type": tuple(e.value for e in ProgramType),
        "segment": tuple(e.value for e in Segment),
        "scope": tuple(e.value for e in Scope),
        "requirement": tuple(e.value for e in Requirement),
    } == VALUE_SETS


def test_every_statement_field_has_a_home():
    stored = {c.name for c in STATEMENT_COLUMNS}
    fields = {f.name for f in dataclasses.fields(Statement)}
    assert fields - stored == {"exception_refs"}  # stored in the exceptions table
    assert stored - fields == set()
    assert [c.name for c in CONTRACT] == CONTRACT_COLUMNS


def test_the_architecture_page_lists_the_contract():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = page.split("<!-- contract -->", 1)[1].split("<!-- /contract -->", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \| (yes|no) \| ([^|]*) \|", table, re.M)
    assert [r[:3] for r in rows] == [(c.name, c.type, "yes" if c.nullable else "no") for c in CONTRACT]
    for (name, _, _, meaning), c in zip(rows, CONTRACT):
        assert all(f"`{v}`" in meaning for v in c.values or ()), name


# -- Statement → row → Statement ---------------------------------------------------------------------
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)


@st.composite
def statements(draw, doc_id: str = "d" * 64) -> Statement:
    refs = draw(st.lists(st.builds(ExceptionRef, names, st.none() | names, st.none() | names, texts), max_size=3))
    start = draw(st.integers(-1, 10_000))
    s = Statement(
        doc_id=doc_id,
        payer=draw(names),
        vendor=draw(names),
        program_type=draw(st.sampled_from(ProgramType)),
        service=draw(names),
        line_of_business=draw(names),
        segment=draw(st.sampled_from(Segment)),
        scope=draw(st.sampled_from(Scope)),
        requirement=draw(st.sampled_from(Requirement)),
        page=draw(st.integers(1, 500)),
        quote=draw(texts),
        block_index=draw(st.integers(0, 5000)),
        exceptions=tuple(sorted({r.name for r in refs})),
        inclusions=tuple(draw(st.lists(names, max_size=3))),
        conditions=draw(st.none() | texts),
        effective_from=draw(st.none() | st.dates(date(1990, 1, 1))),
        vendor_as_stated=draw(texts),
        vendor_new=draw(st.booleans()),
        exception_refs=tuple(refs),
        section=draw(texts),
        pattern=draw(texts),
        payer_new=draw(st.booleans()),
        quote_start=start,
        quote_end=-1 if start < 0 else start + draw(st.integers(0, 300)),
        bbox=draw(st.none() | st.tuples(floats, floats, floats, floats)),
        explain=tuple(draw(st.lists(st.tuples(names, texts), max_size=3))),
    )
    return s.with_id()


def _same(a: Statement, b: Statement) -> None:
    """Equal in every field, including those dataclass equality leaves out (ids, offsets, box, explain)."""
    assert [(f.name, getattr(a, f.name)) for f in dataclasses.fields(Statement)] == [
        (f.name, getattr(b, f.name)) for f in dataclasses.fields(Statement)
    ]


@given(statements())
def test_a_statement_survives_its_row(s):
    row = s.to_row()
    assert list(row) == [c.name for c in STATEMENT_COLUMNS]
    _same(Statement.from_row(row, s.exception_rows()), s)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(statements(), max_size=4, unique_by=lambda s: s.rule_id))
def test_statements_survive_the_database(wh, batch):
    con = wh.con
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO documents (doc_id, doc_key, version, status, source, media_type, first_build, "
            "last_build, extract_sig) VALUES (?, 'k', 1, 'active', 's', 'text', 1, 1, 'x')",
            ["d" * 64],
        )
        write_statements(con, batch, {s.rule_id: "r" + s.rule_id for s in batch})
        back = read_statements(con, active_only=False, doc_ids=["d" * 64])
    finally:
        con.execute("ROLLBACK")
    assert len(back) == len(batch)
    for a, b in zip(back, sorted(batch, key=lambda s: s.rule_id)):
        _same(a, b)


# -- one name normaliser, one breadth -------------------------------------------------------------------
@pytest.fixture(scope="module")
def macros():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE statements (x INTEGER); CREATE TABLE documents (x INTEGER); CREATE TABLE exceptions (x INTEGER)"
    )
    con.execute(
        (ROOT / "warehouse" / "views" / "30_conflicts.sql")
        .read_text(encoding="utf-8")
        .split("-- One row per active statement", 1)[0]
    )
    yield con
    con.close()


#: what payer documents write: Latin letters and digits, punctuation, trademark marks, "SM" after words
TOKENS = [*"abcxyzABCSMT019 .,;:'’&()-–—/#*", "SM", "®", "™", "℠", "©", "¹", "²", "³", "é", "É", "ß", "ø", "\t", "\n"]
name_text = st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(name_text, st.text(st.characters(codec="latin-1"), max_size=30)))
def test_sql_and_python_normalise_names_alike(macros, text):
    assert macros.execute("SELECT pk_norm(?)", [text]).fetchall()[0][0] == comparison_key(text)


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize("exceptions", [(), ("Contoso Steel Retirees",)])
def test_sql_and_python_agree_on_breadth(macros, scope, exceptions):
    s = Statement(
        "d",
        "p",
        "v",
        ProgramType.UTILIZATION_MANAGEMENT,
        "s",
        "l",
        Segment.ALL,
        scope,
        Requirement.PRIOR_AUTHORIZATION,
        1,
        "q",
        0,
        exceptions=exceptions,
    )
    assert macros.execute("SELECT pk_breadth(?, ?::VARCHAR[])", [scope.value, list(exceptions)]).fetchall()[0][
        0
    ] == breadth(s)


def test_views_create_on_a_fresh_connection(wh):
    create_views(wh.con)  # idempotent: every read-write open runs them again
