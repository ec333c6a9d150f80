"""Imports run one way: ingest ← extract ← graph ← warehouse ← payerkg (DESIGN.md)."""

from __future__ import annotations

import ast

import pytest

from conftest import ROOT

LAYERS = ["ingest", "extract", "graph", "warehouse", "payerkg"]


@pytest.mark.parametrize("pkg", LAYERS)
def test_a_stage_never_imports_a_later_one(pkg):
    later = set(LAYERS[LAYERS.index(pkg) + 1:])
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
