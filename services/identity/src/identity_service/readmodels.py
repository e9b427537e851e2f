"""Read models of the identity service and the projection that fills them.

``offices``, ``roster_entries`` and ``admin_accounts`` are pure functions of
the service's own events. The login and SMS tables at the end contain short-lived
operational state (captchas, codes, failure counters, the development SMS
outbox) that no event records.

NOTE: ``rebuild-read-models`` drops every table of this metadata, so a rebuild
also clears open captchas, pending SMS codes, login locks and the development
SMS outbox. They are short-lived, but a locked login name is unlocked early.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from identity_service.domain.model import AdminAccount, Office, RosterEntry


class ReadModel(DeclarativeBase):
    pass


class OfficeRow(ReadModel):
    __tablename__ = "offices"

    office_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(4), index=True)
    city_name: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(30))
    contact_person: Mapped[str] = mapped_column(String(30))
    id_prefixes: Mapped[list[str]] = mapped_column(JSON)


class RosterRow(ReadModel):
    __tablename__ = "roster_entries"

    entry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(36), unique=True)
    office_id: Mapped[str] = mapped_column(String(40), index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    gender: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[date] = mapped_column(Date)
    employing_unit: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18))
    credit_code_valid: Mapped[bool] = mapped_column(Boolean)
    grade: Mapped[str] = mapped_column(String(20), index=True)
    mobile: Mapped[str] = mapped_column(String(11))
    status: Mapped[str] = mapped_column(String(10), index=True)
    has_account: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AdminRow(ReadModel):
    __tablename__ = "admin_accounts"

    account_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[str] = mapped_column(String(30))
    office_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- operational state (not rebuilt from events) ---------------------------


class CaptchaRow(ReadModel):
    __tablename__ = "captchas"

    captcha_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    answer: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SmsCodeRow(ReadModel):
    __tablename__ = "sms_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(20))
    # SHA-256 of the ID number, so the table contains no ID number.
    subject: Mapped[str] = mapped_column(String(64), index=True)
    mobile: Mapped[str] = mapped_column(String(11))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    wrong_guesses: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginFailureRow(ReadModel):
    __tablename__ = "login_failures"

    # SHA-256 of the login name: counted whether or not an account exists.
    login_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SmsOutboxRow(ReadModel):
    """Messages the development SMS backend 'sent'; never used in production."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mobile: Mapped[str] = mapped_column(String(11), index=True)
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- projection ---------------------------------------------------------------


def project(session: Session, domain_event: Any) -> None:
    """Apply one recorded domain event of this service to the read model."""
    handler = _PROJECTIONS.get(type(domain_event))
    if handler is not None:
        handler(session, domain_event)


def _office_card(session: Session, event: Any) -> None:
    card = dict(event.card)
    row = session.get(OfficeRow, card["office_id"]) or OfficeRow(office_id=card["office_id"])
    for key in ("city_code", "city_name", "name", "address", "phone", "contact_person",
                "id_prefixes"):
        setattr(row, key, card[key])
    session.add(row)


def _roster_added(session: Session, event: Any) -> None:
    person = event.person
    session.add(RosterRow(
        entry_id=str(event.originator_id),
        learner_id=event.learner_id,
        office_id=event.office_id,
        id_number=event.id_number,
        name=person["name"],
        gender=event.gender,
        birth_date=date.fromisoformat(event.birth_date),
        employing_unit=person["employing_unit"],
        credit_code=person["credit_code"],
        credit_code_valid=person["credit_code_valid"],
        grade=person["grade"],
        mobile=person["mobile"],
        status="active",
        has_account=False,
        added_at=event.timestamp,
        updated_at=event.timestamp,
    ))


def _roster_row(session: Session, event: Any) -> RosterRow:
    row = session.get(RosterRow, str(event.originator_id))
    if row is None:
        raise LookupError(f"roster entry {event.originator_id} missing from the read model")
    row.updated_at = event.timestamp
    return row


def _roster_corrected(session: Session, event: Any) -> None:
    row = _roster_row(session, event)
    for key, value in event.changes.items():
        setattr(row, key, value)


def _roster_left(session: Session, event: Any) -> None:
    _roster_row(session, event).status = "left"


def _roster_activated(session: Session, event: Any) -> None:
    row = _roster_row(session, event)
    row.has_account = True
    row.mobile = event.mobile


def _admin_created(session: Session, event: Any) -> None:
    session.add(AdminRow(account_id=str(event.originator_id), username=event.username,
                         role=event.role, office_id=event.office_id, created_at=event.timestamp))


_PROJECTIONS: dict[type, Callable[[Session, Any], None]] = {
    Office.Registered: _office_card,
    Office.CardUpdated: _office_card,
    RosterEntry.Added: _roster_added,
    RosterEntry.Corrected: _roster_corrected,
    RosterEntry.MarkedLeft: _roster_left,
    RosterEntry.Activated: _roster_activated,
    AdminAccount.Created: _admin_created,
}
