"""CloudEvents 1.0 in Kafka binary mode.

The Kafka value is the JSON payload, ``content-type`` declares it, every other
attribute is a ``ce_``-prefixed UTF-8 header, and the record key is the
event's partition key. W3C ``traceparent``/``tracestate`` ride along as
headers.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid5

from education_contracts import IntegrationEvent, event_class_for_type
from pydantic import ValidationError

CONTENT_TYPE = "application/json"
SPEC_VERSION = "1.0"
REQUIRED_HEADERS = ("ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time", "ce_subject")

# Namespace of deterministic event ids: the same recorded event always gets
# the same ce_id, so a re-publication after a crash is recognised downstream.
EVENT_ID_NAMESPACE = UUID("6d0c3d1e-5b7a-4f3e-9a51-2b1f0c9e7a42")

Headers = list[tuple[str, bytes]]


class InvalidEnvelope(ValueError):
    """Raised for a Kafka record that is not a valid CloudEvent of a known contract."""


@dataclass(frozen=True)
class OutgoingRecord:
    """A Kafka record ready to send."""

    topic: str
    key: bytes
    value: bytes
    headers: Headers


@dataclass(frozen=True)
class ReceivedEvent:
    """An integration event parsed from a Kafka record."""

    id: str
    type: str
    source: str
    time: datetime
    subject: str
    payload: IntegrationEvent
    headers: dict[str, str] = field(default_factory=dict)


def stable_event_id(service: str, notification_id: int, index: int) -> str:
    """Derive a ce_id from the event's position in its service's notification log."""
    return str(uuid5(EVENT_ID_NAMESPACE, f"{service}:{notification_id}:{index}"))


def encode(
    event: IntegrationEvent,
    *,
    event_id: str,
    source_service: str,
    time: datetime,
    topic: str,
    trace_headers: dict[str, str] | None = None,
) -> OutgoingRecord:
    """Build the Kafka record of an integration event."""
    meta = event.meta
    headers: Headers = [
        ("ce_id", event_id.encode()),
        ("ce_type", meta.event_type.encode()),
        ("ce_source", f"/gqjy/{source_service}".encode()),
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_time", time.astimezone(UTC).isoformat().encode()),
        ("ce_subject", event.subject().encode()),
        ("ce_dataschema", meta.dataschema.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    for name, value in (trace_headers or {}).items():
        headers.append((name, value.encode()))
    return OutgoingRecord(
        topic=topic,
        key=event.partition_key().encode(),
        value=event.model_dump_json().encode(),
        headers=headers,
    )


def decode(headers: Headers | tuple[tuple[str, bytes], ...], value: bytes | None) -> ReceivedEvent:
    """Parse a Kafka record into a ``ReceivedEvent`` or raise ``InvalidEnvelope``."""
    text_headers = _text_headers(headers)

    missing = [name for name in REQUIRED_HEADERS if name not in text_headers]
    if missing:
        raise InvalidEnvelope(f"missing CloudEvents headers: {', '.join(missing)}")
    if text_headers["ce_specversion"] != SPEC_VERSION:
        raise InvalidEnvelope(f"unsupported ce_specversion {text_headers['ce_specversion']!r}")
    content_type = text_headers.get("content-type", "")
    if not content_type.startswith(CONTENT_TYPE):
        raise InvalidEnvelope(f"unsupported content-type {content_type!r}")
    if value is None:
        raise InvalidEnvelope("record has no value")

    try:
        event_class = event_class_for_type(text_headers["ce_type"])
        payload = event_class.parse_payload(value)
        time = datetime.fromisoformat(text_headers["ce_time"])
    except (LookupError, ValueError, ValidationError) as error:
        raise InvalidEnvelope(f"invalid {text_headers['ce_type']} payload: {error}") from error

    return ReceivedEvent(
        id=text_headers["ce_id"],
        type=text_headers["ce_type"],
        source=text_headers["ce_source"],
        time=time,
        subject=text_headers["ce_subject"],
        payload=payload,
        headers=text_headers,
    )


def _text_headers(headers: Headers | tuple[tuple[str, bytes], ...]) -> dict[str, str]:
    result: dict[str, str] = {}
    for name, raw in headers or ():
        try:
            result[name] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError:
            raise InvalidEnvelope(f"header {name!r} is not UTF-8") from None
    return result
