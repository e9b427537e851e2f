"""The platform end to end on real Kafka and PostgreSQL."""

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from education_contracts import Registered, Topics
from sample_service import (
    MirroredLearner,
    build_mirror,
    build_roster,
    mirrored_rows,
    on_registered,
    translate,
)
from sqlalchemy.exc import OperationalError

from eventplatform.consumer import ConsumerHalted
from eventplatform.envelope import encode
from eventplatform.operations import rebuild_read_models, redrive_dead_letters
from eventplatform.outbox import RelayLock
from eventplatform.testing import ServiceHarness, eventually, running

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_event_reaches_other_service_read_model(make_settings):
    roster = build_roster(make_settings("roster"))
    mirror = build_mirror(make_settings("mirror"))

    async with running(roster), running(mirror):
        ids = [await asyncio.to_thread(roster.application.register, f"学员{n}") for n in range(3)]

        rows = await eventually(lambda: len(mirrored_rows(mirror.database)) == 3 and mirrored_rows(mirror.database))

    assert sorted(row[0] for row in rows) == sorted(str(i) for i in ids)
    assert all(row[2] == 1 for row in rows)


async def test_redelivered_event_changes_nothing(make_settings, kafka_bootstrap_servers):
    mirror_settings = make_settings("mirror")
    mirror = build_mirror(mirror_settings)
    roster = build_roster(make_settings("roster"))
    learner_id = await asyncio.to_thread(roster.application.register, "重复投递")
    notification = roster.application.recorder.select_notifications(1, 1)[0]
    domain_event = roster.application.mapper.to_domain_event(notification)
    (payload,) = translate(domain_event)
    record = encode(
        payload,
        event_id=str(uuid.uuid4()),
        source_service="roster",
        time=domain_event.timestamp,
        topic=mirror_settings.topic(Topics.LEARNERS),
    )

    async with running(mirror):
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
        await producer.start()
        try:
            for _ in range(3):
                await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
        finally:
            await producer.stop()
        await eventually(lambda: mirrored_rows(mirror.database))
        await asyncio.sleep(1.0)  # give any duplicate the chance to be (wrongly) applied

        assert mirrored_rows(mirror.database) == [(str(learner_id), "重复投递", 1)]
    roster.close()


async def test_poison_message_goes_to_dead_letter_topic(make_settings, kafka_bootstrap_servers):
    roster_settings = make_settings("roster")
    mirror_settings = make_settings("mirror")
    roster = build_roster(roster_settings)
    mirror = build_mirror(mirror_settings)

    async with running(roster), running(mirror):
        poison_id = await asyncio.to_thread(roster.application.register, "poison-学员")
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(
                mirror_settings.topic(Topics.LEARNERS), b"not a cloudevent", key=b"x"
            )
        finally:
            await producer.stop()
        healthy_id = await asyncio.to_thread(roster.application.register, "正常学员")

        rows = await eventually(lambda: mirrored_rows(mirror.database))
        dead_letters = await _read_all(kafka_bootstrap_servers, mirror_settings.topic("gqjy.dlq.mirror"), expected=2)

    assert rows == [(str(healthy_id), "正常学员", 1)]
    errors = {headers["dlq_error_type"]: headers for headers in dead_letters}
    assert set(errors) == {"ValueError", "InvalidEnvelope"}
    assert errors["ValueError"]["ce_subject"] == str(poison_id)
    assert errors["ValueError"]["dlq_attempts"] == "3"
    assert errors["ValueError"]["dlq_original_topic"] == mirror_settings.topic(Topics.LEARNERS)
    assert errors["InvalidEnvelope"]["dlq_attempts"] == "1"


async def test_rebuild_reproduces_read_model(make_settings):
    roster = build_roster(make_settings("roster"))
    mirror = build_mirror(make_settings("mirror"))

    async with running(roster):
        async with running(mirror):
            for n in range(20):
                await asyncio.to_thread(roster.application.register, f"学员{n:02d}")
            live = await eventually(lambda: len(mirrored_rows(mirror.database)) == 20 and mirrored_rows(mirror.database))

        rebuilt_definition = build_mirror(mirror.settings)
        counts = await rebuild_read_models(rebuilt_definition)
        rebuilt = mirrored_rows(rebuilt_definition.database)
        rebuilt_definition.close()

    assert counts["topic_records"] == 20
    assert rebuilt == live


async def _read_all(bootstrap: str, topic: str, expected: int) -> list[dict[str, str]]:
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await reader.start()
    found: list[dict[str, str]] = []
    try:
        async def collect() -> bool:
            batches = await reader.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    found.append({k: v.decode() for k, v in record.headers})
            return len(found) >= expected

        await eventually(collect, timeout=30)
    finally:
        await reader.stop()
    return found


async def test_database_outage_halts_consumer_without_losing_event(make_settings):
    def database_down(context, payload):
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    roster = build_roster(make_settings("roster"))
    mirror_settings = make_settings("mirror")
    broken = build_mirror(mirror_settings)
    broken.handlers = {Registered: database_down}

    async with running(roster):
        learner_id = await asyncio.to_thread(roster.application.register, "停机期间的学员")
        harness = ServiceHarness(broken)
        await harness.start()
        with pytest.raises(ConsumerHalted):
            await eventually(lambda: harness.tasks[0].done(), timeout=30)
            await harness.stop()

        recovered = build_mirror(mirror_settings)
        recovered.handlers = {Registered: on_registered}
        async with running(recovered):
            rows = await eventually(lambda: mirrored_rows(recovered.database))

    assert rows == [(str(learner_id), "停机期间的学员", 1)]


async def test_second_relay_waits_for_the_first(make_settings):
    roster = build_roster(make_settings("roster"))
    roster.prepare()
    first = RelayLock(roster.database, "roster.outbox")
    second = RelayLock(roster.database, "roster.outbox")
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        first.__exit__(None, None, None)
        assert second.try_acquire()
    finally:
        first.__exit__(None, None, None)
        second.__exit__(None, None, None)
        roster.close()


async def test_redrive_applies_dead_letters_once_fixed(make_settings):
    roster = build_roster(make_settings("roster"))
    mirror_settings = make_settings("mirror")
    mirror = build_mirror(mirror_settings)

    async with running(roster):
        async with running(mirror):
            parked_id = await asyncio.to_thread(roster.application.register, "poison-待重投")
            healthy_id = await asyncio.to_thread(roster.application.register, "正常学员")
            await eventually(lambda: mirrored_rows(mirror.database))
            await _read_all(mirror_settings.kafka_bootstrap_servers,
                            mirror_settings.topic("gqjy.dlq.mirror"), expected=1)

        # The operator fixes the cause (here: a handler that accepts the name),
        # re-drives the dead letters, and the live consumer applies them.
        fixed = build_mirror(mirror_settings)
        fixed.handlers = {Registered: _accept_everyone}
        redriven = await redrive_dead_letters(fixed)
        async with running(fixed):
            rows = await eventually(lambda: len(mirrored_rows(fixed.database)) == 2 and mirrored_rows(fixed.database))

    assert redriven == 1
    assert sorted(rows) == sorted([(str(parked_id), "poison-待重投", 1), (str(healthy_id), "正常学员", 1)])


def _accept_everyone(context, payload):
    on_registered(context, payload.model_copy(update={"name": "accepted"}))
    row = context.session.get(MirroredLearner, str(payload.learner_id))
    row.name = payload.name
