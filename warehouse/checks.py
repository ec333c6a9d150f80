"""What every build checks: the great-expectations expectations, by kind, and the batches they read.

The suites run on the tables as the build's transaction sees them (before COMMIT), through an
ephemeral, file-less great-expectations context whose SQL datasource is the build's own DuckDB
connection: the expectations become SQL that DuckDB runs in place, no table is copied out. Each
expectation belongs to one *kind* of check:

=================  ==========================================================================
kind               what it asserts
=================  ==========================================================================
schema             ``coverage_rules`` has exactly the contract's columns and types
not_null           contract columns not marked nullable are never NULL
value_set          contract columns with a closed value set take only those values
unique             rule_id is unique among active rules
quote              every quote occurs verbatim in its document's text, at its offsets when known
bbox               every rule of a PDF has a box inside its page (``documents.page_sizes``)
vendor             every vendor is in the vocabulary or flagged new (``vendor_new``)
exception_scope    exceptions only on rules whose scope can have them (all, most, only)
effective_date     effective dates are plausible (``MIN_DATE`` to ``FUTURE_YEARS`` ahead)
row_count          a document's rule count is at least ``MIN_RATIO`` of its previous build's
=================  ==========================================================================

The schema, not-null and value-set expectations are derived from the contract (``extract/contract.py``
``CONTRACT``), so they cannot drift from it. ``warehouse.validate`` runs them and stores the results.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from extract import Scope, Vocabulary
from extract.model import CONTRACT

#: DuckDB types of the public contract's columns, from the contract
CONTRACT_TYPES = {c.name: c.type for c in CONTRACT}
NOT_NULL = tuple(c.name for c in CONTRACT if not c.nullable)
VALUE_SETS = {c.name: c.values for c in CONTRACT if c.values is not None}
EXCEPTION_SCOPES = (Scope.ALL.value, Scope.MOST.value, Scope.ONLY.value)
MIN_DATE = date(1990, 1, 1)
FUTURE_YEARS = 3
MIN_RATIO = 0.5
SAMPLE = 20
KINDS = (
    "schema",
    "not_null",
    "value_set",
    "unique",
    "quote",
    "bbox",
    "vendor",
    "exception_scope",
    "effective_date",
    "row_count",
)

#: kinds whose expectations judge each row on its own: on an incremental build they run on the rows of
#: the documents this build loaded when they passed on the previous build (unchanged rows passed then
#: and have not changed). The others (schema, unique) look at the whole table and always run in full.
ROW_LOCAL_KINDS = frozenset(
    {"not_null", "value_set", "quote", "bbox", "vendor", "exception_scope", "effective_date", "row_count"}
)

#: the batches the suites read, each with the column that identifies a failing row, the SELECT that
#: makes it (run in place by DuckDB: great-expectations' SQL datasource on the build's own connection)
#: and, for row-local checks, the condition that keeps the rows of the documents a build loaded
#: (``{build}``: its id); None: the batch is always read whole.
ASSETS: dict[str, tuple[str, str, Optional[str]]] = {
    "contract_schema": (
        "column_name",
        """
        SELECT coalesce(a.column_name, e.column_name) AS column_name,
               coalesce(a.column_type, '(missing)') AS column_type,
               coalesce(e.expected_type, '(not in the contract)') AS expected_type
        FROM (SELECT column_name, column_type FROM (DESCRIBE coverage_rules)) a
        FULL OUTER JOIN (SELECT * FROM (VALUES {contract}) AS t(column_name, expected_type)) e USING (column_name)""",
        None,
    ),
    "rules": (
        "rule_id",
        """
        SELECT c.*, s.vendor_new,
               len(c.exceptions) AS exception_count,
               CASE WHEN d.text IS NOT NULL AND strpos(d.text, c.quote) > 0 THEN NULL ELSE c.quote END AS quote_not_in_document,
               CASE WHEN c.quote_start IS NULL OR c.quote_end IS NULL
                         OR substr(d.text, c.quote_start + 1, c.quote_end - c.quote_start) = c.quote THEN NULL
                    ELSE c.quote_start || '-' || c.quote_end || ': ' || c.quote END AS quote_not_at_offsets,
               CASE WHEN d.media_type <> 'pdf' THEN NULL
                    WHEN c.bbox IS NULL THEN 'no box on page ' || c.page
                    WHEN d.page_sizes[c.page] IS NULL THEN 'page ' || c.page || ': size unknown'
                    WHEN 0 <= c.bbox.x0 AND c.bbox.x0 < c.bbox.x1 AND c.bbox.x1 <= d.page_sizes[c.page].width
                         AND 0 <= c.bbox.top AND c.bbox.top < c.bbox.bottom
                         AND c.bbox.bottom <= d.page_sizes[c.page].height THEN NULL
                    ELSE printf('page %d (%g x %g): box %g, %g, %g, %g', c.page, d.page_sizes[c.page].width,
                                d.page_sizes[c.page].height, c.bbox.x0, c.bbox.top, c.bbox.x1, c.bbox.bottom)
               END AS box_outside_page
        FROM coverage_rules c
        JOIN statements s ON s.rule_id = c.rule_id
        JOIN documents d ON d.doc_id = c.doc_id""",
        "d.first_build = {build}",
    ),
    "documents": (
        "doc_key",
        """
        SELECT d.doc_key, d.source, cur.rules, prev.rules AS previous_rules,
               CASE WHEN prev.rules > 0 THEN cur.rules / prev.rules END AS rule_ratio
        FROM documents d
        JOIN (SELECT doc_key, build_id, rules,
                     row_number() OVER (PARTITION BY doc_key ORDER BY build_id DESC) AS n
              FROM doc_rule_counts) cur ON cur.doc_key = d.doc_key AND cur.n = 1
        LEFT JOIN (SELECT doc_key, build_id, rules,
                          row_number() OVER (PARTITION BY doc_key ORDER BY build_id DESC) AS n
                   FROM doc_rule_counts) prev ON prev.doc_key = d.doc_key AND prev.n = 2
        WHERE d.status = 'active'""",
        "d.first_build = {build}",
    ),
}


def asset_sql(asset: str, build_id: Optional[int] = None) -> str:
    """The SELECT of ``asset``: all its rows, or (``build_id``) those of the documents that build loaded."""
    _, sql, changed = ASSETS[asset]
    sql = sql.strip().replace(
        "{contract}", ", ".join(f"({_literal(name)}, {_literal(kind)})" for name, kind in CONTRACT_TYPES.items())
    )
    if build_id is not None and changed is not None:
        keep = changed.replace("{build}", str(int(build_id)))
        sql += f"\n        {'AND' if 'WHERE' in sql else 'WHERE'} {keep}"
    return sql


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def expectations(vocab: Vocabulary, today: date) -> list[tuple[str, str, Any]]:
    """(kind, asset, expectation) for every check; great_expectations is imported here only."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    known = sorted(
        {v.name for v in vocab.vendors} | {d.name for d in vocab.departments} | {p.name for p in vocab.payers}
    )
    latest = datetime(today.year + FUTURE_YEARS, today.month, min(today.day, 28))
    out: list[tuple[str, str, Any]] = [
        (
            "schema",
            "contract_schema",
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="column_type",
                column_B="expected_type",
                description="coverage_rules has exactly the contract's columns, with the contract's types",
            ),
        ),
    ]
    for col in NOT_NULL:
        out.append(
            ("not_null", "rules", gxe.ExpectColumnValuesToNotBeNull(column=col, description=f"{col} is never NULL"))
        )
    for col, values in VALUE_SETS.items():
        out.append(
            (
                "value_set",
                "rules",
                gxe.ExpectColumnValuesToBeInSet(
                    column=col, value_set=list(values), description=f"{col} is one of the contract's values"
                ),
            )
        )
    out += [
        ("unique", "rules", gxe.ExpectColumnValuesToBeUnique(column="rule_id", description="rule_id is unique")),
        (
            "quote",
            "rules",
            gxe.ExpectColumnValuesToBeNull(
                column="quote_not_in_document", description="every quote occurs verbatim in its document's text"
            ),
        ),
        (
            "quote",
            "rules",
            gxe.ExpectColumnValuesToBeNull(
                column="quote_not_at_offsets",
                description="a quote's offsets, when known, point at it in the document's text",
            ),
        ),
        (
            "bbox",
            "rules",
            gxe.ExpectColumnValuesToBeNull(
                column="box_outside_page",
                description="every rule of a PDF has a box inside its page: 0 ≤ x0 < x1 ≤ width, 0 ≤ top < bottom ≤ height",
            ),
        ),
        (
            "vendor",
            "rules",
            gxe.ExpectColumnValuesToBeInSet(
                column="vendor",
                value_set=known,
                row_condition=Column("vendor_new") == False,  # noqa: E712 — builds a condition
                description="a vendor not flagged new is in the vocabulary",
            ),
        ),
        (
            "exception_scope",
            "rules",
            gxe.ExpectColumnValuesToBeInSet(
                column="scope",
                value_set=list(EXCEPTION_SCOPES),
                row_condition=Column("exception_count") > 0,
                description="exceptions only where the scope allows them (all, most, only)",
            ),
        ),
        (
            "effective_date",
            "rules",
            gxe.ExpectColumnValuesToBeBetween(
                column="effective_from",
                min_value=datetime.combine(MIN_DATE, datetime.min.time()),
                max_value=latest,
                description=f"effective dates between {MIN_DATE} and {FUTURE_YEARS} years from now",
            ),
        ),
        (
            "row_count",
            "documents",
            gxe.ExpectColumnValuesToBeBetween(
                column="rule_ratio",
                min_value=MIN_RATIO,
                description=f"a document keeps at least {MIN_RATIO:.0%} of the rules of its previous build",
            ),
        ),
    ]
    return out
