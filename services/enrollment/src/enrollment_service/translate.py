"""Map recorded domain events to the integration events other services consume."""

from typing import Any

from education_contracts import IntegrationEvent
from education_contracts.base import DateWindow, Grade, HourRequirement
from education_contracts.events import (
    ClassOpened,
    CoursesSelected,
    OrderCancelled,
    OrderPlaced,
    SelectedCourse,
)

from enrollment_service.domain import Order, TrainingClass


def translate(domain_event: Any) -> list[IntegrationEvent]:
    """Return the integration events of one domain event ([] for internal ones)."""
    translator = _TRANSLATORS.get(type(domain_event))
    return [translator(domain_event)] if translator is not None else []


def _order_placed(domain_event: Any) -> IntegrationEvent:
    invoice = domain_event.invoice
    return OrderPlaced(
        order_id=domain_event.order_id,
        order_number=domain_event.order_number,
        learner_id=domain_event.learner_id,
        class_id=domain_event.class_id,
        training_year=domain_event.training_year,
        is_make_up=domain_event.is_make_up,
        amount_fen=domain_event.amount_fen,
        invoice_title=invoice["title"],
        invoice_credit_code=invoice["credit_code"],
        invoice_email=invoice["email"],
        placed_at=domain_event.placed_at,
        expires_at=domain_event.expires_at,
    )


def _order_cancelled(domain_event: Any) -> IntegrationEvent:
    return OrderCancelled(
        order_id=domain_event.originator_id,
        learner_id=domain_event.learner_id,
        reason=domain_event.reason,
        cancelled_at=domain_event.cancelled_at,
    )


def _class_opened(domain_event: Any) -> IntegrationEvent:
    return ClassOpened(
        class_id=domain_event.originator_id,
        learner_id=domain_event.learner_id,
        order_id=domain_event.order_id,
        training_year=domain_event.training_year,
        grade=Grade(domain_event.grade),
        requirement=HourRequirement(**domain_event.requirement),
        learning_window=DateWindow(**domain_event.learning_window),
        opened_at=domain_event.opened_at,
    )


def _courses_selected(domain_event: Any) -> IntegrationEvent:
    courses = [
        SelectedCourse(
            course_id=course["course_id"],
            category=course["category"],
            credit_hours=course["credit_hours"],
        )
        for course in domain_event.courses
    ]
    return CoursesSelected(
        class_id=domain_event.originator_id,
        learner_id=domain_event.learner_id,
        training_year=domain_event.training_year,
        courses=courses,
        selected_at=domain_event.confirmed_at,
    )


_TRANSLATORS = {
    Order.Placed: _order_placed,
    Order.Cancelled: _order_cancelled,
    TrainingClass.Opened: _class_opened,
    TrainingClass.SelectionConfirmed: _courses_selected,
}
