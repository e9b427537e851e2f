"""JSON Schema generation and the backward-compatibility check.

A change is compatible when consumers built against the old schema can still
read new payloads. So fields may be added only as optional, and no field may
be removed, renamed, retyped or become required.
"""

from typing import Any

from education_contracts.base import IntegrationEvent
from education_contracts.events import ALL_EVENTS


def event_schema(event_class: type[IntegrationEvent]) -> dict[str, Any]:
    """Build the JSON Schema document of one event class."""
    schema = event_class.model_json_schema(mode="serialization")
    # Producers reject unknown fields, but the published schema must let an
    # old consumer validate a payload of a newer minor version.
    _allow_additional_properties(schema)
    meta = event_class.meta
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = meta.dataschema
    schema["x-event-type"] = meta.event_type
    schema["x-topic"] = meta.topic
    schema["x-source-service"] = meta.source_service
    schema["x-schema-version"] = meta.schema_version
    schema["x-partition-key"] = meta.partition_key
    return schema


def _allow_additional_properties(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("additionalProperties", None)
        for value in node.values():
            _allow_additional_properties(value)
    elif isinstance(node, list):
        for value in node:
            _allow_additional_properties(value)


def all_event_schemas() -> dict[str, dict[str, Any]]:
    """Map each event type to its JSON Schema."""
    return {cls.meta.event_type: event_schema(cls) for cls in ALL_EVENTS}


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """List the changes from ``old`` to ``new`` that break consumers or producers."""
    problems: list[str] = []
    _compare_object(old, new, old, new, path="", problems=problems)
    return problems


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    name = ref.rsplit("/", 1)[-1]
    resolved: dict[str, Any] = root.get("$defs", {})[name]
    return resolved


def _type_signature(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """Reduce a property schema to what decides whether old and new values fit."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return ("anyOf", tuple(sorted(repr(_type_signature(s, root)) for s in schema["anyOf"])))
    if "enum" in schema:
        return ("enum", tuple(sorted(map(str, schema["enum"]))))
    if "const" in schema:
        return ("const", schema["const"])
    kind = schema.get("type")
    if kind == "array":
        return ("array", _type_signature(schema.get("items", {}), root))
    if kind == "object":
        return ("object",)
    return (kind, schema.get("format"))


def _compare_object(
    old: dict[str, Any],
    new: dict[str, Any],
    old_root: dict[str, Any],
    new_root: dict[str, Any],
    path: str,
    problems: list[str],
) -> None:
    old = _resolve(old, old_root)
    new = _resolve(new, new_root)
    old_props = old.get("properties", {})
    new_props = new.get("properties", {})
    old_required = set(old.get("required", []))
    new_required = set(new.get("required", []))

    for name, old_prop in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"field {where!r} was removed or renamed")
            continue
        new_prop = new_props[name]
        old_sig = _type_signature(old_prop, old_root)
        new_sig = _type_signature(new_prop, new_root)
        if old_sig != new_sig:
            problems.append(f"field {where!r} changed type from {old_sig} to {new_sig}")
            continue
        if old_sig == ("object",):
            _compare_object(old_prop, new_prop, old_root, new_root, f"{where}.", problems)
        elif old_sig[0] == "array":
            old_items = _resolve(_resolve(old_prop, old_root).get("items", {}), old_root)
            new_items = _resolve(_resolve(new_prop, new_root).get("items", {}), new_root)
            if old_items.get("type") == "object":
                _compare_object(old_items, new_items, old_root, new_root, f"{where}[].", problems)

    for name in sorted(new_required - old_required):
        problems.append(f"field '{path}{name}' became required or was added as required")
