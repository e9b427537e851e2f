"""Contract artifacts and the compatibility rules of the public events."""

import copy
import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from education_contracts import ALL_EVENTS, Grade, Registered
from education_contracts.generate import stale_artifacts
from education_contracts.schemas import breaking_changes, event_schema


def test_committed_artifacts_match_generated():
    assert stale_artifacts() == []


def test_event_types_are_unique_and_versioned():
    types = [cls.meta.event_type for cls in ALL_EVENTS]
    assert len(types) == len(set(types))
    for event_type in types:
        assert event_type.startswith("gqjy.")
        assert event_type.rsplit(".", 1)[1].startswith("v")


def test_current_schemas_compatible_with_themselves():
    for cls in ALL_EVENTS:
        schema = event_schema(cls)
        assert breaking_changes(schema, schema) == []


@pytest.fixture
def registered_schema():
    return event_schema(Registered)


def test_removed_field_is_breaking(registered_schema):
    new = copy.deepcopy(registered_schema)
    del new["properties"]["grade"]
    new["required"].remove("grade")
    assert breaking_changes(registered_schema, new) == ["field 'grade' was removed or renamed"]


def test_renamed_field_is_breaking(registered_schema):
    new = copy.deepcopy(registered_schema)
    new["properties"]["full_name"] = new["properties"].pop("name")
    new["required"] = ["full_name" if f == "name" else f for f in new["required"]]
    problems = breaking_changes(registered_schema, new)
    assert "field 'name' was removed or renamed" in problems
    assert "field 'full_name' became required or was added as required" in problems


def test_retyped_field_is_breaking(registered_schema):
    new = copy.deepcopy(registered_schema)
    new["properties"]["birth_year"] = {"type": "string"}
    problems = breaking_changes(registered_schema, new)
    assert len(problems) == 1
    assert problems[0].startswith("field 'birth_year' changed type")


def test_field_made_required_is_breaking():
    from education_contracts import OrderPaid

    old = event_schema(OrderPaid)
    old_optional = copy.deepcopy(old)
    old_optional["required"].remove("channel")
    assert breaking_changes(old_optional, old) == [
        "field 'channel' became required or was added as required"
    ]


def test_optional_field_added_is_compatible(registered_schema):
    new = copy.deepcopy(registered_schema)
    new["properties"]["nickname"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert breaking_changes(registered_schema, new) == []


def test_nested_field_removed_is_breaking():
    from education_contracts import ClassOpened

    old = event_schema(ClassOpened)
    new = copy.deepcopy(old)
    del new["$defs"]["HourRequirement"]["properties"]["job_skills"]
    assert "field 'requirement.job_skills' was removed or renamed" in breaking_changes(old, new)


def _registered(**changes):
    fields = dict(
        learner_id=uuid4(),
        name="张三",
        masked_id_number="320***********123X",
        gender="male",
        birth_year=1980,
        grade=Grade.TECHNICIAN,
        employing_unit="示例单位",
        employing_unit_credit_code="12320600MB1234567X",
        region_office_id="nantong-city",
        registered_at=datetime(2026, 5, 6, tzinfo=UTC),
    )
    fields.update(changes)
    return Registered(**fields)


def test_full_id_number_rejected_in_registered():
    with pytest.raises(ValueError):
        _registered(masked_id_number="32060219800101123X")


def test_consumer_ignores_fields_of_newer_minor_version():
    payload = json.loads(_registered().model_dump_json())
    payload["added_in_v1_1"] = "ignored"
    parsed = Registered.parse_payload(json.dumps(payload).encode())
    assert parsed.name == "张三"


def test_no_event_has_phone_or_secret_fields():
    forbidden = ("phone", "mobile", "password", "id_number", "sms", "code_hash", "secret")
    for cls in ALL_EVENTS:
        for field in cls.model_fields:
            if field == "masked_id_number":
                continue
            assert not any(word in field for word in forbidden), (cls.__name__, field)
