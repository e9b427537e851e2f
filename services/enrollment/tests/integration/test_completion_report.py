"""Completion report by employing unit: counts from consumed events, office scoping, idempotent hours."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from education_contracts.base import Category, Grade
from education_contracts.events import CertificateIssued, QuizPassed
from eventplatform.testing import eventually

from enrollment_service.readmodels import queries
from enrollment_service.readmodels.tables import CreditedCourseRow

from ..conftest import token, valid_credit_code

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

REPORT = "/api/enrollment/reports/completion"
HAIMEN = "nantong-haimen"
TONGZHOU = "nantong-tongzhou"
HOSPITAL = {"employing_unit": "海门区示例医院", "employing_unit_credit_code": valid_credit_code("12320684MB0000001"),
            "region_office_id": HAIMEN}
SCHOOL = {"employing_unit": "海门区示例学校", "employing_unit_credit_code": valid_credit_code("12320684MB0000002"),
          "region_office_id": HAIMEN}
TONGZHOU_UNIT = {"employing_unit": "通州区示例中心", "employing_unit_credit_code": valid_credit_code("12320612MB0000003"),
                 "region_office_id": TONGZHOU}


def quiz_passed(learner_id: uuid.UUID, class_id: str, course_id: uuid.UUID, category: Category, hours: int,
                training_year: int = 2026) -> QuizPassed:
    return QuizPassed(
        learner_id=learner_id, class_id=uuid.UUID(class_id), course_id=course_id,
        training_year=training_year, category=category, credit_hours=hours,
        attempt_id=uuid.uuid4(), score=80, passed_at=datetime.now(UTC),
    )


def credited(testbed, passed: QuizPassed) -> bool:
    """Tell whether the consumer has stored the pass's course for its class."""
    return testbed.query(lambda session: session.get(CreditedCourseRow, (passed.class_id, passed.course_id))) is not None


def by_unit(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["employing_unit"]: row for row in body["rows"]}


def counts(row: dict[str, Any]) -> tuple[int, ...]:
    return (row["registered"], row["enrolled"], row["paid"], row["hours"], row["qualified"])


async def _report(testbed, headers: dict[str, str], **params: Any) -> Any:
    return await testbed.client.get(REPORT, params=params, headers=headers)


@pytest.fixture
async def region(testbed) -> dict[str, Any]:
    """Learners of two Haimen units and one Tongzhou unit at different stages of 2026."""
    testbed.schedule_notice_year()

    finisher, finisher_class = await testbed.open_class(Grade.JUNIOR, **HOSPITAL)
    unpaid = await testbed.register(Grade.JUNIOR, **HOSPITAL)
    placed = await testbed.place_order(unpaid, 2026)
    assert placed.status_code == 201, placed.text
    await testbed.register(Grade.SENIOR, **HOSPITAL)
    learner, learner_class = await testbed.open_class(Grade.TECHNICIAN, **SCHOOL)
    await testbed.open_class(Grade.JUNIOR, **TONGZHOU_UNIT)

    return {"finisher": finisher, "finisher_class": finisher_class,
            "learner": learner, "learner_class": learner_class}


async def test_report_counts_each_unit(testbed, region):
    passes = [
        quiz_passed(region["finisher"], region["finisher_class"], uuid.uuid4(), Category.POLITICAL, 3),
        quiz_passed(region["finisher"], region["finisher_class"], uuid.uuid4(), Category.GENERAL, 4),
        # A pass of an earlier year's class must not count for 2026.
        quiz_passed(region["finisher"], str(uuid.uuid4()), uuid.uuid4(), Category.GENERAL, 5, training_year=2025),
        quiz_passed(region["learner"], region["learner_class"], uuid.uuid4(), Category.JOB_SKILLS, 2),
    ]
    for passed in passes:
        await testbed.publish(passed)
    await testbed.publish(CertificateIssued(
        certificate_id=uuid.uuid4(), certificate_number="GQ2026-000101", learner_id=region["finisher"],
        class_id=uuid.UUID(region["finisher_class"]), training_year=2026, political_hours=7,
        general_hours=7, job_skills_hours=10, issued_at=testbed.clock.now(),
    ))
    await eventually(lambda: all(credited(testbed, passed) for passed in passes))
    finisher_class = uuid.UUID(region["finisher_class"])
    await eventually(lambda: testbed.query(queries.training_class, finisher_class).status == "qualified")
    admin = token("regional_admin", office_id=HAIMEN)

    body = (await _report(testbed, admin, training_year=2026)).json()
    assert body["training_year"] == 2026
    assert body["office_id"] == HAIMEN
    assert [row["employing_unit"] for row in body["rows"]] == sorted(
        [HOSPITAL["employing_unit"], SCHOOL["employing_unit"]])
    rows = by_unit(body)
    hospital = rows[HOSPITAL["employing_unit"]]
    assert hospital["credit_code"] == HOSPITAL["employing_unit_credit_code"]
    assert counts(hospital) == (3, 2, 1, 7, 1)
    assert counts(rows[SCHOOL["employing_unit"]]) == (1, 1, 1, 2, 0)
    assert body["totals"] == {"registered": 4, "enrolled": 3, "paid": 2, "hours": 9, "qualified": 1}


async def test_redelivered_quiz_passed_counts_once(testbed, region):
    course_id = uuid.uuid4()
    passed = quiz_passed(region["learner"], region["learner_class"], course_id, Category.GENERAL, 4)
    event_id = await testbed.publish(passed)
    await testbed.publish(passed, event_id=event_id)  # the same record delivered again
    await testbed.publish(passed.model_copy(update={"attempt_id": uuid.uuid4()}))  # republished under a new id
    # Same learner, so same partition: once this later pass is stored, the duplicates were consumed.
    later = quiz_passed(region["learner"], region["learner_class"], uuid.uuid4(), Category.POLITICAL, 1)
    await testbed.publish(later)
    await eventually(lambda: credited(testbed, later))

    body = (await _report(testbed, token("regional_admin", office_id=HAIMEN))).json()

    assert by_unit(body)[SCHOOL["employing_unit"]]["hours"] == 5


async def test_report_defaults_to_current_year(testbed, region):
    response = await _report(testbed, token("regional_admin", office_id=HAIMEN))

    assert response.status_code == 200, response.text
    assert response.json()["training_year"] == 2026  # the test clock is set to 2026-06-01


async def test_regional_admin_sees_only_own_office(testbed, region):
    admin = token("regional_admin", office_id=HAIMEN)

    other = await _report(testbed, admin, office_id=TONGZHOU)
    own = await _report(testbed, admin, office_id=HAIMEN)

    assert other.status_code == 403
    assert other.json()["error"]["message"].startswith("您只能查看本工考办")
    assert own.status_code == 200
    assert TONGZHOU_UNIT["employing_unit"] not in by_unit(own.json())


async def test_operator_sees_province_or_one_office(testbed, region):
    operator = token("province_operator")

    province = (await _report(testbed, operator, training_year=2026)).json()
    tongzhou = (await _report(testbed, operator, training_year=2026, office_id=TONGZHOU)).json()

    assert province["office_id"] is None
    assert set(by_unit(province)) == {HOSPITAL["employing_unit"], SCHOOL["employing_unit"],
                                      TONGZHOU_UNIT["employing_unit"]}
    assert province["totals"]["paid"] == 3
    assert list(by_unit(tongzhou)) == [TONGZHOU_UNIT["employing_unit"]]
    assert counts(tongzhou["rows"][0]) == (1, 1, 1, 0, 0)


async def test_report_rejects_learners_and_officeless_admins(testbed, region):
    learner = await _report(testbed, token(learner_id=region["learner"]))
    admin_without_office = await _report(testbed, token("regional_admin"))

    assert learner.status_code == 403
    assert admin_without_office.status_code == 403
    assert admin_without_office.json()["error"]["code"] == "office_missing"


async def test_report_of_year_without_activity(testbed, region):
    body = (await _report(testbed, token("province_operator"), training_year=2025)).json()

    # Registered learners still appear with their unit, with nothing else counted.
    assert body["training_year"] == 2025
    assert [counts(row) for row in body["rows"]] == [(3, 0, 0, 0, 0), (1, 0, 0, 0, 0), (1, 0, 0, 0, 0)]
