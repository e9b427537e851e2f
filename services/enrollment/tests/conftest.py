"""Fixtures of the enrollment tests: signed tokens, a running service, Kafka helpers."""

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jwt
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from education_contracts import IntegrationEvent
from education_contracts.base import Category, Grade
from education_contracts.events import CoursePublished, OrderPaid, Registered
from eventplatform.auth import AUDIENCE, ISSUER, TokenVerifier
from eventplatform.clock import FixedClock, shanghai_noon
from eventplatform.envelope import ReceivedEvent, decode, encode
from eventplatform.testing import ServiceHarness, eventually, running

from enrollment_service.bootstrap import build
from enrollment_service.domain import notice_calendar
from enrollment_service.domain.orders import CREDIT_CODE_ALPHABET, CREDIT_CODE_WEIGHTS
from enrollment_service.readmodels import queries
from enrollment_service.settings import EnrollmentSettings

SIGNING_KEY = Ed25519PrivateKey.generate()
FEE_FEN = 20000


def valid_credit_code(prefix: str = "91320600MA1W2Y3K4") -> str:
    """Complete a 17-character prefix with its GB 32100-2015 check character."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(prefix, CREDIT_CODE_WEIGHTS, strict=True))
    return prefix + CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def token(role: str = "learner", learner_id: uuid.UUID | None = None,
          office_id: str | None = None) -> dict[str, str]:
    claims: dict[str, Any] = {
        "sub": str(learner_id or uuid.uuid4()),
        "role": role,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    if learner_id is not None:
        claims["learner_id"] = str(learner_id)
    if office_id is not None:
        claims["office_id"] = office_id
    return {"Authorization": f"Bearer {jwt.encode(claims, SIGNING_KEY, algorithm='EdDSA')}"}


class Testbed:
    """A running enrollment service plus helpers to feed and read its topics."""

    def __init__(self, harness: ServiceHarness, clock: FixedClock, settings: EnrollmentSettings) -> None:
        self.harness = harness
        self.client = harness.client
        self.definition = harness.definition
        self.app = harness.definition.application
        self.clock = clock
        self.settings = settings
        self.producer: AIOKafkaProducer | None = None

    def set_today(self, day: date) -> None:
        self.clock.set(shanghai_noon(day))

    def schedule_notice_year(self, year: int = 2026) -> None:
        self.app.schedule_year(notice_calendar(year, FEE_FEN))
        self.definition.projector.catch_up()

    async def publish(self, event: IntegrationEvent, event_id: str | None = None) -> str:
        event_id = event_id or str(uuid.uuid4())
        record = encode(
            event,
            event_id=event_id,
            source_service=event.meta.source_service,
            time=datetime.now(UTC),
            topic=self.settings.topic(event.meta.topic),
        )
        assert self.producer is not None
        await self.producer.send_and_wait(record.topic, value=record.value, key=record.key, headers=record.headers)
        return event_id

    async def register(self, grade: Grade = Grade.JUNIOR, learner_id: uuid.UUID | None = None,
                       **profile: str) -> uuid.UUID:
        """Publish Registered for a new learner and wait until enrollment stored it.

        ``profile`` overrides the employing unit, its credit code or the region office.
        """
        learner_id = learner_id or uuid.uuid4()
        await self.publish(registered(learner_id, grade, **profile))
        await eventually(lambda: self.query(queries.learner, learner_id))
        return learner_id

    def query(self, function: Callable[..., Any], *args: Any) -> Any:
        with self.definition.database.sessions() as session:
            return function(session, *args)

    async def place_order(self, learner_id: uuid.UUID, year: int) -> Any:
        return await self.client.post(
            "/api/enrollment/orders",
            json={
                "training_year": year,
                "invoice_title": "南通市示例事业单位",
                "invoice_credit_code": valid_credit_code(),
                "invoice_email": "caiwu@example.com",
            },
            headers=token(learner_id=learner_id),
        )

    async def pay(self, learner_id: uuid.UUID, order: dict[str, Any], event_id: str | None = None) -> str:
        paid = OrderPaid(
            order_id=uuid.UUID(order["order_id"]),
            learner_id=learner_id,
            payment_id=uuid.uuid5(uuid.NAMESPACE_URL, order["order_id"]),
            training_year=order["training_year"],
            amount_fen=order["amount_fen"],
            channel="unionpay",
            paid_at=self.clock.now(),
        )
        return await self.publish(paid, event_id)

    async def open_class(self, grade: Grade, year: int = 2026, **profile: str) -> tuple[uuid.UUID, str]:
        """Register a learner, order and pay; return the learner id and the open class id."""
        learner_id = await self.register(grade, **profile)
        response = await self.place_order(learner_id, year)
        assert response.status_code == 201, response.text
        order = response.json()
        await self.pay(learner_id, order)
        class_id = order["class_id"]
        await eventually(lambda: _class_status(self, class_id) == "learning")
        return learner_id, class_id

    async def publish_course(self, category: Category, hours: int, provider: str = "p1") -> uuid.UUID:
        course_id = uuid.uuid4()
        await self.publish(
            CoursePublished(
                course_id=course_id,
                code=f"C{course_id.hex[:6]}",
                title=f"{category.label}课程{hours}学时",
                category=category,
                credit_hours=hours,
                provider_id=provider,
                provider_name=f"课程提供方{provider}",
                chapter_count=3,
                total_duration_seconds=5400,
                published_at=datetime.now(UTC),
            )
        )
        await eventually(lambda: self.query(queries.available_course, course_id))
        return course_id

    async def read_class_events(self, until: Callable[[list[ReceivedEvent]], bool]) -> list[ReceivedEvent]:
        """Read the class topic from the start until ``until`` holds for what was read."""
        reader = AIOKafkaConsumer(
            self.settings.topic("gqjy.enrollment.class"),
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=None,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await reader.start()
        events: list[ReceivedEvent] = []
        try:
            async def enough() -> bool:
                batches = await reader.getmany(timeout_ms=500)
                for records in batches.values():
                    events.extend(decode(r.headers, r.value) for r in records)
                return until(events)

            await eventually(enough, timeout=30)
        finally:
            await reader.stop()
        return events


def _class_status(testbed: Testbed, class_id: str) -> str | None:
    row = testbed.query(queries.training_class, uuid.UUID(class_id))
    return row.status if row else None


def registered(
    learner_id: uuid.UUID,
    grade: Grade,
    employing_unit: str = "南通市示例事业单位",
    employing_unit_credit_code: str | None = None,
    region_office_id: str = "nantong-city",
) -> Registered:
    return Registered(
        learner_id=learner_id,
        name="测试学员",
        masked_id_number="320***********123X",
        gender="female",
        birth_year=1980,
        grade=grade,
        employing_unit=employing_unit,
        employing_unit_credit_code=employing_unit_credit_code or valid_credit_code(),
        region_office_id=region_office_id,
        registered_at=datetime.now(UTC),
    )


@pytest.fixture
async def testbed(make_database, topic_prefix, kafka_bootstrap_servers) -> AsyncIterator[Testbed]:
    settings = EnrollmentSettings(
        database_url=make_database("enrollment"),
        topic_prefix=topic_prefix,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        environment="test",
        job_poll_seconds=0.3,
        consumer_retry_backoff_seconds=0.05,
    )
    clock = FixedClock(shanghai_noon(date(2026, 6, 1)))
    verifier = TokenVerifier(public_keys=[SIGNING_KEY.public_key()])
    definition = build(settings, clock, verifier)
    async with running(definition) as harness:
        bed = Testbed(harness, clock, settings)
        bed.producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
        await bed.producer.start()
        try:
            yield bed
        finally:
            await bed.producer.stop()


def class_opened_events(events: list[ReceivedEvent]) -> list[Any]:
    return [e.payload for e in events if e.type.endswith("class.opened.v1")]
