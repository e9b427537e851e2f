"""Milestones of a learner's progress in one selected course.

Heartbeats never reach the event store. A ``CourseProgress`` aggregate records
only milestones: each chapter fully watched, and the course completed once
every chapter is.
"""

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

PROGRESS_NAMESPACE = uuid5(NAMESPACE_URL, "urn:gqjy:learning:progress")


def course_progress_id(learner_id: UUID, class_id: UUID, course_id: UUID) -> UUID:
    return uuid5(PROGRESS_NAMESPACE, f"{learner_id}:{class_id}:{course_id}")


class CourseProgress(Aggregate):
    """One learner's milestones in one course of one class."""

    @staticmethod
    def create_id(learner_id: UUID, class_id: UUID, course_id: UUID, **_: Any) -> UUID:
        return course_progress_id(learner_id, class_id, course_id)

    @event("Created")
    def __init__(
        self, learner_id: UUID, class_id: UUID, course_id: UUID, training_year: int,
        category: str, credit_hours: int, chapter_ids: list[UUID],
    ) -> None:
        self.learner_id = learner_id
        self.class_id = class_id
        self.course_id = course_id
        self.training_year = training_year
        self.category = category
        self.credit_hours = credit_hours
        # The chapters to watch are fixed when learning starts, so a later
        # catalog revision cannot take a completion away.
        self.chapter_ids = list(chapter_ids)
        self.completed_chapters: list[UUID] = []
        self.completed_at: datetime | None = None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    def complete_chapter(self, chapter_id: UUID, at: datetime) -> None:
        """Record a fully watched chapter; complete the course with its last chapter.

        Repeating it for a chapter already recorded changes nothing.
        """
        if chapter_id in self.completed_chapters or chapter_id not in self.chapter_ids:
            return
        self._chapter_completed(chapter_id=chapter_id, completed_at=at)
        if not self.completed and set(self.completed_chapters) >= set(self.chapter_ids):
            self._course_completed(
                learner_id=self.learner_id, class_id=self.class_id, course_id=self.course_id,
                training_year=self.training_year, category=self.category,
                credit_hours=self.credit_hours, completed_at=at,
            )

    @event("ChapterCompleted")
    def _chapter_completed(self, chapter_id: UUID, completed_at: datetime) -> None:
        self.completed_chapters.append(chapter_id)

    @event("CourseCompleted")
    def _course_completed(
        self, learner_id: UUID, class_id: UUID, course_id: UUID, training_year: int,
        category: str, credit_hours: int, completed_at: datetime,
    ) -> None:
        # The event repeats the course facts so translation needs no lookup.
        self.completed_at = completed_at
