"""Fixtures of the deploy tests: the kustomize binary and rendered overlays."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# Make deploy_support importable whatever pytest's import mode is.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy_support import KUSTOMIZE, OVERLAYS, REPO_ROOT, render_overlay


@pytest.fixture(scope="session")
def kustomize() -> Path:
    """Return the pinned kustomize, building it with scripts/k8s_tools.sh if needed."""
    stamp_files = list(KUSTOMIZE.parent.glob(".kustomize-*")) if KUSTOMIZE.parent.exists() else []
    if KUSTOMIZE.exists() and stamp_files:
        return KUSTOMIZE
    if shutil.which("go") is None:
        pytest.skip(
            "Go toolchain not found: scripts/k8s_tools.sh builds kustomize from source "
            "with `go install`; install Go 1.26 or newer to run the manifest tests"
        )
    result = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "k8s_tools.sh"), "install"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"scripts/k8s_tools.sh install failed:\n{result.stdout}\n{result.stderr}")
    return KUSTOMIZE


@pytest.fixture(scope="session")
def rendered(kustomize: Path) -> dict[str, list[dict[str, Any]]]:
    """Return the objects of every overlay, keyed by overlay name."""
    return {overlay: render_overlay(kustomize, overlay) for overlay in OVERLAYS}
