"""Course selection: counters per category, rounds, and the refusals."""

import uuid
from datetime import UTC, date, datetime

import pytest
from education_contracts.base import Category, Grade
from education_contracts.events import CourseWithdrawn
from eventplatform.testing import eventually

from enrollment_service.readmodels import queries

from ..conftest import token

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def _by_category(view):
    return {entry["category"]: entry for entry in view["categories"]}


async def _add(testbed, learner_id, class_id, course_id):
    return await testbed.client.post(
        f"/api/enrollment/classes/{class_id}/selection",
        json={"course_id": str(course_id)},
        headers=token(learner_id=learner_id),
    )


async def _confirm(testbed, learner_id, class_id):
    return await testbed.client.post(
        f"/api/enrollment/classes/{class_id}/selection/confirm", headers=token(learner_id=learner_id)
    )


@pytest.mark.parametrize(
    ("grade", "required"),
    [(Grade.TECHNICIAN, (12, 12, 16)), (Grade.INTERMEDIATE, (7, 7, 10))],
)
async def test_counters_per_category(testbed, grade, required):
    testbed.schedule_notice_year()
    political = [await testbed.publish_course(Category.POLITICAL, 4, provider) for provider in ("p1", "p2")]
    job_skills = await testbed.publish_course(Category.JOB_SKILLS, 6, "p3")
    learner_id, class_id = await testbed.open_class(grade)

    await _add(testbed, learner_id, class_id, political[0])
    await _confirm(testbed, learner_id, class_id)
    await _add(testbed, learner_id, class_id, political[1])
    view = (await _add(testbed, learner_id, class_id, job_skills)).json()

    counters = _by_category(view)
    assert counters["political"]["required_hours"] == required[0]
    assert counters["political"]["confirmed_hours"] == 4
    assert counters["political"]["draft_hours"] == 4
    assert counters["political"]["needed_hours"] == max(required[0] - 8, 0)
    assert counters["general"]["selected_hours"] == 0
    assert counters["general"]["needed_hours"] == required[1]
    assert counters["job_skills"]["selected_hours"] == 6
    assert counters["job_skills"]["needed_hours"] == required[2] - 6
    catalog = (await testbed.client.get(
        f"/api/enrollment/classes/{class_id}/catalog", params={"category": "political"},
        headers=token(learner_id=learner_id),
    )).json()
    assert sorted(p["provider_id"] for p in catalog["providers"]) == ["p1", "p2"]
    assert catalog["summary"]["selected_hours"] == 8


async def test_second_round_publishes_only_new_courses(testbed):
    testbed.schedule_notice_year()
    first = await testbed.publish_course(Category.POLITICAL, 4)
    second = await testbed.publish_course(Category.GENERAL, 4)
    learner_id, class_id = await testbed.open_class(Grade.JUNIOR)

    await _add(testbed, learner_id, class_id, first)
    await _confirm(testbed, learner_id, class_id)
    await _add(testbed, learner_id, class_id, second)
    response = await _confirm(testbed, learner_id, class_id)

    assert response.status_code == 200, response.text
    events = await testbed.read_class_events(
        lambda events: len([e for e in events if e.type.endswith("courses_selected.v1")]) == 2
    )
    rounds = [[c.course_id for c in e.payload.courses] for e in events if e.type.endswith("courses_selected.v1")]
    assert rounds == [[first], [second]]


async def test_selection_refusals(testbed):
    testbed.schedule_notice_year()
    course = await testbed.publish_course(Category.POLITICAL, 4)
    withdrawn = await testbed.publish_course(Category.GENERAL, 2)
    await testbed.publish(CourseWithdrawn(course_id=withdrawn, withdrawn_at=datetime.now(UTC)))
    await eventually(lambda: testbed.query(queries.available_course, withdrawn) is None)
    pending_learner = await testbed.register()
    pending = (await testbed.place_order(pending_learner, 2026)).json()
    learner_id, class_id = await testbed.open_class(Grade.JUNIOR)

    before_open = await _add(testbed, pending_learner, pending["class_id"], course)
    unknown = await _add(testbed, learner_id, class_id, uuid.uuid4())
    withdrawn_add = await _add(testbed, learner_id, class_id, withdrawn)
    empty = await _confirm(testbed, learner_id, class_id)
    await _add(testbed, learner_id, class_id, course)
    twice_draft = await _add(testbed, learner_id, class_id, course)
    await _confirm(testbed, learner_id, class_id)
    twice_confirmed = await _add(testbed, learner_id, class_id, course)
    drop_confirmed = await testbed.client.delete(
        f"/api/enrollment/classes/{class_id}/selection/{course}", headers=token(learner_id=learner_id)
    )
    other_learner = await _add(testbed, pending_learner, class_id, course)
    testbed.set_today(date(2026, 5, 5))
    before_window = await _add(testbed, learner_id, class_id, course)

    assert before_open.status_code == 409
    assert before_open.json()["error"]["code"] == "class_not_open"
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "course_not_available"
    assert withdrawn_add.status_code == 404
    assert empty.json()["error"]["code"] == "empty_selection"
    assert twice_draft.json()["error"]["code"] == "course_already_selected"
    assert twice_confirmed.json()["error"]["code"] == "course_already_selected"
    assert drop_confirmed.status_code == 409
    assert drop_confirmed.json()["error"]["code"] == "course_confirmed"
    assert other_learner.status_code == 404
    assert before_window.status_code == 403


async def test_draft_course_can_be_removed(testbed):
    testbed.schedule_notice_year()
    course = await testbed.publish_course(Category.JOB_SKILLS, 5)
    learner_id, class_id = await testbed.open_class(Grade.JUNIOR)
    await _add(testbed, learner_id, class_id, course)

    response = await testbed.client.delete(
        f"/api/enrollment/classes/{class_id}/selection/{course}", headers=token(learner_id=learner_id)
    )

    assert response.status_code == 200, response.text
    assert response.json()["courses"] == []
    assert _by_category(response.json())["job_skills"]["needed_hours"] == 10
