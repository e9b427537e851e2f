"""Run a service: HTTP API, outbox relay, local projector and consumers, by role.

``--role all`` runs everything in one process (the local stack). Production
starts the same image with ``--role api``, ``--role relay`` (relay, projector
and scheduled jobs) and ``--role consumers``, so each part scales on its own.
"""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import uvicorn
from education_contracts import IntegrationEvent
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

from eventplatform.consumer import Handler, RetryPolicy, TrackedConsumer
from eventplatform.kafka import ensure_topics
from eventplatform.outbox import OutboxRelay, Translator
from eventplatform.projector import LocalProjector, Projection
from eventplatform.readmodel import Database
from eventplatform.settings import ServiceSettings
from eventplatform.store import ServiceApplication
from eventplatform.telemetry import setup_telemetry, shutdown_telemetry
from eventplatform.web import health_router

logger = logging.getLogger(__name__)

Role = Literal["api", "relay", "consumers", "all"]
Job = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


@dataclass
class ServiceDefinition:
    """Everything the runtime needs to run one service; built by its bootstrap module."""

    settings: ServiceSettings
    api: FastAPI
    database: Database | None = None
    application: ServiceApplication | None = None
    translate: Translator | None = None
    handlers: Mapping[type[IntegrationEvent], Handler] = field(default_factory=dict)
    projections: Sequence[Projection] = ()
    jobs: Sequence[Job] = ()
    published_topics: Sequence[str] = ()

    @property
    def name(self) -> str:
        return self.settings.service_name

    @cached_property
    def relay(self) -> OutboxRelay | None:
        if self.application is None or self.translate is None or self.database is None:
            return None
        return OutboxRelay(
            service_name=self.name,
            application=self.application,
            database=self.database,
            translate=self.translate,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            topic_for=self.settings.topic,
            batch_size=self.settings.relay_batch_size,
            poll_seconds=self.settings.relay_poll_seconds,
        )

    @cached_property
    def projector(self) -> LocalProjector | None:
        if self.application is None or self.database is None or not self.projections:
            return None
        return LocalProjector(
            name=f"{self.name}.projector",
            application=self.application,
            database=self.database,
            projections=self.projections,
        )

    @cached_property
    def consumer(self) -> TrackedConsumer | None:
        if self.database is None or not self.handlers:
            return None
        return TrackedConsumer(
            service_name=self.name,
            database=self.database,
            handlers=self.handlers,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=self.settings.consumer_group,
            topic_for=self.settings.topic,
            retry=RetryPolicy(
                max_attempts=self.settings.consumer_max_attempts,
                first_backoff_seconds=self.settings.consumer_retry_backoff_seconds,
            ),
        )

    def prepare(self) -> None:
        """Create tables and catch local projections up; safe to call repeatedly."""
        if self.database is not None:
            self.database.create_all()
        if self.projector is not None:
            self.projector.catch_up()

    def close(self) -> None:
        if self.application is not None:
            self.application.close()
        if self.database is not None:
            self.database.dispose()


def instrument(definition: ServiceDefinition) -> None:
    """Attach tracing to the FastAPI app and the SQL engine."""
    FastAPIInstrumentor.instrument_app(definition.api, excluded_urls="healthz/.*")
    if definition.database is not None:
        SQLAlchemyInstrumentor().instrument(engine=definition.database.engine)


async def serve(definition: ServiceDefinition, role: Role) -> int:
    """Run the parts of ``definition`` that ``role`` selects until SIGTERM or SIGINT."""
    setup_telemetry(definition.name)
    await asyncio.to_thread(definition.prepare)
    instrument(definition)
    await _ensure_local_topics(definition)

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)

    tasks: dict[str, asyncio.Task[Any]] = {}
    if role in ("api", "all"):
        tasks["api"] = asyncio.create_task(_serve_http(definition, definition.api, stopping))
    else:
        # Relay and consumer pods serve the same probes on the same port, so
        # a crashed or unreachable dependency takes them out of service too.
        tasks["health"] = asyncio.create_task(
            _serve_http(definition, FastAPI(title=f"{definition.name} {role}"), stopping)
        )
    if role in ("relay", "all"):
        if definition.relay is not None:
            tasks["relay"] = asyncio.create_task(definition.relay.run(stopping))
        if definition.projector is not None:
            tasks["projector"] = asyncio.create_task(definition.projector.run(stopping))
        for index, job in enumerate(definition.jobs):
            tasks[f"job-{index}"] = asyncio.create_task(job(stopping))
    if role in ("consumers", "all") and definition.consumer is not None:
        tasks["consumers"] = asyncio.create_task(definition.consumer.run(stopping))

    if set(tasks) == {"health"}:
        logger.error("service %s has nothing to run in role %s; use another role", definition.name, role)
        tasks["health"].cancel()
        await asyncio.to_thread(definition.close)
        return 2

    logger.info("service %s running role %s with %s", definition.name, role, sorted(tasks))
    exit_code = 0
    done, _ = await asyncio.wait(tasks.values(), return_when=asyncio.FIRST_COMPLETED)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            name = next(key for key, value in tasks.items() if value is task)
            logger.error("%s of service %s failed; stopping", name, definition.name,
                         exc_info=task.exception())
            exit_code = 1
    stopping.set()
    await asyncio.wait(tasks.values(), timeout=15)
    for task in tasks.values():
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    await asyncio.to_thread(definition.close)
    shutdown_telemetry()
    logger.info("service %s stopped with exit code %d", definition.name, exit_code)
    return exit_code


async def _serve_http(definition: ServiceDefinition, app: FastAPI, stopping: asyncio.Event) -> None:
    settings = definition.settings
    if definition.database is not None:
        app.include_router(health_router(definition.database, settings.kafka_bootstrap_servers))
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        lifespan="on",
        access_log=False,
    )
    server = _ServerWithoutSignals(config)

    async def stop_on_signal() -> None:
        await stopping.wait()
        server.should_exit = True

    watcher = asyncio.create_task(stop_on_signal())
    try:
        await server.serve()
    finally:
        watcher.cancel()
    if not stopping.is_set():
        raise RuntimeError(f"HTTP server of {definition.name} exited unexpectedly")


class _ServerWithoutSignals(uvicorn.Server):
    """A uvicorn server that leaves SIGTERM and SIGINT to the runtime.

    uvicorn replaces the process's signal handlers while it serves; the
    runtime's handlers must stay, so every part stops together.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _ensure_local_topics(definition: ServiceDefinition) -> None:
    """Create this service's topics outside production, where Strimzi owns them."""
    if definition.settings.environment == "production":
        return
    topics = [definition.settings.topic(name) for name in definition.published_topics]
    if definition.consumer is not None:
        topics += definition.consumer.topics + [definition.consumer.dead_letter_topic]
    if topics:
        await ensure_topics(definition.settings.kafka_bootstrap_servers, sorted(set(topics)))
