"""Datetime helpers for values read back from the database."""

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; SQLite returns stored UTC values naive."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
