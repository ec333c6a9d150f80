"""Two processes, one database (issue 18.4): while a build holds the write lock — a real build in a
subprocess, paused inside its load transaction (``tests/pause_build.py``) — readers get a one-line
"being built" message, and a second build waits for the lock up to ``--wait`` seconds, saying so
once, then either goes on when the first build commits or exits 2 with a clear message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from conftest import DATA, ROOT
from payerkg.cli import app
from warehouse import Warehouse

pytestmark = pytest.mark.slow  # builds in subprocesses

VOCAB = DATA / "conflicts" / "vocab.yml"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _read_until(stream, marker: str, proc: subprocess.Popen, timeout: float = 120) -> str:
    seen, deadline = "", time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        seen += line
        if marker in line or (not line and proc.poll() is not None):
            break
    assert marker in seen, seen
    return seen


@pytest.fixture
def paused(tmp_path):
    """A build of two memos into a new database, paused inside its load transaction (write lock held)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("northwind_spring.md", "southbay.md"):
        shutil.copy(DATA / "conflicts" / name, docs / name)
    db = tmp_path / "kb.duckdb"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "pause_build.py"), str(db), "statements", str(docs)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=_env(),
        cwd=tmp_path,
    )
    try:
        _read_until(proc.stderr, "PAUSED statements", proc)
        yield docs, db, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def test_readers_during_a_build_are_told_it_is_being_built(paused):
    _, db, _ = paused
    runner = CliRunner()
    for command in (["query", "select count(*) from coverage_rules"], ["who", "-s", "genetic testing"], ["conflicts"]):
        res = runner.invoke(app, [*command, "--db", str(db)])
        assert res.exit_code == 2, res.output
        lines = res.output.strip().splitlines()
        assert len(lines) == 1 and "the database is being built" in lines[0] and "Traceback" not in res.output
        assert lines[0].startswith(f"error: {db}: ") and "try again when the build finishes" in lines[0]


def test_a_second_build_waits_then_gives_up_with_exit_2(paused):
    docs, db, _ = paused
    started = time.monotonic()
    res = CliRunner().invoke(app, ["build", str(docs), "--db", str(db), "--vocab", str(VOCAB), "--wait", "2"])
    elapsed = time.monotonic() - started
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("waiting: ") and "waiting up to 2 s" in lines[0]
    assert lines[1].startswith(f"error: {db}: ") and "waited 2 s (--wait)" in lines[1]
    assert 2 <= elapsed < 20, elapsed


def test_a_second_build_waits_for_the_first_to_commit_and_goes_on(paused):
    docs, db, first = paused
    shutil.copy(DATA / "acme_memo.md", docs)  # the second build has one more document to load
    second = subprocess.Popen(
        [sys.executable, "-m", "payerkg", "build", str(docs), "--db", str(db), "--vocab", str(VOCAB), "--wait", "120"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=_env(),
        cwd=db.parent,
    )
    try:
        said = _read_until(second.stderr, "waiting: ", second)
        time.sleep(1.5)  # it keeps waiting, without saying so again
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.wait(timeout=120) == 0
        rest = second.stderr.read()
        assert second.wait(timeout=300) == 0, said + rest
    finally:
        if second.poll() is None:
            second.kill()
    output = said + rest
    assert output.count("waiting: ") == 1 and "has the database open" in output
    assert "build 2 → " in output and "1 parsed" in output and "2 unchanged" in output, output
    with Warehouse(db, read_only=True) as wh:
        assert wh.query("SELECT build_id FROM builds ORDER BY 1")[1] == [(1,), (2,)]
        assert wh.query("SELECT count(*) FROM documents WHERE status = 'active'")[1] == [(3,)]
