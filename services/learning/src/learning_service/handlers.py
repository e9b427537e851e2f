"""Handlers of consumed integration events: copies of classes and course selections.

Both events arrive on the classes topic keyed by learner, so they normally come
in order. Each handler still stores what it gets without waiting for the other.
The heartbeat check requires both rows.
"""

import logging
from collections.abc import Mapping

from education_contracts import ClassOpened, CoursesSelected, IntegrationEvent
from eventplatform.consumer import Handler, HandlerContext

from learning_service.readmodels import ClassRow, SelectedCourseRow

logger = logging.getLogger(__name__)


def on_class_opened(context: HandlerContext, event: ClassOpened) -> None:
    context.session.merge(ClassRow(
        class_id=event.class_id,
        learner_id=event.learner_id,
        training_year=event.training_year,
        window_starts_on=event.learning_window.starts_on,
        window_ends_on=event.learning_window.ends_on,
        opened_at=event.opened_at,
    ))
    logger.info("class %s opened for learner %s", event.class_id, event.learner_id)


def on_courses_selected(context: HandlerContext, event: CoursesSelected) -> None:
    for course in event.courses:
        existing = context.session.get(SelectedCourseRow, (event.class_id, course.course_id))
        if existing is not None:
            continue  # selected in an earlier round; keep the first selection time
        context.session.add(SelectedCourseRow(
            class_id=event.class_id,
            course_id=course.course_id,
            learner_id=event.learner_id,
            training_year=event.training_year,
            category=course.category.value,
            credit_hours=course.credit_hours,
            selected_at=event.selected_at,
        ))
        context.session.flush()  # makes a repeated course in the same round visible to get()
    logger.info("class %s: %d courses selected", event.class_id, len(event.courses))


def build_handlers() -> Mapping[type[IntegrationEvent], Handler]:
    return {ClassOpened: on_class_opened, CoursesSelected: on_courses_selected}
