"""Fixtures of the browser tests: the running stack and headless Chromium.

The stack is started with ``scripts/stack.py up --detach`` (Kafka, every service,
the portal and demo data) and stopped with ``down`` afterwards. Without that
script the tests are skipped. A stack that already runs is used and left running.
"""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from e2e_browser import CHROMIUM, CHROMIUM_FLAGS, DESKTOP, PORTAL_URL, REPO_ROOT, STACK_SCRIPT


def _kafka_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 9092)) == 0


def _portal_ready() -> bool:
    try:
        return httpx.get(f"{PORTAL_URL}/healthz/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def stack() -> Iterator[str]:
    """Use the running stack, or start it with demo data and stop it afterwards."""
    if _portal_ready():
        yield PORTAL_URL
        return
    if not STACK_SCRIPT.exists():
        pytest.skip("scripts/stack.py does not exist yet, so the stack cannot be started")
    kafka_was_running = _kafka_running()
    subprocess.run([sys.executable, str(STACK_SCRIPT), "up", "--detach"], check=True,
                   cwd=REPO_ROOT, timeout=600)
    try:
        deadline = time.monotonic() + 180
        while not _portal_ready():
            if time.monotonic() > deadline:
                pytest.fail(f"the portal at {PORTAL_URL} did not become ready after stack.py up")
            time.sleep(1)
        yield PORTAL_URL
    finally:
        subprocess.run([sys.executable, str(STACK_SCRIPT), "down"], cwd=REPO_ROOT, timeout=300)
        # NOTE: "stack.py down" also stops the shared Kafka broker. Other test runs may
        # have been using it, so a broker that ran before "up" is started again.
        if kafka_was_running:
            subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "kafka.py"), "start"],
                           cwd=REPO_ROOT, timeout=300)


@pytest.fixture(scope="session")
def browser(stack: str) -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                                              headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")  # type: ignore[attr-defined]
    context.set_default_timeout(20_000)
    page = context.new_page()
    # Confirm dialogs (交卷, 离岗) would otherwise be dismissed by Playwright.
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()
