"""aiokafka clients configured the same way everywhere."""

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError


def idempotent_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    """Build a producer that never duplicates or reorders within a partition on retry.

    ``enable_idempotence`` implies ``acks=all``; aiokafka keeps one in-flight
    batch per partition, which preserves order. A short linger and larger
    batches trade a few milliseconds for throughput.
    """
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=512 * 1024,
        request_timeout_ms=30_000,
    )


async def ensure_topics(bootstrap_servers: str, topics: list[str], partitions: int = 3) -> None:
    """Create missing topics (local runs and tests; production topics come from Strimzi)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="gqjy-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in topics if topic not in existing]
        if not missing:
            return
        try:
            await admin.create_topics(
                [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in missing]
            )
        except TopicAlreadyExistsError:
            pass  # another process created it first
    finally:
        await admin.close()
