"""OrderPaid opens the class once and ClassOpened carries the grade's requirement."""

import uuid
from datetime import date

import pytest
from education_contracts.base import Category, Grade
from education_contracts.events import CertificateIssued
from eventplatform.testing import eventually
from sqlalchemy import delete

from enrollment_service.readmodels import queries
from enrollment_service.readmodels.tables import LearnerRow

from ..conftest import class_opened_events, registered, token

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def _opened_for(testbed, class_id: str):
    events = await testbed.read_class_events(
        lambda events: any(str(e.class_id) == class_id for e in class_opened_events(events))
    )
    return [e for e in class_opened_events(events) if str(e.class_id) == class_id]


async def test_technician_class_requires_forty_hours(testbed):
    testbed.schedule_notice_year()

    _, class_id = await testbed.open_class(Grade.TECHNICIAN)

    [opened] = await _opened_for(testbed, class_id)
    assert opened.grade == Grade.TECHNICIAN
    assert (opened.requirement.political, opened.requirement.general, opened.requirement.job_skills) == (12, 12, 16)
    assert opened.requirement.total == 40
    assert opened.learning_window.starts_on == date(2026, 5, 6)
    assert opened.learning_window.ends_on == date(2026, 12, 15)


async def test_junior_class_requires_twenty_four_hours(testbed):
    testbed.schedule_notice_year()

    learner_id, class_id = await testbed.open_class(Grade.JUNIOR)

    [opened] = await _opened_for(testbed, class_id)
    assert opened.grade == Grade.JUNIOR
    assert (opened.requirement.political, opened.requirement.general, opened.requirement.job_skills) == (7, 7, 10)
    assert opened.requirement.total == 24
    home = (await testbed.client.get(f"/api/enrollment/classes/{class_id}", headers=token(learner_id=learner_id))).json()
    assert home["status_label"] == "学习中"
    assert home["requirement"]["total"] == 24


async def test_make_up_class_learns_in_make_up_window(testbed):
    testbed.schedule_notice_year()
    testbed.set_today(date(2026, 10, 8))

    _, class_id = await testbed.open_class(Grade.SENIOR_TECHNICIAN, year=2025)

    [opened] = await _opened_for(testbed, class_id)
    assert opened.training_year == 2025
    assert opened.requirement.total == 40
    assert opened.learning_window.starts_on == date(2026, 10, 8)
    assert opened.learning_window.ends_on == date(2026, 12, 15)


async def test_redelivered_order_paid_opens_once(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register(Grade.JUNIOR)
    order = (await testbed.place_order(learner_id, 2026)).json()
    first_id = await testbed.pay(learner_id, order)
    await eventually(lambda: testbed.query(queries.training_class, uuid.UUID(order["class_id"])).status == "learning")

    await testbed.pay(learner_id, order, event_id=first_id)  # the same record again
    second_id = await testbed.pay(learner_id, order)  # a re-publication under a new id
    await eventually(lambda: _processed(testbed, second_id))
    # A course round after the duplicates gives a later event on the class topic.
    course_id = await testbed.publish_course(Category.GENERAL, 3)
    headers = token(learner_id=learner_id)
    await testbed.client.post(f"/api/enrollment/classes/{order['class_id']}/selection",
                              json={"course_id": str(course_id)}, headers=headers)
    confirmed = await testbed.client.post(f"/api/enrollment/classes/{order['class_id']}/selection/confirm",
                                          headers=headers)
    assert confirmed.status_code == 200, confirmed.text

    events = await testbed.read_class_events(
        lambda events: any(e.type.endswith("courses_selected.v1") for e in events)
    )
    assert len([e for e in class_opened_events(events) if str(e.class_id) == order["class_id"]]) == 1
    orders = (await testbed.client.get("/api/enrollment/orders", headers=headers)).json()["orders"]
    assert [o["status"] for o in orders] == ["paid"]


async def test_payment_before_registration_opens_later(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register(Grade.TECHNICIAN)
    order = (await testbed.place_order(learner_id, 2026)).json()
    # Forget the learner, as during a rebuild that replays payments before learners.
    with testbed.definition.database.transaction() as session:
        session.execute(delete(LearnerRow).where(LearnerRow.learner_id == learner_id))

    await testbed.pay(learner_id, order)
    await eventually(lambda: testbed.query(queries.order, uuid.UUID(order["order_id"])).status == "paid")
    waiting = testbed.query(queries.training_class, uuid.UUID(order["class_id"]))
    assert waiting.status == "pending_payment"

    await testbed.publish(registered(learner_id, Grade.TECHNICIAN))

    [opened] = await _opened_for(testbed, order["class_id"])
    assert opened.requirement.total == 40


async def test_certificate_marks_class_qualified(testbed):
    testbed.schedule_notice_year()
    learner_id, class_id = await testbed.open_class(Grade.JUNIOR)

    await testbed.publish(CertificateIssued(
        certificate_id=uuid.uuid4(), certificate_number="GQ2026-000001", learner_id=learner_id,
        class_id=uuid.UUID(class_id), training_year=2026, political_hours=7, general_hours=7,
        job_skills_hours=10, issued_at=testbed.clock.now(),
    ))

    await eventually(lambda: testbed.query(queries.training_class, uuid.UUID(class_id)).status == "qualified")
    classes = (await testbed.client.get("/api/enrollment/classes", headers=token(learner_id=learner_id))).json()
    assert classes["classes"][0]["status_label"] == "已合格"


def _processed(testbed, event_id: str) -> bool:
    processed = testbed.definition.database.metadata.tables["processed_events"]
    with testbed.definition.database.sessions() as session:
        return session.execute(processed.select().where(processed.c.event_id == event_id)).first() is not None
