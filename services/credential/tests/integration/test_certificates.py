"""Hour ledgers, certificates, verification and revocation on real PostgreSQL and Kafka."""

import io
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
import qrcode
from credential_testkit import Tokens, publish, read_topic
from education_contracts import (
    Category,
    CertificateIssued,
    ClassOpened,
    CoursePublished,
    Grade,
    HourRequirement,
    QuizPassed,
    Registered,
    Topics,
)
from education_contracts.base import DateWindow
from eventplatform.clock import FixedClock, shanghai_noon
from eventplatform.testing import eventually, running
from pypdf import PdfReader

from credential_service.bootstrap import build
from credential_service.certificate import QR_BORDER_MODULES, QR_BOX_PIXELS
from credential_service.settings import CredentialSettings

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

NOW = datetime(2026, 6, 1, tzinfo=UTC)
REQUIREMENTS = {
    Grade.TECHNICIAN: HourRequirement(political=12, general=12, job_skills=16, total=40),
    Grade.SENIOR: HourRequirement(political=7, general=7, job_skills=10, total=24),
}


@pytest.fixture
def settings(make_database, topic_prefix, kafka_bootstrap_servers) -> CredentialSettings:
    return CredentialSettings(
        database_url=make_database("credential"), topic_prefix=topic_prefix,
        kafka_bootstrap_servers=kafka_bootstrap_servers, environment="test",
        consumer_retry_backoff_seconds=0.05,
    )


@pytest.fixture
def definition(settings, tokens: Tokens):
    return build(settings, FixedClock(shanghai_noon(date(2026, 6, 1))), tokens.verifier)


def class_opened(learner_id: UUID, class_id: UUID, grade: Grade) -> ClassOpened:
    return ClassOpened(
        class_id=class_id, learner_id=learner_id, order_id=uuid4(), training_year=2026, grade=grade,
        requirement=REQUIREMENTS[grade],
        learning_window=DateWindow(starts_on=date(2026, 5, 6), ends_on=date(2026, 12, 15)),
        opened_at=NOW,
    )


def quiz_passed(learner_id: UUID, class_id: UUID, category: Category, hours: int,
                course_id: UUID | None = None) -> QuizPassed:
    return QuizPassed(
        learner_id=learner_id, class_id=class_id, course_id=course_id or uuid4(), training_year=2026,
        category=category, credit_hours=hours, attempt_id=uuid4(), score=80, passed_at=NOW,
    )


def passes(learner_id: UUID, class_id: UUID, hours: tuple[int, int, int]) -> list[QuizPassed]:
    categories = (Category.POLITICAL, Category.GENERAL, Category.JOB_SKILLS)
    return [quiz_passed(learner_id, class_id, c, h) for c, h in zip(categories, hours, strict=True) if h]


async def ledger_when(service, tokens: Tokens, class_id: UUID, condition) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        response = await service.client.get(f"/api/credential/classes/{class_id}/ledger",
                                            headers=tokens.operator())
        body = response.json() if response.status_code == 200 else None
        return body if body and condition(body) else None

    return await eventually(probe)


async def issued_certificates(definition) -> list[CertificateIssued]:
    application = definition.application
    await eventually(lambda: definition.relay.load_position() >= application.recorder.max_notification_id())
    events = await read_topic(definition.settings.topic(Topics.CERTIFICATES))
    return [event.payload for event in events if isinstance(event.payload, CertificateIssued)]


async def test_technician_needs_sixteen_job_skill_hours(definition, settings, tokens) -> None:
    learner_id, class_id = uuid4(), uuid4()
    async with running(definition) as service:
        await publish(settings.topic, class_opened(learner_id, class_id, Grade.TECHNICIAN))
        for event in passes(learner_id, class_id, (12, 12, 15)):
            await publish(settings.topic, event)

        short = await ledger_when(service, tokens, class_id,
                                  lambda body: body["requirement"] and body["hours"]["job_skills"] == 15)
        assert short["hours"] == {"political": 12, "general": 12, "job_skills": 15}
        assert short["qualified"] is False
        assert short["certificate_id"] is None

        last = quiz_passed(learner_id, class_id, Category.JOB_SKILLS, 1)
        last_id = await publish(settings.topic, last)
        done = await ledger_when(service, tokens, class_id, lambda body: body["qualified"])
        assert done["certificate_id"] is not None

        # Redelivery with the same event id, and a re-publication with a new one.
        await publish(settings.topic, last, event_id=last_id)
        await publish(settings.topic, last)
        # A marker on the same key (same partition) proves the copies were consumed first.
        marker_class = uuid4()
        await publish(settings.topic, quiz_passed(learner_id, marker_class, Category.GENERAL, 1))
        await ledger_when(service, tokens, marker_class, lambda body: body["hours"]["general"] == 1)

        issued = await issued_certificates(definition)
        final = await ledger_when(service, tokens, class_id, lambda body: True)

    assert len(issued) == 1
    assert issued[0].class_id == class_id
    assert (issued[0].political_hours, issued[0].general_hours, issued[0].job_skills_hours) == (12, 12, 16)
    assert final["hours"]["job_skills"] == 16


@pytest.mark.parametrize(("hours", "qualified"), [((7, 7, 10), True), ((6, 8, 10), False)])
async def test_twenty_four_hour_class(definition, settings, tokens, hours, qualified) -> None:
    learner_id, class_id = uuid4(), uuid4()
    async with running(definition) as service:
        # Passes first: ClassOpened may arrive after them and must still be evaluated.
        for event in passes(learner_id, class_id, hours):
            await publish(settings.topic, event)
        await ledger_when(service, tokens, class_id, lambda body: sum(body["hours"].values()) == 24)
        await publish(settings.topic, class_opened(learner_id, class_id, Grade.SENIOR))
        ledger = await ledger_when(service, tokens, class_id, lambda body: body["requirement"])

    assert ledger["requirement"]["total"] == 24
    assert ledger["qualified"] is qualified
    assert (ledger["certificate_id"] is not None) is qualified


def qr_modules_of(image: Any) -> list[list[bool]]:
    """Sample the centre of each module of an embedded QR image (True is dark)."""
    gray = image.convert("L")
    count = gray.width // QR_BOX_PIXELS
    return [
        [gray.getpixel((x * QR_BOX_PIXELS + QR_BOX_PIXELS // 2, y * QR_BOX_PIXELS + QR_BOX_PIXELS // 2)) < 128
         for x in range(count)]
        for y in range(count)
    ]


def expected_modules(url: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER_MODULES)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


async def test_certificate_pdf_verification_and_revocation(definition, settings, tokens) -> None:
    learner_id, class_id = uuid4(), uuid4()
    learner = tokens.learner(learner_id)
    course_ids = [uuid4(), uuid4(), uuid4()]
    titles = ["新时代职业道德修养", "办公安全与保密常识", "园林绿化养护技术"]
    categories = [Category.POLITICAL, Category.GENERAL, Category.JOB_SKILLS]
    hours = [7, 7, 10]

    async with running(definition) as service:
        client = service.client
        await publish(settings.topic, Registered(
            learner_id=learner_id, name="林晓航", masked_id_number="320***********123X",
            gender="male", birth_year=1985, grade=Grade.SENIOR, employing_unit="南通市示例公园管理处",
            employing_unit_credit_code="12320600MB0000000X", region_office_id="nantong-city",
            registered_at=NOW,
        ))
        for course_id, title, category, credit in zip(course_ids, titles, categories, hours, strict=True):
            await publish(settings.topic, CoursePublished(
                course_id=course_id, code=f"C-{title[:2]}", title=title, category=category,
                credit_hours=credit, provider_id="p1", provider_name="示例机构", chapter_count=2,
                total_duration_seconds=3600, published_at=NOW,
            ))
        await publish(settings.topic, class_opened(learner_id, class_id, Grade.SENIOR))
        for course_id, category, credit in zip(course_ids, categories, hours, strict=True):
            await publish(settings.topic, quiz_passed(learner_id, class_id, category, credit, course_id))

        async def listed() -> list[dict[str, Any]]:
            response = await client.get("/api/credential/certificates", headers=learner)
            return response.json()["certificates"]

        (certificate,) = await eventually(listed)

        async def downloaded() -> bytes | None:
            response = await client.get(certificate["download_url"], headers=learner)
            return response.content if response.status_code == 200 else None

        pdf = await eventually(downloaded)
        stranger = await client.get(certificate["download_url"], headers=tokens.learner(uuid4()))

        code = certificate["verification_url"].rsplit("/", 1)[1]
        valid = (await client.get(f"/api/credential/verify/{code}")).json()
        revoked_response = await client.post(
            f"/api/credential/certificates/{certificate['certificate_id']}/revocation",
            json={"reason": "学时记录有误"}, headers=tokens.operator())
        revoked = (await client.get(f"/api/credential/verify/{code}")).json()
        unknown = await client.get("/api/credential/verify/NOSUCHCODE234567")

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    text = page.extract_text()
    for expected in ["工勤人员继续教育记录", "林晓航", "320***********123X", "南通市示例公园管理处",
                     "高级工", "2026", *titles, certificate["certificate_number"], code, "思政", "通识",
                     "岗位技能提升"]:
        assert expected in text, expected
    assert "24" in text

    assert certificate["verification_url"] == f"http://127.0.0.1:8000/verify/{code}"
    (qr_image,) = page.images
    assert qr_modules_of(qr_image.image) == expected_modules(certificate["verification_url"])

    assert stranger.status_code == 404
    assert valid["status"] == "valid"
    assert valid["learner_name"] == "林**"
    assert valid["masked_id_number"] == "320***********123X"
    assert valid["hours"] == {"political": 7, "general": 7, "job_skills": 10}
    assert revoked_response.status_code == 200
    assert revoked["status"] == "revoked"
    assert revoked["revoked_on"] == "2026-06-01"
    assert revoked["revocation_reason"] == "学时记录有误"
    assert unknown.status_code == 404
