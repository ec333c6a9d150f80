"""Which process of a ``payerkg build`` peaks, and when: the RSS of the build and every descendant,
sampled from ``/proc`` every 0.2 s.

Each process is named by its role (``driver``, ``forkserver``, ``worker``, ``validator``
(``payerkg.validator``, which runs great-expectations), ``tracker`` for multiprocessing's resource
tracker, else its command) and reported with its RSS once started (the
first sample), its peak (``VmHWM``) and when that peak came, as seconds since the build started and
as a share of the build. The driver's RSS is also printed over time, and ``wait4``'s figure (what
``benchmarks/run.py`` reports: the largest single process) at the end. The workers' lifetimes show
the phases: parsing runs while workers live; the plan, the writes, validation and the report come after.

    python benchmarks/rss_probe.py CORPUS --workers 1 [--db /tmp/probe.duckdb] [--every 0.2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _status(pid: int) -> dict[str, int]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0]) // 1024  # MiB
    except OSError:
        pass
    return out


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _role(pid: int, root: int, roles: dict[int, str]) -> str:
    if pid == root:
        return "driver"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return "?"
    if roles.get(ppid) == "forkserver":  # forked by the fork server: same command line, a worker
        comm = Path(f"/proc/{pid}/comm").read_text().strip() if Path(f"/proc/{pid}/comm").exists() else ""
        return "validator" if comm.startswith("payerkg-valid") else "worker"
    if "forkserver" in cmd:
        return "forkserver"
    if "resource_tracker" in cmd:
        return "tracker"
    return cmd[:60]


def probe(corpus: Path, db: Path, workers: int, every: float, extra: list[str]) -> dict:
    for leftover in db.parent.glob(db.name + "*"):
        leftover.unlink()
    args = [sys.executable, "-m", "payerkg", "build", str(corpus), "--db", str(db), "--workers", str(workers), *extra]
    # stderr to a file, not a pipe: nobody reads it while the build runs, and a full pipe blocks the build
    with tempfile.TemporaryFile() as errors:
        t0 = time.monotonic()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=errors, cwd=ROOT)
        seen, driver, (status, usage) = _sample(proc.pid, t0, every)
        wall = time.monotonic() - t0
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"build failed ({code}):\n{stderr}")
    workers_end = max((p["end"] for p in seen.values() if p["role"] == "worker"), default=None)
    return {
        "wall": wall, "wait4_mib": usage.ru_maxrss / 1024, "exit": code, "processes": list(seen.values()),
        "driver": driver, "workers_end": workers_end,
    }  # fmt: skip


def _sample(root: int, t0: float, every: float) -> tuple[dict[int, dict], list[tuple[float, int]], tuple]:
    """Sample ``root`` and its descendants until ``root`` exits; its wait status and rusage."""
    seen: dict[int, dict] = {}
    driver: list[tuple[float, int]] = []
    while True:
        now = time.monotonic() - t0
        for pid in _tree(root):
            s = _status(pid)
            if not s:
                continue
            info = seen.get(pid)
            if info is None:
                roles = {p: i["role"] for p, i in seen.items()}
                info = seen[pid] = {"pid": pid, "role": _role(pid, root, roles), "start": now, "first": s["VmRSS"]}
                info.update(hwm=0, peak_at=now, series=[])
            elif info["role"] == "worker":  # the validator names itself once started
                info["role"] = _role(pid, root, {p: i["role"] for p, i in seen.items()})
            if s["VmHWM"] > info["hwm"]:
                info["hwm"], info["peak_at"] = s["VmHWM"], now
            info["end"] = now
            info["last"] = s["VmRSS"]
            info["series"].append((now, s["VmRSS"]))
            if pid == root:
                driver.append((now, s["VmRSS"]))
        pid, status, usage = os.wait4(root, os.WNOHANG)
        if pid:
            return seen, driver, (status, usage)
        time.sleep(every)


def report(r: dict) -> str:
    wall = r["wall"]
    lines = [f"wall {wall:.1f} s, wait4 peak RSS {r['wait4_mib']:.0f} MiB, exit {r['exit']}"]
    if r["workers_end"] is not None:
        lines.append(f"parsing (workers alive) until {r['workers_end']:.1f} s ({r['workers_end'] / wall:.0%})")
    lines.append("role        pid     start s  first MiB  peak MiB  peak at s (share)  end s")
    for p in sorted(r["processes"], key=lambda p: p["start"]):
        lines.append(
            f"{p['role'][:10]:10} {p['pid']:7d} {p['start']:8.1f} {p['first']:10d} {p['hwm']:9d}"
            f" {p['peak_at']:9.1f} ({p['peak_at'] / wall:4.0%}) {p['end']:7.1f}"
        )
    for p in r["processes"]:
        if p["role"] == "worker" and len(p["series"]) > 10:  # does a worker grow with the documents it reads?
            n = len(p["series"])
            at = [p["series"][min(n - 1, int(n * q))] for q in (0.1, 0.25, 0.5, 0.75, 1.0)]
            lines.append(f"worker {p['pid']} RSS at 10/25/50/75/100% of its life: " + ", ".join(f"{m}" for _, m in at))
    step = max(1, len(r["driver"]) // 25)
    lines.append("driver RSS over time: " + ", ".join(f"{t:.0f}s {m}" for t, m in r["driver"][::step]))
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--db", type=Path, default=Path("/tmp/rss-probe.duckdb"))
    ap.add_argument("--every", type=float, default=0.2)
    ap.add_argument("--json", type=Path)
    args, extra = ap.parse_known_args(argv)
    r = probe(args.corpus, args.db, args.workers, args.every, extra)
    print(report(r))
    if args.json:
        args.json.write_text(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
