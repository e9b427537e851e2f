"""Pure rules: requirement per grade, enrollment terms, invoice details."""

from datetime import date

import pytest

from enrollment_service.domain import InvoiceDetails, enrollment_terms, notice_calendar, requirement_for
from enrollment_service.domain.errors import EnrollmentClosed, InvalidCalendar, InvalidCreditCode
from enrollment_service.domain.calendar import Window

from ..conftest import valid_credit_code

CALENDAR_2026 = notice_calendar(2026, 20000)


@pytest.mark.parametrize("grade", ["technician", "senior_technician"])
def test_senior_grades_need_forty_hours(grade):
    assert requirement_for(grade) == {"political": 12, "general": 12, "job_skills": 16, "total": 40}


@pytest.mark.parametrize("grade", ["ordinary", "junior", "intermediate", "senior"])
def test_other_grades_need_twenty_four_hours(grade):
    assert requirement_for(grade) == {"political": 7, "general": 7, "job_skills": 10, "total": 24}


def test_make_up_limited_to_recent_years():
    today = date(2026, 10, 8)

    terms = enrollment_terms(2023, today, None, CALENDAR_2026, make_up_years_back=3)

    assert terms.is_make_up
    with pytest.raises(EnrollmentClosed):
        enrollment_terms(2022, today, None, CALENDAR_2026, make_up_years_back=3)


def test_make_up_closed_after_last_day():
    with pytest.raises(EnrollmentClosed):
        enrollment_terms(2025, date(2026, 12, 16), None, CALENDAR_2026, make_up_years_back=3)


def test_inverted_window_rejected():
    with pytest.raises(InvalidCalendar):
        Window(date(2026, 12, 15), date(2026, 5, 6))


def test_credit_code_with_wrong_check_accepted_with_flag():
    code = valid_credit_code()
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")

    details = InvoiceDetails.parse("单位", wrong.lower(), "a@example.com")

    assert details.check_failed
    assert details.credit_code == wrong
    assert not InvoiceDetails.parse("单位", code, "a@example.com").check_failed


def test_credit_code_with_letter_o_rejected():
    with pytest.raises(InvalidCreditCode):
        InvoiceDetails.parse("单位", "91320600MA1W2Y3KO0", "a@example.com")
