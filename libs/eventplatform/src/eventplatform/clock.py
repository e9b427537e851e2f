"""The one clock every date rule reads.

Rules about windows (enrollment, learning, invoices) compare dates in
Asia/Shanghai. Tests and the demo replace the clock instead of patching
``datetime``.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stays where a test puts it."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def shanghai_today(clock: Clock) -> date:
    """Return today's date in Asia/Shanghai."""
    return clock.now().astimezone(SHANGHAI).date()


def shanghai_noon(day: date) -> datetime:
    """Return noon of a Shanghai calendar day as a UTC datetime (handy in tests)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI).astimezone(UTC)
