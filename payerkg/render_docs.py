"""Rendering for ``payerkg ingest`` and ``payerkg extract``: one document's blocks, or its rules.

Data goes to ``out`` (stdout); warnings, failures and per-file counts to ``err`` (stderr). Text from
documents is printed without markup, so brackets in a quote stay as written.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console

from extract import CONTRACT_COLUMNS
from ingest import Block, Document, IngestOutcome, PayerkgError

from . import tables
from .render import failed, line, plain

if TYPE_CHECKING:
    from extract import Extraction, Statement


# -- ingest ------------------------------------------------------------------------------------------
def block_line(b: Block) -> str:
    path = " > ".join(b.section_path)
    text = b.text.replace("\n", " ⏎ ")
    bold = f"  [bold: {' | '.join(b.bold_text())}]" if b.bold else ""
    return f"p{b.page} {b.kind.value:<9} L{b.level} [{path}] {text}{bold}"


def document(out: Console, doc: Document, fmt: str) -> None:
    """One parsed document: ``json`` (a record without the text), ``text`` (a line per block)."""
    if fmt == "json":
        out.out(json.dumps(_document_dict(doc), ensure_ascii=False), highlight=False)
    elif fmt == "text":
        about = f"{doc.media_type.value}, {doc.page_count} pages, {len(doc.blocks)} blocks, sha256 {doc.doc_id[:12]}"
        out.out(f"# {doc.source}  ({about})", highlight=False)
        for b in doc.blocks:
            out.out(block_line(b), highlight=False)
            for r in b.rows:
                cells = " | ".join(c.replace("\n", " ⏎ ") for c in r.cells)
                out.out(f"    row p{r.page}{' header' if r.header else ''}: {cells}", highlight=False)


def _document_dict(doc: Document) -> dict[str, Any]:
    """The document as a record, without its full text (the blocks carry it)."""
    d = dataclasses.asdict(doc)
    d["media_type"] = doc.media_type.value
    for b in d["blocks"]:
        b["kind"] = b["kind"].value if hasattr(b["kind"], "value") else b["kind"]
    d.pop("text")
    return d


SUMMARY_COLUMNS = ["document", "type", "pages", "blocks", "warnings"]


def ingest(out: Console, err: Console, outcomes: Iterable[IngestOutcome], fmt: str, rows_fmt: str) -> int:
    """Every document in ``fmt`` (text, json, summary: one row a document, as ``rows_fmt``), failures
    and a total on stderr. Returns the failures."""
    seen: list[list[Any]] = []
    failures = 0
    for o in outcomes:
        if o.document is None:
            failed(err, o.error or PayerkgError(o.path))
            failures += 1
            continue
        doc = o.document
        for w in doc.warnings:
            plain(err, f"warning {doc.source}: {w}")
        seen.append([doc.source, doc.media_type.value, doc.page_count, len(doc.blocks), len(doc.warnings)])
        document(out, doc, fmt)
    if fmt == "summary":
        tables.write(out, rows_fmt, SUMMARY_COLUMNS, seen)
    pages, blocks = sum(s[2] for s in seen), sum(s[3] for s in seen)
    line(err, f"ingested {len(seen)} document(s), {pages} pages, {blocks} blocks; {failures} failed")
    return failures


# -- extract -----------------------------------------------------------------------------------------
#: the table for people: the rule's slots (it fits 80 columns with whole headers); under the table each
#: rule's page, exceptions, inclusions, conditions and quote
EXTRACT_TABLE = ["vendor", "service", "line_of_business", "segment", "scope", "requirement"]


def extractions(
    out: Console,
    err: Console,
    results: Iterable[tuple[str, Extraction | PayerkgError]],
    fmt: str,
    explain: bool = False,
) -> int:
    """Extracted rules in reading order: per document a ``table`` with each rule's quote under it; all
    documents' contract records as ``jsonl``, ``json``, ``tsv`` or ``csv``; only the per-file counts
    (``summary``, on stderr); with ``explain``, each rule's slots and what was not understood
    instead. Returns the failures."""
    records: list[dict[str, Any]] = []
    counts: list[tuple[str, int, int]] = []
    failures = 0
    for path, result in results:
        if isinstance(result, PayerkgError):
            failures += 1
            failed(err, result)
            continue
        stmts = sorted(result.statements, key=lambda s: (s.page, s.block_index, s.rule_id))
        counts.append((path, len(stmts), sum(s.vendor_new for s in stmts)))
        if explain:
            explanation(out, path, result, stmts)
        elif fmt == "table":
            rules_table(out, path, result, stmts)
        else:
            records += [s.contract_row() for s in stmts]
    if not explain and fmt not in ("table", "summary"):
        tables.write(out, fmt, CONTRACT_COLUMNS, [[r[c] for c in CONTRACT_COLUMNS] for r in records])
    for path, n, new in counts:
        line(err, f"{path}: {n} rules ({new} from vendors not in the vocabulary)")
    total = sum(n for _, n, _ in counts)
    line(err, f"extracted {total} rules from {len(counts)} document(s); {failures} failed")
    return failures


def rules_table(out: Console, path: str, result: Extraction, stmts: Sequence[Statement]) -> None:
    """One document's rules for people: a heading, a table of their slots, each quote under it."""
    plain(out, f"# {path} — payer {result.payer}" + (" (not in the vocabulary)" if result.payer_new else ""))
    if not stmts:
        plain(out, "no rules")
        return
    data = [[n, *(s.contract_row()[c] for c in EXTRACT_TABLE)] for n, s in enumerate(stmts, 1)]
    tables.write(out, "table", ["#", *EXTRACT_TABLE], data)
    for n, s in enumerate(stmts, 1):
        more = [f"{k}: {'; '.join(v)}" for k, v in (("exceptions", s.exceptions), ("inclusions", s.inclusions)) if v]
        more += [f"conditions: {s.conditions}"] if s.conditions else []
        plain(out, f"[{n}] p{s.page}{''.join(f' ({m})' for m in more)}: “{' '.join(s.quote.split())}”")


def explanation(out: Console, path: str, result: Extraction, stmts: Sequence[Statement]) -> None:
    """One document's rules, each with the text that filled each slot, then what it names but yields
    no rule from (plain text: this is read by a person reviewing a new document)."""
    plain(out, f"# {path} — payer {result.payer}" + (" (not in the vocabulary)" if result.payer_new else ""))
    for n, s in enumerate(stmts, 1):
        head = f"{n}. {s.vendor} | {s.service} | {s.line_of_business} | {s.segment.value} | {s.scope.value} | "
        plain(out, head + s.requirement.value)
        for slot, text in s.explain:
            plain(out, f"     {slot}: {text}")
    if result.unexplained:
        plain(out, f"not understood ({len(result.unexplained)}):")
        for m in result.unexplained:
            plain(out, f"   p{m.page} block {m.block_index}: {m.text[:160]!r} — {m.why}")
    plain(out, "")
