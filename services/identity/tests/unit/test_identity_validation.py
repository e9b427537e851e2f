"""Validators of ID numbers, credit codes, mobiles, passwords and grades."""

from datetime import date

import pytest

from identity_service.demo_data import make_credit_code, make_id_number
from identity_service.domain.errors import InvalidInput
from identity_service.domain.roster import parse_grade, validate_person
from identity_service.domain.validation import (
    check_password_strength,
    id_check_character,
    mask_id_number,
    mask_mobile,
    parse_credit_code,
    parse_id_number,
    parse_mobile,
)

TODAY = date(2026, 6, 1)
# The sample number of GB 11643-1999 itself: Beijing, born 1949-12-31, check character X.
SAMPLE_ID = "11010519491231002X"


def reason_of(call, *args, **kwargs) -> str:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value.reason


def test_id_number_sample_is_valid():
    parsed = parse_id_number(SAMPLE_ID, TODAY)
    assert parsed.value == SAMPLE_ID
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "female"
    assert parsed.region_prefix == "110105"


def test_id_number_lower_x_accepted():
    parsed = parse_id_number(" 11010519491231002x ", TODAY)
    assert parsed.value == SAMPLE_ID


def test_id_number_gender_from_17th_digit():
    male = make_id_number("320602", date(1985, 3, 15), 1)
    female = make_id_number("320602", date(1985, 3, 15), 2)
    assert parse_id_number(male, TODAY).gender == "male"
    assert parse_id_number(female, TODAY).gender == "female"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "id_number_missing"),
        ("11010519491231002", "id_number_length"),
        ("11010519491231002XX", "id_number_length"),
        ("1101051949123100AX", "id_number_characters"),
        ("11010519491231002Y", "id_number_characters"),
        ("990105194912310021", "id_number_region"),
        ("320000198503150011", "id_number_region"),
        ("110105194912310021", "id_number_check_character"),
    ],
)
def test_id_number_rejections(raw, reason):
    assert reason_of(parse_id_number, raw, TODAY) == reason


@pytest.mark.parametrize(
    "birth",
    ["19850230", "19851301", "18991231", "20270101"],
    ids=["february-30", "month-13", "before-1900", "in-the-future"],
)
def test_id_number_invalid_birth_dates(birth):
    first17 = f"320602{birth}001"
    number = first17 + id_check_character(first17)
    assert reason_of(parse_id_number, number, TODAY) == "id_number_birth_date"


def test_id_number_leap_day_is_valid():
    number = make_id_number("320602", date(1988, 2, 29), 5)
    assert parse_id_number(number, TODAY).birth_date == date(1988, 2, 29)


def test_mask_id_number_keeps_three_and_four():
    assert mask_id_number(SAMPLE_ID) == "110***********002X"


def test_credit_code_valid_and_check_failure():
    code = make_credit_code("320600", 1)
    assert parse_credit_code(code.lower()) == (code, True)
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")
    assert parse_credit_code(wrong_check) == (wrong_check, False)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("", "credit_code_missing"), ("12320600MB000000", "credit_code_format"),
     ("12320600MB0000000I", "credit_code_format")],
)
def test_credit_code_rejections(raw, reason):
    assert reason_of(parse_credit_code, raw) == reason


@pytest.mark.parametrize("raw", ["13912345678", "199 0000 0001", "198-0000-0001"])
def test_mobile_valid(raw):
    assert len(parse_mobile(raw, required=True)) == 11


@pytest.mark.parametrize("raw", ["12912345678", "1391234567", "139123456789", "0513000001"])
def test_mobile_invalid(raw):
    assert reason_of(parse_mobile, raw, required=True) == "mobile_format"


def test_mobile_optional_and_required():
    assert parse_mobile("", required=False) == ""
    assert reason_of(parse_mobile, "", required=True) == "mobile_missing"


def test_mask_mobile():
    assert mask_mobile("13912345678") == "139****5678"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "password_length"),
        ("Abcdefg1 x", "password_whitespace"),
        ("abcdefgh1", "password_too_simple"),
        ("Abc#31002x", "password_contains_id"),
    ],
)
def test_password_rejections(password, reason):
    assert reason_of(check_password_strength, password, SAMPLE_ID) == reason


def test_password_accepted_and_admin_name_rule():
    check_password_strength("Learner#2026", SAMPLE_ID)
    assert reason_of(check_password_strength, "Operator#2026", "operator") == "password_contains_id"


def test_grade_label_and_value():
    assert parse_grade("技师") == "technician"
    assert parse_grade(" 高级技师 ") == "senior_technician"
    assert parse_grade("Senior") == "senior"
    assert reason_of(parse_grade, "工程师") == "grade_unknown"
    assert reason_of(parse_grade, "") == "grade_missing"


def test_validate_person_warns_on_credit_check():
    code = make_credit_code("320600", 2)
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")
    validated = validate_person(
        {"name": " 张  三 ", "id_number": SAMPLE_ID.lower(), "employing_unit": "某单位",
         "employing_unit_credit_code": wrong_check, "grade": "普通工", "mobile": ""},
        TODAY,
    )
    assert validated.person["name"] == "张 三"
    assert validated.person["credit_code_valid"] is False
    assert validated.warnings == ("credit_code_check_failed",)
