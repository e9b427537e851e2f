"""Login failure counting: waits after a few failures, then a temporary lock.

Counters are kept per login name whether or not an account exists, so the
responses do not reveal which ID numbers are registered.
"""

import hashlib
import math
from datetime import datetime, timedelta

from eventplatform.clock import Clock
from eventplatform.errors import DomainError
from eventplatform.readmodel import Database

from identity_service.readmodels import LoginFailureRow
from identity_service.security.timeutil import as_utc


class RetryLater(DomainError):
    """The request must wait ``retry_after_seconds`` before it may be repeated."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"retry after {retry_after}")
        self.retry_after_seconds = max(1, math.ceil(retry_after.total_seconds()))


class LoginThrottled(RetryLater):
    """A retry came sooner than the slow-down allows."""


class LoginLocked(RetryLater):
    """The login name is locked after too many failures."""


def login_key(login_name: str) -> str:
    return hashlib.sha256(login_name.strip().upper().encode()).hexdigest()


class LoginThrottle:
    def __init__(self, database: Database, clock: Clock, *, slowdown_after: int,
                 slowdown: timedelta, max_failures: int, lock: timedelta) -> None:
        self.database = database
        self.clock = clock
        self.slowdown_after = slowdown_after
        self.slowdown = slowdown
        self.max_failures = max_failures
        self.lock = lock

    def check(self, login_name: str) -> None:
        """Raise ``LoginLocked`` or ``LoginThrottled`` when this login name must wait."""
        now = self.clock.now()
        with self.database.sessions() as session:
            row = session.get(LoginFailureRow, login_key(login_name))
        if row is None:
            return
        if row.locked_until is not None:
            locked_until = as_utc(row.locked_until)
            if now < locked_until:
                raise LoginLocked(locked_until - now)
            return
        allowed_at = self._next_attempt_at(row.failures, as_utc(row.last_failure_at))
        if allowed_at is not None and now < allowed_at:
            raise LoginThrottled(allowed_at - now)

    def record_failure(self, login_name: str) -> int:
        """Count a failure; return the consecutive failures including this one."""
        now = self.clock.now()
        with self.database.transaction() as session:
            row = session.get(LoginFailureRow, login_key(login_name), with_for_update=True)
            if row is None:
                row = LoginFailureRow(login_key=login_key(login_name), failures=0,
                                      last_failure_at=now, locked_until=None)
                session.add(row)
            elif row.locked_until is not None and as_utc(row.locked_until) <= now:
                # An expired lock starts a fresh count.
                row.failures = 0
                row.locked_until = None
            row.failures += 1
            row.last_failure_at = now
            if row.failures >= self.max_failures:
                row.locked_until = now + self.lock
            return row.failures

    def reset(self, login_name: str) -> None:
        with self.database.transaction() as session:
            row = session.get(LoginFailureRow, login_key(login_name))
            if row is not None:
                session.delete(row)

    def _next_attempt_at(self, failures: int, last_failure_at: datetime) -> datetime | None:
        if failures < self.slowdown_after:
            return None
        wait = self.slowdown * (2 ** (failures - self.slowdown_after))
        return last_failure_at + wait
