"""Ingest speed against the raw pdfplumber floor on the same PDFs.

Floor: ``pdfplumber.open(f)`` + ``page.extract_text()`` for every page — the least work any
pdfplumber-based parser must do. Reported: pages/s of each and the ratio ours/floor (time).

    python benchmarks/ingest_bench.py [--repeat 3] [PDF ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import ingest_file  # noqa: E402


def floor(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
        return len(pdf.pages)


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    pdfs = args.pdfs or sorted((ROOT / "seeds").glob("*.pdf"))
    print(f"{'file':<28} {'pages':>5} {'floor s':>8} {'ingest s':>9} {'floor p/s':>9} {'ingest p/s':>10} {'ratio':>6}")
    tot_pages = tot_floor = tot_ours = 0.0
    for pdf in pdfs:
        pages = floor(pdf)
        t_floor = best_of(lambda: floor(pdf), args.repeat)
        t_ours = best_of(lambda: ingest_file(pdf), args.repeat)
        tot_pages += pages
        tot_floor += t_floor
        tot_ours += t_ours
        print(f"{pdf.name:<28} {pages:>5} {t_floor:>8.2f} {t_ours:>9.2f} {pages / t_floor:>9.1f} {pages / t_ours:>10.1f} {t_ours / t_floor:>6.2f}")
    print(f"{'TOTAL':<28} {int(tot_pages):>5} {tot_floor:>8.2f} {tot_ours:>9.2f} {tot_pages / tot_floor:>9.1f} "
          f"{tot_pages / tot_ours:>10.1f} {tot_ours / tot_floor:>6.2f}")


if __name__ == "__main__":
    main()
