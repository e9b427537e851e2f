"""Read models: the catalog (from own events), class copies (from enrollment's events)
and course completions (from own milestones).

Rows are a pure function of the events, so ``rebuild-read-models`` reproduces them.
Watch progress is not here: it is state, not a projection (see ``watchstate``).
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Date, DateTime, Integer, String, Text, Uuid, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from learning_service.domain import Course, CourseProgress, Provider
from learning_service.domain.catalog import chapter_id_for


class ReadModel(DeclarativeBase):
    pass


class ProviderRow(ReadModel):
    __tablename__ = "providers"

    aggregate_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class CourseRow(ReadModel):
    __tablename__ = "courses"

    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20), index=True)
    credit_hours: Mapped[int] = mapped_column(Integer)
    provider_id: Mapped[str] = mapped_column(String(32), index=True)
    provider_name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    chapter_count: Mapped[int] = mapped_column(Integer)
    total_duration_seconds: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # published | withdrawn
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChapterRow(ReadModel):
    __tablename__ = "chapters"

    chapter_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    duration_seconds: Mapped[int] = mapped_column(Integer)
    video_file: Mapped[str] = mapped_column(String(100))


class ClassRow(ReadModel):
    """A learner's opened class, copied from ClassOpened."""

    __tablename__ = "classes"

    class_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    training_year: Mapped[int] = mapped_column(Integer)
    window_starts_on: Mapped[date] = mapped_column(Date)
    window_ends_on: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SelectedCourseRow(ReadModel):
    """A course confirmed in a class, copied from CoursesSelected (may precede ClassOpened)."""

    __tablename__ = "selected_courses"

    class_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    training_year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    credit_hours: Mapped[int] = mapped_column(Integer)
    selected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CourseCompletionRow(ReadModel):
    __tablename__ = "course_completions"

    class_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def project(session: Session, domain_event: Any) -> None:
    """Apply one of the service's own recorded events to the read models."""
    if isinstance(domain_event, Provider.Registered):
        session.add(ProviderRow(
            aggregate_id=domain_event.originator_id,
            provider_id=domain_event.provider_id,
            name=domain_event.name,
        ))
    elif isinstance(domain_event, Provider.Renamed):
        provider = session.get(ProviderRow, domain_event.originator_id)
        if provider is not None:
            provider.name = domain_event.name
    elif isinstance(domain_event, (Course.Published, Course.Revised)):
        _project_course_version(session, domain_event)
    elif isinstance(domain_event, Course.Withdrawn):
        course = session.get(CourseRow, domain_event.originator_id)
        if course is not None:
            course.status = "withdrawn"
    elif isinstance(domain_event, CourseProgress.CourseCompleted):
        session.merge(CourseCompletionRow(
            class_id=domain_event.class_id,
            course_id=domain_event.course_id,
            learner_id=domain_event.learner_id,
            completed_at=domain_event.completed_at,
        ))


def _project_course_version(session: Session, domain_event: Any) -> None:
    course_id = domain_event.originator_id
    chapters = domain_event.chapters
    course = session.get(CourseRow, course_id)
    if course is None:
        course = CourseRow(course_id=course_id, code=domain_event.code)
        session.add(course)
    course.title = domain_event.title
    course.category = domain_event.category
    course.credit_hours = domain_event.credit_hours
    course.provider_id = domain_event.provider_id
    course.provider_name = domain_event.provider_name
    course.description = domain_event.description
    course.chapter_count = len(chapters)
    course.total_duration_seconds = sum(int(chapter["duration_seconds"]) for chapter in chapters)
    course.status = "published"
    course.published_at = domain_event.published_at

    session.execute(delete(ChapterRow).where(ChapterRow.course_id == course_id))
    for chapter in chapters:
        session.add(ChapterRow(
            chapter_id=chapter_id_for(course_id, int(chapter["number"])),
            course_id=course_id,
            number=int(chapter["number"]),
            title=chapter["title"],
            duration_seconds=int(chapter["duration_seconds"]),
            video_file=chapter["video_file"],
        ))


def course_chapters(session: Session, course_id: UUID) -> list[ChapterRow]:
    query = select(ChapterRow).where(ChapterRow.course_id == course_id).order_by(ChapterRow.number)
    return list(session.scalars(query))
