"""Rendering for ``payerkg ingest`` and ``payerkg extract``: one document's blocks, or its rules.

Data goes to ``out`` (stdout); warnings, failures and per-file counts to ``err`` (stderr).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console

from extract import CONTRACT_COLUMNS
from ingest import Block, Document, IngestOutcome, PayerkgError

from .render import failed, line, rows

if TYPE_CHECKING:
    from extract import Extraction


# -- ingest and extract ----------------------------------------------------------------------------
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


def ingest(out: Console, err: Console, outcomes: Iterable[IngestOutcome], fmt: str) -> int:
    """Every document in ``fmt`` (text, json, summary), failures and a total on stderr. Returns the failures."""
    seen: list[tuple[str, str, int, int]] = []
    for o in outcomes:
        if o.document is None:
            failed(err, o.error or PayerkgError(o.path))
            seen.append((o.path, "failed", 0, 0))
            continue
        doc = o.document
        for w in doc.warnings:
            line(err, f"[yellow]warning[/yellow] {doc.source}: {w}")
        seen.append((doc.source, doc.media_type.value, doc.page_count, len(doc.blocks)))
        document(out, doc, fmt)
    if fmt == "summary":
        for path, kind, pages, blocks in seen:
            out.out(f"{path}\t{kind}\t{pages} pages\t{blocks} blocks", highlight=False)
    failures = sum(s[1] == "failed" for s in seen)
    pages, blocks = sum(s[2] for s in seen), sum(s[3] for s in seen)
    line(err, f"ingested {len(seen) - failures} document(s), {pages} pages, {blocks} blocks; {failures} failed")
    return failures


EXTRACT_TABLE = ["vendor", "service", "line_of_business", "segment", "scope", "exceptions", "inclusions", "page"]


def extractions(
    out: Console,
    err: Console,
    results: Iterable[tuple[str, Extraction | PayerkgError]],
    fmt: str,
    explain: bool = False,
) -> int:
    """Extracted rules in reading order as ``jsonl`` (every contract column), ``table`` or only the
    per-file counts (``summary``, always on stderr); with ``explain``, each rule's slots and what
    was not understood instead. Returns the failures."""
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
        records += [s.contract_row() for s in stmts]
        if explain:
            explanation(out, path, result, stmts)
    if explain:
        for path, n, new in counts:
            line(err, f"{path}: {n} rules ({new} from vendors not in the vocabulary)")
        return failures
    if fmt == "jsonl":
        rows(out, "jsonl", CONTRACT_COLUMNS, [[r[c] for c in CONTRACT_COLUMNS] for r in records])
    elif fmt == "table":
        rows(out, "table", EXTRACT_TABLE, [[r[c] for c in EXTRACT_TABLE] for r in records])
    for path, n, new in counts:
        line(err, f"{path}: {n} rules ({new} from vendors not in the vocabulary)")
    line(err, f"extracted {len(records)} rules from {len(counts)} document(s); {failures} failed")
    return failures


def explanation(out: Console, path: str, result: Extraction, stmts: Sequence[Any]) -> None:
    """One document's rules, each with the text that filled each slot, then what it names but yields
    no rule from (plain text: this is read by a person reviewing a new document)."""
    out.print(f"# {path} — payer {result.payer}" + (" (not in the vocabulary)" if result.payer_new else ""),
              markup=False, highlight=False)  # fmt: skip
    for n, s in enumerate(stmts, 1):
        head = f"{n}. {s.vendor} | {s.service} | {s.line_of_business} | {s.segment.value} | {s.scope.value} | "
        out.print(head + s.requirement.value, markup=False, highlight=False)
        for slot, text in s.explain:
            out.print(f"     {slot}: {text}", markup=False, highlight=False)
    if result.unexplained:
        out.print(f"not understood ({len(result.unexplained)}):", markup=False, highlight=False)
        for m in result.unexplained:
            out.print(f"   p{m.page} block {m.block_index}: {m.text[:160]!r} — {m.why}", markup=False, highlight=False)
    out.print("", markup=False)
