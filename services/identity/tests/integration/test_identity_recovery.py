"""Password recovery by SMS: masking, expiry, single use, send and guess limits."""

from datetime import timedelta

import pytest

from identity_support import (
    PASSWORD,
    activate,
    add_person,
    admin_headers,
    latest_code,
    login,
    new_id,
    outbox_count,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

MOBILE = "19900003001"
NEW_PASSWORD = "Renewed#Pass3"


async def learner(service, clock, sequence: int, mobile: str = MOBILE) -> str:
    id_number = new_id(sequence)
    add_person(service, "找回甲", id_number)
    assert (await activate(service, "找回甲", id_number, mobile)).status_code == 201
    # One code a minute per person, and activation just sent one.
    clock.advance(timedelta(seconds=61))
    return id_number


async def request_code(service, id_number: str, name: str = "找回甲"):  # type: ignore[no-untyped-def]
    return await service.client.post("/api/password-recovery/sms",
                                     json={"name": name, "id_number": id_number})


async def reset(service, id_number: str, code: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return await service.client.post("/api/password-recovery/reset", json={
        "id_number": id_number, "sms_code": code, "new_password": password})


async def test_recovery_sets_new_password(service, clock):
    id_number = await learner(service, clock, 31)
    sent = await request_code(service, id_number)
    assert sent.status_code == 200
    assert sent.json()["masked_mobile"] == "199****3001"

    code = await latest_code(service, MOBILE)
    assert (await reset(service, id_number, code)).status_code == 200
    assert (await login(service, id_number, PASSWORD)).status_code == 401
    assert (await login(service, id_number, NEW_PASSWORD)).status_code == 200


async def test_reused_code_rejected(service, clock):
    id_number = await learner(service, clock, 32)
    await request_code(service, id_number)
    code = await latest_code(service, MOBILE)
    assert (await reset(service, id_number, code)).status_code == 200
    again = await reset(service, id_number, code, "Another#Pass4")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "sms_code_invalid"


async def test_expired_code_rejected(service, clock):
    id_number = await learner(service, clock, 33)
    await request_code(service, id_number)
    code = await latest_code(service, MOBILE)
    clock.advance(timedelta(minutes=5, seconds=1))
    expired = await reset(service, id_number, code)
    assert expired.status_code == 400
    assert expired.json()["error"]["code"] == "sms_code_invalid"


async def test_wrong_guesses_kill_the_code(service, clock):
    id_number = await learner(service, clock, 34)
    await request_code(service, id_number)
    code = await latest_code(service, MOBILE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert (await reset(service, id_number, wrong)).status_code == 400
    assert (await reset(service, id_number, code)).status_code == 400


async def test_too_many_sends_rejected(service, clock):
    id_number = await learner(service, clock, 35)
    assert (await request_code(service, id_number)).status_code == 200

    too_soon = await request_code(service, id_number)
    assert too_soon.status_code == 429
    assert too_soon.json()["error"]["code"] == "sms_rate_limited"
    assert too_soon.json()["retry_after_seconds"] == 60

    # The activation code counts too: three more sends reach five in the hour.
    for _ in range(3):
        clock.advance(timedelta(seconds=61))
        assert (await request_code(service, id_number)).status_code == 200
    clock.advance(timedelta(seconds=61))
    sends_before = outbox_count(service)
    hourly = await request_code(service, id_number)
    assert hourly.status_code == 429
    assert outbox_count(service) == sends_before


async def test_no_bound_phone_gives_hotline(service, settings):
    id_number = new_id(36)
    entry = add_person(service, "找回乙", id_number)
    created = await service.client.post(f"/api/roster/{entry.id}/account",
                                        json={"initial_password": "Start#Pass1"},
                                        headers=admin_headers(service))
    assert created.status_code == 201
    response = await request_code(service, id_number, "找回乙")
    assert response.status_code == 409
    assert response.json()["hotline"] == settings.support_hotline
    assert settings.support_hotline in response.json()["error"]["message"]


async def test_not_activated_or_wrong_name_not_matched(service):
    id_number = new_id(37)
    add_person(service, "找回丙", id_number)
    not_activated = await request_code(service, id_number, "找回丙")
    assert not_activated.status_code == 404
    wrong_name = await request_code(service, id_number, "别人")
    assert wrong_name.status_code == 404
    assert wrong_name.json()["error"]["code"] == "recovery_not_matched"


async def test_reset_unlocks_login(service, clock):
    id_number = await learner(service, clock, 38)
    for _ in range(2):
        await login(service, id_number, "Wrong#Pass1")
    assert (await login(service, id_number, PASSWORD)).status_code == 429
    await request_code(service, id_number)
    code = await latest_code(service, MOBILE)
    assert (await reset(service, id_number, code)).status_code == 200
    assert (await login(service, id_number, NEW_PASSWORD)).status_code == 200
