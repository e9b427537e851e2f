"""Policy scan of the rendered manifests, the Dockerfiles and deploy/ with
checkov, against the accepted findings in deploy/policy-exceptions.yaml.

checkov runs offline. --skip-download and BC_SKIP_MAPPING stop its calls to
the vendor's platform, and CKV_SKIP_PACKAGE_UPDATE_CHECK stops its version
check. Where the kernel allows it (root, util-linux unshare), it also runs in
a new network namespace that has only a loopback interface, so no request can
leave the machine even if a later checkov adds one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_support import DEPLOY_DIR, OVERLAYS, REPO_ROOT, glob_any

EXCEPTIONS_FILE = DEPLOY_DIR / "policy-exceptions.yaml"
CHECKOV = Path(sys.executable).with_name("checkov")


@dataclass(frozen=True)
class ScanResult:
    findings: list[Finding]
    scanned_resources: set[str]


@dataclass(frozen=True)
class Finding:
    check: str
    name: str
    resource: str
    file: str

    def describe(self) -> str:
        return f"{self.check} ({self.name}) on {self.resource} in {self.file}"


@lru_cache(maxsize=1)
def network_isolation_prefix() -> tuple[str, ...]:
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, check=False)
    return (unshare, "--net") if probe.returncode == 0 else ()


def run_checkov(directory: Path, frameworks: list[str], path_prefix: str) -> ScanResult:
    """Run checkov on one directory; return its failed checks and the
    resources it checked."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}; run scripts/bootstrap.sh (it is pinned in requirements.lock)")
    environment = dict(os.environ)
    environment.update({"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE", "LOG_LEVEL": "WARNING"})
    command = [
        *network_isolation_prefix(),
        str(CHECKOV),
        "--directory",
        str(directory),
        "--framework",
        *frameworks,
        "--output",
        "json",
        # No --quiet: the passed checks show which resources were read.
        "--compact",
        "--skip-download",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    # Exit code 1 means "findings"; anything else is a failure of checkov.
    if result.returncode not in (0, 1):
        pytest.fail(f"checkov exited with {result.returncode}:\n{result.stderr[-4000:]}")
    try:
        reports = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov printed no JSON report:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    if isinstance(reports, dict):
        reports = [reports]

    findings = []
    scanned: set[str] = set()
    for report in reports:
        summary = report.get("summary", report)
        assert summary.get("parsing_errors", 0) == 0, f"checkov could not parse some files: {report}"
        results = report.get("results", {})
        scanned.update(check["resource"] for check in results.get("passed_checks", []))
        scanned.update(check["resource"] for check in results.get("failed_checks", []))
        for failed in report.get("results", {}).get("failed_checks", []):
            findings.append(
                Finding(
                    check=failed["check_id"],
                    name=failed["check_name"],
                    resource=failed["resource"],
                    file=path_prefix + failed["file_path"],
                )
            )
    return ScanResult(findings, scanned)


def load_exceptions() -> list[dict[str, Any]]:
    return yaml.safe_load(EXCEPTIONS_FILE.read_text(encoding="utf-8"))["exceptions"]


def exception_matches(exception: dict[str, Any], finding: Finding) -> bool:
    if exception["check"] != finding.check:
        return False
    return glob_any(finding.resource, exception.get("resources", [])) or glob_any(
        finding.file, exception.get("files", [])
    )


@pytest.fixture(scope="module")
def scan(rendered, tmp_path_factory) -> ScanResult:
    rendered_dir = tmp_path_factory.mktemp("rendered")
    for overlay in OVERLAYS:
        (rendered_dir / f"{overlay}.yaml").write_text(yaml.safe_dump_all(rendered[overlay]), encoding="utf-8")
    manifests = run_checkov(rendered_dir, ["kubernetes"], "rendered")
    sources = run_checkov(DEPLOY_DIR, ["dockerfile", "secrets"], "deploy")
    return ScanResult(manifests.findings + sources.findings, manifests.scanned_resources | sources.scanned_resources)


@pytest.fixture(scope="module")
def findings(scan) -> list[Finding]:
    return scan.findings


def test_exceptions_have_reasons():
    for exception in load_exceptions():
        assert exception.get("check"), f"exception without a check id: {exception}"
        assert exception.get("reason", "").strip(), f"exception {exception['check']} has no reason"
        assert exception.get("resources") or exception.get("files"), (
            f"exception {exception['check']} matches nothing: give resources or files"
        )


def test_scan_has_no_unaccepted_findings(findings):
    exceptions = load_exceptions()
    unaccepted = [finding for finding in findings if not any(exception_matches(e, finding) for e in exceptions)]
    message = "\n".join(sorted({finding.describe() for finding in unaccepted}))
    assert not unaccepted, (
        f"checkov findings not listed in {EXCEPTIONS_FILE.relative_to(REPO_ROOT)}; fix them, "
        f"or add an exception with its reason:\n{message}"
    )


def test_every_exception_still_matches(findings):
    stale = [
        exception["check"]
        for exception in load_exceptions()
        if not any(exception_matches(exception, finding) for finding in findings)
    ]
    assert not stale, f"exceptions that match no finding any more (delete them): {stale}"


def test_scan_covered_workloads_and_dockerfiles(scan):
    # A scan that silently read nothing would pass the tests above.
    for resource in (
        "Deployment.gqjy.identity-api",
        "Deployment.gqjy.payment-relay",
        "Deployment.gqjy.credential-consumers",
        "Deployment.gqjy.portal-api",
        "StatefulSet.gqjy-observability.tempo",
    ):
        assert resource in scan.scanned_resources, f"checkov did not check {resource}"
    dockerfiles = {resource for resource in scan.scanned_resources if ".Dockerfile." in resource}
    assert any(resource.startswith("/images/identity.Dockerfile.") for resource in dockerfiles), (
        f"checkov did not check identity.Dockerfile; it checked {sorted(dockerfiles)}"
    )
