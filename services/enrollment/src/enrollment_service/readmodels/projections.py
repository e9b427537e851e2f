"""Projection of this service's own domain events into the read-model tables.

Rows use only values carried by the events, so ``rebuild-read-models``
reproduces them exactly.
"""

from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from enrollment_service.domain import Order, TrainingClass, TrainingYear, YearCalendar
from enrollment_service.domain.classes import ClassStatus
from enrollment_service.domain.orders import OrderStatus
from enrollment_service.readmodels.tables import CalendarRow, ClassCourseRow, ClassRow, OrderRow


def project(session: Session, domain_event: Any) -> None:
    """Apply one recorded event to the read model (events of other types are ignored)."""
    handler = _PROJECTIONS.get(type(domain_event))
    if handler is not None:
        handler(session, domain_event)


# --- calendar ---------------------------------------------------------------


def _project_schedule(session: Session, domain_event: Any) -> None:
    calendar = YearCalendar.from_dict(domain_event.schedule)
    row = session.get(CalendarRow, calendar.training_year) or CalendarRow(
        training_year=calendar.training_year
    )
    row.label = calendar.label
    row.is_demo = calendar.is_demo
    row.enrollment_starts_on = calendar.enrollment_window.starts_on
    row.enrollment_ends_on = calendar.enrollment_window.ends_on
    row.learning_starts_on = calendar.learning_window.starts_on
    row.learning_ends_on = calendar.learning_window.ends_on
    row.make_up_starts_on = calendar.make_up_window.starts_on
    row.make_up_ends_on = calendar.make_up_window.ends_on
    row.invoice_delay_days = calendar.invoice_delay_days
    row.fee_fen = calendar.fee_fen
    session.add(row)


# --- orders -----------------------------------------------------------------


def _project_order_placed(session: Session, domain_event: Any) -> None:
    invoice = domain_event.invoice
    session.add(
        OrderRow(
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
            credit_code_check_failed=invoice["check_failed"],
            status=OrderStatus.PENDING,
            placed_at=domain_event.placed_at,
            expires_at=domain_event.expires_at,
        )
    )


def _project_order_cancelled(session: Session, domain_event: Any) -> None:
    row = session.get(OrderRow, domain_event.originator_id)
    if row is None:
        return
    row.status = OrderStatus.EXPIRED if domain_event.reason == "expired" else OrderStatus.CANCELLED
    row.cancelled_at = domain_event.cancelled_at


def _project_order_paid(session: Session, domain_event: Any) -> None:
    row = session.get(OrderRow, domain_event.originator_id)
    if row is None:
        return
    row.status = OrderStatus.PAID
    row.paid_at = domain_event.paid_at
    row.payment_id = domain_event.payment_id


# --- classes ----------------------------------------------------------------


def _project_class_created(session: Session, domain_event: Any) -> None:
    session.add(
        ClassRow(
            class_id=domain_event.originator_id,
            learner_id=domain_event.learner_id,
            training_year=domain_event.training_year,
            status=ClassStatus.NOT_ENROLLED,
            is_make_up=False,
        )
    )


def _class_row(session: Session, domain_event: Any) -> ClassRow | None:
    return session.get(ClassRow, domain_event.originator_id)


def _project_order_attached(session: Session, domain_event: Any) -> None:
    row = _class_row(session, domain_event)
    if row is not None and row.opened_by_order_id is None:
        row.open_order_id = domain_event.order_id
        row.status = ClassStatus.PENDING_PAYMENT


def _project_order_released(session: Session, domain_event: Any) -> None:
    row = _class_row(session, domain_event)
    if row is not None and row.opened_by_order_id is None:
        row.open_order_id = None
        row.status = ClassStatus.NOT_ENROLLED


def _project_class_opened(session: Session, domain_event: Any) -> None:
    row = _class_row(session, domain_event)
    if row is None:
        return
    requirement = domain_event.requirement
    window = domain_event.learning_window
    row.status = ClassStatus.LEARNING
    row.open_order_id = None
    row.opened_by_order_id = domain_event.order_id
    row.is_make_up = domain_event.is_make_up
    row.grade = domain_event.grade
    row.required_political = requirement["political"]
    row.required_general = requirement["general"]
    row.required_job_skills = requirement["job_skills"]
    row.required_total = requirement["total"]
    row.learning_starts_on = date.fromisoformat(window["starts_on"])
    row.learning_ends_on = date.fromisoformat(window["ends_on"])
    row.opened_at = domain_event.opened_at


def _project_course_added(session: Session, domain_event: Any) -> None:
    course = domain_event.course
    session.add(
        ClassCourseRow(
            class_id=domain_event.originator_id,
            course_id=course["course_id"],
            category=course["category"],
            credit_hours=course["credit_hours"],
            title=course["title"],
            provider_name=course["provider_name"],
            state="draft",
            added_at=domain_event.added_at,
        )
    )


def _project_course_removed(session: Session, domain_event: Any) -> None:
    session.execute(
        delete(ClassCourseRow).where(
            ClassCourseRow.class_id == domain_event.originator_id,
            ClassCourseRow.course_id == domain_event.course_id,
        )
    )


def _project_selection_confirmed(session: Session, domain_event: Any) -> None:
    for course in domain_event.courses:
        row = session.get(ClassCourseRow, (domain_event.originator_id, course["course_id"]))
        if row is not None:
            row.state = "confirmed"
            row.confirmed_at = domain_event.confirmed_at


def _project_qualified(session: Session, domain_event: Any) -> None:
    row = _class_row(session, domain_event)
    if row is not None:
        row.status = ClassStatus.QUALIFIED
        row.qualified_at = domain_event.qualified_at
        row.certificate_id = domain_event.certificate_id


_PROJECTIONS = {
    TrainingYear.Scheduled: _project_schedule,
    TrainingYear.Rescheduled: _project_schedule,
    Order.Placed: _project_order_placed,
    Order.Cancelled: _project_order_cancelled,
    Order.Paid: _project_order_paid,
    TrainingClass.Created: _project_class_created,
    TrainingClass.OrderAttached: _project_order_attached,
    TrainingClass.OrderReleased: _project_order_released,
    TrainingClass.Opened: _project_class_opened,
    TrainingClass.CourseAdded: _project_course_added,
    TrainingClass.CourseRemoved: _project_course_removed,
    TrainingClass.SelectionConfirmed: _project_selection_confirmed,
    TrainingClass.Qualified: _project_qualified,
}
