"""The service's own SQL database: read models plus the platform's tracking tables.

``processed_events`` records each consumed event id in the same transaction
as the read-model change it caused, ``relay_positions`` stores how far the
outbox relay got, and ``projection_positions`` how far local projections got.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    select,
)
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

PLATFORM_TABLES = ("processed_events", "relay_positions", "projection_positions")


def add_platform_tables(metadata: MetaData) -> None:
    """Define the tracking tables on a service's metadata (idempotent)."""
    if "processed_events" in metadata.tables:
        return
    Table(
        "processed_events",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "relay_positions",
        metadata,
        Column("relay", String(100), primary_key=True),
        Column("notification_id", BigInteger, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    Table(
        "projection_positions",
        metadata,
        Column("projection", String(100), primary_key=True),
        Column("notification_id", BigInteger, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )


class AwareDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL returns aware values for ``timestamptz``; SQLite stores text
    and returns naive ones, which then fail comparisons with aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def use_aware_datetimes(metadata: MetaData) -> None:
    """Give every ``DateTime(timezone=True)`` column the ``AwareDateTime`` type.

    Done once, before the first query, so services can declare plain
    ``DateTime(timezone=True)`` columns and still read aware values on SQLite.
    """
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, DateTime) and column.type.timezone:
                column.type = AwareDateTime()


class Database:
    """Engine and sessions of one service's SQL database."""

    def __init__(self, url: str, metadata: MetaData) -> None:
        add_platform_tables(metadata)
        use_aware_datetimes(metadata)
        self.metadata = metadata
        self.url = url
        self.engine = _create_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def create_all(self) -> None:
        self.metadata.create_all(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Open a session whose work commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def read_model_tables(self) -> list[Table]:
        """Tables rebuilt from events: everything except the relay's position."""
        return [
            table
            for table in self.metadata.sorted_tables
            if table.name != "relay_positions"
        ]

    def reset_read_models(self) -> None:
        """Drop and recreate every read-model table, tracking included."""
        tables = self.read_model_tables()
        self.metadata.drop_all(self.engine, tables=tables)
        self.metadata.create_all(self.engine, tables=tables)

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(select(1))

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets the API read while a consumer writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def utcnow() -> datetime:
    return datetime.now(UTC)


__all__ = ["PLATFORM_TABLES", "Database", "add_platform_tables", "utcnow"]
