"""Test helpers of the assessment service: signed tokens and Kafka publish/read."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import jwt
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from education_contracts import IntegrationEvent
from eventplatform.auth import AUDIENCE, ISSUER, TokenVerifier
from eventplatform.envelope import ReceivedEvent, decode, encode

KAFKA = "127.0.0.1:9092"


class Tokens:
    """Signs access tokens the way identity does, for a key only the tests know."""

    def __init__(self) -> None:
        self._key = Ed25519PrivateKey.generate()
        self.verifier = TokenVerifier(public_keys=[self._key.public_key()])

    def header(self, role: str, learner_id: UUID | None = None) -> dict[str, str]:
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(learner_id or uuid4()),
            "role": role,
            "exp": datetime.now(UTC) + timedelta(hours=1),
        }
        if learner_id is not None:
            claims["learner_id"] = str(learner_id)
        return {"Authorization": f"Bearer {jwt.encode(claims, self._key, algorithm='EdDSA')}"}

    def learner(self, learner_id: UUID) -> dict[str, str]:
        return self.header("learner", learner_id)

    def operator(self) -> dict[str, str]:
        return self.header("province_operator")


async def publish(
    topic_for: Callable[[str], str], event: IntegrationEvent, event_id: str | None = None
) -> str:
    """Publish one integration event as the owning service's relay would; return its ce_id."""
    event_id = event_id or str(uuid4())
    record = encode(
        event,
        event_id=event_id,
        source_service=event.meta.source_service,
        time=datetime.now(UTC),
        topic=topic_for(event.meta.topic),
    )
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA)
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, value=record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()
    return event_id


async def partition_numbers(topic: str) -> list[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(partition["partition"] for item in described for partition in item["partitions"])


async def read_topic(topic: str) -> list[ReceivedEvent]:
    """Read every record now on ``topic`` (up to its current end offsets)."""
    reader = AIOKafkaConsumer(bootstrap_servers=KAFKA, group_id=None, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(topic, number) for number in await partition_numbers(topic)]
        if not partitions:
            return []
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        events = []
        while [tp for tp, end in ends.items() if await reader.position(tp) < end]:
            batches = await reader.getmany(timeout_ms=1000)
            for records in batches.values():
                events += [decode(r.headers, r.value) for r in records]
        return events
    finally:
        await reader.stop()
