"""great-expectations suites that check the warehouse at the end of every build.

The suites run on the tables as the build's transaction sees them (before COMMIT), through an
ephemeral, file-less great-expectations context with pandas batches read from DuckDB. Each
expectation belongs to one *kind* of check:

=================  ==========================================================================
kind               what it asserts
=================  ==========================================================================
schema             ``coverage_rules`` has exactly the contract's columns and types
not_null           required contract columns are never NULL
value_set          segment, scope, requirement and program_type take only their allowed values
unique             rule_id is unique among active rules
quote              every quote occurs verbatim in its document's text
vendor             every vendor is in the vocabulary or flagged new (``vendor_new``)
exception_scope    exceptions only on rules whose scope can have them (all, most, only)
effective_date     effective dates are plausible (``MIN_DATE`` to ``FUTURE_YEARS`` ahead)
row_count          a document's rule count is at least ``MIN_RATIO`` of its previous build's
=================  ==========================================================================

Results go to the ``validation_results`` table (one row per expectation, with up to ``SAMPLE``
failing values and the ids of failing rows) and to an HTML report.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Optional

import duckdb

from extract import CONTRACT_COLUMNS, ProgramType, Requirement, Scope, Segment, Vocabulary

_log = logging.getLogger(__name__)

#: DuckDB types of the public contract's columns (DESIGN.md)
CONTRACT_TYPES = {
    "rule_id": "VARCHAR", "doc_id": "VARCHAR", "payer": "VARCHAR", "vendor": "VARCHAR", "program_type": "VARCHAR",
    "service": "VARCHAR", "line_of_business": "VARCHAR", "segment": "VARCHAR", "scope": "VARCHAR",
    "requirement": "VARCHAR", "exceptions": "VARCHAR[]", "inclusions": "VARCHAR[]", "conditions": "VARCHAR",
    "effective_from": "DATE", "page": "INTEGER", "quote": "VARCHAR",
}
NOT_NULL = ("rule_id", "doc_id", "payer", "vendor", "program_type", "service", "line_of_business", "segment", "scope",
            "requirement", "exceptions", "inclusions", "page", "quote")
EXCEPTION_SCOPES = (Scope.ALL.value, Scope.MOST.value, Scope.ONLY.value)
MIN_DATE = date(1990, 1, 1)
FUTURE_YEARS = 3
MIN_RATIO = 0.5
SAMPLE = 20
KINDS = ("schema", "not_null", "value_set", "unique", "quote", "vendor", "exception_scope", "effective_date",
         "row_count")

#: the batches the suites read, each with the column that identifies a failing row
ASSETS: dict[str, tuple[str, str]] = {
    "contract_schema": ("column_name", f"""
        WITH actual AS (SELECT column_name, column_type FROM (DESCRIBE coverage_rules)),
             expected AS (SELECT unnest(?::VARCHAR[]) AS column_name, unnest(?::VARCHAR[]) AS expected_type)
        SELECT coalesce(a.column_name, e.column_name) AS column_name,
               coalesce(a.column_type, '(missing)') AS column_type,
               coalesce(e.expected_type, '(not in the contract)') AS expected_type
        FROM actual a FULL OUTER JOIN expected e USING (column_name)
        ORDER BY 1"""),
    "rules": ("rule_id", """
        SELECT c.*, s.vendor_new,
               len(c.exceptions) AS exception_count,
               CASE WHEN d.text IS NOT NULL AND strpos(d.text, c.quote) > 0 THEN NULL ELSE c.quote END AS quote_not_in_document
        FROM coverage_rules c
        JOIN statements s ON s.rule_id = c.rule_id
        JOIN documents d ON d.doc_id = c.doc_id
        ORDER BY c.rule_id"""),
    "documents": ("doc_key", """
        WITH counts AS (
            SELECT doc_key, build_id, rules,
                   row_number() OVER (PARTITION BY doc_key ORDER BY build_id DESC) AS n
            FROM doc_rule_counts)
        SELECT d.doc_key, d.source, cur.rules, prev.rules AS previous_rules,
               CASE WHEN prev.rules > 0 THEN cur.rules / prev.rules END AS rule_ratio
        FROM documents d
        JOIN counts cur ON cur.doc_key = d.doc_key AND cur.n = 1
        LEFT JOIN counts prev ON prev.doc_key = d.doc_key AND prev.n = 2
        WHERE d.status = 'active'
        ORDER BY d.doc_key"""),
}


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


def _expectations(vocab: Vocabulary, today: date) -> list[tuple[str, str, object]]:
    """(kind, asset, expectation) for every check; great_expectations is imported here only."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    known = sorted({v.name for v in vocab.vendors} | {d.name for d in vocab.departments}
                   | {p.name for p in vocab.payers})
    latest = datetime(today.year + FUTURE_YEARS, today.month, min(today.day, 28))
    out: list[tuple[str, str, object]] = [
        ("schema", "contract_schema", gxe.ExpectColumnPairValuesToBeEqual(
            column_A="column_type", column_B="expected_type",
            description="coverage_rules has exactly the contract's columns, with the contract's types")),
    ]
    for col in NOT_NULL:
        out.append(("not_null", "rules", gxe.ExpectColumnValuesToNotBeNull(
            column=col, description=f"{col} is never NULL")))
    for col, enum in (("segment", Segment), ("scope", Scope), ("requirement", Requirement),
                      ("program_type", ProgramType)):
        out.append(("value_set", "rules", gxe.ExpectColumnValuesToBeInSet(
            column=col, value_set=[e.value for e in enum], description=f"{col} is one of the contract's values")))
    out += [
        ("unique", "rules", gxe.ExpectColumnValuesToBeUnique(column="rule_id", description="rule_id is unique")),
        ("quote", "rules", gxe.ExpectColumnValuesToBeNull(
            column="quote_not_in_document", description="every quote occurs verbatim in its document's text")),
        ("vendor", "rules", gxe.ExpectColumnValuesToBeInSet(
            column="vendor", value_set=known, row_condition=Column("vendor_new") == False,  # noqa: E712 — builds a condition
            description="a vendor not flagged new is in the vocabulary")),
        ("exception_scope", "rules", gxe.ExpectColumnValuesToBeInSet(
            column="scope", value_set=list(EXCEPTION_SCOPES), row_condition=Column("exception_count") > 0,
            description="exceptions only where the scope allows them (all, most, only)")),
        ("effective_date", "rules", gxe.ExpectColumnValuesToBeBetween(
            column="effective_from", min_value=datetime.combine(MIN_DATE, datetime.min.time()), max_value=latest,
            description=f"effective dates between {MIN_DATE} and {FUTURE_YEARS} years from now")),
        ("row_count", "documents", gxe.ExpectColumnValuesToBeBetween(
            column="rule_ratio", min_value=MIN_RATIO,
            description=f"a document keeps at least {MIN_RATIO:.0%} of the rules of its previous build")),
    ]
    return out


def _frames(con: duckdb.DuckDBPyConnection) -> dict:
    frames = {}
    for name, (_, sql) in ASSETS.items():
        params = [list(CONTRACT_TYPES), list(CONTRACT_TYPES.values())] if "?" in sql else []
        frames[name] = con.execute(sql, params).df()
    return frames


def run_suites(con: duckdb.DuckDBPyConnection, build_id: int, vocab: Vocabulary,
               today: Optional[date] = None) -> ValidationReport:
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
    checks = _expectations(vocab, today or date.today())
    results: list[CheckResult] = []
    for asset, (id_col, _) in ASSETS.items():
        mine = [(k, e) for k, a, e in checks if a == asset]
        suite = ctx.suites.add(gx.ExpectationSuite(name=f"payerkg.{asset}", expectations=[e for _, e in mine]))
        batch = source.add_dataframe_asset(asset).add_batch_definition_whole_dataframe("build") \
            .get_batch(batch_parameters={"dataframe": frames[asset]})
        run = batch.validate(suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [id_col]})
        kinds = {e.description: k for k, e in mine}
        for r in run.results:
            cfg = r.expectation_config
            res = r.result or {}
            col = cfg.kwargs.get("column") or cfg.kwargs.get("column_A")
            values = [str(v) for v in (res.get("partial_unexpected_list") or [])][:SAMPLE]
            ids = [str(i.get(id_col)) for i in (res.get("unexpected_index_list") or []) if isinstance(i, dict)][:SAMPLE]
            if r.exception_info and r.exception_info.get("raised_exception"):
                values = [str(r.exception_info.get("exception_message"))]
            results.append(CheckResult(
                kind=kinds.get(cfg.description, "other"), asset=asset, expectation=cfg.type, column_name=col,
                success=bool(r.success), element_count=int(res.get("element_count") or len(frames[asset])),
                unexpected_count=int(res.get("unexpected_count") or 0), unexpected_values=values,
                unexpected_ids=ids, description=cfg.description or cfg.type))
    order = {k: i for i, k in enumerate(KINDS)}
    results.sort(key=lambda c: (order.get(c.kind, 99), c.asset, c.column_name or ""))
    return ValidationReport(build_id, results)


def store(con: duckdb.DuckDBPyConnection, report: ValidationReport) -> None:
    rows = [(report.build_id, r.kind, r.asset, r.expectation, r.column_name, r.success, r.element_count,
             r.unexpected_count, r.unexpected_values, r.unexpected_ids, r.description, report.carried_from)
            for r in report.results]
    if rows:
        con.executemany("INSERT INTO validation_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def previous(con: duckdb.DuckDBPyConnection, build_id: int) -> Optional[ValidationReport]:
    """The latest validation before ``build_id``, as a report carried to ``build_id``."""
    last = con.execute("SELECT max(build_id) FROM validation_results WHERE build_id < ?", [build_id]).fetchall()[0][0]
    report = load_report(con, last) if last is not None else None
    if report is None:
        return None
    return ValidationReport(build_id, report.results, carried_from=report.carried_from or last)


def validate_build(con: duckdb.DuckDBPyConnection, build_id: int, vocab: Vocabulary, changed: bool,
                   runner: Callable[..., ValidationReport] = run_suites) -> ValidationReport:
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
    rows = con.execute("""SELECT check_kind, asset, expectation, column_name, success, element_count, unexpected_count,
                                 unexpected_values, unexpected_ids, description, carried_from
                          FROM validation_results WHERE build_id = ? ORDER BY rowid""", [build_id]).fetchall()
    if not rows:
        return None
    return ValidationReport(build_id, [CheckResult(*r[:10]) for r in rows], carried_from=rows[0][-1])
