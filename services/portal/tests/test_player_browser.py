"""The player and answer card scripts in headless Chromium, against the fake services.

Checks what the unit tests cannot: the browser resumes at the stored position,
a seek past the watched part is undone, playing sends heartbeats, and the
answer card stops a hand-in with unanswered questions.
"""

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from portal_service.api import create_api
from portal_service.settings import PortalSettings

from portal_fakes import ATTEMPT_ID, CHAPTER_ID, CLASS_ID, COURSE_ID, FakeState, build_fake

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CLIP = (Path(__file__).resolve().parents[2] / "learning" / "src" / "learning_service" / "media"
        / "demo-political.mp4")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerThread:
    """Run one ASGI app with uvicorn on a loopback port in a background thread."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_portal(tmp_path: Path) -> Iterator[tuple[str, FakeState]]:
    if not CLIP.exists():
        pytest.skip(f"demo clip {CLIP} is missing")
    fake = FakeState(video_file=CLIP)
    with ServerThread(build_fake(fake)) as services:
        base = f"http://127.0.0.1:{services.port}"
        settings = PortalSettings(
            environment="test", data_dir=tmp_path, identity_url=base, enrollment_url=base,
            payment_url=base, learning_url=base, assessment_url=base, credential_url=base)
        with ServerThread(create_api(settings)) as portal:
            yield f"http://127.0.0.1:{portal.port}", fake


@pytest.fixture
def browser_page() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def log_in(page, base: str, fake: FakeState) -> None:
    page.goto(f"{base}/")
    page.fill("#id_number", "320602198503150014")
    page.fill("#password", "Secret#2026")
    page.wait_for_function("document.getElementById('captcha-image').complete")
    page.fill("#captcha_answer", fake.captcha_answer)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/entry")


def test_player_resumes_blocks_skip_and_beats(live_portal, browser_page) -> None:
    base, fake = live_portal
    page = browser_page
    log_in(page, base, fake)

    page.goto(f"{base}/learner/classes/{CLASS_ID}/courses/{COURSE_ID}")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    page.wait_for_function("document.getElementById('player').currentTime > 12")
    resumed_at = page.evaluate("document.getElementById('player').currentTime")
    assert 12 <= resumed_at <= 13

    page.evaluate("document.getElementById('player').currentTime = 19")
    page.wait_for_function("document.getElementById('player').currentTime < 14")
    assert "不能跳过" in page.locator("#player-status").inner_text()

    page.evaluate("const v = document.getElementById('player'); v.muted = true; v.play()")
    page.wait_for_function("document.getElementById('player').currentTime > 14")
    page.evaluate("document.getElementById('player').pause()")
    page.wait_for_function("document.getElementById('chapter-progress').textContent === '80'")

    beats = fake.called("POST", "/api/learning/heartbeats")
    assert beats, "the player sent no heartbeat"
    assert {beat["chapter_id"] for beat in beats} == {CHAPTER_ID}
    assert all(beat["session_id"] for beat in beats)
    assert max(beat["position_seconds"] for beat in beats) < 19


def test_answer_card_requires_every_answer(live_portal, browser_page) -> None:
    base, fake = live_portal
    page = browser_page
    log_in(page, base, fake)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/learner/classes/{CLASS_ID}/attempts/{ATTEMPT_ID}")

    page.check("input[name='answer:q-1'][value='A']")
    page.click("#hand-in")
    assert "还有 1 道题未作答" in page.locator("#quiz-warning").inner_text()
    assert not fake.called("POST", f"/api/assessment/attempts/{ATTEMPT_ID}/hand-in")
    assert page.locator("[data-cell='q-1'].done").count() == 1

    page.check("input[name='answer:q-2'][value='A']")
    page.check("input[name='answer:q-2'][value='B']")
    page.click("#hand-in")
    page.wait_for_selector("#quiz-score")
    assert page.locator("#quiz-score").inner_text() == "50 分"
    assert "合格分为60分。" in page.content()
    assert fake.called("POST", f"/api/assessment/attempts/{ATTEMPT_ID}/hand-in") == [
        {"answers": {"q-1": ["A"], "q-2": ["A", "B"]}}]
