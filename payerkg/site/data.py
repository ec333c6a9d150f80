"""What the review site shows, read from a built database: active documents with their blocks and
rules, each payer's vendor × line-of-business matrix, and the recent rule changes.

A fixed number of queries whatever the number of documents; everything else is done on the records.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Optional

import duckdb

from warehouse.report import format_value

from .model import Box, Cell, Change, Doc, Matrix, Rule, TextBlock

#: builds whose changes the changes page lists (newest first), and at most this many changes
RECENT_BUILDS = 10
MAX_CHANGES = 2000

_RULES = """
    SELECT rule_id, doc_id, payer, vendor, service, line_of_business, segment, scope, requirement,
           exceptions, inclusions, conditions, effective_from, effective_to, page, quote, quote_start,
           quote_end, bbox
    FROM coverage_rules
    ORDER BY doc_id, page, quote_start NULLS LAST, vendor, service, line_of_business, segment, rule_id"""

_ALTERNATES = """
    SELECT e.rule_id, list((e.group_name, e.alternate_vendor) ORDER BY e.position)
    FROM exceptions e JOIN coverage_rules c USING (rule_id)
    WHERE e.alternate_vendor IS NOT NULL
    GROUP BY e.rule_id"""

_DOCUMENTS = """
    SELECT doc_id, source, media_type, coalesce(title, ''), coalesce(payer, ''), coalesce(page_count, 1),
           coalesce(text, ''), page_sizes, published_on
    FROM documents WHERE status = 'active'
    ORDER BY payer, source"""

_BLOCKS = """
    SELECT b.doc_id, b.kind, coalesce(b.level, 0), b.page, coalesce(b.text, '')
    FROM blocks b JOIN documents d USING (doc_id)
    WHERE d.status = 'active'
    ORDER BY b.doc_id, b.block_index"""

_CHANGES = """
    WITH recent AS (SELECT DISTINCT build_id FROM rule_changes ORDER BY build_id DESC LIMIT ?)
    SELECT c.build_id, b.started_at, coalesce(d.title, c.doc_key), coalesce(d.source, ''), c.from_version,
           c.to_version, c.change, c.field, c.vendor, c.service, c.line_of_business, c.segment, c.before,
           c.after, c.quote_before, c.quote_after, c.rule_id_after, c.new_doc_id, a.doc_id IS NOT NULL
    FROM rule_changes c
    JOIN recent USING (build_id)
    JOIN builds b USING (build_id)
    LEFT JOIN documents d ON d.doc_id = coalesce(c.new_doc_id, c.old_doc_id)
    LEFT JOIN coverage_rules a ON a.rule_id = c.rule_id_after
    ORDER BY c.build_id DESC, d.source, c.change DESC, c.vendor, c.service, c.line_of_business, c.segment,
             c.field NULLS FIRST
    LIMIT ?"""


def _rule(row: Sequence[Any], alternates: dict[str, tuple[tuple[str, str], ...]]) -> Rule:
    box = row[18]
    return Rule(
        rule_id=row[0],
        doc_id=row[1],
        payer=row[2],
        vendor=row[3],
        service=row[4],
        line_of_business=row[5],
        segment=row[6],
        scope=row[7],
        requirement=row[8],
        exceptions=tuple(row[9] or ()),
        inclusions=tuple(row[10] or ()),
        conditions=row[11],
        effective_from=row[12],
        effective_to=row[13],
        page=row[14],
        quote=row[15],
        quote_start=row[16],
        quote_end=row[17],
        bbox=Box(box["x0"], box["top"], box["x1"], box["bottom"]) if box else None,
        alternates=alternates.get(row[0], ()),
    )


def locate_blocks(text: str, blocks: Iterable[tuple[str, int, int, str]]) -> tuple[TextBlock, ...]:
    """Each (kind, level, page, block text) placed in ``text`` (blocks are joined in reading order).

    A block not found where the previous one ended is left out, so the blocks returned always
    point at their own text."""
    out: list[TextBlock] = []
    cursor = 0
    for kind, level, page, block_text in blocks:
        at = text.find(block_text, cursor) if block_text else -1
        if at < 0:
            continue
        out.append(TextBlock(kind, level, page, at, at + len(block_text)))
        cursor = at + len(block_text)
    return tuple(out)


def read_documents(con: duckdb.DuckDBPyConnection) -> list[Doc]:
    """Active documents with their blocks and rules (rules in page and text order)."""
    alternates = {r[0]: tuple((g, v) for g, v in r[1]) for r in con.execute(_ALTERNATES).fetchall()}
    rules: dict[str, list[Rule]] = defaultdict(list)
    for row in con.execute(_RULES).fetchall():
        rules[row[1]].append(_rule(row, alternates))
    blocks: dict[str, list[tuple[str, int, int, str]]] = defaultdict(list)
    for doc_id, kind, level, page, text in con.execute(_BLOCKS).fetchall():
        blocks[doc_id].append((kind, level, page, text))
    docs = []
    for doc_id, source, media, title, payer, pages, text, sizes, published in con.execute(_DOCUMENTS).fetchall():
        docs.append(
            Doc(
                doc_id=doc_id,
                source=source,
                media_type=media,
                title=title or source,
                payer=payer,
                page_count=pages,
                text=text,
                page_sizes=tuple((s["width"], s["height"]) for s in sizes or ()),
                blocks=locate_blocks(text, blocks[doc_id]),
                rules=tuple(rules[doc_id]),
                published_on=published,
            )
        )
    return docs


def matrices(rules: Iterable[Rule]) -> list[Matrix]:
    """Per payer, vendors × lines of business with the services stated in each cell. The dimension
    with fewer values runs across, so a payer with many lines still reads on a screen."""
    by_payer: dict[str, dict[tuple[str, str], list[Rule]]] = defaultdict(lambda: defaultdict(list))
    for r in rules:
        by_payer[r.payer][(r.vendor, r.line_of_business)].append(r)
    out = []
    for payer in sorted(by_payer, key=str.casefold):
        groups = by_payer[payer]
        vendors = sorted({v for v, _ in groups}, key=str.casefold)
        lines = sorted({lob for _, lob in groups}, key=str.casefold)
        by_vendor = len(lines) <= len(vendors)
        cells = {}
        for (vendor, lob), rs in groups.items():
            scopes: dict[str, list[str]] = defaultdict(list)
            for r in rs:
                if r.scope not in scopes[r.service]:
                    scopes[r.service].append(r.scope)
            services = tuple((s, tuple(scopes[s])) for s in sorted(scopes, key=str.casefold))
            cell = Cell(payer, vendor, lob, services, tuple(rs))
            cells[(vendor, lob) if by_vendor else (lob, vendor)] = cell
        rows, cols = (vendors, lines) if by_vendor else (lines, vendors)
        out.append(Matrix(payer, tuple(rows), tuple(cols), by_vendor, cells))
    return out


def latest_build(con: duckdb.DuckDBPyConnection) -> tuple[Optional[int], Optional[datetime]]:
    """The id and start time of the database's latest build (None, None before any)."""
    rows = con.execute("SELECT build_id, started_at FROM builds ORDER BY build_id DESC LIMIT 1").fetchall()
    return (rows[0][0], rows[0][1]) if rows else (None, None)


def _value(raw: str | None) -> str:
    if raw is None:
        return "—"
    try:
        return format_value(json.loads(raw))
    except ValueError:
        return raw


def read_changes(con: duckdb.DuckDBPyConnection, docs: Sequence[Doc]) -> tuple[list[Change], int]:
    """The changes of the ``RECENT_BUILDS`` latest builds that recorded any (at most ``MAX_CHANGES``),
    newest first, and how many rule changes the database holds in all."""
    total = int(con.execute("SELECT count(*) FROM rule_changes").fetchall()[0][0])
    hrefs = {d.doc_id: d.href for d in docs}
    out = []
    for row in con.execute(_CHANGES, [RECENT_BUILDS, MAX_CHANGES]).fetchall():
        rule_after, new_doc, active = row[16], row[17], row[18]
        href = f"{hrefs[new_doc]}#rule-{rule_after}" if active and new_doc in hrefs else None
        out.append(
            Change(
                build_id=row[0],
                built_at=row[1],
                doc_title=row[2],
                doc_source=row[3],
                from_version=row[4],
                to_version=row[5],
                change=row[6],
                field=row[7],
                vendor=row[8],
                service=row[9],
                line_of_business=row[10],
                segment=row[11],
                before=_value(row[12]),
                after=_value(row[13]),
                quote_before=row[14],
                quote_after=row[15],
                href=href,
            )
        )
    return out, total
