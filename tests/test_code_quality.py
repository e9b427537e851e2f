"""Ruff and mypy stay clean over every package (configured in ruff.toml and mypy.ini)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE_DIRS = [
    "libs/eventplatform/src",
    "contracts/src",
    *sorted(str(path.relative_to(REPO)) for path in REPO.glob("services/*/src")),
]


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_ruff_reports_nothing():
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_reports_nothing():
    result = subprocess.run([_tool("mypy"), *SOURCE_DIRS], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
