"""AsyncAPI 3.0 document of every topic and the events it carries."""

from typing import Any

from education_contracts.events import ALL_EVENTS
from education_contracts.topics import ALL_TOPICS

_CONSUMERS = {
    "gqjy.identity.learner": ["enrollment", "credential"],
    "gqjy.enrollment.order": ["payment"],
    "gqjy.enrollment.class": ["learning", "assessment", "credential"],
    "gqjy.payment.payment": ["enrollment"],
    "gqjy.learning.catalog": ["enrollment", "assessment"],
    "gqjy.learning.progress": ["assessment"],
    "gqjy.assessment.quiz": ["credential", "enrollment"],
    "gqjy.credential.certificate": ["enrollment"],
}


def _message_name(event_type: str) -> str:
    return event_type.replace(".", "_")


def build_asyncapi() -> dict[str, Any]:
    """Build the AsyncAPI document as a plain dictionary."""
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    operations: dict[str, Any] = {}

    for topic in ALL_TOPICS:
        channel_id = topic.replace(".", "_")
        events = [cls for cls in ALL_EVENTS if cls.meta.topic == topic]
        channel_messages = {}
        for cls in events:
            name = _message_name(cls.meta.event_type)
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
            messages[name] = {
                "name": cls.meta.event_type,
                "title": cls.__name__,
                "summary": (cls.__doc__ or "").strip().splitlines()[0],
                "contentType": "application/json",
                "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
                "payload": {"$ref": f"schemas/{cls.meta.event_type}.json"},
                "correlationId": {"location": "$message.header#/ce_subject"},
                "bindings": {
                    "kafka": {"key": {"type": "string", "description": cls.meta.partition_key}}
                },
                "x-schema-version": cls.meta.schema_version,
            }
        channels[channel_id] = {
            "address": topic,
            "messages": channel_messages,
            "description": f"Consumed by: {', '.join(_CONSUMERS.get(topic, [])) or 'analytics only'}.",
            "bindings": {"kafka": {"topic": topic}},
        }
        source = events[0].meta.source_service if events else "unknown"
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"Published by the {source} service through its outbox relay.",
        }

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Continuing education platform: integration events",
            "version": "1.0.0",
            "description": (
                "Events travel as CloudEvents 1.0 in Kafka binary mode: the value is the "
                "JSON payload, attributes are ce_* headers, W3C traceparent carries the "
                "trace context, and the key is the partition key."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {"CloudEventHeaders": _cloudevent_headers_schema()},
        },
    }


def _cloudevent_headers_schema() -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "required": [
            "ce_id",
            "ce_type",
            "ce_source",
            "ce_specversion",
            "ce_time",
            "ce_subject",
            "content-type",
        ],
        "properties": {
            "ce_id": {**text, "description": "Event id, stable across re-publication."},
            "ce_type": {**text, "description": "Versioned event type."},
            "ce_source": {**text, "description": "Publishing service, e.g. /gqjy/identity."},
            "ce_specversion": {"const": "1.0"},
            "ce_time": {**text, "format": "date-time"},
            "ce_subject": {**text, "description": "Id of the entity the event is about."},
            "ce_dataschema": {**text, "description": "Schema URI with major.minor version."},
            "content-type": {"const": "application/json"},
            "traceparent": {**text, "description": "W3C trace context of the causing request."},
        },
    }
