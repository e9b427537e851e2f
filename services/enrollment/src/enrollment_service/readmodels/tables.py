"""Tables of the enrollment read model.

``calendars``, ``orders``, ``classes`` and ``class_courses`` are projected
from this service's own events. ``learners``, ``catalog_courses`` and
``credited_courses`` are copies of other services' data, filled by the
consumed-event handlers.
"""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ReadModel(DeclarativeBase):
    pass


class CalendarRow(ReadModel):
    __tablename__ = "calendars"

    training_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(50))
    is_demo: Mapped[bool] = mapped_column(Boolean)
    enrollment_starts_on: Mapped[date] = mapped_column(Date)
    enrollment_ends_on: Mapped[date] = mapped_column(Date)
    learning_starts_on: Mapped[date] = mapped_column(Date)
    learning_ends_on: Mapped[date] = mapped_column(Date)
    make_up_starts_on: Mapped[date] = mapped_column(Date)
    make_up_ends_on: Mapped[date] = mapped_column(Date)
    invoice_delay_days: Mapped[int] = mapped_column(Integer)
    fee_fen: Mapped[int] = mapped_column(Integer)


class OrderRow(ReadModel):
    __tablename__ = "orders"

    order_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    order_number: Mapped[str] = mapped_column(String(40), unique=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    class_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    training_year: Mapped[int] = mapped_column(Integer)
    is_make_up: Mapped[bool] = mapped_column(Boolean)
    amount_fen: Mapped[int] = mapped_column(Integer)
    invoice_title: Mapped[str] = mapped_column(String(100))
    invoice_credit_code: Mapped[str] = mapped_column(String(18))
    invoice_email: Mapped[str] = mapped_column(String(254))
    credit_code_check_failed: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20), index=True)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payment_id: Mapped[UUID | None] = mapped_column(Uuid)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ClassRow(ReadModel):
    __tablename__ = "classes"

    class_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    training_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    open_order_id: Mapped[UUID | None] = mapped_column(Uuid)
    opened_by_order_id: Mapped[UUID | None] = mapped_column(Uuid)
    is_make_up: Mapped[bool] = mapped_column(Boolean, default=False)
    grade: Mapped[str | None] = mapped_column(String(20))
    required_political: Mapped[int | None] = mapped_column(Integer)
    required_general: Mapped[int | None] = mapped_column(Integer)
    required_job_skills: Mapped[int | None] = mapped_column(Integer)
    required_total: Mapped[int | None] = mapped_column(Integer)
    learning_starts_on: Mapped[date | None] = mapped_column(Date)
    learning_ends_on: Mapped[date | None] = mapped_column(Date)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    qualified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    certificate_id: Mapped[UUID | None] = mapped_column(Uuid)


class ClassCourseRow(ReadModel):
    __tablename__ = "class_courses"

    class_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    category: Mapped[str] = mapped_column(String(20))
    credit_hours: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    provider_name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LearnerRow(ReadModel):
    """Copy of a learner's grade, status and invoice defaults."""

    __tablename__ = "learners"

    learner_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    grade: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    employing_unit: Mapped[str] = mapped_column(String(200))
    employing_unit_credit_code: Mapped[str] = mapped_column(String(18))
    region_office_id: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CatalogCourseRow(ReadModel):
    __tablename__ = "catalog_courses"

    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), index=True)
    credit_hours: Mapped[int] = mapped_column(Integer)
    provider_id: Mapped[str] = mapped_column(String(64))
    provider_name: Mapped[str] = mapped_column(String(200))
    chapter_count: Mapped[int] = mapped_column(Integer)
    total_duration_seconds: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CreditedCourseRow(ReadModel):
    """A course whose test the learner passed, credited once per class (from QuizPassed)."""

    __tablename__ = "credited_courses"
    __table_args__ = (Index("ix_credited_courses_year_learner", "training_year", "learner_id"),)

    class_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid)
    training_year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    credit_hours: Mapped[int] = mapped_column(Integer)
    passed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
