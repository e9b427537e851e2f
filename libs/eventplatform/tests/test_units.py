"""Pure-logic units of the platform: envelope, aware datetimes, retry policy, settings."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from education_contracts import Grade, Registered
from sqlalchemy import DateTime, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from eventplatform.consumer import RetryPolicy
from eventplatform.envelope import InvalidEnvelope, decode, encode, stable_event_id
from eventplatform.readmodel import Database
from eventplatform.settings import ServiceSettings


def _registered() -> Registered:
    return Registered(
        learner_id=uuid4(),
        name="李四",
        masked_id_number="320***********0030",
        gender="male",
        birth_year=1978,
        grade=Grade.INTERMEDIATE,
        employing_unit="测试单位",
        employing_unit_credit_code="12320600MB1234567X",
        region_office_id="nantong-tongzhou",
        registered_at=datetime(2026, 5, 6, 1, tzinfo=UTC),
    )


def test_envelope_round_trip_keeps_attributes():
    event = _registered()
    record = encode(event, event_id="e-1", source_service="identity",
                    time=datetime(2026, 5, 6, 9, tzinfo=timezone(timedelta(hours=8))),
                    topic="gqjy.identity.learner", trace_headers={"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"})

    received = decode(record.headers, record.value)

    headers = dict(record.headers)
    assert record.key == str(event.learner_id).encode()
    assert headers["content-type"] == b"application/json"
    assert headers["ce_source"] == b"/gqjy/identity"
    assert headers["ce_time"] == b"2026-05-06T01:00:00+00:00"
    assert received.id == "e-1"
    assert received.type == "gqjy.identity.learner.registered.v1"
    assert received.subject == str(event.learner_id)
    assert received.payload == event


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda headers: [h for h in headers if h[0] != "ce_type"], "missing CloudEvents headers: ce_type"),
        (lambda headers: [h for h in headers if h[0] != "content-type"], "unsupported content-type"),
        (lambda headers: [(k, b"0.3" if k == "ce_specversion" else v) for k, v in headers], "unsupported ce_specversion"),
        (lambda headers: [(k, b"gqjy.unknown.v1" if k == "ce_type" else v) for k, v in headers], "invalid gqjy.unknown.v1"),
    ],
)
def test_envelope_rejects_malformed_records(change, reason):
    record = encode(_registered(), event_id="e-2", source_service="identity",
                    time=datetime.now(UTC), topic="t")

    with pytest.raises(InvalidEnvelope) as raised:
        decode(change(record.headers), record.value)

    assert reason in str(raised.value)


def test_envelope_rejects_payload_violating_contract():
    record = encode(_registered(), event_id="e-3", source_service="identity", time=datetime.now(UTC), topic="t")
    tampered = record.value.replace(b"320***********0030", b"320612197811030030")

    with pytest.raises(InvalidEnvelope):
        decode(record.headers, tampered)


def test_stable_event_id_depends_only_on_position():
    assert stable_event_id("identity", 7, 0) == stable_event_id("identity", 7, 0)
    assert stable_event_id("identity", 7, 0) != stable_event_id("identity", 7, 1)
    assert stable_event_id("identity", 7, 0) != stable_event_id("payment", 7, 0)


class _Base(DeclarativeBase):
    pass


class _Stamp(_Base):
    __tablename__ = "stamps"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def test_sqlite_returns_aware_utc_datetimes(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'read.sqlite'}", _Base.metadata)
    database.create_all()
    shanghai = timezone(timedelta(hours=8))

    with database.transaction() as session:
        session.add(_Stamp(id=1, at=datetime(2026, 12, 15, 23, 30, tzinfo=shanghai)))
    with database.sessions() as session:
        loaded = session.get(_Stamp, 1)
        selected = session.scalar(select(_Stamp.at))
    database.dispose()

    assert loaded is not None
    assert loaded.at == datetime(2026, 12, 15, 15, 30, tzinfo=UTC)
    assert loaded.at.tzinfo is not None
    assert selected is not None and selected.tzinfo is not None


def test_retry_backoff_doubles_up_to_cap():
    policy = RetryPolicy(max_attempts=6, first_backoff_seconds=0.5, max_backoff_seconds=3)

    assert [policy.backoff(attempt) for attempt in range(1, 6)] == [0.5, 1.0, 2.0, 3, 3]


def test_settings_default_to_sqlite_files_under_data_dir(tmp_path):
    settings = ServiceSettings(service_name="payment", data_dir=tmp_path)

    assert settings.database_url == f"sqlite:///{tmp_path / 'payment' / 'readmodels.sqlite'}"
    assert settings.event_store_url == f"sqlite:///{tmp_path / 'payment' / 'events.sqlite'}"
    assert settings.consumer_group == "gqjy.payment"
    assert settings.topic("gqjy.payment.payment") == "gqjy.payment.payment"


def test_production_settings_reject_sqlite(tmp_path):
    with pytest.raises(ValueError, match="production requires a PostgreSQL"):
        ServiceSettings(service_name="payment", environment="production", data_dir=tmp_path)
