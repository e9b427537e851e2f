"""Login with captcha, throttling and lockout, forced password change, token checks."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventplatform.auth import Role

from identity_support import (
    PASSWORD,
    activate,
    add_person,
    admin_headers,
    bearer,
    captcha,
    login,
    new_id,
    services_of,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def activated_learner(service, sequence: int, name: str = "登录甲") -> str:
    id_number = new_id(sequence)
    add_person(service, name, id_number)
    response = await activate(service, name, id_number, f"199000020{sequence:02d}")
    assert response.status_code == 201, response.text
    return id_number


async def test_login_returns_verifiable_token(service):
    id_number = await activated_learner(service, 21)
    response = await login(service, id_number, PASSWORD)
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]

    jwks = (await service.client.get("/.well-known/jwks.json")).json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(token, key.key, algorithms=["EdDSA"], audience="gqjy",
                        issuer="gqjy-identity")
    assert claims["role"] == "learner"
    assert claims["office_id"] == "nantong-tongzhou"
    assert claims["must_change_password"] is False
    assert claims["sub"] == claims["learner_id"]

    me = await service.client.get("/api/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["masked_id_number"].endswith(id_number[-4:])
    assert me.json()["grade_label"] == "技师"


async def test_wrong_captcha_rejected_and_used_up(service):
    id_number = await activated_learner(service, 22)
    captcha_id, answer = await captcha(service)
    wrong = "A" * len(answer) if answer != "A" * len(answer) else "B" * len(answer)
    body = {"login_name": id_number, "password": PASSWORD, "captcha_id": captcha_id}

    first = await service.client.post("/api/login", json=body | {"captcha_answer": wrong})
    assert first.status_code == 400
    assert first.json()["error"]["code"] == "captcha_invalid"

    # The captcha was spent by the wrong answer, so the right answer no longer works.
    second = await service.client.post("/api/login", json=body | {"captcha_answer": answer})
    assert second.status_code == 400


async def test_reused_captcha_rejected(service):
    id_number = await activated_learner(service, 23)
    captcha_id, answer = await captcha(service)
    body = {"login_name": id_number, "password": PASSWORD, "captcha_id": captcha_id,
            "captcha_answer": answer}
    assert (await service.client.post("/api/login", json=body)).status_code == 200
    reused = await service.client.post("/api/login", json=body)
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "captcha_invalid"


async def test_expired_captcha_rejected(service, clock):
    id_number = await activated_learner(service, 24)
    captcha_id, answer = await captcha(service)
    clock.advance(timedelta(minutes=6))
    response = await service.client.post("/api/login", json={
        "login_name": id_number, "password": PASSWORD, "captcha_id": captcha_id,
        "captcha_answer": answer})
    assert response.status_code == 400


async def test_failures_slow_down_then_lock(service, clock):
    id_number = await activated_learner(service, 25)

    # Settings of the fixture: waits start after 2 failures, lock after 4 for 15 minutes.
    for _ in range(2):
        failed = await login(service, id_number, "Wrong#Pass1")
        assert failed.status_code == 401
    throttled = await login(service, id_number, PASSWORD)
    assert throttled.status_code == 429
    assert throttled.json()["retry_after_seconds"] == 10

    clock.advance(timedelta(seconds=11))
    assert (await login(service, id_number, "Wrong#Pass1")).status_code == 401
    clock.advance(timedelta(seconds=21))
    assert (await login(service, id_number, "Wrong#Pass1")).status_code == 401

    locked = await login(service, id_number, PASSWORD)
    assert locked.status_code == 423
    assert locked.json()["error"]["code"] == "account_locked"

    clock.advance(timedelta(minutes=16))
    assert (await login(service, id_number, PASSWORD)).status_code == 200


async def test_unknown_id_gets_same_answers(service, clock):
    known = await activated_learner(service, 26)
    unknown = new_id(27)
    for login_name in (known, unknown):
        failed = await login(service, login_name, "Wrong#Pass1")
        assert failed.status_code == 401
        assert failed.json()["error"]["message"] == "身份证号（用户名）或密码错误，请核对后重试。"
    for login_name in (known, unknown):
        assert (await login(service, login_name, "Wrong#Pass1")).status_code == 401
        assert (await login(service, login_name, "Wrong#Pass1")).status_code == 429


async def test_office_created_account_must_change_password(service):
    id_number = new_id(28)
    entry = add_person(service, "登录乙", id_number)
    created = await service.client.post(f"/api/roster/{entry.id}/account",
                                        json={"initial_password": "Start#Pass1"},
                                        headers=admin_headers(service))
    assert created.status_code == 201, created.text

    first = await login(service, id_number, "Start#Pass1")
    assert first.status_code == 200
    assert first.json()["must_change_password"] is True

    changed = await service.client.post("/api/me/password", headers=bearer(first.json()["access_token"]),
                                        json={"current_password": "Start#Pass1",
                                              "new_password": "Chosen#Pass2"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False
    assert (await login(service, id_number, "Chosen#Pass2")).json()["must_change_password"] is False


async def test_left_person_cannot_log_in(service):
    id_number = await activated_learner(service, 29)
    entry_id = services_of(service).app.find_on_roster("登录甲", id_number).id
    left = await service.client.post(f"/api/roster/{entry_id}/leave", headers=admin_headers(service))
    assert left.status_code == 200
    response = await login(service, id_number, PASSWORD)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_on_roster"


async def test_token_from_another_issuer_refused(service):
    claims = {"sub": "x", "role": "province_operator", "iss": "someone-else", "aud": "gqjy",
              "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())}
    issuer = services_of(service).flows.issuer
    foreign_key = jwt.encode(claims | {"iss": "gqjy-identity"}, Ed25519PrivateKey.generate(),
                             algorithm="EdDSA", headers={"kid": issuer.key_id})
    own_key_wrong_issuer = jwt.encode(claims, issuer._private_key, algorithm="EdDSA",
                                      headers={"kid": issuer.key_id})
    for token in (foreign_key, own_key_wrong_issuer):
        response = await service.client.get("/api/admin-accounts", headers=bearer(token))
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"


async def test_operator_creates_regional_admin(service):
    operator = admin_headers(service, Role.PROVINCE_OPERATOR, None)
    created = await service.client.post("/api/admin-accounts", headers=operator, json={
        "username": "nt-test", "role": "regional_admin", "office_id": "nantong-haimen",
        "initial_password": "Office#Pass1"})
    assert created.status_code == 201, created.text
    first = await login(service, "nt-test", "Office#Pass1")
    assert first.status_code == 200
    assert first.json()["role"] == "regional_admin"
    assert first.json()["must_change_password"] is True
    roster = await service.client.get("/api/roster", headers=bearer(first.json()["access_token"]))
    assert roster.status_code == 403
    assert roster.json()["error"]["code"] == "password_change_required"

    regional = await service.client.post("/api/admin-accounts", headers=admin_headers(service),
                                         json={"username": "nt-other", "role": "province_operator",
                                               "initial_password": "Office#Pass1"})
    assert regional.status_code == 403
