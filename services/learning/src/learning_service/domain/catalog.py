"""The course catalog: providers and courses with ordered video chapters."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventplatform.errors import DomainError
from eventsourcing.domain import Aggregate, event

CATALOG_NAMESPACE = uuid5(NAMESPACE_URL, "urn:gqjy:learning:catalog")

CATEGORIES = ("political", "general", "job_skills")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,31}$")
PROVIDER_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,31}$")
MAX_TITLE_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000
MIN_CREDIT_HOURS, MAX_CREDIT_HOURS = 1, 20
MAX_CHAPTERS = 60
MAX_CHAPTER_SECONDS = 4 * 3600
VIDEO_FILE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class InvalidCourse(DomainError):
    """Course details break a catalog rule; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def course_id_for(code: str) -> UUID:
    """Return the course id of a course code, so re-importing a code finds the same course."""
    return uuid5(CATALOG_NAMESPACE, f"course:{code.upper()}")


def provider_aggregate_id(provider_id: str) -> UUID:
    return uuid5(CATALOG_NAMESPACE, f"provider:{provider_id}")


def chapter_id_for(course_id: UUID, number: int) -> UUID:
    # NOTE: chapter ids follow the chapter number, so reordering chapters in a
    # revision moves existing watch progress to the chapter now at that number.
    return uuid5(course_id, f"chapter:{number}")


@dataclass(frozen=True)
class Chapter:
    """One video of a course, numbered from 1 in playing order."""

    number: int
    title: str
    duration_seconds: int
    video_file: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "duration_seconds": self.duration_seconds,
            "video_file": self.video_file,
        }


@dataclass(frozen=True)
class CourseDetails:
    """Everything the operator sets on a course; validated on construction."""

    code: str
    title: str
    category: str
    credit_hours: int
    provider_id: str
    description: str
    chapters: tuple[Chapter, ...]

    def __post_init__(self) -> None:
        if not CODE_PATTERN.match(self.code):
            raise InvalidCourse("code", f"invalid course code {self.code!r}")
        if not 1 <= len(self.title.strip()) <= MAX_TITLE_LENGTH:
            raise InvalidCourse("title", "title must have 1 to 100 characters")
        if self.category not in CATEGORIES:
            raise InvalidCourse("category", f"unknown category {self.category!r}")
        if not MIN_CREDIT_HOURS <= self.credit_hours <= MAX_CREDIT_HOURS:
            raise InvalidCourse("credit_hours", f"credit hours {self.credit_hours} out of range")
        if not PROVIDER_ID_PATTERN.match(self.provider_id):
            raise InvalidCourse("provider_id", f"invalid provider id {self.provider_id!r}")
        if len(self.description) > MAX_DESCRIPTION_LENGTH:
            raise InvalidCourse("description", "description too long")
        self._check_chapters()

    def _check_chapters(self) -> None:
        if not 1 <= len(self.chapters) <= MAX_CHAPTERS:
            raise InvalidCourse("chapters", f"a course needs 1 to {MAX_CHAPTERS} chapters")
        for expected, chapter in enumerate(self.chapters, start=1):
            if chapter.number != expected:
                raise InvalidCourse("chapters", "chapters must be numbered 1, 2, 3, ...")
            if not 1 <= len(chapter.title.strip()) <= MAX_TITLE_LENGTH:
                raise InvalidCourse("chapters", f"chapter {expected} title must have 1 to 100 characters")
            if not 1 <= chapter.duration_seconds <= MAX_CHAPTER_SECONDS:
                raise InvalidCourse("chapters", f"chapter {expected} duration out of range")
            if not VIDEO_FILE_PATTERN.match(chapter.video_file) or ".." in chapter.video_file:
                raise InvalidCourse("chapters", f"chapter {expected} has an invalid video file name")

    @property
    def course_id(self) -> UUID:
        return course_id_for(self.code)

    def as_event_fields(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title.strip(),
            "category": self.category,
            "credit_hours": self.credit_hours,
            "provider_id": self.provider_id,
            "description": self.description,
            "chapters": [chapter.as_dict() for chapter in self.chapters],
        }


class Provider(Aggregate):
    """A course provider (课程提供方) named by the province operator."""

    @staticmethod
    def create_id(provider_id: str) -> UUID:
        return provider_aggregate_id(provider_id)

    @event("Registered")
    def __init__(self, provider_id: str, name: str) -> None:
        self.provider_id = provider_id
        self.name = name

    def rename(self, name: str) -> None:
        if name != self.name:
            self._renamed(name=name)

    @event("Renamed")
    def _renamed(self, name: str) -> None:
        self.name = name


class Course(Aggregate):
    """A catalog course. Each published version carries the whole course."""

    @staticmethod
    def create_id(code: str, **_: Any) -> UUID:
        return course_id_for(code)

    @event("Published")
    def __init__(
        self, code: str, title: str, category: str, credit_hours: int, provider_id: str,
        provider_name: str, description: str, chapters: list[dict[str, Any]], published_at: datetime,
    ) -> None:
        self._set(title, category, credit_hours, provider_id, provider_name, description, chapters)
        self.code = code
        self.withdrawn = False
        self.published_at = published_at

    def revise(self, details: CourseDetails, provider_name: str, at: datetime) -> bool:
        """Publish a new version if anything changed or the course was withdrawn; return whether it did."""
        fields = details.as_event_fields()
        fields.pop("code")
        unchanged = all(getattr(self, name) == value for name, value in fields.items())
        if unchanged and provider_name == self.provider_name and not self.withdrawn:
            return False
        self._revised(code=self.code, provider_name=provider_name, published_at=at, **fields)
        return True

    @event("Revised")
    def _revised(
        self, code: str, title: str, category: str, credit_hours: int, provider_id: str, provider_name: str,
        description: str, chapters: list[dict[str, Any]], published_at: datetime,
    ) -> None:
        self._set(title, category, credit_hours, provider_id, provider_name, description, chapters)
        self.withdrawn = False
        self.published_at = published_at

    def withdraw(self, at: datetime) -> bool:
        """Take the course out of the catalog; return False if it already was."""
        if self.withdrawn:
            return False
        self._withdrawn(withdrawn_at=at)
        return True

    @event("Withdrawn")
    def _withdrawn(self, withdrawn_at: datetime) -> None:
        self.withdrawn = True

    def _set(
        self, title: str, category: str, credit_hours: int, provider_id: str,
        provider_name: str, description: str, chapters: list[dict[str, Any]],
    ) -> None:
        self.title = title
        self.category = category
        self.credit_hours = credit_hours
        self.provider_id = provider_id
        self.provider_name = provider_name
        self.description = description
        self.chapters = chapters

    @property
    def total_duration_seconds(self) -> int:
        return sum(int(chapter["duration_seconds"]) for chapter in self.chapters)
