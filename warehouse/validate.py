"""Running the checks of ``warehouse.checks`` with great-expectations, and their stored results.

The suites run on the tables as the build's transaction sees them (before COMMIT; the pipeline
injects ``validate_build`` as the load's before-commit hook), through an ephemeral, file-less
great-expectations context with pandas batches read from DuckDB. Results go to the
``validation_results`` table, one row per expectation with up to ``SAMPLE`` failing values and
the ids of failing rows.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Optional

import duckdb

from extract import Vocabulary

from .checks import ASSETS, CONTRACT_TYPES, KINDS, NOT_NULL, SAMPLE, VALUE_SETS, expectations

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


def _frames(con: duckdb.DuckDBPyConnection) -> dict:
    frames = {}
    for name, (_, sql) in ASSETS.items():
        params = [list(CONTRACT_TYPES), list(CONTRACT_TYPES.values())] if "?" in sql else []
        frames[name] = con.execute(sql, params).df()
    return frames


def run_suites(
    con: duckdb.DuckDBPyConnection, build_id: int, vocab: Vocabulary, today: Optional[date] = None
) -> ValidationReport:
    """Run every check on the database ``con`` sees now; return the results (not stored)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.ERROR)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("payerkg")
    frames = _frames(con)
    checks = expectations(vocab, today or date.today())
    results: list[CheckResult] = []
    for asset, (id_col, _) in ASSETS.items():
        mine = [(k, e) for k, a, e in checks if a == asset]
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"payerkg.{asset}", expectations=[e for _, e in mine]))
        batch = (
            source.add_dataframe_asset(asset)
            .add_batch_definition_whole_dataframe("build")
            .get_batch(batch_parameters={"dataframe": frames[asset]})
        )
        run = batch.validate(
            suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [id_col]}
        )
        kinds = {e.description: k for k, e in mine}
        for r in run.results:
            cfg = r.expectation_config
            assert cfg is not None  # every result of a suite's run names its expectation
            res = r.result or {}
            col = cfg.kwargs.get("column") or cfg.kwargs.get("column_A")
            values = [str(v) for v in (res.get("partial_unexpected_list") or [])][:SAMPLE]
            ids = [str(i.get(id_col)) for i in (res.get("unexpected_index_list") or []) if isinstance(i, dict)][:SAMPLE]
            if r.exception_info and r.exception_info.get("raised_exception"):
                values = [str(r.exception_info.get("exception_message"))]
            results.append(
                CheckResult(
                    kind=kinds.get(cfg.description, "other"),
                    asset=asset,
                    expectation=cfg.type,
                    column_name=col,
                    success=bool(r.success),
                    element_count=int(res.get("element_count") or len(frames[asset])),
                    unexpected_count=int(res.get("unexpected_count") or 0),
                    unexpected_values=values,
                    unexpected_ids=ids,
                    description=cfg.description or cfg.type,
                )
            )
    order = {k: i for i, k in enumerate(KINDS)}
    results.sort(key=lambda c: (order.get(c.kind, 99), c.asset, c.column_name or ""))
    return ValidationReport(build_id, results)


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
    report = None if changed else previous(con, build_id)
    if report is None:
        report = runner(con, build_id, vocab)
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
