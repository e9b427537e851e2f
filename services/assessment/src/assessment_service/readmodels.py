"""Read models: courses, learning windows and completions from consumed events,
and a summary of this service's own attempts."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Date, DateTime, Integer, String, Uuid, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from assessment_service.domain import AttemptHandedIn, AttemptStarted, QuizUnlock


class ReadModel(DeclarativeBase):
    pass


class CatalogCourse(ReadModel):
    """A course from the catalog events (CoursePublished)."""

    __tablename__ = "catalog_courses"

    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    credit_hours: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LearningWindow(ReadModel):
    """A class's learning window (ClassOpened)."""

    __tablename__ = "class_windows"

    class_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    training_year: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class Completion(ReadModel):
    """A course a learner watched to 100% (CourseCompleted); unlocks its test."""

    __tablename__ = "completions"

    learner_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    class_id: Mapped[UUID] = mapped_column(Uuid)
    training_year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    credit_hours: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttemptRow(ReadModel):
    """One attempt as the learner's history lists it (projected from own events)."""

    __tablename__ = "attempts"

    attempt_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    handed_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)


class QuizUnavailable(Exception):
    """Missing input that keeps a learner's test from starting, named by ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def find_unlock(session: Session, learner_id: UUID, course_id: UUID) -> QuizUnlock:
    """Combine the learner's completion of the course with the class's learning window.

    Raises ``QuizUnavailable("not_completed")`` before CourseCompleted arrived and
    ``QuizUnavailable("class_not_known")`` while ClassOpened is still on its way.
    """
    completion = session.get(Completion, (learner_id, course_id))
    if completion is None:
        raise QuizUnavailable("not_completed")
    window = session.get(LearningWindow, completion.class_id)
    if window is None:
        raise QuizUnavailable("class_not_known")
    return QuizUnlock(
        class_id=completion.class_id,
        training_year=completion.training_year,
        category=completion.category,
        credit_hours=completion.credit_hours,
        window_starts_on=window.starts_on,
        window_ends_on=window.ends_on,
    )


def list_attempts(session: Session, learner_id: UUID, course_id: UUID) -> list[AttemptRow]:
    query = (
        select(AttemptRow)
        .where(AttemptRow.learner_id == learner_id, AttemptRow.course_id == course_id)
        .order_by(AttemptRow.started_at)
    )
    return list(session.scalars(query))


def all_course_ids(session: Session) -> list[UUID]:
    return list(session.scalars(select(CatalogCourse.course_id).order_by(CatalogCourse.code)))


def project(session: Session, domain_event: Any) -> None:
    """Keep the attempts table in step with the recorded attempt events."""
    if isinstance(domain_event, AttemptStarted):
        session.merge(
            AttemptRow(
                attempt_id=domain_event.originator_id,
                learner_id=domain_event.learner_id,
                course_id=domain_event.course_id,
                started_at=domain_event.started_at,
            )
        )
    elif isinstance(domain_event, AttemptHandedIn):
        row = session.get(AttemptRow, domain_event.originator_id)
        if row is not None:
            row.handed_in_at = domain_event.handed_in_at
            row.score = domain_event.score
