"""Imports run one way: ingest ← extract ← graph ← warehouse ← payerkg (docs/architecture.md)."""

from __future__ import annotations

import ast

import pytest

from conftest import ROOT

LAYERS = ["ingest", "extract", "graph", "warehouse", "payerkg"]


@pytest.mark.parametrize("pkg", LAYERS)
def test_a_stage_never_imports_a_later_one(pkg):
    later = set(LAYERS[LAYERS.index(pkg) + 1 :])
    bad = []
    for py in (ROOT / pkg).rglob("*.py"):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bad += [(py.name, n) for n in names if n.split(".")[0] in later]
    assert bad == []


#: docs/architecture.md: modules are split by responsibility before they grow past this
MAX_LINES = 300


@pytest.mark.parametrize("pkg", ["payerkg", "warehouse", "extract"])
def test_no_module_is_over_the_line_limit(pkg):
    long = {
        str(py.relative_to(ROOT)): n
        for py in (ROOT / pkg).rglob("*.py")
        if (n := len(py.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
