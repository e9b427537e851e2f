"""SMS: the sender port, its two adapters, and one-time verification codes.

``OutboxSmsSender`` keeps messages in the service database for development
and tests; ``HttpSmsGateway`` posts them to a gateway configured by settings.
Codes are stored as hashes; nothing here logs a code, a phone or an ID number.
"""

import hashlib
import logging
import math
import secrets
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from eventplatform.clock import Clock
from eventplatform.errors import DomainError
from eventplatform.readmodel import Database
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from identity_service.readmodels import SmsCodeRow, SmsOutboxRow
from identity_service.security.throttle import RetryLater
from identity_service.security.timeutil import as_utc

logger = logging.getLogger(__name__)

ACTIVATION = "activation"
RECOVERY = "recovery"

_PURPOSE_TEXT = {ACTIVATION: "账户激活", RECOVERY: "找回密码"}


class SmsDeliveryFailed(DomainError):
    """The SMS backend did not accept the message."""


class SmsRateLimited(RetryLater):
    """Codes were requested too often for one person."""


class SmsCodeInvalid(DomainError):
    """The code is wrong, expired, used, or was guessed wrong too often."""


class SmsSender(Protocol):
    def send(self, mobile: str, text: str) -> None:
        """Deliver ``text`` to ``mobile`` or raise ``SmsDeliveryFailed``."""
        ...


class OutboxSmsSender:
    """Development backend: stores each message where the demo and tests can read it."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def send(self, mobile: str, text: str) -> None:
        with self.database.transaction() as session:
            session.add(SmsOutboxRow(mobile=mobile, text=text, sent_at=self.clock.now()))


class HttpSmsGateway:
    """Posts ``{"mobile", "text"}`` as JSON with a bearer API key to the configured URL."""

    def __init__(self, url: str, api_key: str, timeout_seconds: float) -> None:
        self.url = url
        self.api_key = api_key
        self.timeout_seconds = timeout_seconds

    def send(self, mobile: str, text: str) -> None:
        try:
            response = httpx.post(
                self.url,
                json={"mobile": mobile, "text": text},
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=self.timeout_seconds,
            )
        except httpx.HTTPError as error:
            logger.warning("SMS gateway request failed: %s", type(error).__name__)
            raise SmsDeliveryFailed("SMS gateway unreachable") from None
        if response.status_code >= 300:
            logger.warning("SMS gateway rejected a message with HTTP %s", response.status_code)
            raise SmsDeliveryFailed(f"SMS gateway returned HTTP {response.status_code}")


def subject_key(id_number: str) -> str:
    return hashlib.sha256(id_number.strip().upper().encode()).hexdigest()


class VerificationCodes:
    """Six-digit SMS codes: expire, work once, and limit sends and wrong guesses."""

    def __init__(self, database: Database, sender: SmsSender, clock: Clock, *, ttl: timedelta,
                 resend_after: timedelta, max_sends_per_hour: int, max_guesses: int) -> None:
        self.database = database
        self.sender = sender
        self.clock = clock
        self.ttl = ttl
        self.resend_after = resend_after
        self.max_sends_per_hour = max_sends_per_hour
        self.max_guesses = max_guesses

    def send(self, purpose: str, id_number: str, mobile: str) -> int:
        """Send a new code (earlier ones stop working); return its lifetime in seconds."""
        subject = subject_key(id_number)
        now = self.clock.now()
        code = f"{secrets.randbelow(1_000_000):06d}"

        with self.database.transaction() as session:
            self._check_send_rate(session, subject, now)
            session.execute(
                update(SmsCodeRow)
                .where(SmsCodeRow.subject == subject, SmsCodeRow.purpose == purpose,
                       SmsCodeRow.used.is_(False))
                .values(used=True)
            )
            row = SmsCodeRow(purpose=purpose, subject=subject, mobile=mobile,
                             code_hash=_code_hash(subject, code), created_at=now,
                             expires_at=now + self.ttl, wrong_guesses=0, used=False)
            session.add(row)

        minutes = math.ceil(self.ttl.total_seconds() / 60)
        text = (f"【工勤人员继续教育】您的{_PURPOSE_TEXT[purpose]}验证码为{code}，"
                f"{minutes}分钟内有效，请勿告诉他人。")
        try:
            self.sender.send(mobile, text)
        except SmsDeliveryFailed:
            self._invalidate(row.id)
            raise
        logger.info("sent %s code %s", purpose, row.id)
        return int(self.ttl.total_seconds())

    def verify(self, purpose: str, id_number: str, code: str) -> str:
        """Use up a valid code and return the phone it was sent to; raise ``SmsCodeInvalid``."""
        subject = subject_key(id_number)
        now = self.clock.now()
        with self.database.transaction() as session:
            row = session.execute(
                select(SmsCodeRow)
                .where(SmsCodeRow.subject == subject, SmsCodeRow.purpose == purpose,
                       SmsCodeRow.used.is_(False))
                .order_by(SmsCodeRow.id.desc())
                .limit(1)
                .with_for_update()
            ).scalar_one_or_none()
            if row is None or as_utc(row.expires_at) <= now:
                raise SmsCodeInvalid(f"no live {purpose} code")
            if not secrets.compare_digest(row.code_hash, _code_hash(subject, code.strip())):
                row.wrong_guesses += 1
                row.used = row.wrong_guesses >= self.max_guesses
                failed_code_id = row.id
            else:
                row.used = True
                return row.mobile
        # Raised after the block so the counted wrong guess is committed, not rolled back.
        raise SmsCodeInvalid(f"wrong {purpose} code for code {failed_code_id}")

    def _check_send_rate(self, session: Session, subject: str, now: datetime) -> None:
        recent = select(SmsCodeRow.created_at).where(
            SmsCodeRow.subject == subject, SmsCodeRow.created_at > now - timedelta(hours=1)
        )
        last = session.execute(select(func.max(recent.subquery().c.created_at))).scalar()
        if last is not None and as_utc(last) + self.resend_after > now:
            raise SmsRateLimited(as_utc(last) + self.resend_after - now)
        times = sorted(as_utc(value) for value in session.execute(recent).scalars())
        if len(times) >= self.max_sends_per_hour:
            raise SmsRateLimited(times[0] + timedelta(hours=1) - now)

    def _invalidate(self, code_id: int) -> None:
        with self.database.transaction() as session:
            session.execute(update(SmsCodeRow).where(SmsCodeRow.id == code_id).values(used=True))


def _code_hash(subject: str, code: str) -> str:
    return hashlib.sha256(f"{subject}:{code}".encode()).hexdigest()
