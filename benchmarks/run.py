"""``make bench``: build speed against the raw pdfplumber floor, at several corpus sizes.

For each size N (default 100, 300 and 1,000 documents from ``benchmarks/corpus.py``), measured in
the same run on the same files:

- **floor**: ``pdfplumber.open`` + ``page.extract_text()`` on every page of the corpus's PDFs, in
  this process — the least work any pdfplumber-based build must do;
- **ingest**: ``ingest_file`` (our PDF parser) on the same PDFs, in this process;
- **build ×1 / ×2**: ``payerkg build --workers 1`` and ``--workers 2`` into fresh databases, each a
  subprocess (wall time and its peak RSS, from ``wait4``: the largest of the build process and its
  worker processes); the databases must hold the same rules;
- **ray**: ``payerkg build --engine ray --workers 2`` (a local Ray with 2 CPUs, started and stopped
  by the build), same rules as ×1 (its RSS is the driver's: Ray's workers are not its children);
- **no-op**: the ×1 build run again on the same files; **one changed**: again after one document
  is replaced by another variant;
- **one document**: ``payerkg build`` of one PDF of the corpus into a new database against
  ``payerkg extract`` of the same file (both whole commands, best of 3);
- pages/s (build pages are the corpus's PDF pages plus one per web page) and rules/s loaded.

Once per run, on the seeds (``payerkg build seeds/``): the README's ``payerkg who`` and ``payerkg
query`` questions, output piped, 10 runs each (``--runs``): the least wall time and the least CPU
time (issue 16: each ≤ 0.5 s); ``--readers`` measures only these. The machine's load average is
printed with the results (other processes on the machine slow every figure; the ratios, measured
back to back, suffer less).

Ratios: ingest/floor and build×1/floor are times on the PDFs (the build's time is scaled to the
PDF share of its pages); speed-up = build×1 / build×2; ray/×2 = ray / build×2; no-op = no-op /
build×1; 1 doc = one-document build / extract.

    python benchmarks/run.py [--sizes 100,300,1000] [--work DIR] [--json results.json] [--readers] [--runs 10]
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
from typing import NamedTuple

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


class Run(NamedTuple):
    wall: float  # seconds
    rss: float  # peak RSS, MiB
    cpu: float  # user + system seconds of the process and the children it waited for


def command(args: list[str], ok: tuple[int, ...] = (0,)) -> Run:
    """Wall seconds, peak RSS (MiB) and CPU seconds of one ``payerkg`` subprocess."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([*PAYERKG, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        raise SystemExit(f"payerkg {' '.join(args)} failed ({proc.returncode}):\n{stderr.decode(errors='replace')}")
    return Run(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def build(corpus: Path, db: Path, workers: int, *extra: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``payerkg build`` subprocess."""
    run = command(["build", str(corpus), "--db", str(db), "--workers", str(workers), *extra])
    return run.wall, run.rss


def best(n: int, args: list[str], ok: tuple[int, ...] = (0,)) -> Run:
    """The fastest of ``n`` runs (by wall time)."""
    return min((command(args, ok) for _ in range(n)), key=lambda r: r.wall)


def least(n: int, args: list[str], ok: tuple[int, ...] = (0,)) -> Run:
    """The least wall time and the least CPU time of ``n`` runs (each its own minimum: on a machine other
    processes keep busy, the least of each is the closest to what the command itself costs)."""
    runs = [command(args, ok) for _ in range(n)]
    return Run(min(r.wall for r in runs), min(r.rss for r in runs), min(r.cpu for r in runs))


def one_document(doc: Path, work: Path) -> tuple[float, float]:
    """Best of 3: ``payerkg build DOC`` into a new database, and ``payerkg extract DOC``."""
    builds = []
    for i in range(3):
        db = work / f"one-{i}.duckdb"
        for leftover in work.glob(f"one-{i}.*"):
            leftover.unlink()
        builds.append(command(["build", str(doc), "--db", str(db)]).wall)
    return min(builds), best(3, ["extract", str(doc), "--format", "summary"]).wall


#: the README's questions (issue 16: each ≤ 0.5 s on the seeds)
WHO = ["who", "--service", "proton beam therapy", "--line-of-business", "Blue Cross commercial",
       "--segment", "fully_insured", "--group", "MESSA"]  # fmt: skip
QUERY = ["query", "select vendor, count(*) as rules from coverage_rules group by 1 order by 2 desc"]


def readers(work: Path, runs: int = 10) -> dict:
    """``payerkg who`` and ``payerkg query`` on the seed database (``runs`` each, output piped): the least
    wall seconds and the least CPU seconds (on a machine other processes keep busy, wall time
    overstates what a command costs; its CPU time much less)."""
    db = work / "seeds.duckdb"
    if not db.exists():
        command(["build", "seeds", "--db", str(db)])
    w, q = least(runs, [*WHO, "--db", str(db)], ok=(0, 1)), least(runs, [*QUERY, "--db", str(db)])
    return {"who_s": w.wall, "who_cpu_s": w.cpu, "query_s": q.wall, "query_cpu_s": q.cpu, "runs": runs,
            "load": os.getloadavg()[0]}  # fmt: skip


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
    t_ray, rss_ray = build(corpus, dbs / "ray.duckdb", 2, "--engine", "ray")
    pages, digest1 = rules_digest(dbs / "w1.duckdb")
    _, digest2 = rules_digest(dbs / "w2.duckdb")
    _, digest_ray = rules_digest(dbs / "ray.duckdb")
    t_noop, _ = build(corpus, dbs / "w1.duckdb", 1)
    # one document changed: the first PDF becomes another variant
    victim = pdfs[0]
    backup = victim.read_bytes()
    victim.write_bytes(one_pdf(n + 1000, f"{victim.stem} changed"))
    try:
        t_one, _ = build(corpus, dbs / "w1.duckdb", 1)
    finally:
        victim.write_bytes(backup)
    t_doc, t_extract = one_document(pdfs[1], dbs)
    rules = int(digest1.split(":")[0])
    pdf_share = pdf_pages / pages if pages else 1.0
    return {
        "documents": n, "pdfs": len(pdfs), "pages": pages, "pdf_pages": pdf_pages, "rules": rules,
        "floor_s": t_floor, "ingest_s": t_ingest, "build1_s": t_b1, "build2_s": t_b2, "ray_s": t_ray,
        "noop_s": t_noop, "one_changed_s": t_one, "rss1_mib": rss1, "rss2_mib": rss2, "rss_ray_mib": rss_ray,
        "one_doc_s": t_doc, "extract_s": t_extract, "one_doc_ratio": t_doc / t_extract,
        "floor_pps": pdf_pages / t_floor, "ingest_pps": pdf_pages / t_ingest, "build1_pps": pages / t_b1,
        "build2_pps": pages / t_b2, "ray_pps": pages / t_ray, "rules_per_s": rules / t_b1,
        "ingest_ratio": t_ingest / t_floor, "build_ratio": (t_b1 * pdf_share) / t_floor,
        "build2_ratio": (t_b2 * pdf_share) / t_floor, "ray_ratio": (t_ray * pdf_share) / t_floor,
        "speedup": t_b1 / t_b2, "ray_vs_2": t_ray / t_b2, "noop_share": t_noop / t_b1,
        "same_rules": digest1 == digest2 == digest_ray, "load": os.getloadavg()[0],
    }


COLUMNS = [
    ("documents", "docs", "{:d}"), ("pages", "pages", "{:d}"), ("rules", "rules", "{:d}"),
    ("floor_s", "floor s", "{:.1f}"), ("ingest_s", "ingest s", "{:.1f}"), ("build1_s", "build×1 s", "{:.1f}"),
    ("build2_s", "build×2 s", "{:.1f}"), ("ray_s", "ray s", "{:.1f}"),
    ("ingest_ratio", "ingest/floor", "{:.2f}"), ("build_ratio", "×1/floor", "{:.2f}"),
    ("build2_ratio", "×2/floor", "{:.2f}"), ("ray_ratio", "ray/floor", "{:.2f}"), ("speedup", "×2 speed-up", "{:.2f}"),
    ("ray_vs_2", "ray/×2", "{:.2f}"), ("noop_s", "no-op s", "{:.2f}"), ("one_changed_s", "1 changed s", "{:.2f}"),
    ("one_doc_s", "1-doc build s", "{:.2f}"), ("extract_s", "extract s", "{:.2f}"), ("one_doc_ratio", "1 doc/extract", "{:.2f}"),
    ("rss1_mib", "RSS×1 MiB", "{:.0f}"), ("rss2_mib", "RSS×2 MiB", "{:.0f}"), ("rss_ray_mib", "RSS ray MiB", "{:.0f}"),
    ("same_rules", "×1 = ×2 = ray", "{}"), ("load", "load avg", "{:.1f}"),
]


READERS = (
    "who {who_s:.2f} s wall ({who_cpu_s:.2f} s CPU), query {query_s:.2f} s wall ({query_cpu_s:.2f} s CPU); "
    "least of {runs} runs each, load average {load:.1f}"
)


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
    ap.add_argument("--readers", action="store_true", help="measure only who and query on the seeds (seconds)")
    ap.add_argument("--runs", type=int, default=10, help="runs of who and of query (default 10)")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    print("measuring who and query on the seeds …", file=sys.stderr, flush=True)
    reading = readers(args.work, args.runs)
    print(READERS.format(**reading), file=sys.stderr, flush=True)
    if args.readers:
        if args.json:
            args.json.write_text(json.dumps({"readers": reading}, indent=2))
        return
    for n in (int(x) for x in args.sizes.split(",")):
        print(f"measuring {n} documents …", file=sys.stderr, flush=True)
        results.append(measure(n, args.work))
        print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(results))
    print("\nreaders on the seed database: " + READERS.format(**reading))
    if len(results) > 1:
        base = results[0]
        print("\nlinearity (seconds per page, relative to the smallest corpus): "
              + ", ".join(f"{r['documents']}: {(r['build1_s'] / r['pages']) / (base['build1_s'] / base['pages']):.2f}"
                          for r in results))
    if args.json:
        args.json.write_text(json.dumps({"sizes": results, "readers": reading}, indent=2))


if __name__ == "__main__":
    main()
