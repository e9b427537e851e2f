"""Operator commands: re-drive dead letters and rebuild read models."""

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from eventplatform.consumer import DLQ_HEADER_PREFIX
from eventplatform.kafka import idempotent_producer
from eventplatform.runtime import ServiceDefinition

logger = logging.getLogger(__name__)


async def rebuild_read_models(definition: ServiceDefinition) -> dict[str, int]:
    """Drop the read models and rebuild them from the event store and the topics.

    Stop the service's consumers and projector first. Topics are replayed up to
    the end offsets seen at the start. The live consumers apply anything later
    when they restart, and ``processed_events`` keeps them from applying again
    what the rebuild already did.
    """
    database = definition.database
    if database is None:
        raise ValueError(f"service {definition.name} has no read models")

    await asyncio.to_thread(database.reset_read_models)
    projected = 0
    if definition.projector is not None:
        projected = await asyncio.to_thread(definition.projector.catch_up)

    replayed = 0
    consumer = definition.consumer
    if consumer is not None:
        await consumer.start_dead_letter_producer()
        try:
            replayed = await _replay_topics(definition, consumer.topics)
        finally:
            await consumer.stop_dead_letter_producer()
    logger.info(
        "rebuilt read models of %s: %d local events, %d topic records",
        definition.name, projected, replayed,
    )
    return {"local_events": projected, "topic_records": replayed}


async def _replay_topics(definition: ServiceDefinition, topics: list[str]) -> int:
    consumer = definition.consumer
    assert consumer is not None
    reader = AIOKafkaConsumer(
        bootstrap_servers=definition.settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await reader.start()
    try:
        partitions = await _all_partitions(definition.settings.kafka_bootstrap_servers, topics)
        if not partitions:
            return 0
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        end_offsets = await reader.end_offsets(partitions)
        replayed = 0
        while await _behind(reader, end_offsets):
            batches = await reader.getmany(timeout_ms=1000, max_records=500)
            for partition, records in batches.items():
                before_end = [r for r in records if r.offset < end_offsets[partition]]
                await consumer.handle_records(before_end, replaying=True)
                replayed += len(before_end)
        return replayed
    finally:
        await reader.stop()


async def _behind(reader: AIOKafkaConsumer, end_offsets: dict[TopicPartition, int]) -> bool:
    for partition, end in end_offsets.items():
        if await reader.position(partition) < end:
            return True
    return False


async def _all_partitions(bootstrap_servers: str, topics: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="gqjy-rebuild")
    await admin.start()
    try:
        descriptions = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = []
    for description in descriptions:
        if description.get("error_code", 0) != 0:
            continue  # the topic does not exist yet: nothing to replay
        for partition in description["partitions"]:
            partitions.append(TopicPartition(description["topic"], partition["partition"]))
    return sorted(partitions)


async def redrive_dead_letters(definition: ServiceDefinition) -> int:
    """Republish every dead letter of this service to its original topic.

    All consumers deduplicate on ``ce_id``, so groups that had already
    handled an event skip the copy. Returns how many records were re-driven.
    """
    consumer = definition.consumer
    if consumer is None:
        raise ValueError(f"service {definition.name} consumes no topics")
    settings = definition.settings
    reader = AIOKafkaConsumer(
        consumer.dead_letter_topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=f"{settings.consumer_group}.redrive",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = idempotent_producer(settings.kafka_bootstrap_servers, f"gqjy-{definition.name}-redrive")
    await reader.start()
    await producer.start()
    redriven = 0
    try:
        while True:
            batches = await reader.getmany(timeout_ms=2000, max_records=200)
            if not batches:
                break
            deliveries = []
            for records in batches.values():
                for record in records:
                    headers = dict(record.headers or ())
                    original_topic = headers.get("dlq_original_topic", b"").decode()
                    if not original_topic:
                        logger.error("dead letter at offset %d has no original topic; skipped", record.offset)
                        continue
                    clean = [(k, v) for k, v in (record.headers or ()) if not k.startswith(DLQ_HEADER_PREFIX)]
                    deliveries.append(
                        await producer.send(original_topic, value=record.value, key=record.key, headers=clean)
                    )
            await asyncio.gather(*deliveries)
            await reader.commit()
            redriven += len(deliveries)
    finally:
        await producer.stop()
        await reader.stop()
    logger.info("re-drove %d dead letters of %s", redriven, definition.name)
    return redriven
