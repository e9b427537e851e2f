"""Hour ledger rules: each category on its own, events in any order, one certificate."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from credential_service.domain import AlreadyRevoked, HourLedger, meets_requirement

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TECHNICIAN = {"political": 12, "general": 12, "job_skills": 16, "total": 40}
OTHER_GRADES = {"political": 7, "general": 7, "job_skills": 10, "total": 24}


def ledger_with(hours: tuple[int, int, int], requirement: dict[str, int] | None) -> HourLedger:
    ledger = HourLedger(class_id=uuid4(), learner_id=uuid4(), training_year=2026)
    for category, amount in zip(("political", "general", "job_skills"), hours, strict=True):
        if amount:
            ledger.credit_course(uuid4(), category, amount, NOW)
    if requirement is not None:
        ledger.fix_requirement("technician", requirement)
    return ledger


@pytest.mark.parametrize(
    ("requirement", "hours", "qualified"),
    [
        (TECHNICIAN, (12, 12, 15), False),
        (TECHNICIAN, (12, 12, 16), True),
        (TECHNICIAN, (20, 20, 15), False),
        (OTHER_GRADES, (7, 7, 10), True),
        (OTHER_GRADES, (6, 8, 10), False),
        (OTHER_GRADES, (7, 6, 11), False),
    ],
)
def test_each_category_meets_its_minimum(requirement, hours, qualified) -> None:
    assert ledger_with(hours, requirement).qualified is qualified
    totals = dict(zip(("political", "general", "job_skills"), hours, strict=True))
    assert meets_requirement(requirement, totals) is qualified


def test_passes_before_requirement_are_kept() -> None:
    ledger = ledger_with((7, 7, 10), None)
    assert ledger.qualified is False
    assert ledger.issue_if_qualified("N1", "CODE", NOW) is False
    ledger.fix_requirement("senior", OTHER_GRADES)
    assert ledger.issue_if_qualified("N1", "CODE", NOW) is True


def test_certificate_issued_once() -> None:
    ledger = ledger_with((7, 7, 10), OTHER_GRADES)
    assert ledger.issue_if_qualified("N1", "CODE1", NOW) is True
    ledger.credit_course(uuid4(), "general", 2, NOW)
    assert ledger.issue_if_qualified("N2", "CODE2", NOW) is False
    assert ledger.certificate_number == "N1"
    issued = [e for e in ledger.collect_events() if isinstance(e, HourLedger.CertificateIssued)]
    assert len(issued) == 1


def test_repeated_pass_credits_once() -> None:
    ledger = ledger_with((0, 0, 0), OTHER_GRADES)
    course_id = uuid4()
    ledger.credit_course(course_id, "political", 3, NOW)
    ledger.credit_course(course_id, "political", 3, NOW)
    assert ledger.hours()["political"] == 3


def test_first_requirement_stays_fixed() -> None:
    ledger = ledger_with((0, 0, 0), OTHER_GRADES)
    ledger.fix_requirement("technician", TECHNICIAN)
    assert ledger.requirement == OTHER_GRADES


def test_revoke_twice_is_rejected() -> None:
    ledger = ledger_with((7, 7, 10), OTHER_GRADES)
    ledger.issue_if_qualified("N1", "CODE", NOW)
    ledger.revoke("信息有误", NOW)
    with pytest.raises(AlreadyRevoked):
        ledger.revoke("再次撤销", NOW)
