"""Calendar edges of enrollment, on real PostgreSQL and Kafka."""

from datetime import date

import pytest
from education_contracts.base import Category, Grade

from ..conftest import token

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_enrollment_on_last_day_accepted(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register()
    testbed.set_today(date(2026, 9, 30))

    response = await testbed.place_order(learner_id, 2026)

    assert response.status_code == 201, response.text
    assert response.json()["is_make_up"] is False
    assert response.json()["amount_fen"] == 20000


async def test_enrollment_day_after_window_refused(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register()
    testbed.set_today(date(2026, 10, 1))

    response = await testbed.place_order(learner_id, 2026)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "enrollment_closed"


async def test_make_up_day_before_window_refused(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register()
    testbed.set_today(date(2026, 10, 7))

    response = await testbed.place_order(learner_id, 2025)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "enrollment_closed"


async def test_make_up_first_day_accepted(testbed):
    testbed.schedule_notice_year()
    learner_id = await testbed.register()
    testbed.set_today(date(2026, 10, 8))

    response = await testbed.place_order(learner_id, 2025)

    assert response.status_code == 201, response.text
    order = response.json()
    assert order["is_make_up"] is True
    assert order["training_year"] == 2025
    years = (await testbed.client.get("/api/enrollment/years", headers=token(learner_id=learner_id))).json()
    assert [y["training_year"] for y in years["years"] if y["is_make_up"]] == [2025, 2024, 2023]


async def test_nothing_for_year_after_its_last_day(testbed):
    testbed.schedule_notice_year()
    course_id = await testbed.publish_course(Category.POLITICAL, 4)
    learner_id, class_id = await testbed.open_class(Grade.JUNIOR)
    testbed.set_today(date(2026, 12, 16))
    late_learner = await testbed.register()

    order = await testbed.place_order(late_learner, 2026)
    selection = await testbed.client.post(
        f"/api/enrollment/classes/{class_id}/selection",
        json={"course_id": str(course_id)},
        headers=token(learner_id=learner_id),
    )
    years = await testbed.client.get("/api/enrollment/years", headers=token(learner_id=late_learner))

    assert order.status_code == 403
    assert selection.status_code == 403
    assert selection.json()["error"]["code"] == "learning_window_closed"
    assert 2026 not in [y["training_year"] for y in years.json()["years"]]


async def test_operator_sets_calendar(testbed):
    body = {
        "enrollment_window": {"starts_on": "2027-05-06", "ends_on": "2027-09-30"},
        "learning_window": {"starts_on": "2027-05-06", "ends_on": "2027-12-15"},
        "make_up_window": {"starts_on": "2027-10-08", "ends_on": "2027-12-15"},
        "invoice_delay_days": 7,
        "fee_fen": 25000,
    }
    learner = await testbed.client.put("/api/enrollment/calendar/2027", json=body, headers=token())
    saved = await testbed.client.put("/api/enrollment/calendar/2027", json=body, headers=token("province_operator"))
    inverted = {**body, "learning_window": {"starts_on": "2027-12-15", "ends_on": "2027-05-06"}}
    invalid = await testbed.client.put("/api/enrollment/calendar/2027", json=inverted, headers=token("province_operator"))
    listed = await testbed.client.get("/api/enrollment/calendar", headers=token())

    assert learner.status_code == 403
    assert saved.status_code == 200, saved.text
    assert invalid.status_code == 422
    assert listed.json()["years"][0]["fee_fen"] == 25000
