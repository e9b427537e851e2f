"""Validation of the identifiers a roster holds: ID number, credit code, mobile, password.

Each check raises ``InvalidInput`` with a reason code; the API and the import
report translate reason codes into Chinese (see ``identity_service.messages``).
"""

import re
from dataclasses import dataclass
from datetime import date

from identity_service.domain.errors import InvalidInput

# GB 11643-1999: weights of the first 17 digits and the check character for sum mod 11.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"

# Province-level codes of GB/T 2260 (the first two digits of every ID number).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82",
    }
)

# GB 32100-2015: 31 characters (no I, O, S, V, Z) and the weights of the first 17.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 32


@dataclass(frozen=True)
class IdNumber:
    """A valid resident ID number and the facts derived from it."""

    value: str
    birth_date: date
    gender: str  # "male" or "female": the 17th digit is odd for men

    @property
    def region_prefix(self) -> str:
        return self.value[:6]

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)


def id_check_character(first17: str) -> str:
    """Return the GB 11643 check character of 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11]


def parse_id_number(raw: str, today: date) -> IdNumber:
    """Validate an ID number (lower-case x accepted) and derive birth date and gender."""
    value = (raw or "").strip().upper()
    if not value:
        raise InvalidInput("id_number_missing")
    if len(value) != 18:
        raise InvalidInput("id_number_length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidInput("id_number_characters")
    if value[:2] not in PROVINCE_CODES or value[2:6] == "0000":
        raise InvalidInput("id_number_region")

    try:
        birth_date = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidInput("id_number_birth_date") from None
    if birth_date.year < 1900 or birth_date > today:
        raise InvalidInput("id_number_birth_date")

    if id_check_character(value[:17]) != value[17]:
        raise InvalidInput("id_number_check_character")
    gender = "male" if int(value[16]) % 2 == 1 else "female"
    return IdNumber(value=value, birth_date=birth_date, gender=gender)


def mask_id_number(value: str) -> str:
    """Keep the first 3 and last 4 characters, as in 320***********123X."""
    return value[:3] + "*" * 11 + value[-4:]


def mask_mobile(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else ""


def credit_code_check_character(first17: str) -> str:
    """Return the GB 32100 check character of 17 code characters."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(raw: str) -> tuple[str, bool]:
    """Validate the shape of a unified social credit code; return it and whether its check passes.

    A wrong length or character is rejected. A failed check character is only
    reported, because some codes issued in practice fail it.
    """
    value = (raw or "").strip().upper()
    if not value:
        raise InvalidInput("credit_code_missing")
    if len(value) != 18 or any(char not in CREDIT_CODE_ALPHABET for char in value):
        raise InvalidInput("credit_code_format")
    return value, credit_code_check_character(value[:17]) == value[17]


def parse_mobile(raw: str, *, required: bool) -> str:
    """Validate a mainland mobile number; an empty value is allowed unless ``required``."""
    value = (raw or "").strip().replace(" ", "").replace("-", "")
    if not value:
        if required:
            raise InvalidInput("mobile_missing")
        return ""
    if not MOBILE_PATTERN.fullmatch(value):
        raise InvalidInput("mobile_format")
    return value


def parse_name(raw: str) -> str:
    value = " ".join((raw or "").split())
    if not value:
        raise InvalidInput("name_missing")
    if len(value) > 50:
        raise InvalidInput("name_too_long")
    return value


def parse_employing_unit(raw: str) -> str:
    value = " ".join((raw or "").split())
    if not value:
        raise InvalidInput("employing_unit_missing")
    if len(value) > 100:
        raise InvalidInput("employing_unit_too_long")
    return value


def check_password_strength(password: str, login_name: str) -> None:
    """Reject passwords that are short, simple, contain spaces or the login name's guessable part."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise InvalidInput("password_length")
    if any(char.isspace() for char in password):
        raise InvalidInput("password_whitespace")
    classes = [
        any(char.isupper() for char in password),
        any(char.islower() for char in password),
        any(char.isdigit() for char in password),
        any(not char.isalnum() for char in password),
    ]
    if sum(classes) < 3:
        raise InvalidInput("password_too_simple")
    # An ID number's last six characters (birth day, sequence, check) are easy to
    # guess; an admin's password must not contain the whole user name.
    login = login_name.strip().upper()
    forbidden = login[-6:] if len(login) == 18 and login[:17].isdigit() else login
    if len(forbidden) >= 3 and forbidden in password.upper():
        raise InvalidInput("password_contains_id")
