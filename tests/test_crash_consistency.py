"""Crash consistency under load (issue 18.6): builds of a 200-document corpus are killed with SIGKILL
at 20 random moments, spread over parsing and loading. After each kill the database opens, passes
the validation suites and holds exactly the last committed build (the same hash of every table's
rows); a build that completes moves that state on.

The build runs in a subprocess (this file run as a script): it prints a line as parsing starts, per
file done, at each load step and when it is done, and it pauses — waiting on stdin — at a *guard*
step. A parse-time kill comes after a random number of files (guard: the load's first step); a
load-time kill a random time after a random load step (guard: the ``commit`` step, which runs just
before COMMIT), so every kill lands before COMMIT and the last committed build is known.

    python tests/test_crash_consistency.py DB FOLDER GUARD_STEP|-
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VOCAB = ROOT / "tests" / "data" / "conflicts" / "vocab.yml"
TEMPLATES = ("northwind_spring.md", "northwind_autumn.md", "southbay.md")
DOCUMENTS = 200
KILLS = 20
COMPLETE_EVERY = 10  # after every 10th kill a build runs to the end, so the committed state moves on


def corpus(folder: Path, n: int = DOCUMENTS) -> list[Path]:
    """``n`` small memos: the planted bulletins (``tests/data/conflicts``), each numbered in its title."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = [(ROOT / "tests" / "data" / "conflicts" / t).read_text(encoding="utf-8") for t in TEMPLATES]
    paths = []
    for i in range(n):
        title, body = texts[i % len(texts)].split("\n", 1)
        path = folder / f"memo{i:03d}.md"
        path.write_text(f"{title} {i:03d}\n{body}", encoding="utf-8")
        paths.append(path)
    return paths


def change(folder: Path, rng: random.Random, round_: int) -> None:
    """A new version of some memos, a few new ones and a few gone: the next build has work to do."""
    memos = sorted(folder.glob("*.md"))
    for path in rng.sample(memos, 25):
        path.write_text(path.read_text(encoding="utf-8") + f"\nRevised in round {round_}.\n", encoding="utf-8")
    for path in rng.sample(memos, 3):
        path.unlink()
    for k in range(3):
        title, body = (ROOT / "tests" / "data" / "conflicts" / TEMPLATES[k]).read_text(encoding="utf-8").split("\n", 1)
        (folder / f"new{round_:02d}_{k}.md").write_text(f"{title} round {round_}.{k}\n{body}", encoding="utf-8")


def rows_hash(db: Path) -> str:
    """A hash of every row of every table, each table in a fixed order."""
    from warehouse import Warehouse

    digest = hashlib.sha256()
    with Warehouse(db, read_only=True) as wh:
        tables = [t for (t,) in wh.query("SELECT table_name FROM duckdb_tables() ORDER BY 1")[1]]
        for table in tables:
            digest.update(table.encode())
            for row in wh.query(f'SELECT * FROM "{table}" ORDER BY ALL')[1]:
                digest.update(repr(row).encode())
    return digest.hexdigest()


def validated(db: Path) -> bool:
    """Whether the database passes the validation suites as it is (run on a read-only connection)."""
    from extract import Vocabulary
    from warehouse import Warehouse
    from warehouse.validate import run_suites

    with Warehouse(db, read_only=True) as wh:
        build_id = wh.query("SELECT max(build_id) FROM builds")[1][0][0]
        return run_suites(wh.con, build_id, Vocabulary.load(VOCAB)).success


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


class Build:
    """A build in a subprocess that reports its progress as lines on stderr."""

    def __init__(self, db: Path, folder: Path, guard: str):
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(db), str(folder), guard],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=_env(),
            cwd=folder.parent,
        )
        self.lines: list[str] = []

    def until(self, marker: str, count: int = 1) -> str:
        """Read the build's lines until the ``count``-th that starts with ``marker``; return it."""
        assert self.proc.stderr is not None
        while sum(ln.startswith(marker) for ln in self.lines) < count:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError(f"the build ended before {marker} ×{count}: {self.lines[-5:]} {self.proc.wait()}")
            self.lines.append(line.strip())
        return self.lines[-1]

    def kill(self) -> None:
        """SIGKILL the build; its worker processes (and their fork server) must go with it."""
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=60) == -signal.SIGKILL
        helpers = {int(pid) for ln in self.lines if ln.startswith("PARSED") for pid in ln.split()[2:]}
        deadline = time.monotonic() + 15
        while (alive := [pid for pid in helpers if _alive(pid)]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive, f"worker processes left behind: {alive}"

    def finish(self) -> None:
        self.until("DONE")
        assert self.proc.wait(timeout=60) == 0


#: the load's steps before COMMIT at which a load-time kill starts its countdown
LOAD_STEPS = ("builds", "documents", "blocks", "statements", "before_commit")


@pytest.mark.slow  # about 25 builds of 200 documents in subprocesses
def test_killed_builds_leave_exactly_the_last_committed_build(tmp_path):
    rng = random.Random(18)
    folder, db = tmp_path / "memos", tmp_path / "kb.duckdb"
    corpus(folder)
    Build(db, folder, "-").finish()
    committed, moments = rows_hash(db), []
    assert validated(db)
    for round_ in range(1, KILLS + 1):
        change(folder, rng, round_)
        if round_ % 2:  # half the kills while files are read, parsed and extracted: after k of them
            build = Build(db, folder, "builds")
            total = int(build.until("PARSING").split()[1])
            k = rng.randint(0, total)
            if k:
                build.until("PARSED", k)
            moment = f"parse: after {k} of {total} files"
        else:  # half while loading: a random time after a random step, at the latest just before COMMIT
            build = Build(db, folder, "commit")
            step, delay = rng.choice(LOAD_STEPS), rng.uniform(0, 1.5)
            build.until(f"STEP:{step}")
            time.sleep(delay)
            moment = f"load: {delay:.2f} s after step {step}"
        build.kill()
        moments.append(moment)
        assert rows_hash(db) == committed, f"kill {round_} ({moment}): not the last committed build"
        assert validated(db)
        if round_ % COMPLETE_EVERY == 0:  # a build to the end: the committed state moves on
            Build(db, folder, "-").finish()
            new = rows_hash(db)
            assert new != committed
            committed = new
    assert len(moments) == KILLS
    print("kill moments:", moments)


def _main(db: str, folder: str, guard: str) -> None:
    """The build the test kills: markers on stderr, a pause at the guard step (``-``: none)."""
    import multiprocessing
    from multiprocessing import forkserver

    import payerkg

    class Progress:
        def start(self, total: int) -> None:
            print(f"PARSING {total}", file=sys.stderr, flush=True)

        def advance(self, name: str) -> None:  # with the processes that parse: the workers, their server
            helpers = [p.pid for p in multiprocessing.active_children()] + [forkserver._forkserver._forkserver_pid]
            print(f"PARSED {name}", *[pid for pid in helpers if pid], file=sys.stderr, flush=True)

    def step(name: str) -> None:
        print(f"STEP:{name}", file=sys.stderr, flush=True)
        if name == guard:
            print(f"PAUSED:{name}", file=sys.stderr, flush=True)
            sys.stdin.readline()

    print("START", file=sys.stderr, flush=True)
    payerkg.build([folder], db=db, config={"vocab": VOCAB}, progress=Progress(), on_step=step)
    print("DONE", file=sys.stderr, flush=True)


if __name__ == "__main__":
    _main(*sys.argv[1:])
