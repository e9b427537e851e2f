"""Course tests end to end on real PostgreSQL and Kafka."""

import asyncio
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from assessment_testkit import Tokens, publish, read_topic
from education_contracts import (
    Category,
    ClassOpened,
    CourseCompleted,
    CoursePublished,
    Grade,
    HourRequirement,
    QuizPassed,
    Topics,
)
from education_contracts.base import DateWindow
from eventplatform.clock import FixedClock, shanghai_noon
from eventplatform.testing import eventually, running

from assessment_service.application import Assessment
from assessment_service.bootstrap import build, seed_demo_command
from assessment_service.domain import Attempt, CourseRecord
from assessment_service.readmodels import all_course_ids
from assessment_service.settings import AssessmentSettings

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def bank_json(size: int) -> dict[str, Any]:
    questions = []
    for number in range(size):
        kind = ("single_choice", "multiple_choice", "true_false")[number % 3]
        options = None if kind == "true_false" else ["甲", "乙", "丙", "丁"]
        correct = {"single_choice": [2], "multiple_choice": [0, 3], "true_false": [1]}[kind]
        questions.append({
            "question_id": f"q{number:02d}", "kind": kind, "stem": f"第{number}题",
            "options": options, "correct": correct, "explanation": f"第{number}题的解析",
        })
    return {"questions": questions}


def answers_for(attempt: dict[str, Any], bank: dict[str, Any], right: bool) -> dict[str, list[str]]:
    """Answer every question of an attempt, all right or all wrong, from the operator's bank."""
    by_id = {question["question_id"]: question for question in bank["questions"]}
    answers = {}
    for item in attempt["questions"]:
        source = by_id[item["question_id"]]
        correct_texts = {source["options"][index] for index in source["correct"]}
        keys = [o["key"] for o in item["options"] if (o["text"] in correct_texts) == right]
        answers[item["question_id"]] = keys if right or item["kind"] == "multiple_choice" else keys[:1]
    return answers


def class_opened(learner_id: UUID, class_id: UUID) -> ClassOpened:
    return ClassOpened(
        class_id=class_id, learner_id=learner_id, order_id=uuid4(), training_year=2026,
        grade=Grade.SENIOR,
        requirement=HourRequirement(political=7, general=7, job_skills=10, total=24),
        learning_window=DateWindow(starts_on=date(2026, 5, 6), ends_on=date(2026, 12, 15)),
        opened_at=NOW,
    )


def course_completed(learner_id: UUID, class_id: UUID, course_id: UUID) -> CourseCompleted:
    return CourseCompleted(
        learner_id=learner_id, class_id=class_id, course_id=course_id, training_year=2026,
        category=Category.GENERAL, credit_hours=3, completed_at=NOW,
    )


@pytest.fixture
def settings(make_database, topic_prefix, kafka_bootstrap_servers) -> AssessmentSettings:
    return AssessmentSettings(
        database_url=make_database("assessment"), topic_prefix=topic_prefix,
        kafka_bootstrap_servers=kafka_bootstrap_servers, environment="test",
        consumer_retry_backoff_seconds=0.05,
    )


async def relayed_quiz_passes(definition) -> list[Any]:
    """Wait until the relay has published everything recorded, then read QuizPassed back."""
    application = definition.application
    await eventually(lambda: definition.relay.load_position() >= application.recorder.max_notification_id())
    events = await read_topic(definition.settings.topic(Topics.QUIZZES))
    return [event.payload for event in events if isinstance(event.payload, QuizPassed)]


async def test_fail_then_pass_with_fresh_questions(settings, tokens: Tokens) -> None:
    clock = FixedClock(shanghai_noon(date(2026, 6, 1)))
    definition = build(settings, clock, tokens.verifier)
    learner_id, class_id, course_id = uuid4(), uuid4(), uuid4()
    learner = tokens.learner(learner_id)

    async with running(definition) as service:
        client = service.client
        imported = await client.post(f"/api/assessment/banks/{course_id}/import",
                                     json=bank_json(30), headers=tokens.operator())
        assert imported.status_code == 201, imported.text
        bank = imported.json()
        await publish(settings.topic, class_opened(learner_id, class_id))

        # Before CourseCompleted the course is below 100%: the test is rejected.
        rejected = await client.post(f"/api/assessment/courses/{course_id}/attempts", headers=learner)
        assert rejected.status_code == 403
        assert "100%" in rejected.json()["error"]["message"]

        await publish(settings.topic, course_completed(learner_id, class_id, course_id))

        async def unlocked() -> bool:
            status = await client.get(f"/api/assessment/courses/{course_id}/test", headers=learner)
            return status.json()["unlocked"]

        await eventually(unlocked)

        first = (await client.post(f"/api/assessment/courses/{course_id}/attempts", headers=learner)).json()
        assert len(first["questions"]) == 10
        assert all("correct_answer" not in q and "explanation" not in q for q in first["questions"])

        failed = await client.post(f"/api/assessment/attempts/{first['attempt_id']}/hand-in",
                                   json={"answers": answers_for(first, bank, right=False)}, headers=learner)
        assert failed.status_code == 200, failed.text
        review = failed.json()
        assert review["score"] == 0
        assert review["passed"] is False
        assert all(q["explanation"] and q["correct_answer"] for q in review["questions"])
        assert all(q["is_correct"] is False for q in review["questions"])

        second = (await client.post(f"/api/assessment/courses/{course_id}/attempts", headers=learner)).json()
        first_ids = {q["question_id"] for q in first["questions"]}
        second_ids = {q["question_id"] for q in second["questions"]}
        assert first_ids.isdisjoint(second_ids)

        passed = await client.post(f"/api/assessment/attempts/{second['attempt_id']}/hand-in",
                                   json={"answers": answers_for(second, bank, right=True)}, headers=learner)
        assert passed.json()["score"] == 100
        assert passed.json()["course_passed"] is True

        # A later failed attempt leaves the course passed and publishes nothing more.
        third = (await client.post(f"/api/assessment/courses/{course_id}/attempts", headers=learner)).json()
        await client.post(f"/api/assessment/attempts/{third['attempt_id']}/hand-in",
                          json={"answers": answers_for(third, bank, right=False)}, headers=learner)
        status = (await client.get(f"/api/assessment/courses/{course_id}/test", headers=learner)).json()
        assert status["passed"] is True
        assert [a["score"] for a in status["attempts"]] == [0, 100, 0]

        # After the learning window closes (12-15) no new attempt starts.
        clock.set(shanghai_noon(date(2026, 12, 16)))
        closed = await client.post(f"/api/assessment/courses/{course_id}/attempts", headers=learner)
        assert closed.status_code == 409
        closed_status = (await client.get(f"/api/assessment/courses/{course_id}/test", headers=learner)).json()
        assert closed_status["unlocked"] is False

        quiz_passes = await relayed_quiz_passes(definition)

    assert len(quiz_passes) == 1
    assert quiz_passes[0].course_id == course_id
    assert quiz_passes[0].category == Category.GENERAL
    assert quiz_passes[0].credit_hours == 3
    assert quiz_passes[0].attempt_id == UUID(second["attempt_id"])


async def test_racing_hand_ins_count_once(settings, tokens: Tokens) -> None:
    definition = build(settings, FixedClock(shanghai_noon(date(2026, 6, 1))), tokens.verifier)
    application: Assessment = definition.application
    learner_id, class_id, course_id = uuid4(), uuid4(), uuid4()
    learner = tokens.learner(learner_id)

    async with running(definition) as service:
        client = service.client
        bank = (await client.post(f"/api/assessment/banks/{course_id}/import",
                                  json=bank_json(12), headers=tokens.operator())).json()
        await publish(settings.topic, class_opened(learner_id, class_id))
        await publish(settings.topic, course_completed(learner_id, class_id, course_id))

        async def started() -> dict[str, Any] | None:
            response = await client.post(f"/api/assessment/courses/{course_id}/attempts", headers=learner)
            return response.json() if response.status_code == 201 else None

        attempt = await eventually(started)
        answers = {"answers": answers_for(attempt, bank, right=True)}

        # Force the race: the second hand-in runs while the first has loaded,
        # not yet saved, aggregates, so the first save meets a newer version.
        rival = Assessment(settings, application.clock)
        original_save = application.save
        rival_results = []

        def save_after_rival(*aggregates):
            if not rival_results:
                rival_results.append(rival.hand_in(learner_id, UUID(attempt["attempt_id"]), answers["answers"]))
            return original_save(*aggregates)

        application.save = save_after_rival
        try:
            response = await client.post(f"/api/assessment/attempts/{attempt['attempt_id']}/hand-in",
                                         json=answers, headers=learner)
        finally:
            application.save = original_save
            rival.close()

        # Two more hand-ins through HTTP at the same time also change nothing.
        more = await asyncio.gather(*[
            client.post(f"/api/assessment/attempts/{attempt['attempt_id']}/hand-in", json=answers, headers=learner)
            for _ in range(2)
        ])
        quiz_passes = await relayed_quiz_passes(definition)
        event_store = application.repository.event_store
        attempt_events = list(event_store.get(UUID(attempt["attempt_id"])))
        record_events = list(event_store.get(CourseRecord.create_id(learner_id, course_id)))

    assert response.status_code == 200
    assert response.json()["score"] == 100
    assert rival_results[0].score == 100
    assert [r.json()["handed_in_at"] for r in more] == [response.json()["handed_in_at"]] * 2

    assert sum(isinstance(e, Attempt.HandedIn) for e in attempt_events) == 1
    assert sum(isinstance(e, CourseRecord.Passed) for e in record_events) == 1
    assert len(quiz_passes) == 1


async def test_demo_bank_for_published_course(settings, tokens: Tokens) -> None:
    settings.demo_banks = True
    definition = build(settings, FixedClock(shanghai_noon(date(2026, 6, 1))), tokens.verifier)
    course_id = uuid4()
    published = CoursePublished(
        course_id=course_id, code="TS-001", title="安全生产基础", category=Category.JOB_SKILLS,
        credit_hours=2, provider_id="p1", provider_name="示例机构", chapter_count=3,
        total_duration_seconds=5400, published_at=NOW,
    )

    async with running(definition) as service:
        # Published twice with different event ids, as after a re-publication.
        await publish(settings.topic, published)
        await publish(settings.topic, published)

        async def bank() -> dict[str, Any] | None:
            response = await service.client.get(f"/api/assessment/banks/{course_id}", headers=tokens.operator())
            return response.json() if response.status_code == 200 else None

        found = await eventually(bank)

    assert found["question_count"] == 30
    kinds = {q["kind"] for q in found["questions"]}
    assert kinds == {"single_choice", "multiple_choice", "true_false"}
    assert all("安全生产基础" in q["stem"] for q in found["questions"])


async def test_seed_demo_fills_known_courses(settings, tokens: Tokens) -> None:
    definition = build(settings, FixedClock(shanghai_noon(date(2026, 6, 1))), tokens.verifier)
    course_id = uuid4()
    published = CoursePublished(
        course_id=course_id, code="GN-002", title="公文处理常识", category=Category.GENERAL,
        credit_hours=2, provider_id="p1", provider_name="示例机构", chapter_count=2,
        total_duration_seconds=3600, published_at=NOW,
    )

    async with running(definition) as service:
        await publish(settings.topic, published)

        def catalog_ids() -> list[UUID]:
            with definition.database.sessions() as session:
                return all_course_ids(session)

        await eventually(lambda: asyncio.to_thread(catalog_ids))
        no_bank = await service.client.get(f"/api/assessment/banks/{course_id}", headers=tokens.operator())
        exit_code = await asyncio.to_thread(seed_demo_command, definition)
        bank = await service.client.get(f"/api/assessment/banks/{course_id}", headers=tokens.operator())

    assert no_bank.status_code == 409
    assert exit_code == 0
    assert bank.json()["question_count"] == 30
