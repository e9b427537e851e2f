"""Handlers of consumed integration events: learners, payments, catalog, test passes, certificates."""

import logging
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

from education_contracts import IntegrationEvent
from education_contracts.events import (
    CertificateIssued,
    CoursePublished,
    CourseWithdrawn,
    LearnerProfileChanged,
    OrderPaid,
    QuizPassed,
    Registered,
)
from eventplatform.consumer import Handler, HandlerContext
from eventplatform.telemetry import platform_metrics
from sqlalchemy import select
from sqlalchemy.orm import Session

from enrollment_service.application import Enrollment
from enrollment_service.readmodels import queries
from enrollment_service.readmodels.tables import CatalogCourseRow, CreditedCourseRow, LearnerRow, OrderRow

logger = logging.getLogger(__name__)


# --- learners ---------------------------------------------------------------


def on_learner_event(
    app: Enrollment, context: HandlerContext, event: Registered | LearnerProfileChanged
) -> None:
    """Keep the learner's grade and status, then open classes paid before they registered."""
    changed_at = event.registered_at if isinstance(event, Registered) else event.changed_at
    status = event.status if isinstance(event, LearnerProfileChanged) else "active"
    _upsert_learner(context.session, event, status, changed_at)
    context.session.flush()
    open_waiting_classes(app, context.session, event.learner_id)


def _upsert_learner(
    session: Session, event: Registered | LearnerProfileChanged, status: str, changed_at: datetime
) -> None:
    row = session.get(LearnerRow, event.learner_id)
    if row is not None and row.changed_at > changed_at:
        return  # an older copy of the profile; the stored one is newer
    row = row or LearnerRow(learner_id=event.learner_id)
    row.grade = event.grade.value
    row.status = status
    row.employing_unit = event.employing_unit
    row.employing_unit_credit_code = event.employing_unit_credit_code
    row.region_office_id = event.region_office_id
    row.changed_at = changed_at
    session.add(row)


def open_waiting_classes(app: Enrollment, session: Session, learner_id: UUID | None = None) -> int:
    """Open the classes of paid orders whose learner's grade is now known; return how many."""
    opened = 0
    for order_id, grade in queries.paid_orders_awaiting_opening(session, learner_id):
        if app.open_class(order_id, grade):
            opened += 1
    return opened


# --- payments ---------------------------------------------------------------


def on_order_paid(app: Enrollment, context: HandlerContext, event: OrderPaid) -> None:
    """Record the payment and open the class with the requirement of the learner's grade.

    Payments and learners arrive on different topics, so OrderPaid can come
    before the learner's Registered. Raising DependencyNotReady would park
    the payment in the dead-letter topic after a few retries and need an
    operator's re-drive. Instead the payment is stored on the order at once,
    so nothing is lost. The class opens as soon as the grade is known,
    because the Registered handler and the periodic job of ``jobs.py`` both
    open every paid order that is still waiting.
    """
    app.record_payment(event.order_id, event.payment_id, event.amount_fen, event.paid_at)

    learner = queries.learner(context.session, event.learner_id)
    if learner is None:
        logger.info("order %s paid before learner %s registered; opening deferred",
                    event.order_id, event.learner_id)
        return
    app.open_class(event.order_id, learner.grade)


# --- test passes and certificates ---------------------------------------------


def on_quiz_passed(context: HandlerContext, event: QuizPassed) -> None:
    """Credit the passed course's hours to its class, once per class and course.

    The consumer skips a redelivered record by its event id; the primary key
    (class, course) also covers a pass that assessment published again under
    a new id. The row needs nothing else from this service, so it is stored
    even when the class or the learner has not arrived yet.
    """
    key = (event.class_id, event.course_id)
    if context.session.get(CreditedCourseRow, key) is not None:
        logger.info("course %s already credited to class %s; pass %s ignored",
                    event.course_id, event.class_id, event.attempt_id)
        return
    context.session.add(
        CreditedCourseRow(
            class_id=event.class_id,
            course_id=event.course_id,
            learner_id=event.learner_id,
            training_year=event.training_year,
            category=event.category.value,
            credit_hours=event.credit_hours,
            passed_at=event.passed_at,
        )
    )
    # Flush so a second pass of the same course later in this batch finds the row.
    context.session.flush()


def on_certificate_issued(app: Enrollment, context: HandlerContext, event: CertificateIssued) -> None:
    app.mark_qualified(event.class_id, event.certificate_id, event.issued_at)
    if not context.replaying:
        _record_pipeline_latency(context.session, event)


def _record_pipeline_latency(session: Session, event: CertificateIssued) -> None:
    """Record payment-to-certificate time: the learner pipeline's end-to-end latency."""
    paid_at = session.scalar(
        select(OrderRow.paid_at).where(OrderRow.class_id == event.class_id, OrderRow.paid_at.is_not(None))
    )
    if paid_at is None:
        return
    if paid_at.tzinfo is None:  # SQLite returns naive UTC datetimes
        paid_at = paid_at.replace(tzinfo=UTC)
    platform_metrics().business_histogram(
        "pipeline.latency", "s", "Time from payment to certificate."
    ).record((event.issued_at - paid_at).total_seconds())


# --- catalog ----------------------------------------------------------------


def on_course_published(context: HandlerContext, event: CoursePublished) -> None:
    row = context.session.get(CatalogCourseRow, event.course_id)
    if row is not None and row.changed_at > event.published_at:
        return  # a newer version is already stored
    row = row or CatalogCourseRow(course_id=event.course_id)
    row.code = event.code
    row.title = event.title
    row.category = event.category.value
    row.credit_hours = event.credit_hours
    row.provider_id = event.provider_id
    row.provider_name = event.provider_name
    row.chapter_count = event.chapter_count
    row.total_duration_seconds = event.total_duration_seconds
    row.withdrawn = False
    row.changed_at = event.published_at
    context.session.add(row)


def on_course_withdrawn(context: HandlerContext, event: CourseWithdrawn) -> None:
    row = context.session.get(CatalogCourseRow, event.course_id)
    if row is None:
        # Catalog events are keyed by course, so a withdrawal never overtakes
        # the course's publication; an unknown course has nothing to hide.
        logger.warning("withdrawal of unknown course %s ignored", event.course_id)
        return
    if row.changed_at <= event.withdrawn_at:
        row.withdrawn = True
        row.changed_at = event.withdrawn_at


def build_handlers(app: Enrollment) -> dict[type[IntegrationEvent], Handler]:
    return {
        Registered: partial(on_learner_event, app),
        LearnerProfileChanged: partial(on_learner_event, app),
        OrderPaid: partial(on_order_paid, app),
        QuizPassed: on_quiz_passed,
        CertificateIssued: partial(on_certificate_issued, app),
        CoursePublished: on_course_published,
        CourseWithdrawn: on_course_withdrawn,
    }
