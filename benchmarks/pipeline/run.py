"""Pipeline benchmark: store -> outbox relay -> Kafka -> tracked consumer -> read model.

Not a test. It needs the local Kafka broker and PostgreSQL server
(`python3 scripts/kafka.py start`, `python3 scripts/postgres.py start`):

    .venv/bin/python benchmarks/pipeline/run.py --events 5000

Phase 1 records N events in a sample service's event store, then starts the
relay and a tracked consumer and times until the last row lands (throughput).
Phase 2 records events at a steady rate while both run and reports the
end-to-end latency (recorded -> applied) percentiles. Phase 3 measures raw
aiokafka produce-and-consume throughput of the same payloads on the same
broker, and the script prints the ratio of the two throughputs.
"""

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from education_contracts import Registered
from sqlalchemy import Float, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "libs" / "eventplatform" / "tests"))

from sample_service import build_roster

from eventplatform.consumer import HandlerContext
from eventplatform.readmodel import Database
from eventplatform.runtime import ServiceDefinition
from eventplatform.settings import ServiceSettings
from eventplatform.testing import ServiceHarness

ADMIN = dict(host="127.0.0.1", port=55432, user="postgres", dbname="postgres", autocommit=True)


class BenchModel(DeclarativeBase):
    pass


class AppliedEvent(BenchModel):
    __tablename__ = "applied_events"

    learner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    recorded_at: Mapped[float] = mapped_column(Float)
    applied_at: Mapped[float] = mapped_column(Float)


def on_registered(context: HandlerContext, payload: Registered) -> None:
    context.session.add(
        AppliedEvent(
            learner_id=str(payload.learner_id),
            recorded_at=payload.registered_at.timestamp(),
            applied_at=time.time(),
        )
    )


def create_database(label: str) -> str:
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**ADMIN) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    return f"postgresql+psycopg://postgres@127.0.0.1:55432/{name}"


def settings(service: str, prefix: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=service,
        environment="test",
        database_url=create_database(service),
        topic_prefix=prefix,
        consumer_group=f"{prefix}{service}",
        data_dir=Path("/tmp/gqjy-bench"),
    )


def applied_count(database: Database) -> int:
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AppliedEvent)) or 0)


def latencies(database: Database, since: float) -> list[float]:
    with database.sessions() as session:
        rows = session.execute(
            select(AppliedEvent.recorded_at, AppliedEvent.applied_at).where(AppliedEvent.recorded_at >= since)
        ).all()
    return sorted(applied - recorded for recorded, applied in rows)


async def wait_for(database: Database, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while applied_count(database) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {applied_count(database)} of {count} events applied in {timeout}s")
        await asyncio.sleep(0.05)


async def pipeline(events: int, rate: int, paced_events: int) -> dict[str, Any]:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    roster = build_roster(settings("roster", prefix))
    mirror_settings = settings("mirror", prefix)
    mirror = ServiceDefinition(
        settings=mirror_settings,
        api=roster.api,
        database=Database(mirror_settings.database_url, BenchModel.metadata),
        handlers={Registered: on_registered},
    )
    roster.prepare()
    for n in range(events):
        roster.application.register(f"bench{n}")

    producer_side, consumer_side = ServiceHarness(roster), ServiceHarness(mirror)
    started = time.perf_counter()
    await producer_side.start()
    await consumer_side.start()
    # Startup (group join, first metadata) is not throughput: the clock starts
    # at the first applied event.
    await wait_for(mirror.database, 1, timeout=60)
    first_applied = time.perf_counter()
    await wait_for(mirror.database, events, timeout=600)
    throughput = (events - 1) / (time.perf_counter() - first_applied)
    print(f"startup to first applied event: {first_applied - started:.2f} s")

    paced_start = time.time()
    for n in range(paced_events):
        await asyncio.to_thread(roster.application.register, f"paced{n}")
        await asyncio.sleep(1 / rate)
    await wait_for(mirror.database, events + paced_events, timeout=120)
    measured = latencies(mirror.database, paced_start)

    sample_payload = _sample_payload(roster)
    await consumer_side.stop()
    await producer_side.stop()
    return {"throughput": throughput, "latencies": measured, "sample_payload": sample_payload}


def _sample_payload(roster: ServiceDefinition) -> bytes:
    notification = roster.application.recorder.select_notifications(1, 1)[0]
    (event,) = roster.translate(roster.application.mapper.to_domain_event(notification))  # type: ignore[misc]
    return event.model_dump_json().encode()


async def raw_kafka(events: int, payload: bytes) -> float:
    topic = f"bench-raw-{uuid.uuid4().hex[:6]}"
    producer = AIOKafkaProducer(bootstrap_servers="127.0.0.1:9092", enable_idempotence=True, linger_ms=5,
                                max_batch_size=512 * 1024)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers="127.0.0.1:9092", group_id=f"{topic}-group",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    started = time.perf_counter()
    deliveries = [await producer.send(topic, payload, key=str(n).encode()) for n in range(events)]
    await asyncio.gather(*deliveries)
    received = 0
    while received < events:
        batches = await consumer.getmany(timeout_ms=1000, max_records=1000)
        received += sum(len(records) for records in batches.values())
        await consumer.commit()
    elapsed = time.perf_counter() - started
    await consumer.stop()
    await producer.stop()
    return events / elapsed


def percentile(values: list[float], fraction: float) -> float:
    index = min(int(round(fraction * (len(values) - 1))), len(values) - 1)
    return values[index]


async def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the event pipeline.")
    parser.add_argument("--events", type=int, default=5000, help="events pushed in the throughput phase")
    parser.add_argument("--paced-events", type=int, default=300, help="events in the latency phase")
    parser.add_argument("--rate", type=int, default=100, help="events per second in the latency phase")
    args = parser.parse_args()

    result = await pipeline(args.events, args.rate, args.paced_events)
    raw = await raw_kafka(args.events, result["sample_payload"])
    measured = result["latencies"]
    print(f"pipeline throughput: {result['throughput']:.0f} events/s ({args.events} events)")
    print(f"raw aiokafka produce+consume: {raw:.0f} events/s ({args.events} events)")
    print(f"ratio pipeline/raw: {result['throughput'] / raw:.3f}")
    print(
        f"end-to-end latency over {len(measured)} events at {args.rate}/s: "
        f"p50 {percentile(measured, 0.5) * 1000:.0f} ms, p95 {percentile(measured, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(measured, 0.99) * 1000:.0f} ms, mean {statistics.fmean(measured) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
