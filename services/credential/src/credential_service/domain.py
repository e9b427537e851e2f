"""The hour ledger of a class and the certificate it earns.

A class qualifies when each category reaches its own minimum: hours above the
minimum in one category never count for another. The requirement is fixed by
ClassOpened; passes (QuizPassed) may arrive before it and are kept until it
does. The ledger issues at most one certificate, and a revoked certificate stays
revoked.
"""

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventplatform.errors import Conflict, DomainError, NotFound
from eventsourcing.domain import Aggregate, event

CATEGORIES = ("political", "general", "job_skills")

_NAMESPACE = uuid5(NAMESPACE_URL, "https://gqjy.example/credential")


class CertificateNotFound(NotFound):
    """No certificate with this id or verification code (for this caller)."""


class AlreadyRevoked(Conflict):
    """The certificate was revoked before."""


class InvalidReason(DomainError):
    """A revocation needs a non-empty reason."""


def meets_requirement(requirement: dict[str, int], hours: dict[str, int]) -> bool:
    """Check every category on its own: a surplus elsewhere never fills a gap."""
    return all(hours.get(category, 0) >= requirement[category] for category in CATEGORIES)


class HourLedger(Aggregate):
    """Credited courses of one class against its requirement; the certificate id is the ledger id."""

    @staticmethod
    def create_id(class_id: UUID) -> UUID:
        return uuid5(_NAMESPACE, f"ledger:{class_id}")

    @event("Started")
    def __init__(self, class_id: UUID, learner_id: UUID, training_year: int) -> None:
        self.class_id = class_id
        self.learner_id = learner_id
        self.training_year = training_year
        self.grade: str | None = None
        self.requirement: dict[str, int] | None = None
        self.courses: dict[str, dict[str, Any]] = {}
        self.certificate_number: str | None = None
        self.verification_code: str | None = None
        self.issued_at: datetime | None = None
        self.revoked_at: datetime | None = None

    # --- inputs ---------------------------------------------------------

    def fix_requirement(self, grade: str, requirement: dict[str, int]) -> None:
        """Record the requirement from ClassOpened; the first one wins, repeats change nothing."""
        if self.requirement is None:
            self._fix_requirement(grade=grade, requirement=requirement)

    @event("RequirementFixed")
    def _fix_requirement(self, grade: str, requirement: dict[str, int]) -> None:
        self.grade = grade
        self.requirement = requirement

    def credit_course(
        self, course_id: UUID, category: str, credit_hours: int, passed_at: datetime
    ) -> None:
        """Credit a passed course once; a repeated QuizPassed changes nothing."""
        if category not in CATEGORIES:
            raise DomainError(f"unknown category {category!r} for course {course_id}")
        if str(course_id) not in self.courses:
            self._credit(
                course_id=course_id, category=category, credit_hours=credit_hours, passed_at=passed_at
            )

    @event("CourseCredited")
    def _credit(self, course_id: UUID, category: str, credit_hours: int, passed_at: datetime) -> None:
        self.courses[str(course_id)] = {
            "course_id": str(course_id),
            "category": category,
            "credit_hours": credit_hours,
            "passed_at": passed_at.isoformat(),
        }

    # --- qualification --------------------------------------------------

    def hours(self) -> dict[str, int]:
        totals = dict.fromkeys(CATEGORIES, 0)
        for course in self.courses.values():
            totals[course["category"]] += course["credit_hours"]
        return totals

    @property
    def qualified(self) -> bool:
        return self.requirement is not None and meets_requirement(self.requirement, self.hours())

    @property
    def issued(self) -> bool:
        return self.issued_at is not None

    def issue_if_qualified(self, certificate_number: str, verification_code: str, at: datetime) -> bool:
        """Issue the certificate the first time the class qualifies; return True if issued now."""
        if self.issued or not self.qualified:
            return False
        hours = self.hours()
        self._issue(
            class_id=self.class_id,
            learner_id=self.learner_id,
            training_year=self.training_year,
            certificate_number=certificate_number,
            verification_code=verification_code,
            political_hours=hours["political"],
            general_hours=hours["general"],
            job_skills_hours=hours["job_skills"],
            issued_at=at,
        )
        return True

    @event("CertificateIssued")
    def _issue(
        self, class_id: UUID, learner_id: UUID, training_year: int, certificate_number: str,
        verification_code: str, political_hours: int, general_hours: int, job_skills_hours: int,
        issued_at: datetime,
    ) -> None:
        self.certificate_number = certificate_number
        self.verification_code = verification_code
        self.issued_at = issued_at

    def revoke(self, reason: str, at: datetime) -> None:
        if not self.issued:
            raise CertificateNotFound(f"class {self.class_id} has no certificate")
        if self.revoked_at is not None:
            raise AlreadyRevoked(f"certificate {self.id} was revoked at {self.revoked_at}")
        if not reason.strip():
            raise InvalidReason(f"certificate {self.id}: empty revocation reason")
        self._revoke(
            class_id=self.class_id,
            learner_id=self.learner_id,
            certificate_number=self.certificate_number,
            reason=reason.strip(),
            revoked_at=at,
        )

    @event("CertificateRevoked")
    def _revoke(self, class_id: UUID, learner_id: UUID, certificate_number: str | None,
                reason: str, revoked_at: datetime) -> None:
        self.revoked_at = revoked_at


# The @event decorators create these classes at import time; the names below give
# other modules (projection, translation) a statically typed way to refer to them.
LedgerStarted: type[Any] = HourLedger.Started  # type: ignore[attr-defined]
RequirementFixed: type[Any] = HourLedger.RequirementFixed  # type: ignore[attr-defined]
CourseCredited: type[Any] = HourLedger.CourseCredited  # type: ignore[attr-defined]
CertificateIssued: type[Any] = HourLedger.CertificateIssued  # type: ignore[attr-defined]
CertificateRevoked: type[Any] = HourLedger.CertificateRevoked  # type: ignore[attr-defined]
