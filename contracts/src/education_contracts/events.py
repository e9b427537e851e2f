"""The integration events, one class per event type and major version.

Every field carries a description: it is copied into the JSON Schema and the
AsyncAPI document that downstream teams read. No event carries a full ID
number, a phone number or any password or code material.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from education_contracts.base import (
    Category,
    DateWindow,
    EventMeta,
    Grade,
    HourRequirement,
    IntegrationEvent,
)
from education_contracts.topics import Topics

MaskedIdNumber = Field(
    pattern=r"^[0-9]{3}\*{11}[0-9]{3}[0-9X]$",
    description="ID number with all but the first 3 and last 4 characters masked.",
)


# --- identity -------------------------------------------------------------


class Registered(IntegrationEvent):
    """A person on a regional roster activated their learner account."""

    meta = EventMeta(
        event_type="gqjy.identity.learner.registered.v1",
        topic=Topics.LEARNERS,
        source_service="identity",
    )

    learner_id: UUID = Field(description="Opaque learner id used by every service.")
    name: str = Field(min_length=1, max_length=50, description="Full name (姓名).")
    masked_id_number: str = MaskedIdNumber
    gender: Literal["male", "female"] = Field(description="Derived from the ID number.")
    birth_year: int = Field(ge=1900, le=2100, description="Derived from the ID number.")
    grade: Grade = Field(description="Technical grade (技术等级).")
    employing_unit: str = Field(description="Employing unit name (工作单位).")
    employing_unit_credit_code: str = Field(
        description="Unified social credit code of the employing unit (统一社会信用代码)."
    )
    region_office_id: str = Field(description="Id of the regional exam office keeping the roster.")
    registered_at: datetime = Field(description="When the account was activated (UTC).")


class LearnerProfileChanged(IntegrationEvent):
    """A regional office corrected a learner's data or marked them as left.

    Carries the whole profile after the change, so a consumer can replace its
    copy without earlier events.
    """

    meta = EventMeta(
        event_type="gqjy.identity.learner.profile_changed.v1",
        topic=Topics.LEARNERS,
        source_service="identity",
    )

    learner_id: UUID = Field(description="Opaque learner id.")
    name: str = Field(min_length=1, max_length=50, description="Full name (姓名).")
    masked_id_number: str = MaskedIdNumber
    gender: Literal["male", "female"] = Field(description="Derived from the ID number.")
    birth_year: int = Field(ge=1900, le=2100, description="Derived from the ID number.")
    grade: Grade = Field(description="Technical grade (技术等级).")
    employing_unit: str = Field(description="Employing unit name (工作单位).")
    employing_unit_credit_code: str = Field(
        description="Unified social credit code of the employing unit."
    )
    region_office_id: str = Field(description="Id of the regional exam office.")
    status: Literal["active", "left"] = Field(description="'left' once the person left the post.")
    changed_at: datetime = Field(description="When the office saved the change (UTC).")


# --- enrollment -----------------------------------------------------------


class OrderPlaced(IntegrationEvent):
    """A learner submitted an enrollment order for one training year."""

    meta = EventMeta(
        event_type="gqjy.enrollment.order.placed.v1",
        topic=Topics.ORDERS,
        source_service="enrollment",
    )

    order_id: UUID = Field(description="Order id.")
    order_number: str = Field(description="Human-readable order number shown to the learner.")
    learner_id: UUID = Field(description="Opaque learner id.")
    class_id: UUID = Field(description="The class (one per learner and year) the order pays for.")
    training_year: int = Field(ge=2000, le=2100, description="Training year the order is for.")
    is_make_up: bool = Field(description="True for an earlier year's make-up (往年补学).")
    amount_fen: int = Field(gt=0, description="Fee in fen (0.01 CNY).")
    invoice_title: str = Field(description="Invoice title (发票抬头): the employing unit.")
    invoice_credit_code: str = Field(description="Unified social credit code on the invoice.")
    invoice_email: str = Field(description="Address the e-invoice is sent to.")
    placed_at: datetime = Field(description="When the order was submitted (UTC).")
    expires_at: datetime = Field(description="Unpaid orders expire at this time (UTC).")


class OrderCancelled(IntegrationEvent):
    """An unpaid order was cancelled by the learner or expired."""

    meta = EventMeta(
        event_type="gqjy.enrollment.order.cancelled.v1",
        topic=Topics.ORDERS,
        source_service="enrollment",
    )

    order_id: UUID = Field(description="Order id.")
    learner_id: UUID = Field(description="Opaque learner id.")
    reason: Literal["cancelled_by_learner", "expired"] = Field(description="Why it ended.")
    cancelled_at: datetime = Field(description="When it was cancelled (UTC).")


class ClassOpened(IntegrationEvent):
    """A paid order opened the learner's class for a training year."""

    meta = EventMeta(
        event_type="gqjy.enrollment.class.opened.v1",
        topic=Topics.CLASSES,
        source_service="enrollment",
    )

    class_id: UUID = Field(description="Class id (one per learner and training year).")
    learner_id: UUID = Field(description="Opaque learner id.")
    order_id: UUID = Field(description="The paid order that opened the class.")
    training_year: int = Field(ge=2000, le=2100, description="Training year of the class.")
    grade: Grade = Field(description="Learner's grade when the class opened.")
    requirement: HourRequirement = Field(description="Hours required, fixed at opening.")
    learning_window: DateWindow = Field(
        description="Days on which learning and course tests count for this class."
    )
    opened_at: datetime = Field(description="When the class opened (UTC).")


class SelectedCourse(BaseModel):
    """One course in a confirmed selection."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    course_id: UUID = Field(description="Course id from the catalog.")
    category: Category = Field(description="Course category.")
    credit_hours: int = Field(gt=0, description="Credit hours the course is worth.")


class CoursesSelected(IntegrationEvent):
    """A learner confirmed a round of course selection in their class."""

    meta = EventMeta(
        event_type="gqjy.enrollment.class.courses_selected.v1",
        topic=Topics.CLASSES,
        source_service="enrollment",
    )

    class_id: UUID = Field(description="Class id.")
    learner_id: UUID = Field(description="Opaque learner id.")
    training_year: int = Field(ge=2000, le=2100, description="Training year of the class.")
    courses: list[SelectedCourse] = Field(
        min_length=1, description="Courses added in this round (earlier rounds are not repeated)."
    )
    selected_at: datetime = Field(description="When the round was confirmed (UTC).")


# --- payment --------------------------------------------------------------


class OrderPaid(IntegrationEvent):
    """The bank confirmed payment of an order; the first payment of an order only."""

    meta = EventMeta(
        event_type="gqjy.payment.order.paid.v1",
        topic=Topics.PAYMENTS,
        source_service="payment",
    )

    order_id: UUID = Field(description="The paid order.")
    learner_id: UUID = Field(description="Opaque learner id.")
    payment_id: UUID = Field(description="Payment id in the payment service.")
    training_year: int = Field(ge=2000, le=2100, description="Training year of the order.")
    amount_fen: int = Field(gt=0, description="Amount paid in fen.")
    channel: str = Field(description="Payment method chosen by the learner, e.g. 'unionpay'.")
    paid_at: datetime = Field(description="Time of payment reported by the bank (UTC).")


class InvoiceIssued(IntegrationEvent):
    """An e-invoice was issued for a paid order."""

    meta = EventMeta(
        event_type="gqjy.payment.invoice.issued.v1",
        topic=Topics.PAYMENTS,
        source_service="payment",
    )

    invoice_id: UUID = Field(description="Invoice id.")
    invoice_number: str = Field(description="Invoice number printed on the e-invoice.")
    order_id: UUID = Field(description="The invoiced order.")
    learner_id: UUID = Field(description="Opaque learner id.")
    amount_fen: int = Field(gt=0, description="Invoiced amount in fen.")
    issued_at: datetime = Field(description="When the invoice was issued (UTC).")
    downloadable_from: date = Field(description="First day the learner may download it.")
    downloadable_until: date = Field(description="Last day the learner may download it.")


class RefundFlagged(IntegrationEvent):
    """A payment arrived for an order that was already paid; it must be refunded."""

    meta = EventMeta(
        event_type="gqjy.payment.refund.flagged.v1",
        topic=Topics.PAYMENTS,
        source_service="payment",
    )

    payment_id: UUID = Field(description="The surplus payment.")
    order_id: UUID = Field(description="The order it was made for.")
    learner_id: UUID = Field(description="Opaque learner id.")
    amount_fen: int = Field(gt=0, description="Amount to refund in fen.")
    reason: Literal["order_already_paid"] = Field(description="Why a refund is due.")
    flagged_at: datetime = Field(description="When the surplus was detected (UTC).")


# --- learning -------------------------------------------------------------


class CoursePublished(IntegrationEvent):
    """A course entered the catalog or changed; carries the whole course summary."""

    meta = EventMeta(
        event_type="gqjy.learning.course.published.v1",
        topic=Topics.CATALOG,
        source_service="learning",
        partition_key="course_id",
    )

    course_id: UUID = Field(description="Course id.")
    code: str = Field(description="Operator's course code, unique in the catalog.")
    title: str = Field(description="Course title.")
    category: Category = Field(description="Course category.")
    credit_hours: int = Field(gt=0, description="Credit hours a passed course is worth.")
    provider_id: str = Field(description="Course provider id.")
    provider_name: str = Field(description="Course provider name.")
    chapter_count: int = Field(ge=1, description="Number of chapters (videos).")
    total_duration_seconds: int = Field(gt=0, description="Sum of the chapters' video lengths.")
    published_at: datetime = Field(description="When this version was published (UTC).")


class CourseWithdrawn(IntegrationEvent):
    """A course left the catalog; classes that selected it keep it."""

    meta = EventMeta(
        event_type="gqjy.learning.course.withdrawn.v1",
        topic=Topics.CATALOG,
        source_service="learning",
        partition_key="course_id",
    )

    course_id: UUID = Field(description="Course id.")
    withdrawn_at: datetime = Field(description="When it was withdrawn (UTC).")


class CourseCompleted(IntegrationEvent):
    """A learner watched every chapter of a selected course to 100%."""

    meta = EventMeta(
        event_type="gqjy.learning.course.completed.v1",
        topic=Topics.PROGRESS,
        source_service="learning",
    )

    learner_id: UUID = Field(description="Opaque learner id.")
    class_id: UUID = Field(description="The class in which the course was selected.")
    course_id: UUID = Field(description="Completed course.")
    training_year: int = Field(ge=2000, le=2100, description="Training year of the class.")
    category: Category = Field(description="Course category.")
    credit_hours: int = Field(gt=0, description="Credit hours of the course.")
    completed_at: datetime = Field(description="When progress reached 100% (UTC).")


# --- assessment -----------------------------------------------------------


class QuizPassed(IntegrationEvent):
    """A learner passed a course test (score of 60 or more); published once per course."""

    meta = EventMeta(
        event_type="gqjy.assessment.quiz.passed.v1",
        topic=Topics.QUIZZES,
        source_service="assessment",
    )

    learner_id: UUID = Field(description="Opaque learner id.")
    class_id: UUID = Field(description="The class the course belongs to.")
    course_id: UUID = Field(description="Passed course.")
    training_year: int = Field(ge=2000, le=2100, description="Training year of the class.")
    category: Category = Field(description="Course category the hours count for.")
    credit_hours: int = Field(gt=0, description="Credit hours credited by the pass.")
    attempt_id: UUID = Field(description="The passing attempt.")
    score: int = Field(ge=60, le=100, description="Score of the passing attempt.")
    passed_at: datetime = Field(description="When the attempt was handed in (UTC).")


# --- credential -----------------------------------------------------------


class CertificateIssued(IntegrationEvent):
    """A class met every category's minimum and its training certificate was issued."""

    meta = EventMeta(
        event_type="gqjy.credential.certificate.issued.v1",
        topic=Topics.CERTIFICATES,
        source_service="credential",
    )

    certificate_id: UUID = Field(description="Certificate id.")
    certificate_number: str = Field(description="Certificate number printed on it.")
    learner_id: UUID = Field(description="Opaque learner id.")
    class_id: UUID = Field(description="The qualified class.")
    training_year: int = Field(ge=2000, le=2100, description="Training year.")
    political_hours: int = Field(ge=0, description="思政 hours credited.")
    general_hours: int = Field(ge=0, description="通识 hours credited.")
    job_skills_hours: int = Field(ge=0, description="岗位技能提升 hours credited.")
    issued_at: datetime = Field(description="When it was issued (UTC).")


class CertificateRevoked(IntegrationEvent):
    """The province operator revoked a certificate."""

    meta = EventMeta(
        event_type="gqjy.credential.certificate.revoked.v1",
        topic=Topics.CERTIFICATES,
        source_service="credential",
    )

    certificate_id: UUID = Field(description="Certificate id.")
    certificate_number: str = Field(description="Certificate number.")
    learner_id: UUID = Field(description="Opaque learner id.")
    class_id: UUID = Field(description="The class it was issued for.")
    reason: str = Field(min_length=1, description="Operator's reason, shown on verification.")
    revoked_at: datetime = Field(description="When it was revoked (UTC).")


ALL_EVENTS: tuple[type[IntegrationEvent], ...] = (
    Registered,
    LearnerProfileChanged,
    OrderPlaced,
    OrderCancelled,
    ClassOpened,
    CoursesSelected,
    OrderPaid,
    InvoiceIssued,
    RefundFlagged,
    CoursePublished,
    CourseWithdrawn,
    CourseCompleted,
    QuizPassed,
    CertificateIssued,
    CertificateRevoked,
)
