"""Shared pieces of the browser tests: addresses, screenshots, the captcha answer."""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import jwt
import pytest
from education_contracts import Category, QuizPassed
from eventplatform.testing import publish_event

REPO_ROOT = Path(__file__).resolve().parents[2]
STACK_SCRIPT = REPO_ROOT / "scripts" / "stack.py"
PORTAL_URL = os.environ.get("E2E_PORTAL_URL", "http://127.0.0.1:8000")
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
IDENTITY_URL = os.environ.get("E2E_IDENTITY_URL", "http://127.0.0.1:8001")
ENROLLMENT_URL = os.environ.get("E2E_ENROLLMENT_URL", "http://127.0.0.1:8002")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def newest_captcha_answer() -> str:
    """Return the answer of the captcha identity issued last (its development-only endpoint)."""
    response = httpx.get(f"{IDENTITY_URL}/api/dev/captchas/latest", timeout=10)
    if response.status_code != 200:
        pytest.fail(f"identity returned {response.status_code} for the latest captcha")
    return str(response.json()["answer"])


def pass_other_selected_courses(
    class_id: str, login_name: str, password: str, passed_course_id: str
) -> None:
    """Publish a QuizPassed event for every confirmed course of the class but one.

    The events go to the stack's real topic, as the assessment service's relay
    would send them, so the credential service counts the hours as usual.
    """
    with httpx.Client(timeout=30) as client:
        captcha = client.post(f"{IDENTITY_URL}/api/captcha").json()
        answer = newest_captcha_answer()
        login = client.post(
            f"{IDENTITY_URL}/api/login",
            json={"login_name": login_name, "password": password,
                  "captcha_id": captcha["captcha_id"], "captcha_answer": answer},
        )
        login.raise_for_status()
        token = login.json()["access_token"]
        learner_class = client.get(
            f"{ENROLLMENT_URL}/api/enrollment/classes/{class_id}",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    learner_id = jwt.decode(token, options={"verify_signature": False})["learner_id"]
    events = [
        QuizPassed(
            learner_id=UUID(learner_id),
            class_id=UUID(class_id),
            course_id=UUID(course["course_id"]),
            training_year=learner_class["training_year"],
            category=Category(course["category"]),
            credit_hours=course["credit_hours"],
            attempt_id=uuid4(),
            score=90,
            passed_at=datetime.now(UTC),
        )
        for course in learner_class["courses"]
        if course["state"] == "confirmed" and course["course_id"] != passed_course_id
    ]
    # Playwright's sync API runs an event loop in this thread, so asyncio.run() raises
    # RuntimeError here. A worker thread publishes the events with its own loop.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(lambda: asyncio.run(_publish_all(events))).result()


async def _publish_all(events: list[QuizPassed]) -> None:
    for event in events:
        await publish_event(lambda topic: topic, event)


def screenshot(page: object, name: str) -> None:
    """Save the page at desktop and at phone width."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-desktop.png"), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size(PHONE)  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-phone.png"), full_page=True)  # type: ignore[attr-defined]
    page.set_viewport_size(DESKTOP)  # type: ignore[attr-defined]
