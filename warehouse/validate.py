"""Running the checks of ``warehouse.checks`` with great-expectations, and their stored results.

The suites run on the tables as the build's transaction sees them (before COMMIT; the pipeline
injects ``validate_build`` as the load's before-commit hook), through an ephemeral, file-less
great-expectations context whose SQL datasource runs on the build's own DuckDB connection: each
expectation is SQL that DuckDB runs in place (no pandas copy of a table). On an incremental build
the row-local checks that passed last time run on the rows of the documents this build loaded only.
great-expectations is imported when suites run (a build's validator process, ``payerkg.validator``,
imports it while the build parses); a build that changed nothing never imports it. Results go to the
``validation_results`` table, one row per expectation with up to ``SAMPLE`` failing values and
the ids of failing rows.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

import duckdb

from extract import Vocabulary

from .batches import Passed, batch_tables, drop_tables, load_batches
from .checks import (
    ASSETS,
    CONTRACT_TYPES,
    KINDS,
    NOT_NULL,
    ROW_LOCAL_KINDS,
    SAMPLE,
    VALUE_SETS,
    expectations,
)
from .connection import release_memory
from .gx import datasource

__all__ = [
    "CONTRACT_TYPES",
    "KINDS",
    "NOT_NULL",
    "VALUE_SETS",
    "CheckResult",
    "ValidationReport",
    "load_report",
    "run_suites",
    "validate_build",
    "validate_files",
]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    kind: str
    asset: str
    expectation: str
    column_name: Optional[str]
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_values: list[str]
    unexpected_ids: list[str]
    description: str


@dataclass(frozen=True)
class ValidationReport:
    build_id: int
    results: list[CheckResult]
    carried_from: Optional[int] = None  # results of an earlier build, nothing having changed since

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success]

    @property
    def success(self) -> bool:
        return not self.failed


def run_suites(
    con: duckdb.DuckDBPyConnection,
    build_id: int,
    vocab: Vocabulary,
    today: Optional[date] = None,
    passed: Passed = (),
) -> ValidationReport:
    """Run every check on the database ``con`` sees now, in place (SQL on ``con``, inside its
    transaction if one is open); return the results (not stored). ``passed``: the (asset, expectation,
    column, description) of row-local checks that passed on the previous build; each of those runs
    on the rows of the documents build ``build_id`` loaded only (``ROW_LOCAL_KINDS``).

    Each batch is computed once, into a temporary DuckDB table of the same connection (in the same
    transaction: it goes with it), which great-expectations' many small queries then scan. The tables
    are made before great-expectations is imported, and what DuckDB used to make them is handed back
    first (``release_memory``): making the table of the rules (a join of every rule with its
    document's text) is the heaviest query of validation, and the import the largest allocation."""
    tables = batch_tables(con, build_id, passed)
    try:
        release_memory(con)
        return validate_tables(con, build_id, vocab, today, passed, tables)
    finally:
        drop_tables(con, tables)


def validate_files(
    files: dict[str, str],
    build_id: int,
    vocab: Vocabulary,
    today: Optional[date] = None,
    passed: Passed = (),
) -> ValidationReport:
    """``run_suites`` on batches copied out of a build (``batches.write_batches``): loaded into an
    in-memory DuckDB of this process, where great-expectations' SQL runs (``payerkg.validator``)."""
    con = duckdb.connect()
    try:
        return validate_tables(con, build_id, vocab, today, passed, load_batches(con, files))
    finally:
        con.close()


def validate_tables(
    con: duckdb.DuckDBPyConnection,
    build_id: int,
    vocab: Vocabulary,
    today: Optional[date],
    passed: Passed,
    tables: dict[str, str],
) -> ValidationReport:
    """The suites on the batch tables ``tables`` (name → table of ``con``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source, engine = datasource(ctx, con)
    checks = expectations(vocab, today or date.today())
    results: list[CheckResult] = []
    try:
        for asset, (id_col, _, changed_only) in ASSETS.items():
            mine = [(k, e) for k, a, e in checks if a == asset]
            whole = [(k, e) for k, e in mine if not _incremental(asset, k, e, passed, changed_only)]
            part = [(k, e) for k, e in mine if (k, e) not in whole]
            for name, group in ((asset, whole), (f"{asset}_changed", part)):
                if group:
                    results += _run(ctx, source, name, asset, id_col, group, tables[name])
    finally:
        engine.dispose()
    order = {k: i for i, k in enumerate(KINDS)}
    results.sort(key=lambda c: (order.get(c.kind, 99), c.asset, c.column_name or ""))
    return ValidationReport(build_id, results)


def _incremental(asset: str, kind: str, e: Any, passed: Passed, changed_only: Optional[str]) -> bool:
    if changed_only is None or kind not in ROW_LOCAL_KINDS:
        return False
    col = getattr(e, "column", None) or getattr(e, "column_A", None)
    return (asset, e.expectation_type, col, e.description) in passed


def _run(
    ctx: Any,
    source: Any,
    name: str,
    asset: str,
    id_col: str,
    group: list[tuple[str, Any]],
    table: str,
) -> list:
    import great_expectations as gx

    suite = ctx.suites.add(gx.ExpectationSuite(name=f"payerkg.{name}", expectations=[e for _, e in group]))
    batch = source.add_query_asset(name, query=f"SELECT * FROM {table}").add_batch_definition_whole_table("build")
    run = batch.get_batch().validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [id_col]}
    )
    kinds = {e.description: k for k, e in group}
    out = []
    for r in run.results:
        cfg = r.expectation_config
        assert cfg is not None  # every result of a suite's run names its expectation
        res = r.result or {}
        col = cfg.kwargs.get("column") or cfg.kwargs.get("column_A")
        values = [str(v) for v in (res.get("partial_unexpected_list") or [])][:SAMPLE]
        ids = [str(i.get(id_col)) for i in (res.get("unexpected_index_list") or []) if isinstance(i, dict)][:SAMPLE]
        if r.exception_info and r.exception_info.get("raised_exception"):
            values = [str(r.exception_info.get("exception_message"))]
        out.append(
            CheckResult(
                kind=kinds.get(cfg.description, "other"),
                asset=asset,
                expectation=cfg.type,
                column_name=col,
                success=bool(r.success),
                element_count=int(res.get("element_count") or 0),
                unexpected_count=int(res.get("unexpected_count") or 0),
                unexpected_values=values,
                unexpected_ids=ids,
                description=cfg.description or cfg.type,
            )
        )
    return out


def store(con: duckdb.DuckDBPyConnection, report: ValidationReport) -> None:
    rows = [
        (
            report.build_id,
            r.kind,
            r.asset,
            r.expectation,
            r.column_name,
            r.success,
            r.element_count,
            r.unexpected_count,
            r.unexpected_values,
            r.unexpected_ids,
            r.description,
            report.carried_from,
        )
        for r in report.results
    ]
    if rows:
        con.executemany("INSERT INTO validation_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def previous(con: duckdb.DuckDBPyConnection, build_id: int) -> Optional[ValidationReport]:
    """The latest validation before ``build_id``, as a report carried to ``build_id``."""
    last = con.execute("SELECT max(build_id) FROM validation_results WHERE build_id < ?", [build_id]).fetchall()[0][0]
    report = load_report(con, last) if last is not None else None
    if report is None:
        return None
    return ValidationReport(build_id, report.results, carried_from=report.carried_from or last)


def validate_build(
    con: duckdb.DuckDBPyConnection,
    build_id: int,
    vocab: Vocabulary,
    changed: bool,
    runner: Callable[..., ValidationReport] = run_suites,
) -> ValidationReport:
    """Check the build and store the results. A build that changed nothing carries the previous
    build's results (the tables they describe are the same) instead of running the suites again."""
    last = previous(con, build_id)
    report = None if changed else last
    if report is None:
        # rows left from earlier builds passed last time, unless they were read with another vocabulary
        # or extractor than the rows of this build: then every check runs on every row
        one_reading = con.execute(
            "SELECT count(DISTINCT extract_sig) <= 1 FROM documents WHERE status = 'active'"
        ).fetchall()[0][0]
        passed = (
            {(r.asset, r.expectation, r.column_name, r.description) for r in last.results if r.success}
            if last is not None and one_reading
            else set()
        )
        report = runner(con, build_id, vocab, passed=passed)
    store(con, report)
    return report


def load_report(con: duckdb.DuckDBPyConnection, build_id: Optional[int] = None) -> Optional[ValidationReport]:
    """The stored results of ``build_id`` (default: the latest validated build)."""
    if build_id is None:
        build_id = con.execute("SELECT max(build_id) FROM validation_results").fetchall()[0][0]
        if build_id is None:
            return None
    rows = con.execute(
        """SELECT check_kind, asset, expectation, column_name, success, element_count, unexpected_count,
                                 unexpected_values, unexpected_ids, description, carried_from
                          FROM validation_results WHERE build_id = ? ORDER BY rowid""",
        [build_id],
    ).fetchall()
    if not rows:
        return None
    return ValidationReport(build_id, [CheckResult(*r[:10]) for r in rows], carried_from=rows[0][-1])
