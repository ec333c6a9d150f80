"""``payerkg ingest``: print parsed blocks so a person can check what the parser saw."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ingest import Document, IngestOptions, ingest_paths


def document_to_dict(doc: Document) -> dict:
    d = dataclasses.asdict(doc)
    d["media_type"] = doc.media_type.value
    for b in d["blocks"]:
        b["kind"] = b["kind"].value if hasattr(b["kind"], "value") else b["kind"]
    d.pop("text")
    return d


def format_block_line(b) -> str:
    path = " > ".join(b.section_path)
    head = f"p{b.page} {b.kind.value:<9} L{b.level}"
    text = b.text.replace("\n", " ⏎ ")
    bold = f"  [bold: {' | '.join(b.bold_text())}]" if b.bold else ""
    return f"{head} [{path}] {text}{bold}"


def run_ingest(paths: list[Path], fmt: str, max_bytes: int | None, out, err) -> int:
    """Ingest ``paths``; print blocks to ``out`` and a summary to ``err``. Returns failures."""
    options = IngestOptions(max_bytes=max_bytes) if max_bytes else IngestOptions.from_env()
    failures = 0
    rows = []
    for outcome in ingest_paths(paths, options):
        if not outcome.ok:
            failures += 1
            err.print(f"[red]FAILED[/red] {outcome.error}", highlight=False)
            rows.append((outcome.path, "failed", 0, 0))
            continue
        doc = outcome.document
        for w in doc.warnings:
            err.print(f"[yellow]warning[/yellow] {doc.source}: {w}", highlight=False)
        rows.append((doc.source, doc.media_type.value, doc.page_count, len(doc.blocks)))
        if fmt == "json":
            out.out(json.dumps(document_to_dict(doc), ensure_ascii=False), highlight=False)
        elif fmt == "text":
            out.out(f"# {doc.source}  ({doc.media_type.value}, {doc.page_count} pages, {len(doc.blocks)} blocks, sha256 {doc.doc_id[:12]})", highlight=False)
            for b in doc.blocks:
                out.out(format_block_line(b), highlight=False)
                for r in b.rows:
                    out.out(f"    row p{r.page}{' header' if r.header else ''}: " + " | ".join(c.replace("\n", " ⏎ ") for c in r.cells), highlight=False)
    ok = len(rows) - failures
    pages = sum(r[2] for r in rows)
    blocks = sum(r[3] for r in rows)
    if fmt == "summary":
        for r in rows:
            out.out(f"{r[0]}\t{r[1]}\t{r[2]} pages\t{r[3]} blocks", highlight=False)
    err.print(f"ingested {ok} document(s), {pages} pages, {blocks} blocks; {failures} failed", highlight=False)
    return failures


def run_extract(paths: list[Path], fmt: str, vocab_path: Path | None, out, err) -> int:
    """Ingest and extract ``paths``; print statements to ``out``. Returns the number of failures."""
    from extract import CONTRACT_COLUMNS, Extractor, Vocabulary

    from .output import render

    extractor = Extractor(Vocabulary.load(vocab_path))
    failures, rows, counts = 0, [], []
    for outcome in ingest_paths(paths, IngestOptions.from_env()):
        if not outcome.ok:
            failures += 1
            err.print(f"[red]FAILED[/red] {outcome.error}", highlight=False)
            continue
        stmts = sorted(extractor.extract(outcome.document).statements, key=lambda s: (s.page, s.block_index, s.rule_id))
        counts.append((outcome.path, len(stmts), sum(s.vendor_new for s in stmts)))
        rows.extend([s.contract_row()[c] for c in CONTRACT_COLUMNS] for s in stmts)
    if fmt == "jsonl":
        render("jsonl", out, CONTRACT_COLUMNS, rows)
    elif fmt == "table":
        cols = ["vendor", "service", "line_of_business", "segment", "scope", "exceptions", "inclusions", "page"]
        idx = [CONTRACT_COLUMNS.index(c) for c in cols]
        render("table", out, cols, [[r[i] for i in idx] for r in rows])
    for path, n, new in counts:
        err.print(f"{path}: {n} rules ({new} from vendors not in the vocabulary)", highlight=False)
    err.print(f"extracted {len(rows)} rules from {len(counts)} document(s); {failures} failed", highlight=False)
    return failures
