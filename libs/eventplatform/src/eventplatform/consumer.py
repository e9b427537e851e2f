"""Tracked consumers: FastStream Kafka subscribers that apply each event to the read models once.

Each handled event's ``ce_id`` is inserted into ``processed_events`` in the
same database transaction as the read-model change it causes, so a redelivered
event changes nothing. Offsets are committed by hand (``AckPolicy.MANUAL``)
after the batch is applied or dead-lettered, never before.

Failure handling, per message:
- an invalid envelope or unknown event type cannot succeed later, so it goes
  to the dead-letter topic at once;
- a handler error is retried with exponential backoff, ``max_attempts`` times
  in all, then dead-lettered with the error in its headers, and the partition
  moves on;
- a database that cannot be reached is retried the same way. Then the
  consumer stops (``ConsumerHalted``) instead of dead-lettering healthy
  events, and the process exits so its supervisor restarts it.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from education_contracts import IntegrationEvent
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from eventplatform.envelope import InvalidEnvelope, ReceivedEvent, decode
from eventplatform.kafka import idempotent_producer
from eventplatform.readmodel import Database, utcnow
from eventplatform.telemetry import platform_metrics, tracer

logger = logging.getLogger(__name__)

DLQ_HEADER_PREFIX = "dlq_"


@dataclass(frozen=True)
class HandlerContext:
    """The open transaction and the replay flag passed to a handler with each event."""

    session: Session
    event: ReceivedEvent
    replaying: bool = False


Handler = Callable[[HandlerContext, Any], None]


class DependencyNotReady(Exception):
    """Raise from a handler when an event it depends on has not arrived yet.

    The message is retried with backoff. If the dependency still has not
    arrived, the message is parked in the dead-letter topic for a re-drive, so
    it is never dropped. Prefer read models that accept events in any order.
    """


class ConsumerHalted(RuntimeError):
    """Raised when the consumer stops itself instead of spinning on a broken dependency."""


@dataclass
class RetryPolicy:
    max_attempts: int = 5
    first_backoff_seconds: float = 0.2
    max_backoff_seconds: float = 10.0

    def backoff(self, attempt: int) -> float:
        return min(self.first_backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)


@dataclass
class TrackedConsumer:
    """Applies events from the subscribed topics to one service's read models."""

    service_name: str
    database: Database
    handlers: Mapping[type[IntegrationEvent], Handler]
    bootstrap_servers: str
    group_id: str
    topic_for: Callable[[str], str]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_batch: int = 200

    def __post_init__(self) -> None:
        self.consumer_name = f"{self.service_name}.consumer"
        self.dead_letter_topic = self.topic_for(f"gqjy.dlq.{self.service_name}")
        self._dlq_producer: AIOKafkaProducer | None = None
        self._halted: BaseException | None = None

    @property
    def topics(self) -> list[str]:
        return sorted({self.topic_for(cls.meta.topic) for cls in self.handlers})

    # --- running under FastStream -------------------------------------------

    def build_broker(self) -> KafkaBroker:
        """Create a FastStream broker with this consumer's batch subscriber."""
        # FastStream logs every batch at log_level; DEBUG keeps INFO logs for
        # starts, stops and failures, which is what operators read.
        broker = KafkaBroker(
            self.bootstrap_servers,
            client_id=f"gqjy-{self.consumer_name}",
            log_level=logging.DEBUG,
        )
        subscriber = broker.subscriber(
            *self.topics,
            group_id=self.group_id,
            batch=True,
            max_records=self.max_batch,
            auto_offset_reset="earliest",
            # MANUAL: FastStream neither commits before the handler (its
            # default, at-most-once) nor after a failure. We commit ourselves.
            ack_policy=AckPolicy.MANUAL,
        )

        async def on_batch(message: KafkaMessage) -> None:
            if self._halted is not None:
                await message.nack()  # rewind; run() is about to stop the broker
                return
            try:
                await self.handle_records(message.raw_message, message.consumer)
            except ConsumerHalted:
                await message.nack()
                raise
            await message.ack()

        subscriber(on_batch)
        return broker

    async def start_dead_letter_producer(self) -> None:
        self._dlq_producer = idempotent_producer(
            self.bootstrap_servers, f"gqjy-{self.consumer_name}-dlq"
        )
        await self._dlq_producer.start()

    async def stop_dead_letter_producer(self) -> None:
        if self._dlq_producer is not None:
            await self._dlq_producer.stop()
            self._dlq_producer = None

    async def run(self, stopping: asyncio.Event) -> None:
        """Consume until ``stopping`` is set or a ``ConsumerHalted`` stops us."""
        await self.start_dead_letter_producer()
        broker = self.build_broker()
        self._halted = None
        await broker.start()
        logger.info("consumer %s started on %s as group %s", self.consumer_name, self.topics, self.group_id)
        try:
            while not stopping.is_set() and self._halted is None:
                await asyncio.sleep(0.2)
        finally:
            await broker.stop()
            await self.stop_dead_letter_producer()
            logger.info("consumer %s stopped", self.consumer_name)
        if self._halted is not None:
            raise ConsumerHalted(f"consumer {self.consumer_name} halted") from self._halted

    # --- handling -------------------------------------------------------------

    async def handle_records(
        self,
        records: ConsumerRecord | Sequence[ConsumerRecord],
        kafka_consumer: AIOKafkaConsumer | None = None,
        *,
        replaying: bool = False,
    ) -> None:
        """Apply a batch in one transaction; on failure fall back to one record at a time."""
        batch = list(records) if isinstance(records, (tuple, list)) else [records]
        if not batch:
            return
        try:
            await asyncio.to_thread(self._apply_in_one_transaction, batch, replaying)
        except Exception:  # noqa: BLE001 - any failure: isolate the bad record below
            logger.info("batch of %d records failed; applying one at a time", len(batch))
            for record in batch:
                await self._apply_with_retries(record, replaying)
        if kafka_consumer is not None:
            self._report_lag(batch, kafka_consumer)

    def _apply_in_one_transaction(self, batch: list[ConsumerRecord], replaying: bool) -> None:
        with self.database.transaction() as session:
            self._apply(session, batch, replaying)

    async def _apply_with_retries(self, record: ConsumerRecord, replaying: bool) -> None:
        """Apply one record with backoff; then dead-letter it, or halt if the database is down."""
        last_error: Exception | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                await asyncio.to_thread(self._apply_alone, record, replaying)
                return
            except InvalidEnvelope as error:
                # No retry can fix a malformed record or an unknown event type.
                await self._dead_letter(record, error, attempt)
                return
            except Exception as error:  # noqa: BLE001 - every failure is retried, then parked
                last_error = error
                logger.warning(
                    "attempt %d of %d failed for %s/%d@%d: %s: %s",
                    attempt, self.retry.max_attempts, record.topic, record.partition,
                    record.offset, type(error).__name__, error,
                )
            if attempt < self.retry.max_attempts:
                await asyncio.sleep(self.retry.backoff(attempt))

        assert last_error is not None
        if _is_connection_problem(last_error):
            # Parking healthy events because our own database is down would
            # empty the topic into the dead-letter queue: stop instead.
            logger.error(
                "database unreachable at %s/%d@%d; halting consumer %s",
                record.topic, record.partition, record.offset, self.consumer_name,
            )
            self._halted = last_error
            raise ConsumerHalted("database unreachable") from last_error
        await self._dead_letter(record, last_error, self.retry.max_attempts)

    def _apply_alone(self, record: ConsumerRecord, replaying: bool) -> None:
        with self.database.transaction() as session:
            self._apply(session, [record], replaying)

    def _apply(self, session: Session, records: list[ConsumerRecord], replaying: bool) -> None:
        """Apply records inside an open transaction (no commit here).

        One query finds the ids already processed and one statement records
        the new ones, so a batch costs two round trips plus the handlers' own.
        """
        events = [(record, decode(record.headers, record.value)) for record in records]
        seen = self._processed_ids(session, [event.id for _, event in events])
        processed_rows = []
        for record, event in events:
            duplicate = event.id in seen
            self._handle(session, record, event, replaying, duplicate)
            if not duplicate:
                seen.add(event.id)
                processed_rows.append(
                    {
                        "consumer": self.consumer_name,
                        "event_id": event.id,
                        "topic": record.topic,
                        "partition": record.partition,
                        "offset": record.offset,
                        "processed_at": utcnow(),
                    }
                )
        if processed_rows:
            processed = self.database.metadata.tables["processed_events"]
            session.execute(processed.insert(), processed_rows)

    def _handle(
        self,
        session: Session,
        record: ConsumerRecord,
        event: ReceivedEvent,
        replaying: bool,
        duplicate: bool,
    ) -> None:
        started = time.perf_counter()
        topic = record.topic
        with tracer().start_as_current_span(
            f"process {topic}",
            context=propagate.extract(_header_dict(record.headers)),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.operation.name": "process",
                "messaging.destination.name": topic,
                "messaging.consumer.group.name": self.group_id,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
                "messaging.message.id": event.id,
                "cloudevents.event_type": event.type,
            },
        ) as span:
            if duplicate:
                span.set_attribute("gqjy.duplicate", True)
                logger.debug("skipping duplicate event %s", event.id)
                return
            handler = self.handlers.get(type(event.payload))
            if handler is not None:
                try:
                    handler(HandlerContext(session=session, event=event, replaying=replaying), event.payload)
                except Exception as error:
                    span.record_exception(error)
                    span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                    raise
        attributes = {"service": self.service_name, "topic": _unprefixed(topic)}
        platform_metrics().events_consumed.add(1, attributes)
        platform_metrics().handling_duration.record(time.perf_counter() - started, attributes)

    def _processed_ids(self, session: Session, event_ids: list[str]) -> set[str]:
        processed = self.database.metadata.tables["processed_events"]
        found = session.scalars(
            select(processed.c.event_id).where(
                processed.c.consumer == self.consumer_name, processed.c.event_id.in_(event_ids)
            )
        )
        return set(found)

    # --- dead letters ---------------------------------------------------------

    async def _dead_letter(self, record: ConsumerRecord, error: BaseException, attempts: int) -> None:
        producer = self._dlq_producer
        if producer is None:
            raise ConsumerHalted("no dead-letter producer; run() was not started") from error
        headers = [(name, value) for name, value in (record.headers or ()) if not name.startswith(DLQ_HEADER_PREFIX)]
        headers += [
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_error_type", type(error).__name__.encode()),
            ("dlq_error_message", str(error)[:1000].encode(errors="replace")),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        try:
            delivery = await producer.send(
                self.dead_letter_topic, value=record.value, key=record.key, headers=headers
            )
            await delivery
        except Exception as publish_error:
            # Committing past a message we could not park would lose it.
            self._halted = publish_error
            raise ConsumerHalted("dead-letter publish failed") from publish_error
        platform_metrics().dead_letters.add(1, {"service": self.service_name, "topic": _unprefixed(record.topic)})
        logger.error(
            "dead-lettered %s/%d@%d to %s after %d attempts: %s: %s",
            record.topic, record.partition, record.offset, self.dead_letter_topic,
            attempts, type(error).__name__, error,
        )

    def _report_lag(self, batch: list[ConsumerRecord], kafka_consumer: AIOKafkaConsumer) -> None:
        last_offsets: dict[TopicPartition, int] = {}
        for record in batch:
            last_offsets[TopicPartition(record.topic, record.partition)] = record.offset
        for partition, offset in last_offsets.items():
            highwater = kafka_consumer.highwater(partition)
            if highwater is None:
                continue
            platform_metrics().consumer_lag.set(
                max(highwater - offset - 1, 0),
                {"service": self.service_name, "topic": _unprefixed(partition.topic), "partition": partition.partition},
            )


def _header_dict(headers: Sequence[tuple[str, bytes]] | None) -> dict[str, str]:
    result = {}
    for name, value in headers or ():
        if name in ("traceparent", "tracestate") and value is not None:
            result[name] = value.decode(errors="replace")
    return result


def _unprefixed(topic: str) -> str:
    index = topic.find("gqjy.")
    return topic[index:] if index >= 0 else topic


def _is_connection_problem(error: Exception) -> bool:
    if isinstance(error, OperationalError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)
