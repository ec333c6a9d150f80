"""The README is executable truth (issue 17): every command of its ``sh`` and ``console`` blocks, every
``sql`` block and the Python session run here, in README order, against the seeds, as a new user
runs them after ``make run``; a renamed column, a removed flag or a moved file fails the suite
(sqlite-utils checks its documentation the same way).

Commands run in a scratch folder that holds the seeds and ``tests/data`` (so what they build or
write never touches the repository), in-process through the CLI's entry point. A comment that
says *exit N* is the status the command must end with; any other must end with 0. ``make``
targets are checked with a dry run (``make -n``): they install, run this suite or take minutes.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import payerkg
from conftest import DATA, ROOT
from payerkg.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)
#: the Makefile's ``run`` target: its last line prints the one line that puts payerkg on the PATH
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")

pytestmark = pytest.mark.slow  # builds, extracts and ingests all seeds


@dataclass(frozen=True)
class Command:
    """One command of a README block: its text, the status its comment promises, the output lines a
    ``console`` block shows after it."""

    line: str
    status: int = 0
    shows: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.line[:60]


def blocks(lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(README) if kind == lang]


def _command(text: str) -> Command:
    code, *comment = re.split(r"\s{2,}#\s?", text, maxsplit=1)  # a comment follows two spaces or more
    status = re.search(r"\bexit (\d)\b", "".join(comment))
    return Command(code.strip(), int(status.group(1)) if status else 0)


def commands() -> list[Command]:
    """Every command of the sh and console blocks, in README order."""
    out: list[Command] = []
    for kind, body in FENCE.findall(README):
        if kind == "sh":
            out += [_command(x) for x in body.replace("\\\n", " ").splitlines() if x.strip() and not x.startswith("#")]
        elif kind == "console":
            for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
                first, *rest = chunk.splitlines()
                out.append(Command(first.strip(), 0, tuple(x for x in rest if x.strip() and x.strip() != "…")))
    return out


COMMANDS = commands()


def test_the_readme_has_commands_of_every_kind():
    firsts = [c.line.split()[0] for c in COMMANDS]
    assert {"source", "make", "payerkg"} == set(firsts)
    assert len([f for f in firsts if f == "payerkg"]) >= 20
    assert len(blocks("sql")) >= 6 and len(blocks("python")) == 1


# -- the session ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ran:
    status: int
    stdout: str
    stderr: str


def _run(command: Command, cwd: Path) -> Ran:
    words = shlex.split(command.line)
    if words[0] == "source":  # a shell builtin: what make run prints (checked below); payerkg runs in-process
        return Ran(0, "", "")
    if words[0] == "make":  # a dry run: the target exists and its recipe expands
        done = subprocess.run(["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True)
        return Ran(done.returncode, done.stdout, done.stderr)
    assert words[0] == "payerkg", command.line
    target = None
    if ">" in words:
        words, target = words[: words.index(">")], words[words.index(">") + 1]
    res = CliRunner().invoke(app, words[1:])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    if target:
        (cwd / target).write_text(res.stdout, encoding="utf-8")
    return Ran(res.exit_code, res.stdout, res.stderr)


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> tuple[Path, dict[str, Ran]]:
    """A new user's folder after ``make run``: the seeds and ``tests/data``; every README command run
    there in order."""
    cwd = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "seeds", cwd / "seeds")
    (cwd / "tests").mkdir()
    (cwd / "tests" / "data").symlink_to(DATA)
    before = os.getcwd()
    ran: dict[str, Ran] = {}
    with pytest.MonkeyPatch.context() as mp:
        for var in (
            "PAYERKG_DB", "PAYERKG_VOCAB", "PAYERKG_WORKERS", "PAYERKG_MAX_BYTES", "PAYERKG_DOC_TIMEOUT",
            "PAYERKG_MAX_PAGES", "PAYERKG_MAX_MEMORY", "PAYERKG_WAIT",
        ):  # fmt: skip
            mp.delenv(var, raising=False)
        os.chdir(cwd)
        try:
            for c in COMMANDS:
                ran[c.line] = _run(c, cwd)
        finally:
            os.chdir(before)
    return cwd, ran


@pytest.mark.parametrize("command", COMMANDS, ids=[c.id for c in COMMANDS])
def test_every_readme_command_runs(session, command):
    cwd, ran = session
    result = ran[command.line]
    assert result.status == command.status, f"{command.line}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    shown = (result.stdout + result.stderr).splitlines()
    for expected in command.shows:
        assert expected in shown, f"{command.line}: {expected!r} not in its output"
    if ">" in command.line:
        assert (cwd / shlex.split(command.line)[-1]).stat().st_size > 0
    if "--out" in command.line and "--out -" not in command.line:
        assert (cwd / shlex.split(command.line.split("--out", 1)[1])[0]).stat().st_size > 0


def test_make_run_ends_with_the_line_the_cli_section_starts_with():
    recipe = MAKEFILE.split("\nrun:", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    printed = recipe[-1].replace("$(VENV)", ".venv").replace("\\n", "\n").strip(" '\t").splitlines()[-1].strip()
    cli_block = README.split("## CLI", 1)[1]
    first = _command(blocks("sh")[1].splitlines()[0]).line
    assert printed == first == "source .venv/bin/activate", (printed, first)
    assert cli_block.index(first) < cli_block.index("payerkg build")


@pytest.mark.parametrize("sql", blocks("sql"), ids=lambda q: " ".join(q.split())[:60])
def test_every_readme_query_runs_and_answers(session, sql):
    cwd, _ = session
    res = CliRunner().invoke(app, ["query", sql, "--db", str(cwd / "payerkg.duckdb"), "--format", "json"])
    assert res.exit_code == 0, (sql, res.output)
    if "-- on the seeds: no rows" not in sql:
        assert json.loads(res.stdout), f"no rows for README query:\n{sql}"


def test_the_readme_python_session_runs(session):
    cwd, _ = session
    [code] = blocks("python")
    namespace: dict = {}
    before = os.getcwd()
    os.chdir(cwd)
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(before)
    assert namespace["report"].result.parsed == 5
    assert namespace["answer"].findings and len(namespace["df"]) > 0
    assert (cwd / "rules.parquet").exists() and namespace["graph"].number_of_nodes() > 0
    assert namespace["changes"].changes and isinstance(namespace["config"], payerkg.BuildConfig)


# -- what the README says about the code -------------------------------------------------------------
def test_every_relative_link_exists():
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README)
    assert links and [x for x in links if not (ROOT / x).exists()] == []


def test_the_tables_named_in_the_readme_have_the_columns_it_names(session):
    cwd, _ = session
    with payerkg.open(cwd / "payerkg.duckdb") as kb:
        columns: dict[str, set[str]] = {}
        for table, column in kb.rows("SELECT table_name, column_name FROM information_schema.columns").rows:
            columns.setdefault(table, set()).add(column)
    section = README.split("| table / view | one row per | notes |", 1)[1].split("\n\n", 1)[0]
    rows = [r.split(" | ") for r in section.strip().splitlines()[1:]]
    assert len(rows) >= 15
    wrong = []
    for name_cell, _, notes in rows:
        names = re.findall(r"`(\w+)`", name_cell + " " + notes)
        tables = [n for n in names if n in columns]
        assert tables, name_cell
        for n in re.findall(r"`(\w+)`", notes):
            if n not in columns and not any(n in columns[t] for t in tables):
                wrong.append(f"{name_cell.strip('| ')}: {n}")
    assert wrong == []
