"""``python -m fuzz``: run the fuzzer (``make fuzz``), replay or shrink a saved case.

Example:
  python -m fuzz --count 2000 --seed 1 --save fuzz-out      # a moderate run, crashers saved
  python -m fuzz --count 100000 --minutes 60                 # as many of 100,000 as fit in an hour
  python -m fuzz --replay fuzz-out/crash/<class>/case000123.json   # rerun one, traceback shown
  python -m fuzz --minimize fuzz-out/crash/<class>/case000123.json out.html
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .cases import Recipe, describe, make_cases, materialize
from .check import execute
from .corpus import DEFAULT_MEM_LIMIT, DEFAULT_TIME_LIMIT, FUZZ_MAX_PAGES, load_corpus
from .report import Summary, crash_class, minimize, save_case
from .run import prepare_parent, run_cases


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m fuzz",
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Example:" + (__doc__ or "").split("Example:")[1],
    )
    ap.add_argument("--count", type=int, default=1000, help="inputs to run (default 1000; 100000 is the full run)")
    ap.add_argument("--minutes", type=float, help="start no new input after this many minutes")
    ap.add_argument("--seed", type=int, default=0, help="random seed: the same seed makes the same inputs")
    ap.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds per input (default 20)")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu", help="what the time limit counts (default cpu)")
    ap.add_argument("--mem-limit", type=float, default=DEFAULT_MEM_LIMIT / 1024**3, help="address space per input, GiB")
    ap.add_argument("--max-pages", type=int, default=FUZZ_MAX_PAGES, help=f"PDF page limit (default {FUZZ_MAX_PAGES})")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="inputs run at once (default 2)")
    ap.add_argument("--save", type=Path, help="save every crasher and hanger (bytes + recipe) under this directory")
    ap.add_argument("--corpus", type=Path, nargs="*", help="corpus directories (default seeds/ and the devset)")
    ap.add_argument("--log", type=Path, help="write every case's recipe summary and result here (JSON lines)")
    ap.add_argument("--start", type=int, default=0, help="skip the first N cases of the sequence (resume a run)")
    ap.add_argument("--replay", type=Path, help="rerun one saved case (its .json) in this process, traceback shown")
    ap.add_argument("--rerun", type=Path, help="rerun every case saved under this directory: did the fixes hold?")
    ap.add_argument("--materialize", nargs=2, type=Path, metavar=("CASE_JSON", "OUT"), help="write a case's bytes")
    ap.add_argument(
        "--minimize", nargs=2, type=Path, metavar=("CASE_JSON", "OUT"), help="shrink a crasher, keep its class"
    )
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    return ap


def _load(case_json: Path) -> Recipe:
    recipe: Recipe = json.loads(case_json.read_text())["recipe"]
    return recipe


def _until(recipes: Iterator[Recipe], deadline: float | None) -> Iterator[Recipe]:
    for r in recipes:
        if deadline is not None and time.monotonic() > deadline:
            return
        yield r


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    corpus = load_corpus(args.corpus)
    if args.materialize:
        args.materialize[1].write_bytes(materialize(_load(args.materialize[0]), corpus)[0])
        return 0
    extractor = prepare_parent()
    if args.replay or args.minimize:
        recipe = _load(args.replay or args.minimize[0])
        data, name = materialize(recipe, corpus)
        with tempfile.TemporaryDirectory() as d:
            res = execute(data, name, extractor, Path(d), max_pages=args.max_pages)
            if args.minimize:
                if res["outcome"] != "crash":
                    print(f"fuzz: the case does not crash ({res['outcome']})", file=sys.stderr)
                    return 1
                cls = crash_class(res)

                def same(b: bytes) -> bool:
                    r = execute(b, name, extractor, Path(d), max_pages=args.max_pages)
                    return r["outcome"] == "crash" and crash_class(r) == cls

                small = minimize(data, same)
                args.minimize[1].write_bytes(small)
                print(f"fuzz: {len(data):,} → {len(small):,} bytes, still {cls}")
                return 0
        print(res.pop("tb", ""), file=sys.stderr)
        print(json.dumps(res, indent=1))
        return 0 if res["outcome"] in ("ok", "input-error") else 1
    if not corpus:
        print("fuzz: no corpus files found", file=sys.stderr)
        return 2
    if args.rerun:
        recipes: Iterator[Recipe] = iter([_load(p) for p in sorted(args.rerun.rglob("case*.json"))])
    else:
        recipes = (r for r in make_cases(args.count, args.seed, corpus) if r["id"] >= args.start)
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    summary = Summary(time_limit=args.time_limit)
    log = args.log.open("w") if args.log else None
    last = time.monotonic()
    for recipe, res in run_cases(
        _until(recipes, deadline),
        corpus,
        extractor,
        jobs=args.jobs,
        time_limit=args.time_limit,
        mem_limit=int(args.mem_limit * 1024**3),
        clock=args.clock,
        max_pages=args.max_pages,
    ):
        summary.add(recipe, res)
        bad = res["outcome"] in ("crash", "hang", "stopped")
        if args.save and bad:
            save_case(args.save, recipe, res, corpus)
        if log:
            log.write(
                json.dumps(
                    {"id": recipe["id"], "case": describe(recipe), **{k: v for k, v in res.items() if k != "tb"}}
                )
            )
            log.write("\n")
            log.flush()
        if not args.quiet and (time.monotonic() - last > 30 or bad):
            last = time.monotonic()
            o = summary.outcomes
            what = f"  [{res['outcome']}: case {recipe['id']} {describe(recipe)}]" if bad else ""
            print(
                f"fuzz: {summary.n:,}  ok {o['ok']:,}  input-error {o['input-error']:,}  crash {o['crash']:,}  "
                f"hang {o['hang']:,}{what}",
                file=sys.stderr,
                flush=True,
            )
    if log:
        log.close()
    print(summary.text(args.jobs, args.seed, args.clock))
    return 1 if summary.outcomes["crash"] or summary.outcomes["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
