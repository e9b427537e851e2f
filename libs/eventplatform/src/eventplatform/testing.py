"""Pytest plugin: real Kafka and PostgreSQL fixtures and an in-process service harness.

Enabled for the whole repository by ``-p eventplatform.testing`` in
``pytest.ini``. Kafka and PostgreSQL are the real servers started by
``scripts/kafka.py`` and ``scripts/postgres.py``. ``scripts/test.sh`` starts
them first, and a fixture starts them when a test needs one that is down.
"""

import asyncio
import socket
import subprocess
import sys
import time
import uuid
from uuid import UUID, uuid4
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import httpx
import jwt
import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from education_contracts import IntegrationEvent
from sqlalchemy.engine import make_url

from eventplatform.auth import AUDIENCE, ISSUER, TokenVerifier
from eventplatform.envelope import ReceivedEvent, decode, encode
from eventplatform.kafka import ensure_topics
from eventplatform.runtime import ServiceDefinition

REPO_ROOT = Path(__file__).resolve().parents[4]
KAFKA_BOOTSTRAP = "127.0.0.1:9092"
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"

T = TypeVar("T")


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _start(script: str) -> None:
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / script), "start"], check=True)


@pytest.fixture(scope="session")
def kafka_bootstrap_servers() -> str:
    """Bootstrap address of the real local Kafka broker."""
    if not _port_open("127.0.0.1", 9092):
        _start("kafka.py")
    return KAFKA_BOOTSTRAP


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """URL of the local PostgreSQL server's maintenance database."""
    if not _port_open("127.0.0.1", 55432):
        _start("postgres.py")
    return POSTGRES_ADMIN_URL


@pytest.fixture
def make_database(postgres_admin_url: str) -> Iterator[Callable[[str], str]]:
    """Create fresh PostgreSQL databases for one test; drop them afterwards."""
    created: list[str] = []

    def create(label: str) -> str:
        name = f"t_{label}_{uuid.uuid4().hex[:10]}"
        _admin_execute(postgres_admin_url, f'CREATE DATABASE "{name}"')
        created.append(name)
        return str(make_url(postgres_admin_url).set(database=name))

    yield create
    for name in created:
        with suppress(psycopg.Error):
            _admin_execute(postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_execute(admin_url: str, statement: str) -> None:
    url = make_url(admin_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as connection:
        connection.execute(statement)


@pytest.fixture
def topic_prefix() -> str:
    """Return a topic prefix unique to one test, so parallel runs never share topics."""
    return f"t{uuid.uuid4().hex[:8]}."


async def eventually(
    probe: Callable[[], Awaitable[T] | T], *, timeout: float = 20.0, interval: float = 0.1
) -> T:
    """Call ``probe`` until it returns a truthy value; fail with the last value on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        result = probe()
        if asyncio.iscoroutine(result) or isinstance(result, Awaitable):
            result = await result
        if result:
            return result
        last = result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")
        await asyncio.sleep(interval)


class ServiceHarness:
    """Runs a service's relay, projector, consumers and jobs in the test's event loop.

    HTTP requests go to the FastAPI app in-process through ``client``; the
    Kafka and database traffic is real.
    """

    def __init__(self, definition: ServiceDefinition) -> None:
        self.definition = definition
        self.stopping = asyncio.Event()
        self.tasks: list[asyncio.Task[Any]] = []
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=definition.api), base_url="http://service.test"
        )

    async def start(self, *, relay: bool = True, consumers: bool = True, jobs: bool = True) -> None:
        definition = self.definition
        await asyncio.to_thread(definition.prepare)
        topics = [definition.settings.topic(name) for name in definition.published_topics]
        if definition.consumer is not None:
            topics += definition.consumer.topics + [definition.consumer.dead_letter_topic]
        if topics:
            await ensure_topics(definition.settings.kafka_bootstrap_servers, sorted(set(topics)))
        if relay and definition.relay is not None:
            self.tasks.append(asyncio.create_task(definition.relay.run(self.stopping)))
        if relay and definition.projector is not None:
            self.tasks.append(asyncio.create_task(definition.projector.run(self.stopping)))
        if jobs:
            self.tasks += [asyncio.create_task(job(self.stopping)) for job in definition.jobs]
        if consumers and definition.consumer is not None:
            self.tasks.append(asyncio.create_task(definition.consumer.run(self.stopping)))

    async def stop(self) -> None:
        self.stopping.set()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=20)
        for task in self.tasks:
            if not task.done():
                task.cancel()
        for task in self.tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        await self.client.aclose()
        await asyncio.to_thread(self.definition.close)


@asynccontextmanager
async def running(definition: ServiceDefinition, **parts: bool) -> AsyncIterator[ServiceHarness]:
    """Start a ``ServiceHarness`` and stop it when the block ends."""
    harness = ServiceHarness(definition)
    await harness.start(**parts)
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture(scope="session")
def _span_memory() -> Any:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


@pytest.fixture
def finished_spans(_span_memory: Any) -> Any:
    """Return an in-memory exporter of the spans this test finishes (cleared at its start)."""
    _span_memory.clear()
    return _span_memory


class TokenSigner:
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


async def publish_event(
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
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA_BOOTSTRAP)
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, value=record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()
    return event_id


async def partition_numbers(topic: str) -> list[int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA_BOOTSTRAP)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(partition["partition"] for item in described for partition in item["partitions"])


async def read_events(topic: str) -> list[ReceivedEvent]:
    """Read every record now on ``topic`` (up to its current end offsets)."""
    reader = AIOKafkaConsumer(bootstrap_servers=KAFKA_BOOTSTRAP, group_id=None, enable_auto_commit=False)
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
