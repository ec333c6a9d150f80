"""The CLI is a thin layer: every command is documented with an example, none holds SQL or business
logic, and exit statuses come from one place."""

from __future__ import annotations

import ast
import re
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

import payerkg
from conftest import ROOT
from payerkg import cli
from payerkg.cli import app

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def test_the_public_commands_are_all_there():
    public = {"build", "query", "who", "conflicts", "diff", "export", "extract", "ingest", "migrate", "report"}
    assert set(COMMANDS) == public


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command):
    res = CliRunner().invoke(app, [command, "--help"], terminal_width=120)
    assert res.exit_code == 0, res.output
    callback = next(c.callback for c in app.registered_commands if (c.name or c.callback.__name__) == command)
    assert "Example" in (callback.__doc__ or ""), f"payerkg {command}: add an Example: block to its help"
    # a real command line, shown as code under "Example:", not a placeholder
    [example] = re.findall(rf"^ +(payerkg {command} .+?) *$", res.stdout, re.M)
    assert "<" not in example, example
    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## CLI", 1)[1].split("\n## ", 1)[0]
    assert f"payerkg {command} " in readme


def test_the_cli_module_has_no_sql_and_no_database():
    source = (ROOT / "payerkg" / "cli.py").read_text(encoding="utf-8")
    strings = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    sql = [s for s in strings if re.search(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|FROM|JOIN)\b", s)]
    assert sql == []
    imports = {n.module for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom) and n.module}
    imports |= {a.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import) for a in n.names}
    assert not imports & {"duckdb", "warehouse", "extract", "graph"}, imports


@pytest.mark.parametrize(
    "error",
    [
        payerkg.InputError("x.pdf", "E101", "file is empty"),
        payerkg.LoadError("x"),
        payerkg.NoDatabaseError("x"),
        payerkg.SchemaVersionError("x"),
        payerkg.QueryError("x"),
        payerkg.ArgumentError("x"),
        payerkg.ConfigError("x"),
    ],
)
def test_every_error_maps_to_status_2(error):
    assert cli.exit_code(error) == 2


def test_build_statuses():
    def report(failures=(), success=True, notices=()):
        return SimpleNamespace(failures=failures, validation=SimpleNamespace(success=success), notices=notices)

    assert cli.build_status(report(), strict=True) == 0
    assert cli.build_status(report(failures=("x",)), strict=True) == 1
    assert cli.build_status(report(success=False), strict=False) == 0
    assert cli.build_status(report(success=False), strict=True) == 3
    assert cli.build_status(report(notices=("no rules",)), strict=False) == 0
    assert cli.build_status(report(notices=("no rules",)), strict=True) == 3


def test_an_error_is_one_line_on_stderr_and_status_2(tmp_path):
    res = CliRunner().invoke(app, ["conflicts", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2
    assert (
        res.output.strip() == f"error: {tmp_path / 'none.duckdb'}: no such database; run `payerkg build --db "
        f"{tmp_path / 'none.duckdb'}` first"
    )
    res = CliRunner().invoke(
        app,
        [
            "export",
            "--format",
            "graphml",
            "--since",
            "1",
            "--out",
            str(tmp_path / "g"),
            "--db",
            str(tmp_path / "none.duckdb"),
        ],
    )
    assert res.exit_code == 2 and "error:" in res.output


def test_main_takes_argv(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--help"])
    assert e.value.code == 0 and "payerkg" in capsys.readouterr().out


def test_extract_explain_shows_each_slots_text_and_what_was_not_understood():
    res = CliRunner().invoke(app, ["extract", str(ROOT / "seeds" / "004_b93c26da9521528b.pdf"), "--explain"])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert out.startswith("# ") and "payer Blue Cross Blue Shield of Kansas City" in out
    rules = re.findall(r"^\d+\. (.+)$", out, re.M)
    assert len(rules) == 2 and all(r.startswith("eviCore healthcare | ") for r in rules)
    for slot in ("vendor:", "service:", "line_of_business:", "quote:", "pattern:"):
        assert out.count(f"     {slot}") == 2, slot
    assert "not understood (" in out and "— a sentence names eviCore healthcare" in out
