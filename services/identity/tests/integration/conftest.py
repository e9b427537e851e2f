"""Fixtures: the identity service on real PostgreSQL and Kafka, with a fixed clock."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from eventplatform.clock import FixedClock
from eventplatform.testing import ServiceHarness, running

from identity_service.bootstrap import build
from identity_service.domain.regions import REFERENCE_OFFICES
from identity_service.settings import IdentitySettings


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 6, 1, 2, 0, tzinfo=UTC))


@pytest.fixture
def settings(make_database, topic_prefix, kafka_bootstrap_servers, tmp_path) -> IdentitySettings:
    return IdentitySettings(
        database_url=make_database("identity"),
        topic_prefix=topic_prefix,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        environment="test",
        data_dir=tmp_path,
        login_slowdown_after=2,
        login_slowdown_seconds=10,
        login_max_failures=4,
        login_lock_minutes=15,
    )


@pytest.fixture
async def service(settings, clock) -> AsyncIterator[ServiceHarness]:
    definition = build(settings, clock)
    async with running(definition) as harness:
        await asyncio.to_thread(definition.application.register_offices, REFERENCE_OFFICES)
        harness.definition.projector.catch_up()
        yield harness


