"""Rules around regions, the roster aggregate, translation, tokens, captchas and demo data."""

from datetime import UTC, date, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from education_contracts import Grade
from education_contracts.events import LearnerProfileChanged, Registered
from eventplatform.auth import Role
from eventplatform.clock import FixedClock
from eventplatform.web import UserFacingError

from identity_service.demo_data import generated_roster, make_credit_code, make_id_number
from identity_service.domain.errors import AlreadyActivated, PersonLeft
from identity_service.domain.model import RosterEntry
from identity_service.domain.regions import REFERENCE_OFFICES, offices_for_id_prefix
from identity_service.domain.validation import parse_id_number
from identity_service.security.captcha import render_captcha
from identity_service.security.tokens import TokenIssuer, TokenSubject
from identity_service.translate import translate

TODAY = date(2026, 6, 1)


def new_entry() -> RosterEntry:
    id_number = parse_id_number(make_id_number("320612", date(1980, 5, 1), 11), TODAY)
    person = {"name": "测试甲", "employing_unit": "通州区某中心", "credit_code": make_credit_code("320612", 1),
              "credit_code_valid": True, "grade": "technician", "mobile": "19900000099"}
    return RosterEntry.add(id_number=id_number, office_id="nantong-tongzhou", person=person,
                           added_by="test")


def test_offices_for_known_county_prefix():
    offices = offices_for_id_prefix(list(REFERENCE_OFFICES), "320681199001010000")
    assert [office.office_id for office in offices] == ["nantong-qidong"]


def test_offices_for_unknown_county_falls_back_to_city():
    offices = offices_for_id_prefix(list(REFERENCE_OFFICES), "320699199001010000")
    assert len(offices) == 8
    assert all(office.city_code == "3206" for office in offices)


def test_offices_for_other_province_is_empty():
    assert offices_for_id_prefix(list(REFERENCE_OFFICES), "110105194912310021") == []


def test_reference_offices_cover_thirteen_cities():
    assert len({office.city_code for office in REFERENCE_OFFICES}) == 13
    assert sum(office.city_code == "3206" for office in REFERENCE_OFFICES) == 8


def test_roster_entry_id_follows_id_number():
    entry = new_entry()
    assert entry.id == RosterEntry.create_id(entry.id_number)
    assert entry.learner_id != entry.id


def test_activation_translates_to_registered_without_personal_numbers():
    entry = new_entry()
    entry.activate(password_hash="h", mobile="19900000098", phone_confirmed=True,
                   must_change_password=False, activated_by="self")
    events = [translate(event) for event in entry.collect_events()]
    registered = [event for batch in events for event in batch]
    assert len(registered) == 1
    assert isinstance(registered[0], Registered)
    payload = registered[0].model_dump_json()
    assert entry.id_number not in payload
    assert "19900000098" not in payload
    assert registered[0].masked_id_number == entry.id_number[:3] + "*" * 11 + entry.id_number[-4:]


def test_correction_before_activation_stays_inside():
    entry = new_entry()
    entry.collect_events()
    assert entry.correct({"grade": "senior"}, corrected_by="admin")
    assert [translate(event) for event in entry.collect_events()] == [[]]


def test_correction_after_activation_publishes_profile():
    entry = new_entry()
    entry.activate(password_hash="h", mobile="", phone_confirmed=False,
                   must_change_password=True, activated_by="admin")
    entry.collect_events()
    entry.correct({"grade": "senior_technician", "mobile": "19900000097"}, corrected_by="admin")
    (published,) = translate(entry.collect_events()[0])
    assert isinstance(published, LearnerProfileChanged)
    assert published.grade is Grade.SENIOR_TECHNICIAN
    assert "19900000097" not in published.model_dump_json()


def test_correction_without_change_records_nothing():
    entry = new_entry()
    entry.collect_events()
    assert not entry.correct({"grade": "technician"}, corrected_by="admin")
    assert entry.collect_events() == []


def test_left_person_cannot_activate_or_change():
    entry = new_entry()
    assert entry.mark_left(marked_by="admin")
    assert not entry.mark_left(marked_by="admin")
    with pytest.raises(PersonLeft):
        entry.activate(password_hash="h", mobile="", phone_confirmed=False,
                       must_change_password=False, activated_by="self")
    with pytest.raises(PersonLeft):
        entry.correct({"grade": "senior"}, corrected_by="admin")


def test_second_activation_is_rejected():
    entry = new_entry()
    entry.activate(password_hash="h", mobile="", phone_confirmed=False,
                   must_change_password=False, activated_by="self")
    with pytest.raises(AlreadyActivated):
        entry.activate(password_hash="h2", mobile="", phone_confirmed=False,
                       must_change_password=False, activated_by="self")


def test_token_round_trip_and_foreign_key_rejected():
    clock = FixedClock(datetime.now(UTC))
    issuer = TokenIssuer(Ed25519PrivateKey.generate(), clock, timedelta(minutes=10))
    subject = TokenSubject("s1", Role.REGIONAL_ADMIN, None, "nantong-haimen", True)
    principal = issuer.verifier().verify(issuer.issue(subject))
    assert principal.role is Role.REGIONAL_ADMIN
    assert principal.office_id == "nantong-haimen"
    assert principal.must_change_password is True

    other = TokenIssuer(Ed25519PrivateKey.generate(), clock, timedelta(minutes=10))
    with pytest.raises(UserFacingError):
        issuer.verifier().verify(other.issue(subject))


def test_token_with_wrong_issuer_rejected():
    key = Ed25519PrivateKey.generate()
    issuer = TokenIssuer(key, FixedClock(datetime.now(UTC)), timedelta(minutes=10))
    claims = {"sub": "s1", "role": "learner", "iss": "someone-else", "aud": "gqjy",
              "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())}
    token = jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": issuer.key_id})
    with pytest.raises(UserFacingError):
        issuer.verifier().verify(token)


def test_jwks_publishes_public_key_only():
    issuer = TokenIssuer(Ed25519PrivateKey.generate(), FixedClock(datetime.now(UTC)),
                         timedelta(minutes=10))
    (key,) = issuer.jwks()["keys"]
    assert key["kty"] == "OKP"
    assert key["crv"] == "Ed25519"
    assert key["alg"] == "EdDSA"
    assert "d" not in key


def test_captcha_image_is_png():
    png = render_captcha("AB3D")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"AB3D" not in png


def test_generated_roster_covers_every_grade_in_every_office():
    rows = generated_roster(count=2000)
    assert sum(len(office_rows) for office_rows in rows.values()) == 2000
    for office_rows in rows.values():
        assert {row[4] for row in office_rows} == {grade.label for grade in Grade}
        for row in office_rows:
            parse_id_number(row[1], TODAY)
