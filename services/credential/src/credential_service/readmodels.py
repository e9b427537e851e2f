"""Read models: learner profiles and course titles from consumed events, ledgers and
certificates projected from this service's own events."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, DateTime, Integer, String, Uuid, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from credential_service.domain import (
    CertificateIssued,
    CertificateRevoked,
    CourseCredited,
    LedgerStarted,
    RequirementFixed,
)


class ReadModel(DeclarativeBase):
    pass


class LearnerProfile(ReadModel):
    """The latest profile from Registered or LearnerProfileChanged (masked ID only)."""

    __tablename__ = "learner_profiles"

    learner_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    masked_id_number: Mapped[str] = mapped_column(String(18))
    grade: Mapped[str] = mapped_column(String(30))
    employing_unit: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CourseTitle(ReadModel):
    """A catalog course's code and title (CoursePublished), printed on certificates."""

    __tablename__ = "course_titles"

    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))


class LedgerRow(ReadModel):
    """One class's ledger and, once issued, its certificate (same id)."""

    __tablename__ = "ledgers"

    ledger_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    class_id: Mapped[UUID] = mapped_column(Uuid, unique=True)
    learner_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    training_year: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(30), nullable=True)
    required_political: Mapped[int | None] = mapped_column(Integer, nullable=True)
    required_general: Mapped[int | None] = mapped_column(Integer, nullable=True)
    required_job_skills: Mapped[int | None] = mapped_column(Integer, nullable=True)
    certificate_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    verification_code: Mapped[str | None] = mapped_column(String(32), nullable=True, unique=True)
    political_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    general_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    job_skills_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class CreditedCourse(ReadModel):
    """A passed course credited to a ledger."""

    __tablename__ = "credited_courses"

    ledger_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    category: Mapped[str] = mapped_column(String(20))
    credit_hours: Mapped[int] = mapped_column(Integer)
    passed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # False for a course credited after the certificate was issued: the printed
    # record lists exactly the courses behind the certified hours.
    on_certificate: Mapped[bool] = mapped_column(Boolean)


def project(session: Session, domain_event: Any) -> None:
    """Keep ledgers, certificates and credited courses in step with the ledger events."""
    ledger_id = domain_event.originator_id
    if isinstance(domain_event, LedgerStarted):
        session.merge(LedgerRow(
            ledger_id=ledger_id, class_id=domain_event.class_id,
            learner_id=domain_event.learner_id, training_year=domain_event.training_year,
        ))
        return
    if isinstance(domain_event, CourseCredited):
        ledger = session.get(LedgerRow, ledger_id)
        session.merge(CreditedCourse(
            ledger_id=ledger_id, course_id=domain_event.course_id, category=domain_event.category,
            credit_hours=domain_event.credit_hours, passed_at=domain_event.passed_at,
            on_certificate=ledger is None or ledger.issued_at is None,
        ))
        return
    row = session.get(LedgerRow, ledger_id)
    if row is None:
        return
    if isinstance(domain_event, RequirementFixed):
        row.grade = domain_event.grade
        row.required_political = domain_event.requirement["political"]
        row.required_general = domain_event.requirement["general"]
        row.required_job_skills = domain_event.requirement["job_skills"]
    elif isinstance(domain_event, CertificateIssued):
        row.certificate_number = domain_event.certificate_number
        row.verification_code = domain_event.verification_code
        row.political_hours = domain_event.political_hours
        row.general_hours = domain_event.general_hours
        row.job_skills_hours = domain_event.job_skills_hours
        row.issued_at = domain_event.issued_at
    elif isinstance(domain_event, CertificateRevoked):
        row.revoked_at = domain_event.revoked_at
        row.revocation_reason = domain_event.reason


def certificates_of(session: Session, learner_id: UUID) -> list[LedgerRow]:
    query = (
        select(LedgerRow)
        .where(LedgerRow.learner_id == learner_id, LedgerRow.issued_at.is_not(None))
        .order_by(LedgerRow.training_year.desc())
    )
    return list(session.scalars(query))


def certificate_by_code(session: Session, code: str) -> LedgerRow | None:
    return session.scalars(select(LedgerRow).where(LedgerRow.verification_code == code)).first()


def certified_courses(session: Session, ledger_id: UUID) -> list[tuple[CreditedCourse, CourseTitle | None]]:
    query = (
        select(CreditedCourse, CourseTitle)
        .outerjoin(CourseTitle, CourseTitle.course_id == CreditedCourse.course_id)
        .where(CreditedCourse.ledger_id == ledger_id, CreditedCourse.on_certificate.is_(True))
        .order_by(CreditedCourse.category, CreditedCourse.passed_at)
    )
    return [(course, title) for course, title in session.execute(query).all()]
