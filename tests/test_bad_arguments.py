"""No traceback from any command (issue 18.7): every command, given bad arguments or inputs — missing
files, folders, a wrong ``--db`` (a text file, /etc/passwd, a folder, another program's DuckDB file,
a missing one for a read command), bad dates, bad formats and values, empty folders, a file that
cannot be read — exits non-zero with one line on stderr, and none prints a traceback or a rich panel.

The commands run through ``payerkg.cli.main`` (the console script's entry point) in this process; a
few run as ``python -m payerkg`` too. Running as root, ``chmod 000`` cannot make a file unreadable:
a link to ``/proc/self/mem`` (a regular file whose first page cannot be read) stands in for one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import DATA, ROOT
from factories import SPRING, Corpus
from payerkg import cli
from warehouse import Warehouse

PANEL = ("╭", "╰", "│")  # rich's panel frames (tracebacks, usage errors)


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("bad")
    corpus = Corpus(base / "memos")
    corpus.folder.mkdir()
    corpus.put(SPRING)
    kb = base / "kb.duckdb"
    with Warehouse(kb) as wh:
        wh.load(corpus.batch())
    text = base / "notes.txt"
    text.write_text("hello\n", encoding="utf-8")
    (base / "empty").mkdir()
    (base / "folder").mkdir()
    shutil.copy(DATA / "acme_memo.md", base / "folder")
    other = base / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t AS SELECT 1 AS a")
    con.close()
    os.mkfifo(base / "pipe.md")
    unreadable = base / "unreadable" / "memo.pdf"
    unreadable.parent.mkdir()
    unreadable.symlink_to("/proc/self/mem")
    return {
        "kb": kb,
        "text": text,
        "empty": base / "empty",
        "folder": base / "folder",
        "missing": base / "missing.md",
        "missing_db": base / "missing.duckdb",
        "other": other,
        "pipe": base / "pipe.md",
        "unreadable": unreadable,
        "new_db": base / "new.duckdb",
        "etc": Path("/etc/passwd"),
    }


#: (command with {placeholders}, what the one line says)
ARGUMENT_ERRORS = [
    # build
    ("build {missing} --db {new_db}", "no such file or folder"),
    ("build {empty} --db {new_db}", "no documents"),
    ("build {pipe} --db {new_db}", "not a file or a folder"),
    ("build {folder} --db {text}", "not a valid DuckDB database file"),
    ("build {folder} --db {etc}", "not a valid DuckDB database file"),
    ("build {folder} --db {empty}", "is a folder, not a database file"),
    ("build {folder} --db {other}", "not a payerkg database"),
    ("build {folder} --db {new_db} --vocab {text}", "not a payerkg vocabulary"),
    ("build {folder} --db {new_db} --vocab {missing}", "no such file"),
    ("build {folder} --db {new_db} --workers -1", "Invalid value for '--workers'"),
    ("build {folder} --db {new_db} --doc-timeout soon", "Invalid value for '--doc-timeout'"),
    ("build {folder} --db {new_db} --max-pages -3", "Invalid value for '--max-pages'"),
    ("build {folder} --db {new_db} --max-memory lots", "is not a size"),
    ("build {folder} --db {new_db} --wait forever", "Invalid value for '--wait'"),
    ("build {folder} --db {new_db} --bogus", "No such option: --bogus"),
    # query
    ("query 'select 1' --db {text}", "not a valid DuckDB database file"),
    ("query 'select 1' --db {etc}", "not a valid DuckDB database file"),
    ("query 'select 1' --db {empty}", "is a folder"),
    ("query 'select 1' --db {missing_db}", "no such database"),
    ("query 'select 1' --db {other}", "not a payerkg database"),
    ("query 'select * from nowhere' --db {kb}", "Table with name nowhere does not exist"),
    ("query 'select from where' --db {kb}", "syntax error"),
    ("query 'select 1' --db {kb} --format xml", "'xml' is not one of"),
    ("query --db {kb}", "Missing argument 'sql'"),
    ("query \"COPY (SELECT 1) TO '{missing}'\" --db {kb}", "--allow-files"),
    # who
    ("who -s 'genetic testing' --db {missing_db}", "no such database"),
    ("who -s 'genetic testing' --db {etc}", "not a valid DuckDB database file"),
    ("who -s 'genetic testing' --segment sideways --db {kb}", "unknown segment 'sideways'"),
    ("who --db {kb}", "Missing option '--service'"),
    ("who -s 'genetic testing' --as-of yesterday --db {kb}", "expected a date as YYYY-MM-DD, not 'yesterday'"),
    ("who -s 'genetic testing' --as-of 2026-13-45 --db {kb}", "expected a date as YYYY-MM-DD, not '2026-13-45'"),
    # conflicts
    ("conflicts --db {text}", "not a valid DuckDB database file"),
    ("conflicts --db {missing_db}", "no such database"),
    ("conflicts --db {kb} --format pdf", "'pdf' is not one of"),
    ("conflicts --ack zzzzzz --note checked --db {kb}", "no conflict with this id"),
    ("conflicts --ack abc --note checked --db {kb}", "first 6+ characters"),
    ("conflicts --ack abcdef --db {kb}", "--note: say why"),
    ("conflicts --note alone --db {kb}", "goes with --ack ID"),
    ("conflicts --ack abcdef --note checked --db {missing_db}", "no such database"),
    ("conflicts --ack abcdef --note checked --db {etc}", "not a valid DuckDB database file"),
    # diff
    ("diff {missing} {missing}", "no such file"),
    ("diff {folder} {folder}", "Is a directory"),
    ("diff abcdef 123456 --db {kb}", "no document in"),
    ("diff {text} {text} --format docx", "'docx' is not one of"),
    # export
    ("export --format jsonl --out {new_db}.jsonl --db {missing_db}", "no such database"),
    ("export --format jsonl --out {new_db}.jsonl --db {etc}", "not a valid DuckDB database file"),
    ("export --format jsonl --since yesterday --out {new_db}.jsonl --db {kb}", "--since 'yesterday'"),
    ("export --format jsonl --since 2026-13-45 --out {new_db}.jsonl --db {kb}", "--since '2026-13-45'"),
    ("export --format xlsx --out {new_db}.xlsx --db {kb}", "'xlsx' is not one of"),
    ("export --format jsonl --out {folder} --db {kb}", "is a folder"),
    ("export --format jsonl --out {text}/rules.jsonl --db {kb}", "is a file, not a folder"),
    # extract and ingest
    ("extract {missing}", "no such file or folder"),
    ("extract {empty}", "no documents"),
    ("extract {pipe}", "not a file or a folder"),
    ("extract {folder} --vocab {etc}", "not a payerkg vocabulary"),
    ("extract {folder} --format yaml", "'yaml' is not one of"),
    ("ingest {missing}", "no such file or folder"),
    ("ingest {empty}", "no documents"),
    ("ingest {folder} --max-bytes 0", "max_bytes must be a positive number"),
    # report
    ("report --db {missing_db}", "no such database"),
    ("report --db {etc}", "not a valid DuckDB database file"),
    ("report --stale-days 0 --db {kb}", "Invalid value for '--stale-days'"),
    ("report --out {text} --db {kb}", "is not a folder"),
    # migrate, and the command line itself
    ("migrate --db {etc}", "not a valid DuckDB database file"),
    ("migrate --db {empty}", "is a folder"),
    ("migrate --db {missing_db}", "no such database"),
    ("migrate --db {other}", "not a payerkg database"),
    ("frobnicate", "No such command 'frobnicate'"),
]


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    out, err = capsys.readouterr()
    return e.value.code, out, err


def _argv(command: str, place: dict[str, Path]) -> list[str]:
    import shlex

    return shlex.split(command.format(**{k: str(v) for k, v in place.items()}))


def _no_traceback(out: str, err: str) -> None:
    """No traceback anywhere, and no panel on stderr (stdout may hold a table of results)."""
    assert "Traceback" not in out + err and not any(frame in err for frame in PANEL), err


def test_every_command_has_bad_arguments_in_the_table():
    commands = {c.name or c.callback.__name__ for c in cli.app.registered_commands if c.callback}
    assert commands <= {command.split()[0] for command, _ in ARGUMENT_ERRORS}


@pytest.mark.parametrize(("command", "says"), ARGUMENT_ERRORS, ids=[c for c, _ in ARGUMENT_ERRORS])
def test_a_bad_argument_is_one_line_and_status_2(command, says, place, capsys):
    status, out, err = _run(_argv(command, place), capsys)
    _no_traceback(out, err)
    lines = err.strip().splitlines()
    assert status == 2, (status, out, err)
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert says in lines[0], lines[0]
    assert not place["new_db"].exists()  # a failed command leaves nothing behind


#: a file that cannot be read among the inputs: it fails with its code, the others are done
INPUT_FAILURES = [
    "build {unreadable} {folder} --db {new_db}",
    "extract {unreadable} {folder}",
    "ingest {unreadable} {folder}",
]


@pytest.mark.parametrize("command", INPUT_FAILURES)
def test_an_unreadable_file_is_named_with_its_code_and_status_1(command, place, capsys, tmp_path):
    argv = [tmp_path / "kb.duckdb" if a == str(place["new_db"]) else a for a in _argv(command, place)]
    status, out, err = _run([str(a) for a in argv], capsys)
    _no_traceback(out, err)
    assert status == 1, err
    named = [ln for ln in err.splitlines() if "memo.pdf" in ln and "[E100]" in ln]
    assert named and all("Input/output error" in ln for ln in named), err


@pytest.mark.slow  # subprocesses
@pytest.mark.parametrize(
    "command", ["query 'select 1' --db {etc}", "build {folder} --db {etc}", "who --db {kb}", "", "query --nope"]
)
def test_the_console_script_prints_no_traceback(command, place):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run(
        [sys.executable, "-m", "payerkg", *_argv(command, place)], capture_output=True, text=True, env=env, timeout=120
    )
    assert res.returncode == 2
    _no_traceback(res.stdout, res.stderr)
    if command:  # `payerkg` alone prints its help (to stdout) and exits 2
        assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("error: "), res.stderr
