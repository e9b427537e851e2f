"""Read-model queries used by the API, the application and the jobs."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from enrollment_service.domain.orders import OrderStatus
from enrollment_service.readmodels.tables import (
    CalendarRow,
    CatalogCourseRow,
    ClassCourseRow,
    ClassRow,
    LearnerRow,
    OrderRow,
)


def calendars(session: Session) -> list[CalendarRow]:
    return list(session.scalars(select(CalendarRow).order_by(CalendarRow.training_year)))


def learner(session: Session, learner_id: UUID) -> LearnerRow | None:
    return session.get(LearnerRow, learner_id)


def available_course(session: Session, course_id: UUID) -> CatalogCourseRow | None:
    """Return the catalog course unless it is unknown or withdrawn."""
    row = session.get(CatalogCourseRow, course_id)
    if row is None or row.withdrawn:
        return None
    return row


def courses_in_category(session: Session, category: str) -> list[CatalogCourseRow]:
    query = (
        select(CatalogCourseRow)
        .where(CatalogCourseRow.category == category, CatalogCourseRow.withdrawn.is_(False))
        .order_by(CatalogCourseRow.provider_name, CatalogCourseRow.code)
    )
    return list(session.scalars(query))


def orders_of(session: Session, learner_id: UUID) -> list[OrderRow]:
    query = select(OrderRow).where(OrderRow.learner_id == learner_id).order_by(OrderRow.placed_at.desc())
    return list(session.scalars(query))


def order(session: Session, order_id: UUID) -> OrderRow | None:
    return session.get(OrderRow, order_id)


def classes_of(session: Session, learner_id: UUID) -> list[ClassRow]:
    """Return the learner's classes that have an open order or were opened, newest year first."""
    query = (
        select(ClassRow)
        .where(ClassRow.learner_id == learner_id, ClassRow.status != "not_enrolled")
        .order_by(ClassRow.training_year.desc())
    )
    return list(session.scalars(query))


def training_class(session: Session, class_id: UUID) -> ClassRow | None:
    return session.get(ClassRow, class_id)


def class_courses(session: Session, class_id: UUID) -> list[ClassCourseRow]:
    query = (
        select(ClassCourseRow)
        .where(ClassCourseRow.class_id == class_id)
        .order_by(ClassCourseRow.category, ClassCourseRow.added_at)
    )
    return list(session.scalars(query))


def overdue_order_ids(session: Session, now: datetime, limit: int = 500) -> list[UUID]:
    """Return unpaid orders whose expiry time has passed."""
    query = (
        select(OrderRow.order_id)
        .where(OrderRow.status == OrderStatus.PENDING, OrderRow.expires_at <= now)
        .limit(limit)
    )
    return list(session.scalars(query))


def paid_orders_awaiting_opening(
    session: Session, learner_id: UUID | None = None, limit: int = 500
) -> list[tuple[UUID, str]]:
    """Return (order id, grade) of paid orders whose class is not open but whose learner is known."""
    query = (
        select(OrderRow.order_id, LearnerRow.grade)
        .join(ClassRow, ClassRow.class_id == OrderRow.class_id)
        .join(LearnerRow, LearnerRow.learner_id == OrderRow.learner_id)
        .where(OrderRow.status == OrderStatus.PAID, ClassRow.opened_by_order_id.is_(None))
        .limit(limit)
    )
    if learner_id is not None:
        query = query.where(OrderRow.learner_id == learner_id)
    return [(row.order_id, row.grade) for row in session.execute(query)]
