"""``make bench``: build speed against the raw pdfplumber floor, at several corpus sizes.

For each size N (default 100, 300 and 1,000 documents from ``benchmarks/corpus.py``), measured in
the same run on the same files:

- **floor**: ``pdfplumber.open`` + ``page.extract_text()`` on every page of the corpus's PDFs, in
  this process — the least work any pdfplumber-based build must do;
- **ingest**: ``ingest_file`` (our PDF parser) on the same PDFs, in this process;
- **build ×1 / ×2**: ``payerkg build --workers 1`` and ``--workers 2`` into fresh databases, each a
  subprocess (wall time and its peak RSS, from ``wait4``); the two databases must hold the same rules;
- **no-op**: the ×1 build run again on the same files; **one changed**: again after one document
  is replaced by another variant;
- pages/s (build pages are the corpus's PDF pages plus one per web page) and rules/s loaded.

Ratios: ingest/floor and build×1/floor are times on the PDFs (the build's time is scaled to the
PDF share of its pages); speed-up = build×1 / build×2; no-op = no-op / build×1.

    python benchmarks/run.py [--sizes 100,300,1000] [--work DIR] [--json results.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import generate, one_pdf  # noqa: E402
from ingest import ingest_file  # noqa: E402

PAYERKG = [sys.executable, "-m", "payerkg"]


def floor(pdfs: list[Path]) -> tuple[float, int]:
    t0 = time.perf_counter()
    pages = 0
    for p in pdfs:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_text()
            pages += len(pdf.pages)
    return time.perf_counter() - t0, pages


def ingest(pdfs: list[Path]) -> float:
    t0 = time.perf_counter()
    for p in pdfs:
        ingest_file(p)
    return time.perf_counter() - t0


def build(corpus: Path, db: Path, workers: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``payerkg build`` subprocess."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([*PAYERKG, "build", str(corpus), "--db", str(db), "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"build of {corpus} failed ({proc.returncode}):\n{stderr.decode(errors='replace')}")
    return wall, usage.ru_maxrss / 1024


def rules_digest(db: Path) -> tuple[int, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT * EXCLUDE (doc_id) FROM coverage_rules ORDER BY rule_id").fetchall()
        pages = con.execute("SELECT sum(page_count) FROM documents WHERE status = 'active'").fetchall()[0][0]
    finally:
        con.close()
    return pages, f"{len(rows)}:{hashlib.sha256(repr(rows).encode()).hexdigest()[:12]}"


def measure(n: int, work: Path) -> dict:
    corpus = work / f"corpus-{n}"
    paths = generate(n, corpus)
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    t_floor, pdf_pages = floor(pdfs)
    t_ingest = ingest(pdfs)
    dbs = work / f"db-{n}"
    shutil.rmtree(dbs, ignore_errors=True)
    dbs.mkdir()
    t_b1, rss1 = build(corpus, dbs / "w1.duckdb", 1)
    t_b2, rss2 = build(corpus, dbs / "w2.duckdb", 2)
    pages, digest1 = rules_digest(dbs / "w1.duckdb")
    _, digest2 = rules_digest(dbs / "w2.duckdb")
    t_noop, _ = build(corpus, dbs / "w1.duckdb", 1)
    # one document changed: the first PDF becomes another variant
    victim = pdfs[0]
    backup = victim.read_bytes()
    victim.write_bytes(one_pdf(n + 1000, f"{victim.stem} changed"))
    try:
        t_one, _ = build(corpus, dbs / "w1.duckdb", 1)
    finally:
        victim.write_bytes(backup)
    rules = int(digest1.split(":")[0])
    pdf_share = pdf_pages / pages if pages else 1.0
    return {
        "documents": n, "pdfs": len(pdfs), "pages": pages, "pdf_pages": pdf_pages, "rules": rules,
        "floor_s": t_floor, "ingest_s": t_ingest, "build1_s": t_b1, "build2_s": t_b2, "noop_s": t_noop,
        "one_changed_s": t_one, "rss1_mib": rss1, "rss2_mib": rss2,
        "floor_pps": pdf_pages / t_floor, "ingest_pps": pdf_pages / t_ingest, "build1_pps": pages / t_b1,
        "build2_pps": pages / t_b2, "rules_per_s": rules / t_b1,
        "ingest_ratio": t_ingest / t_floor, "build_ratio": (t_b1 * pdf_share) / t_floor,
        "speedup": t_b1 / t_b2, "noop_share": t_noop / t_b1, "same_rules": digest1 == digest2,
    }


COLUMNS = [
    ("documents", "docs", "{:d}"), ("pages", "pages", "{:d}"), ("rules", "rules", "{:d}"),
    ("floor_pps", "floor p/s", "{:.1f}"), ("ingest_pps", "ingest p/s", "{:.1f}"), ("build1_pps", "build×1 p/s", "{:.1f}"),
    ("build2_pps", "build×2 p/s", "{:.1f}"), ("ingest_ratio", "ingest/floor", "{:.2f}"),
    ("build_ratio", "build/floor", "{:.2f}"), ("speedup", "×2 speed-up", "{:.2f}"), ("build1_s", "build×1 s", "{:.1f}"),
    ("noop_s", "no-op s", "{:.2f}"), ("noop_share", "no-op share", "{:.1%}"), ("one_changed_s", "1 changed s", "{:.2f}"),
    ("rules_per_s", "rules/s", "{:.0f}"), ("rss1_mib", "RSS×1 MiB", "{:.0f}"), ("rss2_mib", "RSS×2 MiB", "{:.0f}"),
    ("same_rules", "×1 = ×2", "{}"),
]


def table(results: list[dict]) -> str:
    head = "| " + " | ".join(c[1] for c in COLUMNS) + " |"
    sep = "|" + "|".join("---" for _ in COLUMNS) + "|"
    rows = ["| " + " | ".join(fmt.format(r[k]) for k, _, fmt in COLUMNS) + " |" for r in results]
    return "\n".join([head, sep, *rows])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,300,1000")
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"measuring {n} documents …", file=sys.stderr, flush=True)
        results.append(measure(n, args.work))
        print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(results))
    if len(results) > 1:
        base = results[0]
        print("\nlinearity (seconds per page, relative to the smallest corpus): "
              + ", ".join(f"{r['documents']}: {(r['build1_s'] / r['pages']) / (base['build1_s'] / base['pages']):.2f}"
                          for r in results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
