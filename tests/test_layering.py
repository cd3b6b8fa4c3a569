"""The dependency rule (DESIGN.md §1) as import-linter contracts, run as a test too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    declared = Path(ROOT, "pyproject.toml").read_text("utf-8").count("[[tool.importlinter.contracts]]")
    assert declared >= 7
    assert f"Contracts: {declared} kept, 0 broken" in proc.stdout
