"""Map the service's recorded domain events to integration events."""

from typing import Any

from education_contracts import Category, CourseCompleted, CoursePublished, CourseWithdrawn, IntegrationEvent

from learning_service.domain import Course, CourseProgress


def translate(domain_event: Any) -> list[IntegrationEvent]:
    if isinstance(domain_event, (Course.Published, Course.Revised)):
        return [_course_published(domain_event)]
    if isinstance(domain_event, Course.Withdrawn):
        return [CourseWithdrawn(course_id=domain_event.originator_id, withdrawn_at=domain_event.withdrawn_at)]
    if isinstance(domain_event, CourseProgress.CourseCompleted):
        return [CourseCompleted(
            learner_id=domain_event.learner_id,
            class_id=domain_event.class_id,
            course_id=domain_event.course_id,
            training_year=domain_event.training_year,
            category=Category(domain_event.category),
            credit_hours=domain_event.credit_hours,
            completed_at=domain_event.completed_at,
        )]
    # Providers and chapter milestones stay inside the service.
    return []


def _course_published(domain_event: Any) -> CoursePublished:
    chapters = domain_event.chapters
    return CoursePublished(
        course_id=domain_event.originator_id,
        code=domain_event.code,
        title=domain_event.title,
        category=Category(domain_event.category),
        credit_hours=domain_event.credit_hours,
        provider_id=domain_event.provider_id,
        provider_name=domain_event.provider_name,
        chapter_count=len(chapters),
        total_duration_seconds=sum(int(chapter["duration_seconds"]) for chapter in chapters),
        published_at=domain_event.published_at,
    )

