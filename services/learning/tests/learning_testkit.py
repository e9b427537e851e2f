"""Fixtures and helpers of the learning tests (imported by conftest.py and the tests)."""

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import jwt
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from education_contracts import (
    Category,
    ClassOpened,
    CoursesSelected,
    Grade,
    HourRequirement,
    IntegrationEvent,
    SelectedCourse,
)
from education_contracts.base import DateWindow
from eventplatform.auth import AUDIENCE, ISSUER, TokenVerifier
from eventplatform.clock import FixedClock, shanghai_noon
from eventplatform.envelope import decode, encode
from learning_service.bootstrap import LearningDefinition, build
from learning_service.settings import LearningSettings

WINDOW = DateWindow(starts_on=date(2026, 5, 6), ends_on=date(2026, 12, 15))
INSIDE_WINDOW = shanghai_noon(date(2026, 6, 1))


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def token_for(signing_key: Ed25519PrivateKey) -> Callable[..., dict[str, str]]:
    """Build the Authorization header of a learner or an operator."""

    def make(role: str = "learner", learner_id: uuid.UUID | None = None) -> dict[str, str]:
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": str(learner_id or uuid.uuid4()), "role": role,
            "exp": datetime.now(UTC) + timedelta(hours=1),
        }
        if learner_id is not None:
            claims["learner_id"] = str(learner_id)
        token = jwt.encode(claims, signing_key, algorithm="EdDSA")
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(INSIDE_WINDOW)


@pytest.fixture
def learning(
    make_database: Callable[[str], str], topic_prefix: str, kafka_bootstrap_servers: str,
    signing_key: Ed25519PrivateKey, clock: FixedClock, tmp_path,
) -> LearningDefinition:
    settings = LearningSettings(
        database_url=make_database("learning"), topic_prefix=topic_prefix, environment="test",
        kafka_bootstrap_servers=kafka_bootstrap_servers, data_dir=tmp_path,
        consumer_retry_backoff_seconds=0.05,
    )
    verifier = TokenVerifier(public_keys=[signing_key.public_key()])
    return build(settings, clock, verifier)


def class_opened(learner_id: uuid.UUID, class_id: uuid.UUID, window: DateWindow = WINDOW) -> ClassOpened:
    return ClassOpened(
        class_id=class_id, learner_id=learner_id, order_id=uuid.uuid4(), training_year=2026,
        grade=Grade.INTERMEDIATE,
        requirement=HourRequirement(political=7, general=7, job_skills=10, total=24),
        learning_window=window, opened_at=INSIDE_WINDOW,
    )


def courses_selected(
    learner_id: uuid.UUID, class_id: uuid.UUID, course_ids: list[uuid.UUID], category: Category
) -> CoursesSelected:
    return CoursesSelected(
        class_id=class_id, learner_id=learner_id, training_year=2026,
        courses=[SelectedCourse(course_id=course_id, category=category, credit_hours=2) for course_id in course_ids],
        selected_at=INSIDE_WINDOW,
    )


async def publish(definition: LearningDefinition, *events: IntegrationEvent) -> None:
    """Publish contract events to the service's topics as the producing service would."""
    settings = definition.settings
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        for event in events:
            record = encode(
                event, event_id=str(uuid.uuid4()), source_service=event.meta.source_service,
                time=INSIDE_WINDOW, topic=settings.topic(event.meta.topic),
            )
            await producer.send_and_wait(record.topic, value=record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()


async def read_topic(definition: LearningDefinition, topic: str) -> list[IntegrationEvent]:
    """Return every event on a topic, from the beginning to the end offsets seen now."""
    name = definition.settings.topic(topic)
    reader = AIOKafkaConsumer(
        name, bootstrap_servers=definition.settings.kafka_bootstrap_servers, group_id=None,
        enable_auto_commit=False, auto_offset_reset="earliest",
    )
    await reader.start()
    try:
        partitions = [TopicPartition(name, number) for number in sorted(reader.partitions_for_topic(name) or ())]
        assert partitions, f"topic {name} has no partitions"
        end_offsets = await reader.end_offsets(partitions)
        events: list[IntegrationEvent] = []
        while True:
            positions = {tp: await reader.position(tp) for tp in partitions}
            if all(positions[tp] >= end for tp, end in end_offsets.items()):
                return events
            batches = await reader.getmany(timeout_ms=1000)
            for records in batches.values():
                events += [decode(record.headers, record.value).payload for record in records]
    finally:
        await reader.stop()


async def relay_caught_up(definition: LearningDefinition) -> bool:
    """True once the outbox relay has published every recorded event."""
    assert definition.relay is not None and definition.application is not None
    newest = definition.application.recorder.max_notification_id() or 0
    return definition.relay.load_position() >= newest
