"""The reading commands start fast because they import only what they use (issue 16: `who` and `query`
≤ 0.5 s on the seeds). Each command runs in a fresh interpreter, and the modules it imported are
checked by name: a top-level import that pulls a heavy library into `who`, `query` or `conflicts`
fails here, on any machine. The time itself is measured by `benchmarks/run.py --readers`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import DATA, ROOT

pytestmark = pytest.mark.slow  # subprocesses

#: what only building, extracting, exporting or the review site need
HEAVY = {
    "great_expectations", "pandas", "pyarrow", "numpy", "spacy", "pdfplumber", "pdfminer", "networkx", "jinja2",
    "ray", "sqlalchemy", "bs4", "lxml",
    # payerkg's own: the parser, the extractor, the load, the exporters, the pipeline and its workers
    "ingest.api", "ingest.pdf", "extract.api", "graph.kg", "warehouse.load", "warehouse.export",
    "warehouse.diff", "warehouse.report", "payerkg.pipeline", "payerkg.workers", "payerkg.site",
}  # fmt: skip
#: ``query`` and ``conflicts`` read no vocabulary, so they load neither pydantic (typer's option
#: values go through ``payerkg/coercion.py``) nor YAML nor extraction's records
VOCABULARY = {"pydantic", "pydantic_core", "yaml", "extract", "extract.vocabulary"}

PROBE = """
import json, sys
from payerkg import cli
try:
    cli.main(sys.argv[2:])
except SystemExit as e:
    status = e.code
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump({"status": status, "modules": sorted(sys.modules)}, f)
"""


def imported(tmp_path, *argv: str) -> tuple[int, set[str]]:
    """Exit status of ``payerkg ARGV`` and the modules it imported, in a fresh interpreter."""
    out = tmp_path / "modules.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "PAYERKG_VOCAB": str(DATA / "conflicts" / "vocab.yml"),
    }
    res = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *argv], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.exists(), res.stderr
    found = json.loads(out.read_text(encoding="utf-8"))
    return found["status"], set(found["modules"])


def heavy(modules: set[str], names: set[str]) -> set[str]:
    return {m for m in modules if m in names or m.split(".")[0] in names}


def test_query_loads_no_build_library_no_pydantic_and_no_vocabulary(planted_build, tmp_path):
    _, db, _ = planted_build
    status, modules = imported(
        tmp_path, "query", "select vendor, count(*) from coverage_rules group by 1", "--db", str(db)
    )
    assert status == 0
    assert "duckdb" in modules  # the probe saw the command run
    assert heavy(modules, HEAVY | VOCABULARY) == set()


def test_who_loads_the_vocabulary_and_no_build_library(planted_build, tmp_path):
    _, db, _ = planted_build
    argv = ["who", "-s", "genetic testing", "-l", "Commercial PPO", "-g", "Contoso Steel Retirees", "--db", str(db)]
    status, modules = imported(tmp_path, *argv)
    assert status == 0
    assert {"warehouse.who", "extract.vocabulary"} <= modules  # it answered, with the vocabulary
    assert heavy(modules, HEAVY) == set()
    status, table = imported(tmp_path, *argv, "--format", "table")
    assert status == 0 and "rich.table" in table
    assert heavy(table, HEAVY) == set()


def test_conflicts_loads_no_build_library(planted_build, tmp_path):
    _, db, _ = planted_build
    status, modules = imported(tmp_path, "conflicts", "--db", str(db))
    assert status == 0 and "warehouse.conflicts" in modules
    assert heavy(modules, HEAVY | VOCABULARY) == set()
