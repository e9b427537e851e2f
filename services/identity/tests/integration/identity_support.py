"""Helpers of the identity integration tests: seeding, captchas, SMS codes, Kafka."""

import json
from datetime import date
from typing import Any

from aiokafka import AIOKafkaConsumer
from education_contracts import Topics
from eventplatform.auth import Role
from eventplatform.testing import ServiceHarness, eventually
from sqlalchemy import select

from identity_service.application import SYSTEM, Identity
from identity_service.demo_data import make_credit_code, make_id_number
from identity_service.domain.roster import validate_person
from identity_service.readmodels import CaptchaRow, SmsOutboxRow
from identity_service.security.tokens import TokenSubject
from identity_service.settings import IdentitySettings

TODAY = date(2026, 6, 1)
PASSWORD = "Learner#2026"


def app_of(harness: ServiceHarness) -> Identity:
    application = harness.definition.application
    assert isinstance(application, Identity)
    return application


def services_of(harness: ServiceHarness) -> Any:
    return harness.definition.api.state.services


def person_fields(name: str, id_number: str, grade: str = "技师", mobile: str = "") -> dict[str, str]:
    return {"name": name, "id_number": id_number, "employing_unit": "通州区示例中心（测试）",
            "employing_unit_credit_code": make_credit_code("320612", 7), "grade": grade,
            "mobile": mobile}


def add_person(harness: ServiceHarness, name: str, id_number: str,
               office_id: str = "nantong-tongzhou", **extra: str) -> Any:
    validated = validate_person(person_fields(name, id_number, **extra), TODAY)
    entry = app_of(harness).add_person(office_id, validated, SYSTEM)
    harness.definition.projector.catch_up()
    return entry


def new_id(sequence: int, prefix: str = "320612", birth: date = date(1980, 5, 1)) -> str:
    return make_id_number(prefix, birth, sequence)


def admin_headers(harness: ServiceHarness, role: Role = Role.REGIONAL_ADMIN,
                  office_id: str | None = "nantong-tongzhou") -> dict[str, str]:
    issuer = services_of(harness).flows.issuer
    token = issuer.issue(TokenSubject("00000000-0000-0000-0000-00000000a001", role, None,
                                      office_id, False))
    return {"Authorization": f"Bearer {token}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def captcha(harness: ServiceHarness) -> tuple[str, str]:
    """Fetch a captcha through the API and read its answer from the database."""
    response = await harness.client.post("/api/captcha")
    assert response.status_code == 200
    captcha_id = response.json()["captcha_id"]
    with harness.definition.database.sessions() as session:
        answer = session.execute(
            select(CaptchaRow.answer).where(CaptchaRow.captcha_id == captcha_id)
        ).scalar_one()
    return captcha_id, answer


async def login(harness: ServiceHarness, login_name: str, password: str):  # type: ignore[no-untyped-def]
    captcha_id, answer = await captcha(harness)
    return await harness.client.post("/api/login", json={
        "login_name": login_name, "password": password, "captcha_id": captcha_id,
        "captcha_answer": answer.lower(),
    })


async def latest_code(harness: ServiceHarness, mobile: str) -> str:
    response = await harness.client.get("/api/dev/sms-outbox", params={"mobile": mobile})
    assert response.status_code == 200
    text = response.json()["messages"][0]["text"]
    return "".join(char for char in text.split("验证码为")[1][:6])


async def activate(harness: ServiceHarness, name: str, id_number: str, mobile: str,
                   password: str = PASSWORD) -> Any:
    sent = await harness.client.post("/api/activation/sms", json={
        "name": name, "id_number": id_number, "mobile": mobile})
    assert sent.status_code == 200, sent.text
    code = await latest_code(harness, mobile)
    return await harness.client.post("/api/activation", json={
        "name": name, "id_number": id_number, "mobile": mobile, "sms_code": code,
        "password": password})


async def read_topic(settings: IdentitySettings, count: int) -> list[Any]:
    """Read ``count`` records from the learners topic, from the beginning."""
    consumer = AIOKafkaConsumer(
        settings.topic(Topics.LEARNERS),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async def enough() -> bool:
            batch = await consumer.getmany(timeout_ms=500)
            for partition_records in batch.values():
                records.extend(partition_records)
            return len(records) >= count

        await eventually(enough, timeout=30)
    finally:
        await consumer.stop()
    return records


def headers_of(record: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


def payload_of(record: Any) -> dict[str, Any]:
    return json.loads(record.value)


def outbox_count(harness: ServiceHarness) -> int:
    with harness.definition.database.sessions() as session:
        return len(session.execute(select(SmsOutboxRow.id)).all())
