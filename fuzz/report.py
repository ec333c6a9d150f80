"""What a run found: the summary, the saved crashers and hangers, and shrinking one to a regression."""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .cases import Recipe, describe, materialize
from .check import Result
from .corpus import DEFAULT_TIME_LIMIT, CorpusFile
from .run import WALL_FACTOR

#: Saved inputs larger than this are stored gzipped.
GZIP_OVER_BYTES = 1024 * 1024


def crash_class(res: Result) -> str:
    """A crash's class: its exception and the innermost frame of payerkg's own code."""
    frame = res.get("own_frame") or res.get("frame") or "?"
    if res["exc"] == "InvariantError":
        return f"InvariantError: {re.sub(r'[0-9]+', 'N', res['msg'])[:80]}"
    return f"{res['exc']} at {frame.split(':')[0]}:{frame.split(' ')[-1]}"


#: A document this large takes extraction longer than the time limit at its linear rate (about 1,500
#: small blocks or 100 KB of mention-dense prose a second on one core): a hang in extracting it is
#: reported as such, apart from the hangs no size explains.
LARGE_DOC_BLOCKS = 10_000
LARGE_DOC_CHARS = 1_000_000


def is_large(res: Result) -> bool:
    """Was the input a document too large to extract within the limit at the linear rate?"""
    return bool(res.get("blocks", 0) > LARGE_DOC_BLOCKS or res.get("text_chars", 0) > LARGE_DOC_CHARS)


def hang_class(recipe: Recipe, res: Result) -> str:
    """Where a hang was stopped (ingest or extract) and what made the input; hangs extracting a large
    document are one class."""
    if res.get("stage") == "extract" and is_large(res):
        return f"in extract: a large document (over {LARGE_DOC_BLOCKS:,} blocks or {LARGE_DOC_CHARS:,} characters)"
    what = " ".join(op for op, _ in recipe["ops"]) or describe(recipe)
    return f"in {res.get('stage', '?')}: {what}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80].strip("_")


@dataclass
class Summary:
    """Counts of a run's outcomes, its crash and hang classes, and what went around ``logging``."""

    time_limit: float = DEFAULT_TIME_LIMIT
    started: float = field(default_factory=time.monotonic)
    n: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, list[tuple[int, str, str]]] = field(default_factory=lambda: defaultdict(list))
    hangs: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    printed: list[tuple[int, str, str]] = field(default_factory=list)
    logs: Counter[str] = field(default_factory=Counter)
    slowest: list[tuple[float, int, str]] = field(default_factory=list)
    slow_by_wall: int = 0  # finished within the CPU limit, but took longer than it by the clock
    stopped: list[tuple[int, str, float]] = field(default_factory=list)  # the clock backstop: (id, case, cpu)

    def add(self, recipe: Recipe, res: Result) -> None:
        self.n += 1
        o = res["outcome"]
        self.outcomes[o] += 1
        if o == "input-error":
            self.codes[res["code"]] += 1
        elif o == "crash":
            self.crashes[crash_class(res)].append((recipe["id"], describe(recipe), res.get("frame", "")))
        elif o == "hang":
            self.hangs[hang_class(recipe, res)].append((recipe["id"], describe(recipe)))
        elif o == "stopped":
            self.stopped.append((recipe["id"], describe(recipe), res.get("cpu_s", 0.0)))
        if o not in ("hang", "stopped") and res.get("wall_s", 0) > self.time_limit:
            self.slow_by_wall += 1
        if res.get("printed"):
            self.printed.append((recipe["id"], describe(recipe), res["printed"][:120]))
        self.logs.update(res.get("log", {}))
        if o == "ok":
            cpu = float(res.get("cpu_s") or res["seconds"])
            self.slowest = sorted([*self.slowest, (cpu, recipe["id"], describe(recipe))], reverse=True)[:5]

    def text(self, jobs: int, seed: int, clock: str = "cpu") -> str:
        secs = time.monotonic() - self.started
        codes = " · ".join(f"{c} {k:,}" for c, k in sorted(self.codes.items()))
        lines = [
            f"fuzz: {self.n:,} inputs in {secs:,.0f} s ({self.n / max(secs, 1e-9):.2f} inputs/s, {jobs} jobs, seed {seed}, "
            f"limit {self.time_limit:g} s of {clock} time)",
            f"  ok           {self.outcomes['ok']:>7,}",
            f"  input-error  {self.outcomes['input-error']:>7,}   {codes}",
            f"  crash        {self.outcomes['crash']:>7,}",
        ]
        for cls, cases in sorted(self.crashes.items(), key=lambda kv: -len(kv[1])):
            lines.append(
                f"    {len(cases):>6,}  {cls}   (top frame {cases[0][2]}; e.g. case {cases[0][0]}: {cases[0][1]})"
            )
        lines.append(f"  hang         {self.outcomes['hang']:>7,}")
        for ops, hung in sorted(self.hangs.items(), key=lambda kv: -len(kv[1])):
            lines.append(f"    {len(hung):>6,}  {ops}   (e.g. case {hung[0][0]}: {hung[0][1]})")
        if clock == "cpu":
            lines.append(
                f"  over {self.time_limit:g} s by the clock only (a busy machine): {self.slow_by_wall:,} inputs"
            )
            lines.append(
                f"  stopped by the clock backstop ({WALL_FACTOR:g}× the limit) under {self.time_limit:g} s of CPU: "
                f"{len(self.stopped):,} inputs"
            )
            for cid, d, cpu in self.stopped[:5]:
                lines.append(f"    case {cid} ({d}): {cpu:.1f} s of CPU")
        lines.append(f"  printed to stdout/stderr directly: {len(self.printed):,} inputs")
        for cid, d, text in self.printed[:5]:
            lines.append(f"    case {cid} ({d}): {text!r}")
        if self.logs:
            records = " · ".join(f"{k} {v:,}" for k, v in self.logs.most_common())
            lines.append(f"  library log records (WARNING+, through logging): {records}")
        if self.slowest:
            lines.append(
                "  slowest ok (CPU): " + " · ".join(f"{s:.1f} s case {cid} ({d})" for s, cid, d in self.slowest)
            )
        return "\n".join(lines)


def save_case(save: Path, recipe: Recipe, res: Result, corpus: list[CorpusFile]) -> Path:
    """Write a crasher's or hanger's bytes and its recipe under ``save/<outcome>/<class>/``."""
    cls = crash_class(res) if res["outcome"] == "crash" else hang_class(recipe, res)
    sub = save / res["outcome"] / _slug(cls)
    sub.mkdir(parents=True, exist_ok=True)
    data, name = materialize(recipe, corpus)
    target: Path = sub / name
    if len(data) > GZIP_OVER_BYTES:
        target = sub / (name + ".gz")
        target.write_bytes(gzip.compress(data, 1))
    else:
        target.write_bytes(data)
    (sub / f"case{recipe['id']:06d}.json").write_text(json.dumps({"recipe": recipe, "result": res}, indent=1))
    return target


def minimize(data: bytes, predicate: Callable[[bytes], bool], *, budget_s: float = 300.0) -> bytes:
    """A smaller input for which ``predicate(bytes)`` still holds: delta debugging on lines, then on
    bytes (inputs of at most 20,000 bytes), within ``budget_s`` seconds."""
    deadline = time.monotonic() + budget_s
    for unit in ("lines", "bytes"):
        parts = data.splitlines(keepends=True) if unit == "lines" else [bytes([c]) for c in data]
        if unit == "bytes" and len(parts) > 20_000:
            break
        n = 2
        while len(parts) >= 2 and time.monotonic() < deadline:
            size = max(1, len(parts) // n)
            reduced = False
            for i in range(0, len(parts), size):
                candidate = parts[:i] + parts[i + size :]
                if candidate and predicate(b"".join(candidate)):
                    parts, n, reduced = candidate, max(n - 1, 2), True
                    break
                if time.monotonic() > deadline:
                    break
            if not reduced:
                if size == 1:
                    break
                n = min(len(parts), n * 2)
        data = b"".join(parts)
    return data
