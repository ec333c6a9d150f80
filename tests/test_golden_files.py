"""The golden rules on disk are exactly what ``tests/golden/make_golden.py`` writes, and the script
writes nothing unless ``PAYERKG_REGEN_GOLDEN=1`` is set (so a regenerated golden is a reviewed edit
of the script, never a copy of the extractor's output)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import GOLDEN


def _script(tmp_path):
    """make_golden imported so that it writes into ``tmp_path`` instead of tests/golden."""
    spec = importlib.util.spec_from_file_location("make_golden_copy", GOLDEN / "make_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.__file__ = str(tmp_path / "make_golden.py")  # write() puts files next to __file__
    return module


def _generators(module) -> dict[str, object]:
    return {
        name[len("rules_") :]: fn for name, fn in vars(module).items() if name.startswith("rules_") and callable(fn)
    }


def test_every_golden_the_script_writes_is_on_disk_as_written(tmp_path):
    module = _script(tmp_path)
    written = _generators(module)
    assert written, "make_golden.py defines no rules_NNN functions"
    for name, rules in written.items():
        module.write(name, rules())
        on_disk = GOLDEN / f"{name}.rules.jsonl"
        assert on_disk.exists(), (
            f"{on_disk.name} is missing: run PAYERKG_REGEN_GOLDEN=1 python {GOLDEN / 'make_golden.py'}"
        )
        assert on_disk.read_text(encoding="utf-8") == (tmp_path / f"{name}.rules.jsonl").read_text(encoding="utf-8"), (
            f"{on_disk.name} differs from make_golden.py's rules_{name}(): edit the script, regenerate, review the diff"
        )


@pytest.mark.slow
def test_the_script_refuses_to_write_without_the_flag(tmp_path):
    before = {p.name: p.read_bytes() for p in GOLDEN.glob("*.jsonl")}
    env = {k: v for k, v in os.environ.items() if k != "PAYERKG_REGEN_GOLDEN"}
    res = subprocess.run(
        [sys.executable, str(GOLDEN / "make_golden.py")], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert res.returncode != 0 and "PAYERKG_REGEN_GOLDEN=1" in res.stderr
    assert {p.name: p.read_bytes() for p in GOLDEN.glob("*.jsonl")} == before
