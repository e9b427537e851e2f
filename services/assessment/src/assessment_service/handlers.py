"""Handlers of consumed integration events: catalog, classes and completions."""

import logging
from collections.abc import Mapping

from education_contracts import ClassOpened, CourseCompleted, CoursePublished, IntegrationEvent
from eventplatform.consumer import Handler, HandlerContext

from assessment_service.application import Assessment
from assessment_service.demobank import demo_questions
from assessment_service.readmodels import CatalogCourse, Completion, LearningWindow
from assessment_service.settings import AssessmentSettings

logger = logging.getLogger(__name__)


def on_class_opened(context: HandlerContext, event: ClassOpened) -> None:
    context.session.merge(
        LearningWindow(
            class_id=event.class_id,
            learner_id=event.learner_id,
            training_year=event.training_year,
            starts_on=event.learning_window.starts_on,
            ends_on=event.learning_window.ends_on,
        )
    )


def on_course_completed(context: HandlerContext, event: CourseCompleted) -> None:
    context.session.merge(
        Completion(
            learner_id=event.learner_id,
            course_id=event.course_id,
            class_id=event.class_id,
            training_year=event.training_year,
            category=str(event.category),
            credit_hours=event.credit_hours,
            completed_at=event.completed_at,
        )
    )


def build_handlers(
    application: Assessment, settings: AssessmentSettings
) -> Mapping[type[IntegrationEvent], Handler]:
    def on_course_published(context: HandlerContext, event: CoursePublished) -> None:
        context.session.merge(
            CatalogCourse(
                course_id=event.course_id,
                code=event.code,
                title=event.title,
                category=str(event.category),
                credit_hours=event.credit_hours,
                published_at=event.published_at,
            )
        )
        if settings.demo_banks and not context.replaying:
            questions = demo_questions(
                event.course_id, event.title, str(event.category), settings.demo_bank_size
            )
            if application.ensure_bank(event.course_id, questions):
                logger.info("demo bank created for course %s", event.course_id)

    return {
        CoursePublished: on_course_published,
        ClassOpened: on_class_opened,
        CourseCompleted: on_course_completed,
    }
