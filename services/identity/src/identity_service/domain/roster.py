"""Rules for one roster record, shared by single additions, corrections and file imports."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from education_contracts import Grade

from identity_service.domain.errors import InvalidInput
from identity_service.domain.validation import (
    IdNumber,
    parse_credit_code,
    parse_employing_unit,
    parse_id_number,
    parse_mobile,
    parse_name,
)

CREDIT_CODE_CHECK_WARNING = "credit_code_check_failed"


@dataclass(frozen=True)
class ValidatedPerson:
    """A roster record that passed validation, with warnings that do not block it."""

    id_number: IdNumber
    person: dict[str, Any]
    warnings: tuple[str, ...] = ()


def parse_grade(raw: str) -> str:
    """Accept a grade as its Chinese label (技师) or its contract value (technician)."""
    value = (raw or "").strip()
    if not value:
        raise InvalidInput("grade_missing")
    try:
        return Grade(value.lower()).value
    except ValueError:
        pass
    try:
        return Grade.from_label(value).value
    except ValueError:
        raise InvalidInput("grade_unknown") from None


def validate_person(fields: dict[str, str], today: date) -> ValidatedPerson:
    """Validate a whole roster record; raise ``InvalidInput`` at the first invalid field."""
    name = parse_name(fields.get("name", ""))
    id_number = parse_id_number(fields.get("id_number", ""), today)
    editable = validate_changes(
        {key: fields.get(key, "") for key in
         ("employing_unit", "employing_unit_credit_code", "grade", "mobile")},
    )
    person = {"name": name, **editable}
    warnings = () if person["credit_code_valid"] else (CREDIT_CODE_CHECK_WARNING,)
    return ValidatedPerson(id_number=id_number, person=person, warnings=warnings)


def validate_changes(fields: dict[str, str]) -> dict[str, Any]:
    """Validate the editable fields present in ``fields``; return them under roster names."""
    changes: dict[str, Any] = {}
    if "name" in fields:
        changes["name"] = parse_name(fields["name"])
    if "employing_unit" in fields:
        changes["employing_unit"] = parse_employing_unit(fields["employing_unit"])
    if "employing_unit_credit_code" in fields:
        code, valid = parse_credit_code(fields["employing_unit_credit_code"])
        changes["credit_code"] = code
        changes["credit_code_valid"] = valid
    if "grade" in fields:
        changes["grade"] = parse_grade(fields["grade"])
    if "mobile" in fields:
        changes["mobile"] = parse_mobile(fields["mobile"], required=False)
    return changes
