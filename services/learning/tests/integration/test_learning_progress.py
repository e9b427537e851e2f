"""Watch progress on real PostgreSQL and Kafka: only time actually played counts."""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from learning_testkit import class_opened, courses_selected, publish, read_topic, relay_caught_up
from education_contracts import Category, CourseCompleted, Topics
from education_contracts.base import DateWindow
from eventplatform.clock import FixedClock, shanghai_noon
from eventplatform.testing import eventually, running
from learning_service.domain import Chapter, CourseDetails
from learning_service.readmodels import ChapterRow, ClassRow, SelectedCourseRow
from sqlalchemy import select

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

CHAPTER_SECONDS = 120


def watch_course(code: str = "T-WATCH") -> CourseDetails:
    chapters = tuple(
        Chapter(number=number, title=f"第{number}章", duration_seconds=CHAPTER_SECONDS, video_file="demo-political.mp4")
        for number in (1, 2)
    )
    return CourseDetails(code=code, title="测试观看课程", category="political", credit_hours=2,
                         provider_id="test-prov", description="", chapters=chapters)


@dataclass
class Player:
    """One browser tab playing a course: sends heartbeats as the real player would."""

    client: httpx.AsyncClient
    clock: FixedClock
    headers: dict[str, str]
    class_id: uuid.UUID
    course_id: uuid.UUID
    session_id: uuid.UUID = field(default_factory=uuid.uuid4)

    async def beat(self, chapter_id: uuid.UUID, position: float, after_seconds: float = 0) -> httpx.Response:
        self.clock.advance(timedelta(seconds=after_seconds))
        return await self.client.post("/api/learning/heartbeats", headers=self.headers, json={
            "class_id": str(self.class_id), "course_id": str(self.course_id), "chapter_id": str(chapter_id),
            "position_seconds": position, "session_id": str(self.session_id),
        })

    async def watch(self, chapter_id: uuid.UUID, *, speed: float = 1.0, step: float = 10) -> list[dict[str, Any]]:
        """Play a chapter from 0 to its end, one heartbeat per ``step`` wall-clock seconds."""
        results = [(await self.beat(chapter_id, 0)).json()]
        position = 0.0
        while position < CHAPTER_SECONDS:
            position = min(position + step * speed, CHAPTER_SECONDS)
            response = await self.beat(chapter_id, position, after_seconds=step)
            assert response.status_code == 200, response.text
            results.append(response.json())
        return results


@dataclass
class Scenario:
    learning: Any
    harness: Any
    learner_id: uuid.UUID
    class_id: uuid.UUID
    course_id: uuid.UUID
    chapter_ids: list[uuid.UUID]
    headers: dict[str, str]

    def player(self) -> Player:
        return Player(self.harness.client, self.learning.application.clock, self.headers,
                      self.class_id, self.course_id)

    async def course_view(self) -> dict[str, Any]:
        response = await self.harness.client.get(
            f"/api/learning/classes/{self.class_id}/courses/{self.course_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


async def open_class(learning, harness, token_for, *, select_course: bool = True,
                     window: DateWindow | None = None) -> Scenario:
    """Import the test course, then open a class and select the course through Kafka events."""
    application = learning.application
    details = watch_course()
    application.import_catalog({"test-prov": "测试提供方"}, [details])
    learner_id, class_id = uuid.uuid4(), uuid.uuid4()
    events = [class_opened(learner_id, class_id, window) if window else class_opened(learner_id, class_id)]
    if select_course:
        events.append(courses_selected(learner_id, class_id, [details.course_id], Category.POLITICAL))
    await publish(learning, *events)

    def arrived() -> bool:
        with learning.database.sessions() as session:
            opened = session.get(ClassRow, class_id) is not None
            selected = session.get(SelectedCourseRow, (class_id, details.course_id)) is not None
            chapters = session.scalars(select(ChapterRow).where(ChapterRow.course_id == details.course_id)).all()
            return opened and (selected or not select_course) and len(chapters) == 2

    await eventually(arrived)
    with learning.database.sessions() as session:
        chapters = session.scalars(
            select(ChapterRow).where(ChapterRow.course_id == details.course_id).order_by(ChapterRow.number)).all()
    return Scenario(learning, harness, learner_id, class_id, details.course_id,
                    [chapter.chapter_id for chapter in chapters], token_for("learner", learner_id))


async def test_skip_to_end_does_not_complete(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        player = scenario.player()
        first = scenario.chapter_ids[0]

        await player.beat(first, 0)
        jumped = await player.beat(first, CHAPTER_SECONDS, after_seconds=10)
        again = await player.beat(first, CHAPTER_SECONDS, after_seconds=10)

        assert jumped.status_code == 200
        assert jumped.json()["counted_seconds"] == 0
        assert again.json()["chapter_completed"] is False
        view = await scenario.course_view()
        assert view["chapters"][0]["watched_seconds"] == 0
        assert view["chapters"][0]["position_seconds"] == CHAPTER_SECONDS
        assert view["completed"] is False


async def test_four_times_speed_does_not_complete(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        player = scenario.player()

        for chapter_id in scenario.chapter_ids:
            results = await player.watch(chapter_id, speed=4.0)
            assert all(result["counted_seconds"] == 0 for result in results)

        view = await scenario.course_view()
        assert view["progress_percent"] == 0
        assert view["completed"] is False


async def test_heartbeats_faster_than_wall_clock_count_nothing(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        player = scenario.player()
        first = scenario.chapter_ids[0]

        await player.beat(first, 0)
        burst = [await player.beat(first, position, after_seconds=1) for position in (10, 20, 30, 40)]

        assert [response.json()["counted_seconds"] for response in burst] == [0, 0, 0, 0]


async def test_second_player_takes_over_without_double_count(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        older, newer = scenario.player(), scenario.player()
        first, second = scenario.chapter_ids

        await older.beat(first, 0)
        await older.beat(first, 10, after_seconds=10)
        await newer.beat(second, 0)
        newer_step = await newer.beat(second, 10, after_seconds=10)
        older_step = await older.beat(first, 20)

        assert newer_step.json()["counted_seconds"] == 10
        assert older_step.status_code == 409
        assert older_step.json()["error"]["code"] == "playback_taken_over"
        assert "其他窗口" in older_step.json()["error"]["message"]
        view = await scenario.course_view()
        assert view["chapters"][0]["watched_seconds"] == 10
        assert view["chapters"][1]["watched_seconds"] == 10


async def test_honest_watch_publishes_course_completed_once(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        player = scenario.player()
        first, second = scenario.chapter_ids

        await player.watch(first)
        results = await player.watch(second)
        repeated = await player.beat(second, CHAPTER_SECONDS, after_seconds=0)
        rewatched = await player.watch(first)

        assert results[-1]["course_completed"] is True
        assert results[-1]["course_progress_percent"] == 100
        assert repeated.json()["course_completed"] is True
        assert rewatched[-1]["course_completed"] is True
        await eventually(lambda: relay_caught_up(learning))
        events = await read_topic(learning, Topics.PROGRESS)
        completions = [event for event in events if isinstance(event, CourseCompleted)]
        assert len(completions) == 1
        assert completions[0].course_id == scenario.course_id
        assert completions[0].class_id == scenario.class_id
        assert completions[0].category == Category.POLITICAL
        assert completions[0].credit_hours == 2
        listing = await harness.client.get(f"/api/learning/classes/{scenario.class_id}/courses",
                                           headers=scenario.headers)
        assert listing.json()["courses"][0]["completed"] is True


async def test_learning_outside_window_is_refused(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        learning.application.clock.set(shanghai_noon(date(2026, 12, 16)))

        response = await scenario.player().beat(scenario.chapter_ids[0], 0)

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "learning_closed"


async def test_unselected_course_is_refused(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for, select_course=False)

        response = await scenario.player().beat(scenario.chapter_ids[0], 0)

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "course_not_selected"


async def test_learning_before_class_opened_is_refused(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        stranger = Player(harness.client, learning.application.clock, token_for("learner", uuid.uuid4()),
                          uuid.uuid4(), scenario.course_id)

        response = await stranger.beat(scenario.chapter_ids[0], 0)
        other_learner = await Player(harness.client, learning.application.clock,
                                     token_for("learner", uuid.uuid4()), scenario.class_id,
                                     scenario.course_id).beat(scenario.chapter_ids[0], 0)

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "class_not_found"
        assert other_learner.status_code == 404


async def test_concurrent_players_count_once(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        first_tab, second_tab = scenario.player(), scenario.player()
        first, second = scenario.chapter_ids
        rounds = 6
        statuses: dict[str, list[int]] = {"first": [], "second": []}

        for round_number in range(rounds):
            scenario.learning.application.clock.advance(timedelta(seconds=10))
            position = round_number * 10.0
            responses = await asyncio.gather(first_tab.beat(first, position), second_tab.beat(second, position))
            statuses["first"].append(responses[0].status_code)
            statuses["second"].append(responses[1].status_code)

        view = await scenario.course_view()
        watched = sum(chapter["watched_seconds"] for chapter in view["chapters"])
        assert watched <= 10 * (rounds - 1)
        assert watched > 0
        refused = [name for name, codes in statuses.items() if 409 in codes]
        assert len(refused) == 1


async def test_resume_moves_past_a_finished_chapter(learning, token_for):
    async with running(learning) as harness:
        scenario = await open_class(learning, harness, token_for)
        player = scenario.player()
        first, second = scenario.chapter_ids

        before = (await scenario.course_view())["resume"]
        await player.watch(first)
        after_first = (await scenario.course_view())["resume"]
        await player.beat(second, 0)
        await player.beat(second, 30, after_seconds=30)
        midway = (await scenario.course_view())["resume"]

    assert before == {"chapter_id": str(first), "position_seconds": 0.0}
    assert after_first == {"chapter_id": str(second), "position_seconds": 0.0}
    assert midway == {"chapter_id": str(second), "position_seconds": 30.0}
