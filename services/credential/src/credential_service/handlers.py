"""Handlers of consumed integration events: profiles, course titles, classes, passes."""

from collections.abc import Mapping

from education_contracts import (
    ClassOpened,
    CoursePublished,
    IntegrationEvent,
    LearnerProfileChanged,
    QuizPassed,
    Registered,
)
from eventplatform.consumer import Handler, HandlerContext

from credential_service.application import Credential
from credential_service.readmodels import CourseTitle, LearnerProfile


def on_learner(context: HandlerContext, event: Registered | LearnerProfileChanged) -> None:
    changed_at = event.registered_at if isinstance(event, Registered) else event.changed_at
    existing = context.session.get(LearnerProfile, event.learner_id)
    # Topics keep one learner's events in order, but a replay after a re-drive may not.
    if existing is not None and existing.changed_at > changed_at:
        return
    context.session.merge(LearnerProfile(
        learner_id=event.learner_id, name=event.name, masked_id_number=event.masked_id_number,
        grade=str(event.grade), employing_unit=event.employing_unit, changed_at=changed_at,
    ))


def on_course_published(context: HandlerContext, event: CoursePublished) -> None:
    context.session.merge(CourseTitle(course_id=event.course_id, code=event.code, title=event.title))


def build_handlers(application: Credential) -> Mapping[type[IntegrationEvent], Handler]:
    def on_class_opened(context: HandlerContext, event: ClassOpened) -> None:
        requirement = event.requirement
        application.fix_requirement(
            event.class_id, event.learner_id, event.training_year, str(event.grade),
            {"political": requirement.political, "general": requirement.general,
             "job_skills": requirement.job_skills, "total": requirement.total},
        )

    def on_quiz_passed(context: HandlerContext, event: QuizPassed) -> None:
        application.credit_course(
            event.class_id, event.learner_id, event.training_year, event.course_id,
            str(event.category), event.credit_hours, event.passed_at,
        )

    return {
        Registered: on_learner,
        LearnerProfileChanged: on_learner,
        CoursePublished: on_course_published,
        ClassOpened: on_class_opened,
        QuizPassed: on_quiz_passed,
    }
