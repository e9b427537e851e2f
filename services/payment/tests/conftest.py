"""Fixtures of the payment service's tests: tokens, a fixed clock, the in-process bank simulator."""

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from banksim.bank import Bank
from banksim.settings import BankSettings
from banksim.web import create_app
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from education_contracts import IntegrationEvent, OrderPlaced, Topics

from eventplatform.auth import AUDIENCE, ISSUER, TokenVerifier
from eventplatform.clock import FixedClock, shanghai_noon
from eventplatform.envelope import decode, encode
from eventplatform.runtime import ServiceDefinition
from eventplatform.testing import ServiceHarness, eventually, running
from payment_service.bootstrap import build
from payment_service.gateway import HttpBankGateway
from payment_service.readmodels import OrderRow
from payment_service.settings import PaymentSettings

BANK_KEY = "test-bank-key"
PAYMENT_DAY = date(2026, 6, 1)


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def token_for(signing_key: Ed25519PrivateKey) -> Callable[..., dict[str, str]]:
    """Return Authorization headers of a learner (or another role)."""

    def headers(learner_id: uuid.UUID | None, role: str = "learner") -> dict[str, str]:
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": str(learner_id or uuid.uuid4()), "role": role,
            "exp": datetime.now(UTC) + timedelta(hours=1),
        }
        if learner_id is not None:
            claims["learner_id"] = str(learner_id)
        return {"Authorization": f"Bearer {jwt.encode(claims, signing_key, algorithm='EdDSA')}"}

    return headers


@dataclass
class Stack:
    """The payment service running against the in-process bank simulator."""

    definition: ServiceDefinition
    harness: ServiceHarness
    settings: PaymentSettings
    clock: FixedClock
    bank: Bank
    bank_client: httpx.AsyncClient

    @property
    def client(self) -> httpx.AsyncClient:
        return self.harness.client

    async def place_order(self, amount_fen: int = 20000, **fields: Any) -> OrderPlaced:
        """Publish an OrderPlaced as enrollment would and wait until the service has it."""
        values: dict[str, Any] = dict(
            order_id=uuid.uuid4(), order_number=f"GQ{uuid.uuid4().hex[:12].upper()}",
            learner_id=uuid.uuid4(), class_id=uuid.uuid4(), training_year=2026, is_make_up=False,
            amount_fen=amount_fen, invoice_title="南通市示例事业单位",
            invoice_credit_code="12320600MB1234567X", invoice_email="caiwu@example.com",
            placed_at=self.clock.now(), expires_at=self.clock.now() + timedelta(hours=2),
        )
        values.update(fields)
        order = OrderPlaced(**values)
        await self.publish(order)
        await eventually(lambda: self.order_row(order.order_id) is not None)
        return order

    async def publish(self, event: IntegrationEvent) -> None:
        record = encode(event, event_id=str(uuid.uuid4()), source_service="enrollment",
                        time=datetime.now(UTC), topic=self.settings.topic(event.meta.topic))
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
        finally:
            await producer.stop()

    def order_row(self, order_id: uuid.UUID) -> OrderRow | None:
        with self.definition.database.sessions() as session:  # type: ignore[union-attr]
            return session.get(OrderRow, order_id)

    async def payment_events(self, until: Callable[[list[IntegrationEvent]], bool]) -> list[IntegrationEvent]:
        """Read the payment topic from the start until ``until`` holds for what was read."""
        consumer = AIOKafkaConsumer(
            self.settings.topic(Topics.PAYMENTS), bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=None, auto_offset_reset="earliest", enable_auto_commit=False,
        )
        await consumer.start()
        events: list[IntegrationEvent] = []
        try:
            async def read_more() -> bool:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    events.extend(decode(record.headers, record.value).payload for record in records)
                return until(events)

            await eventually(read_more, timeout=30)
        finally:
            await consumer.stop()
        return events


@pytest.fixture
async def stack(make_database, topic_prefix, kafka_bootstrap_servers, signing_key, tmp_path) -> AsyncIterator[Stack]:
    clock = FixedClock(shanghai_noon(PAYMENT_DAY))
    bank = Bank(
        BankSettings(public_base_url="http://bank.test", merchant_keys={"gqjy": BANK_KEY}), now=clock.now
    )
    bank_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(bank)), base_url="http://bank.test")
    settings = PaymentSettings(
        environment="test",
        database_url=make_database("payment"),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        topic_prefix=topic_prefix,
        consumer_group=f"{topic_prefix}payment",
        data_dir=tmp_path,
        consumer_retry_backoff_seconds=0.05,
        consumer_max_attempts=3,
        bank_base_url="http://bank.test",
        bank_signing_key=BANK_KEY,
        notify_url="http://payment.test/api/payments/notifications",
        return_url="http://portal.test/payments/return?order_id={order_id}&payment_id={payment_id}",
        reconcile_after_seconds=300,
        reconcile_interval_seconds=0.1,
    )
    gateway = HttpBankGateway(settings.bank_base_url, settings.bank_merchant_id, BANK_KEY, bank_client)
    verifier = TokenVerifier(public_keys=[signing_key.public_key()])
    definition = build(settings, clock, gateway, verifier)
    bank.notify_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=definition.api), base_url="http://payment.test"
    )

    async with running(definition) as harness:
        yield Stack(definition, harness, settings, clock, bank, bank_client)
    await bank.close()
    await bank_client.aclose()
