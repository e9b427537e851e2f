"""The outbox relay: publishes a service's integration events from its notification log.

The relay reads recorded domain events in notification order, translates each
into zero or more integration events, sends them with an idempotent producer,
waits for Kafka to acknowledge the whole batch and only then stores its
position. A crash between send and store re-sends the batch on restart.
Event ids are derived from notification positions, so consumers receive the
same ``ce_id`` again and skip it. The crash-recovery test kills the relay and
the consumer at random moments and checks exactly this.

Run one relay per service: a second one would publish the same events in
parallel and break per-key order.
"""

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from education_contracts import (
    CertificateIssued,
    ClassOpened,
    CourseCompleted,
    IntegrationEvent,
    OrderPaid,
    QuizPassed,
    Registered,
)
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from sqlalchemy import Connection, func, select

from eventplatform.envelope import encode, stable_event_id
from eventplatform.kafka import idempotent_producer
from eventplatform.readmodel import Database, utcnow
from eventplatform.store import ServiceApplication
from eventplatform.telemetry import platform_metrics, tracer

logger = logging.getLogger(__name__)

Translator = Callable[[Any], Sequence[IntegrationEvent]]

# Business counters are counted where the fact leaves its service, so each
# service counts its own milestones and dashboards need no extra plumbing.
# NOTE: a batch re-sent after a relay crash is counted again; the counters
# can overstate by at most one relay batch per crash.
BUSINESS_COUNTERS: dict[type[IntegrationEvent], tuple[str, str]] = {
    Registered: ("registrations", "Learner accounts activated."),
    OrderPaid: ("payments", "Orders paid."),
    ClassOpened: ("classes_opened", "Classes opened."),
    CourseCompleted: ("courses_completed", "Courses watched to 100%."),
    QuizPassed: ("quizzes_passed", "Course tests passed (first pass per course)."),
    CertificateIssued: ("certificates_issued", "Training certificates issued."),
}


class OutboxRelay:
    """Tails one application's notification log and publishes to Kafka."""

    def __init__(
        self,
        *,
        service_name: str,
        application: ServiceApplication,
        database: Database,
        translate: Translator,
        bootstrap_servers: str,
        topic_for: Callable[[str], str],
        batch_size: int = 500,
        poll_seconds: float = 0.2,
    ) -> None:
        self.service_name = service_name
        self.relay_name = f"{service_name}.outbox"
        self.application = application
        self.database = database
        self.translate = translate
        self.bootstrap_servers = bootstrap_servers
        self.topic_for = topic_for
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self._producer: AIOKafkaProducer | None = None

    async def run(self, stopping: asyncio.Event) -> None:
        """Publish until ``stopping`` is set, while holding the relay's single-writer lock."""
        with self._single_writer_lock() as lock:
            while not await asyncio.to_thread(lock.try_acquire):
                logger.info("outbox relay %s on standby: another relay has the lock", self.relay_name)
                await _sleep_unless(stopping, 5.0)
                if stopping.is_set():
                    return
            await self._publish_until(stopping)

    def _single_writer_lock(self) -> "RelayLock":
        return RelayLock(self.database, self.relay_name)

    async def _publish_until(self, stopping: asyncio.Event) -> None:
        self._producer = idempotent_producer(self.bootstrap_servers, f"gqjy-{self.relay_name}")
        await self._producer.start()
        logger.info("outbox relay %s started", self.relay_name)
        try:
            while not stopping.is_set():
                published = await self.relay_batch()
                if published == 0:
                    await _sleep_unless(stopping, self.poll_seconds)
        finally:
            await self._producer.stop()
            self._producer = None
            logger.info("outbox relay %s stopped", self.relay_name)

    async def relay_batch(self) -> int:
        """Publish the next batch; return how many notifications it covered."""
        producer = self._producer
        if producer is None:
            raise RuntimeError("relay_batch called before run() started the producer")

        position = await asyncio.to_thread(self.load_position)
        notifications = await asyncio.to_thread(
            self.application.recorder.select_notifications,
            position + 1,
            self.batch_size,
        )
        if not notifications:
            platform_metrics().outbox_backlog.set(0, {"service": self.service_name})
            return 0

        deliveries = []
        published_types: dict[type[IntegrationEvent], int] = {}
        for notification in notifications:
            sent = await self._send_notification(producer, notification)
            for integration_event, delivery in sent:
                deliveries.append(delivery)
                if type(integration_event) in BUSINESS_COUNTERS:
                    published_types[type(integration_event)] = published_types.get(type(integration_event), 0) + 1
        # Kafka has the whole batch once every delivery future resolves; only
        # then may the position move past it.
        await asyncio.gather(*deliveries)

        last_id = notifications[-1].id
        await asyncio.to_thread(self.save_position, last_id)
        platform_metrics().events_published.add(len(deliveries), {"service": self.service_name})
        for event_class, count in published_types.items():
            name, description = BUSINESS_COUNTERS[event_class]
            platform_metrics().business_counter(name, description).add(count)
        await asyncio.to_thread(self._report_backlog, last_id)
        return len(notifications)

    async def _send_notification(
        self, producer: AIOKafkaProducer, notification: Any
    ) -> list[tuple[IntegrationEvent, Any]]:
        mapper = self.application.trace_mapper
        domain_event = mapper.to_domain_event(notification)
        outgoing = self.translate(domain_event)
        if not outgoing:
            return []

        parent = propagate.extract(mapper.trace_carrier(notification))
        recorded_at = getattr(domain_event, "timestamp", None) or datetime.now(UTC)
        deliveries = []
        for index, integration_event in enumerate(outgoing):
            topic = self.topic_for(integration_event.meta.topic)
            event_id = stable_event_id(self.service_name, notification.id, index)
            with tracer().start_as_current_span(
                f"send {topic}",
                context=parent,
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.operation.type": "send",
                    "messaging.operation.name": "send",
                    "messaging.destination.name": topic,
                    "messaging.message.id": event_id,
                    "messaging.kafka.message.key": integration_event.partition_key(),
                    "cloudevents.event_type": integration_event.meta.event_type,
                },
            ):
                trace_headers: dict[str, str] = {}
                propagate.inject(trace_headers)
                record = encode(
                    integration_event,
                    event_id=event_id,
                    source_service=self.service_name,
                    time=recorded_at,
                    topic=topic,
                    trace_headers=trace_headers,
                )
                delivery = await producer.send(
                    record.topic, value=record.value, key=record.key, headers=record.headers
                )
            deliveries.append((integration_event, delivery))
            logger.debug(
                "relayed event %s (%s) from notification %s",
                event_id,
                integration_event.meta.event_type,
                notification.id,
            )
        return deliveries

    def load_position(self) -> int:
        """Return the id of the last notification known to be published (0 if none)."""
        positions = self.database.metadata.tables["relay_positions"]
        with self.database.sessions() as session:
            row = session.execute(
                select(positions.c.notification_id).where(positions.c.relay == self.relay_name)
            ).first()
        return int(row[0]) if row else 0

    def save_position(self, notification_id: int) -> None:
        positions = self.database.metadata.tables["relay_positions"]
        with self.database.transaction() as session:
            updated = session.execute(
                positions.update()
                .where(positions.c.relay == self.relay_name)
                .values(notification_id=notification_id, updated_at=utcnow())
            )
            if updated.rowcount == 0:
                session.execute(
                    positions.insert().values(
                        relay=self.relay_name,
                        notification_id=notification_id,
                        updated_at=utcnow(),
                    )
                )

    def _report_backlog(self, published_up_to: int) -> None:
        newest = self.application.recorder.max_notification_id() or 0
        backlog = max(newest - published_up_to, 0)
        platform_metrics().outbox_backlog.set(backlog, {"service": self.service_name})


class RelayLock:
    """A PostgreSQL session-level advisory lock that lets one relay per service publish.

    Two relays publishing the same log in parallel would break per-key order.
    The lock is tied to a dedicated connection, so it is released when the
    process dies. SQLite runs are single-process and take no lock.
    """

    def __init__(self, database: Database, relay_name: str) -> None:
        self.database = database
        digest = hashlib.sha256(relay_name.encode()).digest()
        self.key = int.from_bytes(digest[:8], "big", signed=True)
        self._connection: Connection | None = None

    def __enter__(self) -> "RelayLock":
        return self

    def try_acquire(self) -> bool:
        if self.database.is_sqlite:
            return True
        if self._connection is None:
            self._connection = self.database.engine.connect()
        acquired = bool(self._connection.scalar(select(func.pg_try_advisory_lock(self.key))))
        self._connection.commit()
        return acquired

    def __exit__(self, *exc_info: object) -> None:
        if self._connection is None:
            return
        # Closing returns the connection to the pool with its session (and the
        # lock) still alive, so unlock explicitly. A killed process loses its
        # connection, and PostgreSQL then releases the lock by itself.
        try:
            self._connection.scalar(select(func.pg_advisory_unlock_all()))
            self._connection.commit()
        finally:
            self._connection.close()
            self._connection = None


async def _sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
    except TimeoutError:
        pass


def current_trace_id() -> str:
    """Return the current trace id as 32 hex digits, or '-' outside a trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else "-"
