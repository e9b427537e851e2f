"""The learning service's write model: catalog commands and progress milestones."""

import logging
from dataclasses import dataclass
from uuid import UUID

from eventplatform.clock import Clock
from eventplatform.store import ServiceApplication
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from learning_service.domain import (
    Course,
    CourseDetails,
    CourseNotFound,
    CourseProgress,
    Provider,
    ProviderNotFound,
    course_id_for,
    course_progress_id,
    provider_aggregate_id,
)
from learning_service.settings import LearningSettings

logger = logging.getLogger(__name__)

SAVE_ATTEMPTS = 5


@dataclass(frozen=True)
class ChapterMilestone:
    """A fully watched chapter, with the course facts the milestone events need."""

    learner_id: UUID
    class_id: UUID
    course_id: UUID
    chapter_id: UUID
    training_year: int
    category: str
    credit_hours: int
    chapter_ids: list[UUID]


class Learning(ServiceApplication):
    name = "learning"

    def __init__(self, settings: LearningSettings, clock: Clock) -> None:
        super().__init__(settings.event_store_url)
        self.clock = clock

    # --- catalog ------------------------------------------------------------

    def register_provider(self, provider_id: str, name: str) -> None:
        """Add a provider, or rename it when the id already exists."""
        self.save(self._provider_with_name(provider_id, name))

    def publish_course(self, details: CourseDetails) -> str:
        """Create or revise the course with this code; return created, revised or unchanged."""
        provider = self._provider(details.provider_id)
        course, outcome = self._course_with_details(details, provider.name)
        self.save(course)
        logger.info("course %s %s", course.id, outcome)
        return outcome

    def import_catalog(
        self, providers: dict[str, str], courses: list[CourseDetails]
    ) -> dict[str, int]:
        """Apply a validated catalog file in one transaction; return counts by outcome."""
        provider_aggregates = {
            provider_id: self._provider_with_name(provider_id, name)
            for provider_id, name in providers.items()
        }
        counts = {"created": 0, "revised": 0, "unchanged": 0, "providers": len(providers)}
        changed = []
        for details in courses:
            provider = provider_aggregates.get(details.provider_id) or self._provider(details.provider_id)
            course, outcome = self._course_with_details(details, provider.name)
            counts[outcome] += 1
            changed.append(course)
        self.save(*provider_aggregates.values(), *changed)
        logger.info("catalog import applied: %s", counts)
        return counts

    def withdraw_course(self, course_id: UUID) -> bool:
        try:
            course: Course = self.repository.get(course_id)
        except AggregateNotFoundError:
            raise CourseNotFound(f"course {course_id} not found") from None
        withdrawn = course.withdraw(self.clock.now())
        self.save(course)
        return withdrawn

    def _provider(self, provider_id: str) -> Provider:
        try:
            return self.repository.get(provider_aggregate_id(provider_id))
        except AggregateNotFoundError:
            raise ProviderNotFound(f"provider {provider_id!r} not found") from None

    def _provider_with_name(self, provider_id: str, name: str) -> Provider:
        try:
            provider: Provider = self.repository.get(provider_aggregate_id(provider_id))
        except AggregateNotFoundError:
            return Provider(provider_id=provider_id, name=name)
        provider.rename(name)
        return provider

    def _course_with_details(self, details: CourseDetails, provider_name: str) -> tuple[Course, str]:
        now = self.clock.now()
        try:
            course: Course = self.repository.get(course_id_for(details.code))
        except AggregateNotFoundError:
            course = Course(provider_name=provider_name, published_at=now, **details.as_event_fields())
            return course, "created"
        revised = course.revise(details, provider_name, now)
        return course, "revised" if revised else "unchanged"

    # --- progress milestones -----------------------------------------------

    def complete_chapter(self, milestone: ChapterMilestone) -> bool:
        """Record a fully watched chapter (idempotent); return whether the course is complete.

        Two chapters of one course finishing at the same moment race on the
        aggregate's version; the loser reloads and tries again.
        """
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            progress = self._course_progress(milestone)
            progress.complete_chapter(milestone.chapter_id, self.clock.now())
            try:
                self.save(progress)
                return progress.completed
            except IntegrityError:
                logger.info("progress %s changed concurrently (attempt %d); retrying", progress.id, attempt)
        raise RuntimeError(f"could not save progress of course {milestone.course_id} after {SAVE_ATTEMPTS} attempts")

    def _course_progress(self, milestone: ChapterMilestone) -> CourseProgress:
        progress_id = course_progress_id(milestone.learner_id, milestone.class_id, milestone.course_id)
        try:
            return self.repository.get(progress_id)
        except AggregateNotFoundError:
            return CourseProgress(
                learner_id=milestone.learner_id,
                class_id=milestone.class_id,
                course_id=milestone.course_id,
                training_year=milestone.training_year,
                category=milestone.category,
                credit_hours=milestone.credit_hours,
                chapter_ids=milestone.chapter_ids,
            )
