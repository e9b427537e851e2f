"""Completion report: per employing unit, how many learners registered, enrolled, paid and qualified.

Every figure comes from this service's read model. Learners are attributed
to the employing unit and regional office of their current profile copy
(from Registered and LearnerProfileChanged), so a learner who moved to
another unit counts for the new one in every year.
"""

from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, Integer, and_, case, func, select
from sqlalchemy.orm import Session

from enrollment_service.domain.classes import ClassStatus
from enrollment_service.domain.orders import OrderStatus
from enrollment_service.readmodels.tables import ClassRow, CreditedCourseRow, LearnerRow, OrderRow

# Class states of a learner who submitted an order for the year: an unpaid
# order that has not expired yet, or a paid one.
ENROLLED_STATES = (ClassStatus.PENDING_PAYMENT, ClassStatus.LEARNING, ClassStatus.QUALIFIED)


@dataclass(frozen=True)
class UnitCompletion:
    """One line of the report: the counts of one employing unit."""

    employing_unit: str
    credit_code: str
    registered: int
    enrolled: int
    paid: int
    hours: int
    qualified: int

    def to_dict(self) -> dict[str, str | int]:
        return asdict(self)


COUNT_FIELDS = ("registered", "enrolled", "paid", "hours", "qualified")


def completion_by_unit(session: Session, training_year: int, office_id: str | None) -> list[UnitCompletion]:
    """Count one training year by employing unit, for one office or (``None``) the province.

    Units appear when they have an active registered learner or any activity
    in the year. Rows are sorted by unit name, then credit code.
    """
    paid_learners = (
        select(OrderRow.learner_id)
        .where(OrderRow.training_year == training_year, OrderRow.status == OrderStatus.PAID)
        .distinct()
        .subquery()
    )
    credited_hours = (
        select(CreditedCourseRow.learner_id, func.sum(CreditedCourseRow.credit_hours).label("hours"))
        .where(CreditedCourseRow.training_year == training_year)
        .group_by(CreditedCourseRow.learner_id)
        .subquery()
    )
    query = (
        select(
            LearnerRow.employing_unit,
            LearnerRow.employing_unit_credit_code,
            _count_where(LearnerRow.status == "active").label("registered"),
            _count_where(ClassRow.status.in_(ENROLLED_STATES)).label("enrolled"),
            _count_where(paid_learners.c.learner_id.is_not(None)).label("paid"),
            func.coalesce(func.sum(credited_hours.c.hours), 0).label("hours"),
            _count_where(ClassRow.status == ClassStatus.QUALIFIED).label("qualified"),
        )
        .select_from(LearnerRow)
        # One class per learner and year, so each join adds at most one row per learner.
        .outerjoin(ClassRow, and_(ClassRow.learner_id == LearnerRow.learner_id,
                                  ClassRow.training_year == training_year))
        .outerjoin(paid_learners, paid_learners.c.learner_id == LearnerRow.learner_id)
        .outerjoin(credited_hours, credited_hours.c.learner_id == LearnerRow.learner_id)
        .group_by(LearnerRow.employing_unit, LearnerRow.employing_unit_credit_code)
    )
    if office_id is not None:
        query = query.where(LearnerRow.region_office_id == office_id)

    rows = [
        UnitCompletion(row.employing_unit, row.employing_unit_credit_code, int(row.registered),
                       int(row.enrolled), int(row.paid), int(row.hours), int(row.qualified))
        for row in session.execute(query)
    ]
    # Sorted here rather than in SQL so the order does not depend on the database's collation.
    rows = [row for row in rows if any(getattr(row, name) for name in COUNT_FIELDS)]
    return sorted(rows, key=lambda row: (row.employing_unit, row.credit_code))


def totals(rows: list[UnitCompletion]) -> dict[str, int]:
    return {name: sum(getattr(row, name) for row in rows) for name in COUNT_FIELDS}


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """Count the joined rows that meet ``condition`` (portable form of COUNT ... FILTER)."""
    return func.sum(case((condition, 1), else_=0), type_=Integer)
