"""Base model and shared value types of integration events."""

import json
from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EventMeta:
    """Contract metadata attached to each event class.

    ``event_type`` is ``gqjy.<service>.<subject>.<action>.v<major>``; a breaking
    change means a new major version and a new class, never an edit.
    ``minor`` grows when optional fields are added and travels in the
    ``ce_dataschema`` attribute.
    """

    def __init__(
        self,
        *,
        event_type: str,
        topic: str,
        source_service: str,
        minor: int = 0,
        partition_key: str = "learner_id",
    ) -> None:
        self.event_type = event_type
        self.topic = topic
        self.source_service = source_service
        self.minor = minor
        self.partition_key = partition_key

    @property
    def major(self) -> int:
        return int(self.event_type.rsplit(".v", 1)[1])

    @property
    def schema_version(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def dataschema(self) -> str:
        """URI of the event's JSON Schema, carried as ``ce_dataschema``."""
        return f"urn:gqjy:schema:{self.event_type}:{self.schema_version}"


class IntegrationEvent(BaseModel):
    """Payload of an event that leaves its service.

    Payloads are frozen and reject unknown fields when the producer builds
    them. Consumers read them with ``parse_payload``, which ignores fields
    added by a newer minor version.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    meta: ClassVar[EventMeta]

    def partition_key(self) -> str:
        return str(getattr(self, self.meta.partition_key))

    def subject(self) -> str:
        """Value of ``ce_subject``: the id of the entity the event is about."""
        return self.partition_key()

    @classmethod
    def parse_payload(cls, data: bytes) -> "IntegrationEvent":
        """Parse a payload written by this or a newer minor version."""
        document = json.loads(data)
        if not isinstance(document, dict):
            raise ValueError(f"{cls.meta.event_type} payload must be a JSON object")
        known = {key: value for key, value in document.items() if key in cls.model_fields}
        return cls.model_validate(known)


class Category(StrEnum):
    """Course category of the yearly hour requirement."""

    POLITICAL = "political"  # 思政
    GENERAL = "general"  # 通识
    JOB_SKILLS = "job_skills"  # 岗位技能提升

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    Category.POLITICAL: "思政",
    Category.GENERAL: "通识",
    Category.JOB_SKILLS: "岗位技能提升",
}


class Grade(StrEnum):
    """Technical grade (技术等级) of a service-skill worker."""

    ORDINARY = "ordinary"  # 普通工
    JUNIOR = "junior"  # 初级工
    INTERMEDIATE = "intermediate"  # 中级工
    SENIOR = "senior"  # 高级工
    TECHNICIAN = "technician"  # 技师
    SENIOR_TECHNICIAN = "senior_technician"  # 高级技师

    @property
    def label(self) -> str:
        return _GRADE_LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> "Grade":
        for grade, text in _GRADE_LABELS.items():
            if text == label.strip():
                return grade
        raise ValueError(f"unknown grade label {label!r}")


_GRADE_LABELS = {
    Grade.ORDINARY: "普通工",
    Grade.JUNIOR: "初级工",
    Grade.INTERMEDIATE: "中级工",
    Grade.SENIOR: "高级工",
    Grade.TECHNICIAN: "技师",
    Grade.SENIOR_TECHNICIAN: "高级技师",
}


class HourRequirement(BaseModel):
    """Credit hours a class must reach, per category, fixed when the class opens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    political: int = Field(ge=0, description="Minimum 思政 hours.")
    general: int = Field(ge=0, description="Minimum 通识 hours.")
    job_skills: int = Field(ge=0, description="Minimum 岗位技能提升 hours.")
    total: int = Field(ge=0, description="Sum of the three minimums.")

    @model_validator(mode="after")
    def _total_is_sum(self) -> "HourRequirement":
        if self.total != self.political + self.general + self.job_skills:
            raise ValueError("total must equal the sum of the category minimums")
        return self

    def for_category(self, category: Category) -> int:
        return int(getattr(self, category.value))


class DateWindow(BaseModel):
    """An inclusive range of calendar dates in Asia/Shanghai."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    starts_on: date = Field(description="First day, inclusive.")
    ends_on: date = Field(description="Last day, inclusive.")


LearnerId = UUID
