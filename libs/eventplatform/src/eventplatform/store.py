"""Event store wiring: the base class of every service's eventsourcing application.

The notification log of the application is the service's outbox. The mapper
stores the W3C trace context of the request that caused each event next to
the event's state, so the relay can continue that trace when it publishes.
"""

from datetime import date
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    Notification,
    StoredEvent,
    Transcoding,
)
from opentelemetry import propagate
from sqlalchemy.engine import make_url

TRACE_KEY = "__trace__"


class TraceContextMapper(Mapper[Any]):
    """A mapper that records the current trace context with each stored event."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        stored = super().to_stored_event(domain_event)
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        if not carrier:
            return stored
        # No cipher or compressor is configured (see event_store_env), so the
        # state is the transcoder's output and can be re-encoded here.
        state = self.transcoder.decode(stored.state)
        state[TRACE_KEY] = carrier
        return StoredEvent(
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=self.transcoder.encode(state),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        domain_event.__dict__.pop(TRACE_KEY, None)
        return domain_event

    def trace_carrier(self, notification: Notification) -> dict[str, str]:
        """Return the trace context stored with a notification (empty if none)."""
        state = self.transcoder.decode(notification.state)
        carrier = state.get(TRACE_KEY) or {}
        return {str(key): str(value) for key, value in carrier.items()}


class DateAsISO(Transcoding):
    """Stores ``date`` values as ISO strings; eventsourcing 9.5 registers only ``datetime``."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class ServiceApplication(Application[Any]):
    """Base of each service's write model.

    Subclasses set ``name`` (it names the PostgreSQL tables) and add command
    methods. All methods are synchronous: call them from async code through a
    thread pool.
    """

    def __init__(self, event_store_url: str, env: dict[str, str] | None = None) -> None:
        merged = event_store_env(event_store_url)
        merged.update(env or {})
        super().__init__(env=merged)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def construct_mapper(self) -> TraceContextMapper:
        return TraceContextMapper(transcoder=self.construct_transcoder())

    @property
    def trace_mapper(self) -> TraceContextMapper:
        mapper = self.mapper
        assert isinstance(mapper, TraceContextMapper)  # set by construct_mapper
        return mapper


def event_store_env(url: str) -> dict[str, str]:
    """Translate a SQLAlchemy-style URL into eventsourcing's persistence settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database:
            raise ValueError("a SQLite event store needs a file path, not an in-memory database")
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": parsed.database,
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if parsed.get_backend_name() == "postgresql":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parsed.database or "postgres",
            "POSTGRES_HOST": parsed.host or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": parsed.username or "postgres",
            "POSTGRES_PASSWORD": parsed.password or "",
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
        }
    raise ValueError(f"unsupported event store URL scheme {parsed.drivername!r}")
