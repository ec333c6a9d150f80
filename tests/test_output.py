"""Output reads well (issue 17): tables fit the terminal and never wrap a cell into fragments, piped
output is plain TSV, ``--format`` is the same everywhere, exports go to stdout with ``--out -``,
and logging is ``-v`` / ``-vv`` / ``-vvv`` with every message printed once."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from conftest import DATA, PHARMACY_TXT
from extract import CONTRACT_COLUMNS
from payerkg import tables
from payerkg.cli import app
from warehouse import Warehouse

ACME_VOCAB = DATA / "acme_vocab.yml"
MEMO = DATA / "northwind_prose_memo.md"


def run(*args: str):
    return CliRunner().invoke(app, list(args))


# -- tables ------------------------------------------------------------------------------------------
def test_fit_widths_keeps_natural_widths_when_they_fit_and_cuts_the_widest_first():
    assert tables.fit_widths([5, 10, 30], 60, [5, 8, 8]) == [5, 10, 30]
    assert tables.fit_widths([5, 10, 30], 30, [5, 8, 8]) == [5, 10, 15]  # only the widest gives way
    assert tables.fit_widths([5, 40, 30], 35, [5, 8, 8]) == [5, 15, 15]  # the two widest share what is left
    assert tables.fit_widths([20, 20], 10, [8, 8]) == [8, 8]  # never below the floors
    assert tables.fit_widths([3, 20], 12, [8, 8]) == [3, 9]  # a short column keeps its width


def _render(columns, rows, width):
    console = Console(file=io.StringIO(), width=width)
    console.print(tables.table(columns, rows, width))
    return console.file.getvalue().splitlines()


@pytest.mark.parametrize("width", [60, 80, 120])
def test_a_table_fits_the_width_one_line_a_row_with_an_ellipsis(width):
    quote = "Beginning 3/1/2027, Orion Imaging Management manages authorizations for high-tech imaging " * 2
    rows = [[1, "Orion Imaging Management", "high-tech imaging", "Northwind Medicare Choice", "all", quote]] * 3
    lines = _render(["#", "vendor", "service", "line_of_business", "segment", "quote"], rows, width)
    assert all(len(x) <= width for x in lines), [len(x) for x in lines]
    assert len(lines) == 3 + 3 + 1  # top, header, rule; a line per row; bottom: no wrapped fragments
    assert all("…" in x for x in lines[3:6])
    assert "│ 1 │" in lines[3] and "│ all     │" in lines[3]  # short columns stay whole
    assert ("line_of_business" in lines[1]) == (width >= 80)  # headers stay whole while they fit


def test_document_text_in_a_table_is_not_markup():
    lines = _render(["quote"], [["see [bold]note[/bold] and [1]"]], 80)
    assert "see [bold]note[/bold] and [1]" in lines[3]


def test_tsv_is_one_line_a_row_and_joins_lists():
    text = tables.to_tsv(["a", "b", "c"], [["x\ty", ["MESSA", "UAW"], None], ["line\nbreak", 2, {"x0": 1.5}]])
    assert text.splitlines() == ["a\tb\tc", "x y\tMESSA; UAW\t", 'line break\t2\t{"x0": 1.5}']


# -- formats on the command line ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spring_db(tmp_path_factory):
    """Hand-made rules (tests/factories.py), no extraction: fast."""
    from factories import SPRING, Corpus

    base = tmp_path_factory.mktemp("out")
    (base / "memos").mkdir()
    corpus = Corpus(base / "memos")
    corpus.put(SPRING)
    with Warehouse(base / "spring.duckdb") as wh:
        wh.load(corpus.batch())
    return base / "spring.duckdb"


def test_piped_output_is_tsv_unless_a_format_is_asked_for(spring_db):
    sql = "select vendor, count(*) as rules from coverage_rules group by 1 order by 1"
    res = run("query", sql, "--db", str(spring_db))
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == ["vendor\trules", "Quillon Health Partners\t1", "Zephyr Care Partners\t3"]
    table = run("query", sql, "--db", str(spring_db), "--format", "table").stdout
    assert "┃ vendor " in table and "│ Zephyr Care Partners    │ 3     │" in table
    as_json = json.loads(run("query", sql, "--db", str(spring_db), "-f", "json").stdout)
    assert as_json == [
        {"vendor": "Quillon Health Partners", "rules": 1},
        {"vendor": "Zephyr Care Partners", "rules": 3},
    ]
    assert run("query", sql, "--db", str(spring_db), "-f", "csv").stdout.splitlines()[1] == "Quillon Health Partners,1"


@pytest.mark.parametrize("command", [["who", "-s", "genetic testing"], ["conflicts"]])
def test_who_and_conflicts_take_the_same_row_formats(spring_db, command):
    for fmt in ("table", "tsv", "csv", "json"):
        res = run(*command, "--db", str(spring_db), "--format", fmt)
        assert res.exit_code in (0, 1) and "Invalid value" not in res.output, (fmt, res.output)
    tsv = run(*command, "--db", str(spring_db)).stdout.splitlines()
    assert tsv and "\t" in tsv[0] and "┃" not in "".join(tsv)


def test_export_writes_to_stdout_with_out_dash_and_offers_csv(spring_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("export", "--format", "jsonl", "--out", "-", "--db", str(spring_db))
    assert res.exit_code == 0, res.output
    records = [json.loads(x) for x in res.stdout.splitlines()]
    assert len(records) == 4 and list(records[0]) == CONTRACT_COLUMNS
    assert not (tmp_path / "-").exists() and "wrote 4 rules to stdout" in res.stderr
    res = run("export", "--format", "csv", "--out", str(tmp_path / "rules.csv"), "--db", str(spring_db))
    assert res.exit_code == 0, res.output
    rows = list(csv.reader((tmp_path / "rules.csv").open(encoding="utf-8")))
    assert rows[0] == CONTRACT_COLUMNS and len(rows) == 5
    excepted = [r for r in rows[1:] if r[CONTRACT_COLUMNS.index("exceptions")]]
    assert [r[CONTRACT_COLUMNS.index("exceptions")] for r in excepted] == ["Contoso Steel Retirees"]


def test_extract_table_shows_requirement_and_conditions_and_each_quote():
    res = run("extract", str(MEMO), "--vocab", str(ACME_VOCAB), "--format", "table")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "requirement" in out and "not_requir" in out
    assert all(len(x) <= 80 for x in out.splitlines() if x[:1] in "┏┃┡│└")
    assert "[2] p1 (conditions: performed in a physician's office): “Northwind Commercial PPO members" in out
    tsv = run("extract", str(MEMO), "--vocab", str(ACME_VOCAB)).stdout.splitlines()
    assert tsv[0].split("\t") == CONTRACT_COLUMNS and len(tsv) == 4


def test_ingest_summary_is_one_aligned_row_a_document():
    res = run("ingest", str(MEMO), str(PHARMACY_TXT), "--format", "summary")
    assert res.exit_code == 0, res.output
    rows = [x.split("\t") for x in res.stdout.splitlines()]
    assert rows[0] == ["document", "type", "pages", "blocks", "warnings"]
    assert [len(r) for r in rows] == [5, 5, 5] and rows[1][0] == str(MEMO) and rows[1][1:3] == ["text", "1"]


# -- help, version, logging ---------------------------------------------------------------------------
def test_version():
    res = run("--version")
    assert res.exit_code == 0 and res.stdout.strip() == "payerkg 0.1.0"


def test_top_level_help_gives_each_command_one_whole_line():
    res = CliRunner().invoke(app, ["--help"], terminal_width=120)
    assert res.exit_code == 0
    listing = res.stdout.split("Commands", 1)[1]
    assert "│ diff       What changed in coverage between two versions of a document." in listing
    assert "Example" not in listing and "--version" in res.stdout


def test_v_counts_and_refuses_a_number():
    res = run("extract", "-v", "2", str(MEMO))
    assert res.exit_code == 2
    assert res.output.strip() == "error: `-v 2`: -v takes no number; repeat it for more detail (-vv, -vvv)"


def test_v_shows_payerkgs_decisions_and_vv_the_pattern_of_each_rule():
    quiet = run("extract", str(MEMO), "--vocab", str(ACME_VOCAB), "-f", "summary")
    assert "INFO" not in quiet.stderr and "DEBUG" not in quiet.stderr
    info = run("extract", str(MEMO), "--vocab", str(ACME_VOCAB), "-f", "summary", "-v").stderr
    assert f"INFO payerkg.decisions: {MEMO}: payer Northwind Health Plan; 3 rules" in info
    assert "DEBUG" not in info
    debug = run("extract", str(MEMO), "--vocab", str(ACME_VOCAB), "-f", "summary", "-vv").stderr
    rules = [x for x in debug.splitlines() if "← pattern" in x]
    assert len(rules) == 3 and all(x.startswith(f"DEBUG payerkg.decisions: {MEMO} p1 block ") for x in rules)
    assert "pdfminer" not in debug and "great_expectations" not in debug


@pytest.mark.slow  # a whole build (great-expectations)
def test_build_v_is_payerkgs_lines_not_the_libraries(tmp_path):
    res = run("build", str(MEMO), "--db", str(tmp_path / "v.duckdb"), "--vocab", str(ACME_VOCAB), "-v")
    assert res.exit_code == 0, res.output
    logged = [x for x in res.stderr.splitlines() if x.startswith(("INFO", "DEBUG", "WARNING"))]
    assert logged == [
        f"INFO payerkg.decisions: {MEMO}: payer Northwind Health Plan; 3 rules, 0 sentences not understood"
    ]


def test_an_input_error_is_printed_once(tmp_path):
    missing = tmp_path / "missing.pdf"
    for args in (["ingest", str(missing)], ["ingest", str(missing), "-v"], ["extract", str(missing), "-vv"]):
        res = run(*args)
        assert res.exit_code == 2  # a path that is not there is a bad argument (payerkg/inputs.py)
        assert res.output.count("missing.pdf") == 1, res.output
